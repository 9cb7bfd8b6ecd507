"""Cleartext evidence (issue 14) becomes proposals through mapping-v1.yaml's ``unprotected`` row:
an FTP login in clear (a crafted capture, RFC 959 layout) → D no and HR-DEV-RMGT on a device,
HR-NET-CONF on a network object; the password is in neither the evidence nor the proposals."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from ruamel.yaml import YAML
from scapy.all import IP, TCP, Ether, PcapWriter  # type: ignore[attr-defined]

SECRET = b"Tr0ub4dor-x9q"


def _ftp_capture(path: Path) -> None:
    c, s = ("192.0.2.10", 40000), ("192.0.2.1", 21)
    seq = {c: 1000, s: 5000}
    with PcapWriter(str(path), linktype=1) as w:
        def send(src, dst, data: bytes, flags: str = "PA") -> None:
            w.write(Ether() / IP(src=src[0], dst=dst[0]) / TCP(sport=src[1], dport=dst[1], seq=seq[src], ack=seq[dst], flags=flags) / data)
            seq[src] += len(data) + (1 if "S" in flags or "F" in flags else 0)
        send(c, s, b"", "S")
        seq[s] -= 0
        send(s, c, b"", "SA")
        for src, dst, data in ((s, c, b"220 switch FTP\r\n"), (c, s, b"USER admin\r\n"), (s, c, b"331 Password\r\n"), (c, s, b"PASS " + SECRET + b"\r\n"), (s, c, b"230 OK\r\n")):
            send(src, dst, data)


def test_cleartext_login_gives_d_no_and_high_risk_candidates(tmp_path: Path) -> None:
    capture = tmp_path / "ftp.pcap"
    _ftp_capture(capture)
    evidence = tmp_path / "ev.json"
    result = run_cli(["proto", "analyze", str(capture), "-f", "json", "-o", str(evidence), "--no-progress"])
    assert result.exit_code == 1, result.stderr
    assert SECRET not in evidence.read_bytes()
    case = tmp_path / "case"
    assert run_cli(["assess", "init", str(case), "--name", "测试系统", "--level", "3"]).exit_code == 0
    for obj, layer in (("dev-switch", "device"), ("net-mgmt", "network")):
        added = run_cli(["assess", "add", str(case), str(evidence), "--object", obj, "--layer", layer])
        assert added.exit_code == 0, added.stderr
    data = YAML(typ="safe", pure=True).load((case / "proposals.yaml").read_text(encoding="utf-8"))
    props = {(p["object"], p["indicator"]): p for p in data["proposals"]}
    assert props[("dev-switch", "DEV-RMGT")]["D"] is False
    assert "FTP without cryptographic protection" in props[("dev-switch", "DEV-RMGT")]["reasons"][0]
    for ind in ("NET-AUTH", "NET-INTEG", "NET-CONF"):
        assert props[("net-mgmt", ind)]["D"] is False
    # HR-NET-AUTH follows from NET-AUTH D no (a level-3 high-risk entry), as for an expired chain
    assert {c["id"] for c in data["high_risk_candidates"]} == {"HR-DEV-RMGT", "HR-NET-CONF", "HR-NET-AUTH"}
    assert SECRET not in (case / "proposals.yaml").read_bytes()
