"""``proto probe --ike`` against a hostile UDP responder on 127.0.0.1 (issue 21): whatever the peer
sends back is a finding in the evidence, never a crash (exit 128) or a traceback."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest

from conftest import run_cli
from support.gm_ipsec import udp_server

#: Answer builders: (initiator cookie, IKE version byte of the request) -> the hostile answer.
Answer = Callable[[bytes, int], bytes]


def _header(cookie: bytes, first: int, version: int, body: bytes) -> bytes:
    return cookie + b"R" * 8 + struct.pack("!BBBBII", first, version, 2 if version == 0x10 else 34, 0x20, 0, 28 + len(body)) + body


def _short_notify(cookie: bytes, version: int) -> bytes:
    """A notify payload whose body (3 bytes) ends before its message type."""
    first = 11 if version == 0x10 else 41
    return _header(cookie, first, version, struct.pack("!BBH", 0, 0, 7) + b"\x00\x00\x00")


def _notify_spi_overrun(cookie: bytes, version: int) -> bytes:
    """A notify whose SPI size points past the end of the payload."""
    if version == 0x10:
        body = struct.pack("!IBBH", 1, 1, 200, 14)
        return _header(cookie, 11, version, struct.pack("!BBH", 0, 0, 4 + len(body)) + body)
    body = struct.pack("!BBH", 1, 200, 14)
    return _header(cookie, 41, version, struct.pack("!BBH", 0, 0, 4 + len(body)) + body)


def _zero_length_payload(cookie: bytes, version: int) -> bytes:
    return _header(cookie, 1 if version == 0x10 else 33, version, struct.pack("!BBH", 0, 0, 0))


def _truncated_header(cookie: bytes, version: int) -> bytes:
    return cookie + b"\x01\x02"


def _short_sa(cookie: bytes, version: int) -> bytes:
    return _header(cookie, 1 if version == 0x10 else 33, version, struct.pack("!BBH", 0, 0, 6) + b"\x00\x00")


@pytest.mark.parametrize("answer", [_short_notify, _notify_spi_overrun, _zero_length_payload, _truncated_header, _short_sa])
def test_hostile_answers_are_findings(answer: Answer) -> None:
    def handle(data: bytes, peer: str) -> list[bytes]:
        return [answer(data[:8], data[17])] if len(data) >= 28 else []

    with udp_server(handle) as (port, errors):
        result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--ike", "--timeout", "0.5", "--max-connections", "6", "-f", "json"])
    assert not errors
    assert result.exit_code in (0, 1, 4), result.stderr
    assert "Traceback" not in result.stderr
    evidence = result.json()
    ike = [r for r in evidence["results"] if r["check"] == "proto.probe.ike"]
    assert [r["measurements"]["protocol"] for r in ike] == ["IKEv1", "IKEv2"]
    codes = {f["code"] for r in ike for f in r["findings"]}
    assert "proto.probe.ike.malformed" in codes
    # nothing readable came back, so no version is claimed and nothing is accepted
    assert all(r["measurements"]["accepted_suites"] == [] for r in ike)
