"""SSH evidence into assess (issue 14): the bundled OpenSSH capture gives DEV-RMGT and DEV-AUTH
proposals for a device object — D yes, A no (no SM algorithms), Ra from the weakest negotiated
algorithm (SP 800-57 strengths of mapping-v1.yaml), and HR-GEN-ALG for ssh-rsa's SHA-1 signatures."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from conftest import run_cli


def test_ssh_capture_gives_device_proposals(data, tmp_path: Path) -> None:
    evidence = tmp_path / "ssh.json"
    result = run_cli(["proto", "analyze", str(data.path("pcaps", "ssh_openssh_modern_legacy.pcap")), "-f", "json", "-o", str(evidence), "--no-progress"])
    assert result.exit_code == 1, result.stderr  # the legacy connection is weak
    case = tmp_path / "case"
    assert run_cli(["assess", "init", str(case), "--name", "测试系统", "--level", "3"]).exit_code == 0
    added = run_cli(["assess", "add", str(case), str(evidence), "--object", "dev-server", "--layer", "device"])
    assert added.exit_code == 0, added.stderr
    data_ = YAML(typ="safe", pure=True).load((case / "proposals.yaml").read_text(encoding="utf-8"))
    props = {(p["object"], p["indicator"]): p for p in data_["proposals"]}
    for ind in ("DEV-RMGT", "DEV-AUTH"):
        p = props[("dev-server", ind)]
        assert p["D"] is True and p["A"] is False, p
    # the weakest: DH group 1 (1024-bit MODP, 80 bits) for the channel; ssh-rsa's SHA-1 signatures (63) for the host key
    assert "80 bits" in " ".join(props[("dev-server", "DEV-RMGT")]["reasons"]) and props[("dev-server", "DEV-RMGT")]["Ra"] == "0.5"
    assert "63 bits" in " ".join(props[("dev-server", "DEV-AUTH")]["reasons"])
    assert "HR-GEN-ALG" in {c["id"] for c in data_["high_risk_candidates"]}
