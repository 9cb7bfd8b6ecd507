"""The one TLS/TLCP codec on real bytes (vectors/pcaps): each decision of docs/proto.md
("One TLS/TLCP codec") where the analyzer's and the prober's former codecs disagreed."""

from __future__ import annotations

import socket
import time

import pytest
from support.proto_captures import PCAPS, tcp_streams

from mptool.proto.probe.hello import _read_flight
from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import MAX_HANDSHAKE, HandshakeMessage, HandshakeReassembler, handshake
from mptool.proto.tls.record import MAX_RECORD, Record, looks_like_record_header, parse_records
from mptool.proto.tls.stream import CLIENT, TLSConnection
from mptool.proto.tls.transport import ConnectionProblem, RecordStream
from mptool.proto.wire import DecodeError

CAPTURES = ["tlcp_gmssl_4suites.pcap", "tls12_sm_gmssl.pcap", "tls12_tls13_openssl.pcap", "rfc8998_tls13_sm_gmssl.pcap"]


def _client_hellos() -> list[tuple[str, Record, HandshakeMessage]]:
    """(capture, first record, ClientHello) of every connection of the real captures."""
    out = []
    for name in CAPTURES:
        for stream in tcp_streams(PCAPS / name).values():
            records, _ = parse_records(stream)
            if records and records[0].content_type == 22 and records[0].fragment[:1] == b"\x01":
                message = next(HandshakeReassembler().feed(records[0].fragment))
                out.append((name, records[0], message))
    return out


@pytest.fixture(scope="module")
def client_hellos() -> list[tuple[str, Record, HandshakeMessage]]:
    found = _client_hellos()
    assert {name for name, _, _ in found} == set(CAPTURES)
    return found


@pytest.fixture(scope="module")
def tlcp_header(client_hellos) -> bytes:
    return next(record.encode()[:5] for name, record, _ in client_hellos if record.version == 0x0101)


@pytest.mark.parametrize(("content_type", "valid"), [(20, True), (21, True), (22, True), (23, True), (24, True), (80, True), (25, False), (0, False), (0x80, False)])
def test_record_content_types(tlcp_header: bytes, content_type: int, valid: bool) -> None:
    """Known types: RFC 5246 (20-23), RFC 6520 heartbeat (24), GB/T 38636 site2site (80)."""
    assert looks_like_record_header(bytes([content_type]) + tlcp_header[1:]) is valid


@pytest.mark.parametrize(
    ("version", "valid"),
    [(0x0300, True), (0x0301, True), (0x0303, True), (0x0304, True), (0x0101, True), (0x0305, False), (0x0100, False), (0x0102, False), (0x0002, False), (0xFEFD, False)],
)
def test_record_versions(tlcp_header: bytes, version: int, valid: bool) -> None:
    assert looks_like_record_header(tlcp_header[:1] + version.to_bytes(2, "big") + tlcp_header[3:]) is valid


@pytest.mark.parametrize(("content_type", "length", "valid"), [(23, 0, True), (22, 0, False), (21, 0, False), (20, 0, False), (22, MAX_RECORD, True), (23, MAX_RECORD + 1, False)])
def test_record_lengths(tlcp_header: bytes, content_type: int, length: int, valid: bool) -> None:
    """Zero-length fragments: allowed for application data only (RFC 5246 §6.2.1, RFC 8446 §5.1)."""
    assert looks_like_record_header(bytes([content_type]) + tlcp_header[1:3] + length.to_bytes(2, "big")) is valid


def test_every_real_hello_parses_the_same_for_analyzer_and_prober(client_hellos) -> None:
    for _, _, message in client_hellos:
        hello, seen = m.ClientHello.parse(message.body), m.parse_hello(message.body, client=True)
        assert hello.encode() == message.raw
        assert (seen.legacy_version, seen.cipher_suites, seen.extensions) == (hello.version, hello.cipher_suites, [t for t, _ in hello.extensions or []])
        assert seen.sni == m.parse_server_name(hello.extension(m.EXT_SERVER_NAME) or b"")


def test_server_name_parsed_by_rfc_6066(client_hellos) -> None:
    with_sni = [(m.ClientHello.parse(msg.body), m.parse_hello(msg.body, client=True).sni) for _, _, msg in client_hellos]
    with_sni = [(hello, name) for hello, name in with_sni if name]
    assert with_sni, "no real ClientHello carries server_name"
    for hello, name in with_sni:
        assert m.server_name_extension(name) == (m.EXT_SERVER_NAME, hello.extension(m.EXT_SERVER_NAME))
        with pytest.raises(DecodeError):
            m.parse_server_name(hello.extension(m.EXT_SERVER_NAME) + b"\x00")  # the former server took data[5:]


def test_trailing_bytes_are_a_decode_error_on_both_sides(client_hellos) -> None:
    """RFC 8446 §6.2 / RFC 5246 §7.2.2: the analyzer no longer ignores bytes after the last field."""
    _, record, message = client_hellos[0]
    body = message.body + b"\x00"
    with pytest.raises(DecodeError, match="1 unexpected trailing bytes"):
        m.ClientHello.parse(body)
    with pytest.raises(DecodeError, match="1 unexpected trailing bytes"):
        m.parse_hello(body, client=True)
    conn = TLSConnection(("192.0.2.1", 40000), ("192.0.2.2", 443), 1, True)
    conn.feed(CLIENT, Record(22, record.version, handshake(1, body)).encode(), 1)
    assert conn.client_hellos == [] and conn.problems == ["frame 1: malformed ClientHello: 1 unexpected trailing bytes"]


def test_alerts_coalesced_odd_and_empty() -> None:
    """Several alerts in one record (TLS <= 1.2, TLCP) are read; an odd length is a decode error on both sides."""
    assert m.parse_alerts(bytes([1, 0, 2, 40])) == [(1, 0), (2, 40)]
    for bad in (b"", b"\x02", b"\x02\x28\x01"):
        with pytest.raises(DecodeError):
            m.parse_alerts(bad)
    conn = TLSConnection(("192.0.2.1", 40000), ("192.0.2.2", 443), 1, True)
    conn.feed(CLIENT, Record(21, 0x0303, b"\x02").encode() + Record(21, 0x0303, bytes([1, 0, 2, 40])).encode(), 7)
    assert conn.problems == ["frame 7: alert record of 1 bytes, expected pairs of 2"]
    assert [a["name"] for a in conn.alerts] == ["close_notify", "handshake_failure"]


def _flight(data: bytes):
    a, b = socket.socketpair()
    try:
        a.sendall(data)
        a.close()
        return _read_flight(RecordStream(b, time.monotonic() + 5), want_certificates=False)
    finally:
        b.close()


def test_prober_reads_alerts_with_the_same_codec() -> None:
    assert _flight(Record(21, 0x0303, bytes([2, 40])).encode()).alert == (2, 40)
    outcome = _flight(Record(21, 0x0303, b"\x02").encode())  # was padded to (2, 0) = close_notify
    assert outcome.status == "decode_error" and outcome.alert is None


def test_prober_record_header_decisions() -> None:
    assert _flight(Record(80, 0x0101, b"\x00").encode()).status == "unexpected_record"  # site2site is a record
    for not_tls in (Record(22, 0x0305, b"\x02"), Record(22, 0x0303, b"")):  # 3.5 is not, nor an empty handshake record
        with pytest.raises(ConnectionProblem) as problem:
            _flight(not_tls.encode())
        assert problem.value.kind == "not_tls"


def test_implausible_handshake_length_on_both_sides() -> None:
    fragment = bytes([11]) + (MAX_HANDSHAKE + 1).to_bytes(3, "big") + b"\x00" * 16
    with pytest.raises(DecodeError, match="implausibly long"):
        list(HandshakeReassembler().feed(fragment))
    conn = TLSConnection(("192.0.2.1", 40000), ("192.0.2.2", 443), 1, True)
    conn.feed(CLIENT, Record(22, 0x0303, fragment).encode(), 3)
    assert conn.problems == [f"frame 3: handshake message of {MAX_HANDSHAKE + 1} bytes is implausibly long"]


