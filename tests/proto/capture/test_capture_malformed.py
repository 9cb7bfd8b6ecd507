"""Malformed pcapng blocks and pcap records (issue 21): an input error (exit 3) before the first
good packet, a ``proto.capture.malformed`` finding with the frame number after it, never a crash.

Block layouts per draft-ietf-opsawg-pcapng §4 (SHB, IDB, EPB, SPB); record layout per
draft-ietf-opsawg-pcap §5.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from conftest import run_cli
from support.proto_captures import PCAPS, analyze, channels, results
from scapy.utils import RawPcapReader

TLCP = PCAPS / "tlcp_gmssl_4suites.pcap"


def _block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


SHB = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
IDB = _block(1, struct.pack("<HHI", 1, 0, 0))  # Ethernet, no snaplen, default 10^-6 s


def _epb(frame: bytes, ts: int = 1_700_000_000_000_000) -> bytes:
    return _block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame)


def _tlcp_frames() -> list[bytes]:
    with RawPcapReader(str(TLCP)) as reader:
        return [data for data, _meta in reader]


def _good_frames() -> bytes:
    return b"".join(_epb(data) for data in _tlcp_frames())


def _run(tmp_path: Path, data: bytes):
    path = tmp_path / "x.pcapng"
    path.write_bytes(data)
    out = tmp_path / "out.json"
    return path, out, run_cli(["proto", "analyze", str(path), "-f", "json", "-o", str(out), "--no-cert-checks", "--no-progress"])


BAD_BLOCKS = {
    "short IDB": _block(1, b"\x01\x00"),
    "short EPB": _block(6, b"\0" * 8),
    "short SPB": _block(3, b""),
    "EPB longer than its block": _block(6, struct.pack("<IIIII", 0, 0, 0, 400, 400) + b"\0" * 16),
    "timestamp after year 9999": _epb(b"\0" * 60, ts=(1 << 64) - 1),
}


@pytest.mark.parametrize("name", sorted(BAD_BLOCKS))
def test_malformed_block_before_any_packet_is_input_error(tmp_path: Path, name: str) -> None:
    path, out, result = _run(tmp_path, SHB + IDB + BAD_BLOCKS[name])
    assert result.exit_code == 3, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr and not out.exists()


@pytest.mark.parametrize("name", sorted(BAD_BLOCKS))
def test_malformed_block_after_packets_is_a_finding(tmp_path: Path, name: str) -> None:
    good = _good_frames()
    frames = len(_tlcp_frames())
    _path, out, result = _run(tmp_path, SHB + IDB + good + BAD_BLOCKS[name] + _epb(b"\0" * 60))
    assert result.exit_code in (0, 1), result.stderr
    ev = json.loads(out.read_text())
    (summary,) = results(ev, "proto.capture.summary")
    (finding,) = [f for f in summary["findings"] if f["code"] == "proto.capture.malformed"]
    assert finding["message"].startswith(f"frame {frames + 1}: ")
    assert summary["measurements"]["packets"] == frames
    assert len(channels(ev)) == 4  # every connection before the bad block is kept


def test_pcap_record_with_absurd_length_after_packets_is_a_finding(tmp_path: Path) -> None:
    data = TLCP.read_bytes()
    frames = len(_tlcp_frames())
    path = tmp_path / "tail.pcap"
    path.write_bytes(data + struct.pack("<IIII", 0, 0, 1 << 30, 1 << 30) + b"\0" * 64)
    _, ev = analyze(str(path), "--no-cert-checks")
    (summary,) = results(ev, "proto.capture.summary")
    assert [f["message"].split(":")[0] for f in summary["findings"] if f["code"] == "proto.capture.malformed"] == [f"frame {frames + 1}"]
    assert len(channels(ev)) == 4


def test_pcap_version_and_short_header_are_input_errors(tmp_path: Path) -> None:
    data = bytearray(TLCP.read_bytes())
    struct.pack_into("<H", data, 4, 3)
    for blob in (bytes(data), bytes(data[:20])):
        path = tmp_path / "bad.pcap"
        path.write_bytes(blob)
        result = run_cli(["proto", "analyze", str(path), "-f", "json", "--no-progress"])
        assert result.exit_code == 3 and "Traceback" not in result.stderr, result.stderr
