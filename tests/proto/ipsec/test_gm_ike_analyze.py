"""``proto analyze`` on GM/T 0022 captures of mptool's own lab: the bundled one (vectors/pcaps,
SOURCES.md), damaged copies of it, and (as root) a fresh one made by scripts/ipsec_lab.py across
two network namespaces."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BundledData, run_cli



def _analyze(pcap: Path, *extra: str) -> tuple[int, dict]:
    result = run_cli(["proto", "analyze", str(pcap), *extra, "-f", "json"])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.json()


def _one(evidence: dict, check: str) -> dict:
    [result] = [r for r in evidence["results"] if r["check"] == check]
    return result


def _records(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each packet record of a classic pcap."""
    out, pos = [], 24
    while pos + 16 <= len(data):
        length = struct.unpack("<I", data[pos + 8 : pos + 12])[0]
        out.append((pos + 16, length))
        pos += 16 + length
    return out


def _esp_records(data: bytes) -> list[tuple[int, int]]:
    """Records whose UDP payload (Ethernet + IPv4 + UDP) is ESP, not IKE (no non-ESP marker)."""
    return [(o, n) for o, n in _records(data) if data[o + 42 : o + 46] != bytes(4)]


@pytest.fixture
def lab(data: BundledData) -> tuple[Path, Path]:
    return data.pcaps / "gm0022_lab_ike_esp.pcap", data.pcaps / "gm0022_lab_ike_esp.keys"


def test_gm_values_are_named_without_the_key_log(lab) -> None:
    pcap, _ = lab
    code, evidence = _analyze(pcap)
    assert code == 0
    ike = _one(evidence, "proto.ike.exchange")["measurements"]
    assert ike["version"] == "1.1" and ike["profile"].startswith("GM/T 0022")
    auth = next(a for a in ike["proposals"][0]["transforms"][0]["attributes"] if a["type"] == 3)
    assert auth["value"] == 10 and auth["value_name"] == "digital envelope (GM/T 0022)" and auth["rfc_meaning"] == "ECDSA with SHA-384"
    assert [(s["sender"], s["frame"]) for s in ike["symmetric_key_payloads"]] == [("initiator", 3), ("responder", 4)]
    roles = [(c["role"], c["gm_certificate"], c["key_type"]) for c in ike["certificates"]]
    assert roles == [("responder", "signing", "SM2"), ("responder", "encryption", "SM2"), ("initiator", "signing", "SM2"), ("initiator", "encryption", "SM2")]
    assert ike["established"] and ike["quick_mode"]
    conf = next(i for i in ike["indicators"] if i["id"] == "NET-CONF")
    assert conf["verdict"] == "undetermined"  # the ESP transform is inside the encrypted quick mode
    esp = _one(evidence, "proto.esp.channel")["measurements"]
    assert sorted(s["spi"] for s in esp["spis"]) == ["0x0984EBDA", "0xDF9D1B28"]
    assert "decrypted" not in esp and "decrypted" not in ike


def test_the_key_log_decrypts_ike_and_esp(lab) -> None:
    pcap, keys = lab
    code, evidence = _analyze(pcap, "--ike-keylog", str(keys))
    assert code == 0
    ike = _one(evidence, "proto.ike.exchange")
    d = ike["measurements"]["decrypted"]
    assert d["hashes"] == {"HASH_I": True, "HASH_R": True, "HASH(1)": True, "HASH(2)": True, "HASH(3)": True}
    assert d["phase1_decrypted"] and d["phase2_decrypted"] and d["problems"] == []
    assert d["esp"]["name"] == "SM4-CBC" and d["esp"]["integrity"] == "HMAC-SM3"
    assert set(d["keymat_matches_keylog"].values()) == {True}
    assert ike["measurements"]["verdict"] == "gm_compliant"
    assert next(i for i in ike["measurements"]["indicators"] if i["id"] == "NET-CONF")["verdict"] == "gm_compliant"
    esp = _one(evidence, "proto.esp.channel")
    spis = esp["measurements"]["decrypted"]["spis"]
    assert {spi: e["decrypted"] for spi, e in spis.items()} == {"0984ebda": 3, "df9d1b28": 3}
    assert all(e["bad_icv"] == [] and e["replay"] == [] and e["next_headers"] == [253] for e in spis.values())
    # the key log's secrets never enter the evidence
    secrets = [w for line in keys.read_text().splitlines() if not line.startswith("#") for w in line.split()[3:]]
    text = str(evidence)
    assert secrets and not any(len(s) >= 32 and s in text for s in secrets)


def test_a_forged_esp_icv_and_a_replayed_packet_are_found(lab, tmp_path: Path) -> None:
    pcap, keys = lab
    data = bytearray(pcap.read_bytes())
    esp = _esp_records(bytes(data))
    assert len(esp) == 6
    offset, length = esp[0]
    data[offset + length - 1] ^= 0x01  # last ICV byte of the first ESP packet
    second = esp[1]
    data += data[second[0] - 16 : second[0] + second[1]]  # the second ESP packet again, at the end
    damaged = tmp_path / "damaged.pcap"
    damaged.write_bytes(bytes(data))
    code, evidence = _analyze(damaged, "--ike-keylog", str(keys))
    assert code == 1
    result = _one(evidence, "proto.esp.channel")
    assert result["status"] == "fail"
    codes = {f["code"] for f in result["findings"]}
    assert {"proto.esp.bad_icv", "proto.esp.replayed"} <= codes
    spis = result["measurements"]["decrypted"]["spis"]
    assert sum(len(e["bad_icv"]) for e in spis.values()) == 1 and sum(len(e["replay"]) for e in spis.values()) == 1


def test_a_wrong_key_log_is_reported_not_trusted(lab, tmp_path: Path) -> None:
    pcap, keys = lab
    lines = keys.read_text().splitlines()
    ike_line = next(line for line in lines if line.startswith("GM_IKE"))
    words = ike_line.split()
    words[3] = ("00" * 16) if words[3] != "00" * 16 else ("11" * 16)
    wrong = tmp_path / "wrong.keys"
    wrong.write_text("\n".join(" ".join(words) if line == ike_line else line for line in lines) + "\n")
    code, evidence = _analyze(pcap, "--ike-keylog", str(wrong))
    ike = _one(evidence, "proto.ike.exchange")
    assert "proto.ike.gm_keylog_problem" in {f["code"] for f in ike["findings"]}
    assert not ike["measurements"]["decrypted"].get("phase1_decrypted")


@pytest.mark.parametrize("content", [b"GM_IKE 00\n", b"hello world\n", b"GM_ESP zz 127 00 00\n"])
def test_a_bad_key_log_is_an_input_error(lab, tmp_path: Path, content: bytes) -> None:
    pcap, _ = lab
    bad = tmp_path / "bad.keys"
    bad.write_bytes(content)
    result = run_cli(["proto", "analyze", str(pcap), "--ike-keylog", str(bad), "-f", "json"])
    assert result.exit_code == 3
    assert "bad.keys" in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.network
def test_the_lab_across_namespaces_gives_an_analysable_capture(tmp_path: Path) -> None:
    """``mptool lab ipsec`` (root: netns, tcpdump): responder east, initiator west, capture on the link."""
    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces")
    for tool in ("ip", "tcpdump", "openssl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    done = subprocess.run([sys.executable, "-m", "mptool", "lab", "ipsec", "--out", str(tmp_path), "--esp-packets", "2", "--gcm"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"wrote {tmp_path / 'gm-ipsec.pcap'}" in done.stderr
    assert json.loads((tmp_path / "probe.json").read_text())["summary"] and (tmp_path / "serve.json").exists()
    code, evidence = _analyze(tmp_path / "gm-ipsec.pcap", "--ike-keylog", str(tmp_path / "ike.keys"), "--trust", str(tmp_path / "pki/ca.pem"))
    assert code == 0
    ike = _one(evidence, "proto.ike.exchange")["measurements"]
    assert ike["decrypted"]["esp"]["name"] == "SM4-GCM" and all(ike["decrypted"]["hashes"].values())
    spis = _one(evidence, "proto.esp.channel")["measurements"]["decrypted"]["spis"]
    assert sorted(e["decrypted"] for e in spis.values()) == [2, 2]
    assert ike["initiator"].rsplit(":", 1)[0] != "127.0.0.1"  # the capture is of the veth link, not loopback


def test_the_lab_without_root_is_a_one_line_error(monkeypatch, tmp_path: Path) -> None:
    """Not root: exit 4 (the environment lacks what the lab needs), one line, nothing created."""
    from mptool.proto.ipsec import lab

    monkeypatch.setattr(lab, "is_root", lambda: False)
    result = run_cli(["lab", "ipsec", "--out", str(tmp_path / "lab")])
    assert result.exit_code == 4
    assert result.stderr.strip().splitlines() == ["mptool: error: lab ipsec needs root (network namespaces, a veth pair and tcpdump); run it with sudo"]
    assert not (tmp_path / "lab").exists()


def test_ike_certificates_are_checked_by_the_cert_domain(lab, data: BundledData) -> None:
    pcap, _ = lab
    code, evidence = _analyze(pcap, "--trust", str(data.pcaps / "gm0022_lab_root_ca.pem"))
    assert code == 0
    anchors = {r["subject"].rsplit(" #1 ", 1)[1]: r["status"] for r in evidence["results"] if r["check"] == "cert.path.anchor"}
    assert anchors == {f"IKE {who} certificates ({kind})": "pass" for who in ("responder", "initiator") for kind in ("signing", "encryption")}
    pairs = [r for r in evidence["results"] if r["check"] == "cert.pair.tlcp"]
    assert [r["status"] for r in pairs] == ["pass", "pass"]
    # without the lab's root the chains cannot end at an anchor
    code, evidence = _analyze(pcap)
    assert {r["status"] for r in evidence["results"] if r["check"] == "cert.path.anchor"} == {"warn"}
