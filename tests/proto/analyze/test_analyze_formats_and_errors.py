"""Capture formats (pcap, pcapng, gzip, other link types) and malformed captures.

Malformed input is an input error (exit 3, one line naming the file, no output file) or a
clear finding; never a crash and never a silent empty success.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest
from support.proto_captures import PCAPS, analyze, channels, results
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import CookedLinux, Ether
from scapy.utils import PcapNgWriter, PcapWriter, RawPcapReader

TLCP = PCAPS / "tlcp_gmssl_4suites.pcap"


def _input_error(path: Path, tmp_path: Path, expect: str) -> None:
    out = tmp_path / "out.json"
    result = run_cli(["proto", "analyze", str(path), "-f", "json", "-o", str(out)])
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mptool: {path}") or str(path) in lines[0], lines
    assert expect in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_garbage_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pcap"
    path.write_bytes(b"this is not a capture at all\n" * 10)
    _input_error(path, tmp_path, "not a pcap or pcapng capture")


def test_empty_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.pcap"
    path.write_bytes(b"")
    _input_error(path, tmp_path, "is empty")


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    _input_error(tmp_path / "nope.pcap", tmp_path, "no such file")


def test_truncated_header_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "short.pcap"
    path.write_bytes(TLCP.read_bytes()[:10])
    _input_error(path, tmp_path, "truncated pcap file header")


def test_unknown_link_type_is_input_error(tmp_path: Path) -> None:
    data = bytearray(TLCP.read_bytes())
    struct.pack_into("<I", data, 20, 147)  # LINKTYPE_USER0
    path = tmp_path / "user0.pcap"
    path.write_bytes(bytes(data))
    _input_error(path, tmp_path, "link type 147 is not supported")


def test_corrupt_gzip_is_input_error(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(TLCP.read_bytes()))
    packed[len(packed) // 2 : len(packed) // 2 + 64] = b"\0" * 64
    path = tmp_path / "bad.pcap.gz"
    path.write_bytes(bytes(packed))
    _input_error(path, tmp_path, "gzip")


def test_absurd_record_length_is_input_error(tmp_path: Path) -> None:
    data = bytearray(TLCP.read_bytes())
    struct.pack_into("<I", data, 24 + 8, 1 << 30)  # first packet's captured length
    path = tmp_path / "huge.pcap"
    path.write_bytes(bytes(data))
    _input_error(path, tmp_path, "claims")


def test_truncated_capture_is_a_finding(tmp_path: Path) -> None:
    """A capture cut inside a packet (a killed tcpdump): what was read is analysed and the cut reported."""
    data = TLCP.read_bytes()
    path = tmp_path / "cut.pcap"
    path.write_bytes(data[: len(data) // 2 + 7])
    _, ev = analyze(str(path), "--no-cert-checks")
    (summary,) = results(ev, "proto.capture.summary")
    assert summary["status"] == "warn"
    assert [f["code"] for f in summary["findings"]] == ["proto.capture.truncated"]
    assert len(channels(ev)) >= 2
    assert channels(ev)[0]["cipher_suite"]["id"] == "0xE013"


def test_no_channels_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "dns.pcap"
    with PcapWriter(str(path), linktype=1) as w:
        w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=5353, dport=53) / b"\x12\x34\x01\x00")
    code, ev = analyze(str(path))
    (summary,) = results(ev, "proto.capture.summary")
    assert summary["status"] == "warn" and summary["findings"][0]["code"] == "proto.capture.no_channels"
    assert code == 0 and ev["summary"]["status"] == "warn"


def _copy_frames(src: Path, writer) -> None:
    with RawPcapReader(str(src)) as reader:
        for data, _meta in reader:
            writer.write(Ether(data))


def test_pcapng_and_gzip_give_the_same_results(tmp_path: Path) -> None:
    ng = tmp_path / "tlcp.pcapng"
    with PcapNgWriter(str(ng)) as w:
        _copy_frames(TLCP, w)
    gz = tmp_path / "tlcp.pcap.gz"
    gz.write_bytes(gzip.compress(TLCP.read_bytes()))
    base = [(c["cipher_suite"]["id"], c["client"], len(c["certificates"])) for c in channels(analyze(str(TLCP), "--no-cert-checks")[1])]
    for path, fmt in ((ng, "pcapng"), (gz, "pcap (gzip)")):
        _, ev = analyze(str(path), "--no-cert-checks")
        assert results(ev, "proto.capture.summary")[0]["measurements"]["format"] == fmt
        assert [(c["cipher_suite"]["id"], c["client"], len(c["certificates"])) for c in channels(ev)] == base


def test_linux_cooked_capture(tmp_path: Path) -> None:
    """Link type 113 (tcpdump -i any): same connections as the Ethernet original."""
    path = tmp_path / "sll.pcap"
    with PcapWriter(str(path), linktype=113) as w, RawPcapReader(str(PCAPS / "tls12_sm_gmssl.pcap")) as reader:
        for data, _meta in reader:
            w.write(CookedLinux(proto=0x0800) / Ether(data).payload)
    _, ev = analyze(str(path), "--no-cert-checks")
    assert [c["cipher_suite"]["id"] for c in channels(ev)] == ["0xE011", "0xE051"]


def test_stdin(tmp_path: Path) -> None:
    result = run_cli(["proto", "analyze", "-", "-f", "json", "--no-cert-checks"], input=TLCP.read_bytes())
    ev = result.json()
    assert ev["inputs"][0]["name"] == "<stdin>" and len(channels(ev)) == 4


def test_input_files_are_not_modified(tmp_path: Path) -> None:
    copy = tmp_path / "copy.pcap"
    copy.write_bytes(TLCP.read_bytes())
    before = copy.stat().st_mtime_ns, copy.read_bytes()
    analyze(str(copy), "--no-cert-checks")
    assert (copy.stat().st_mtime_ns, copy.read_bytes()) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=24, max_value=22928), st.integers(min_value=0, max_value=255)), min_size=1, max_size=40))
def test_mutated_captures_never_crash(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    """Random byte changes anywhere after the file header: evidence or an input error, never a crash."""
    data = bytearray(TLCP.read_bytes())
    for offset, value in flips:
        data[offset % len(data)] = value
    path = tmp_path / "mutated.pcap"
    path.write_bytes(bytes(data))
    result = run_cli(["proto", "analyze", str(path), "-f", "json", "--no-cert-checks"])
    assert result.exit_code in (0, 1, 3, 4), result.stderr
    if result.exit_code == 3:
        assert len(result.stderr.strip().splitlines()) == 1
    else:
        result.json()


@pytest.mark.parametrize("name", ["tls12_tls13_openssl.pcap", "tlcp_gmssl_4suites.pcap"])
def test_deterministic_output(name: str) -> None:
    a = run_cli(["proto", "analyze", str(PCAPS / name), "-f", "json", "--deterministic", "--no-cert-checks"])
    b = run_cli(["proto", "analyze", str(PCAPS / name), "-f", "json", "--deterministic", "--no-cert-checks"])
    assert a.stdout == b.stdout and a.json()["results"]


def test_bad_trust_anchor_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "anchor.pem"
    bad.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    out = tmp_path / "out.json"
    result = run_cli(["proto", "analyze", str(TLCP), "--trust", str(bad), "-f", "json", "-o", str(out)])
    assert result.exit_code == 3 and str(bad) in result.stderr and "is not valid base64" in result.stderr  # the one trust loader (cert.api.load_trust_anchors)
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
