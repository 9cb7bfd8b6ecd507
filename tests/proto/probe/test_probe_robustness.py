"""Hostile or broken input: parsers raise only DecodeError, the server survives garbage."""

from __future__ import annotations

import json
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.proto_peers import server_files, sm2_pki, tlcp_serve  # noqa: F401 (fixtures)
from conftest import run_cli, validate_evidence
from mptool.proto.probe import ike as ike_probe
from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import HandshakeReassembler
from mptool.proto.wire import DecodeError

PARSERS = [
    m.ClientHello.parse,
    m.ServerHello.parse,
    m.parse_certificate,
    m.CertificateRequest.parse,
    m.parse_certificate_verify,
    lambda b: m.parse_server_key_exchange(b, 0xE011, 0x0101),  # TLCP ECDHE
    lambda b: m.parse_server_key_exchange(b, 0xE013, 0x0101),  # TLCP ECC
    lambda b: m.parse_server_key_exchange(b, 0xC02F, 0x0303),  # TLS 1.2 ECDHE
    lambda b: m.parse_server_key_exchange(b, 0x009E, 0x0303),  # TLS 1.2 DHE
    lambda b: m.parse_hello(b, client=True),
    lambda b: m.parse_hello(b, client=False),
    lambda b: m.parse_certificate(b, tls13=True),
    m.parse_alerts,
    lambda b: m.TlcpClientKeyExchange.parse(b, True),
    lambda b: m.TlcpClientKeyExchange.parse(b, False),
    lambda b: list(HandshakeReassembler().feed(b)),
    ike_probe.chosen_ikev1,
]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), which=st.integers(0, len(PARSERS) - 1))
def test_parsers_reject_garbage_with_decode_error_only(data: bytes, which: int) -> None:
    try:
        PARSERS[which](data)
    except DecodeError:
        pass


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_ike_answer_parser_never_raises(data: bytes) -> None:
    answer = ike_probe.parse_answer(b"\x07" * 8 + data, b"\x07" * 8)
    assert answer.status in ("sa", "notify", "malformed")


@pytest.mark.network
def test_server_survives_garbage_and_then_serves_a_probe(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--suites", "E013", "--max-connections", "5", "--handshake-timeout", "2")
    garbage = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # not TLS at all
        bytes.fromhex("16010100050100000100"),  # TLCP record, truncated ClientHello body
        bytes.fromhex("1601010004") + b"\x01\xff\xff\xff",  # a handshake message claiming 16 MB
    ]
    for payload in garbage:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(payload)
            sock.settimeout(5)
            try:
                while sock.recv(4096):
                    pass
            except OSError:
                pass
    probe = run_cli(["proto", "probe", f"127.0.0.1:{server.port}", "--tlcp", "-f", "json", "--max-connections", "2"])
    assert probe.json()["results"][0]["measurements"]["accepted_suites"] == [{"id": "0xE013", "name": "ECC_SM4_CBC_SM3", "verdict": "gm_compliant"}]
    code, err = server.finish()
    served = validate_evidence(json.loads(server.evidence.read_text()))
    first, second, third = served["results"][:3]
    assert first["measurements"]["ended_by"] == "not_tls" and first["status"] == "info"
    assert second["measurements"]["ended_by"] == "decode_error" and second["status"] == "fail"
    assert third["measurements"]["ended_by"] == "decode_error" and third["status"] == "fail"
    assert code == 1  # failing client results reach --fail-on error


@pytest.mark.parametrize(
    ("target", "default", "expected"),
    [
        ("example.org:443", None, ("example.org", 443)),
        ("[::1]:4433", None, ("::1", 4433)),
        ("::1", 500, ("::1", 500)),
        ("192.0.2.1", 500, ("192.0.2.1", 500)),
        ("192.0.2.1:4500", 500, ("192.0.2.1", 4500)),
    ],
)
def test_target_forms(target: str, default: int | None, expected: tuple[str, int]) -> None:
    from mptool.proto.probe.run import parse_target

    assert parse_target(target, default) == expected
