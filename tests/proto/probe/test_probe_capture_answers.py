"""The probe's answer readers on real server bytes from vectors/pcaps (ground truth in SOURCES.md).

- TLS: each captured server stream is fed through a socket to the same reader the probe uses
  after its ClientHello (``hello._read_flight``): OpenSSL TLS 1.2/1.3, GmSSL TLS 1.2 with SM
  suites, GmSSL TLS 1.3 with the RFC 8998 suites.
- IKE: strongSwan's answers to ike-scan (main-mode SA, NO-PROPOSAL-CHOSEN for IKEv1 and IKEv2,
  AUTHENTICATION-FAILED) through ``ike_probe.parse_answer`` / ``chosen_ikev1``.
"""

from __future__ import annotations

import socket
import struct
import time

import pytest
from scapy.all import TCP, UDP, rdpcap  # type: ignore[attr-defined]

from conftest import DATA
from mptool.proto.probe import ike as ike_probe
from mptool.proto.tls import messages as m
from mptool.proto.probe.hello import _read_flight
from mptool.proto.probe.keys import certificate_public_key
from mptool.proto.tls.transport import RecordStream

PCAPS = DATA.pcaps


def _server_streams(name: str) -> dict[tuple[int, int], bytes]:
    """Server-to-client TCP payload per connection (segments ordered by sequence number)."""
    parts: dict[tuple[int, int], dict[int, bytes]] = {}
    for packet in rdpcap(str(PCAPS / name)):
        if TCP in packet and bytes(packet[TCP].payload):
            parts.setdefault((packet[TCP].sport, packet[TCP].dport), {})[packet[TCP].seq] = bytes(packet[TCP].payload)
    streams = {key: b"".join(v for _, v in sorted(segments.items())) for key, segments in parts.items()}
    return {key: data for key, data in streams.items() if key[0] < key[1]}


def _read(data: bytes, want_certificates: bool = True):
    a, b = socket.socketpair()
    with a, b:
        a.sendall(data)
        a.shutdown(socket.SHUT_WR)
        return _read_flight(RecordStream(b, time.monotonic() + 5), want_certificates)


@pytest.mark.parametrize(
    ("pcap", "expected"),
    [
        ("tls12_tls13_openssl.pcap", [(0x0303, 0xC02F), (0x0303, 0x003D), (0x0304, 0x1302), (0x0304, 0x1303)]),
        ("tls12_sm_gmssl.pcap", [(0x0303, 0xE011), (0x0303, 0xE051)]),
        ("rfc8998_tls13_sm_gmssl.pcap", [(0x0304, 0x00C6), (0x0304, 0x00C7)]),
    ],
)
def test_server_first_flights(pcap: str, expected: list[tuple[int, int]]) -> None:
    outcomes = []
    for _, data in sorted(_server_streams(pcap).items(), key=lambda item: item[0]):
        outcome = _read(data)
        assert outcome.status == "server_hello" and outcome.server_hello is not None
        outcomes.append(outcome)
    seen = sorted((o.server_hello.negotiated_version, o.server_hello.cipher_suite) for o in outcomes)
    assert seen == sorted(expected)
    for outcome in outcomes:
        hello = outcome.server_hello
        if hello.negotiated_version == 0x0304:
            assert hello.version == 0x0303 and outcome.certificates == []  # TLS 1.3 certificates are encrypted
            key_share = hello.extension(m.EXT_KEY_SHARE)
            assert key_share is not None
            if pcap.startswith("rfc8998"):
                assert struct.unpack("!H", key_share[:2])[0] == m.CURVE_SM2  # curveSM2 key share
        else:
            assert len(outcome.certificates) >= 1
    if pcap == "tls12_sm_gmssl.pcap":  # GmSSL's TLS 1.2 server certificate is an SM2 one
        for outcome in outcomes:
            certificate_public_key(outcome.certificates[0])


def _ike_pairs(name: str) -> list[tuple[bytes, bytes]]:
    requests, answers = {}, {}
    for packet in rdpcap(str(PCAPS / name)):
        if UDP in packet:
            data = bytes(packet[UDP].payload)
            (answers if packet[UDP].sport == 500 else requests)[data[:8]] = data
    return [(requests[cookie], answers[cookie]) for cookie in requests if cookie in answers]


def test_ikev1_sa_answer_from_strongswan() -> None:
    [(request, answer)] = _ike_pairs("ike-scan_main_handshake.pcap")
    parsed = ike_probe.parse_answer(answer, request[:8])
    assert parsed.status == "sa" and parsed.version == 0x10
    chosen = dict(ike_probe.chosen_ikev1(parsed.first(1)))
    assert {k: chosen[k] for k in (1, 14, 2, 3, 4, 11, 12)} == {1: 7, 14: 128, 2: 2, 3: 1, 4: 14, 11: 1, 12: 28800}
    assert len([body for t, body in parsed.payloads if t == 13]) == 2  # XAUTH and DPD vendor IDs
    described = ike_probe.describe_ikev1(ike_probe._canonical(tuple(chosen.items())))
    assert described["id"].startswith("1=7,14=128,2=2,3=1,4=14")


def test_notifies_from_strongswan() -> None:
    codes = []
    for request, answer in _ike_pairs("ike-scan_probes_vs_charon.pcap"):
        parsed = ike_probe.parse_answer(answer, request[:8])
        assert parsed.status == "notify"
        version = 1 if parsed.version >> 4 == 1 else 2
        codes.append((version, ike_probe._notify_name(version, parsed.notify)))
    assert sorted(codes) == sorted([(1, "no_proposal_chosen"), (1, "no_proposal_chosen"), (1, "authentication_failed"), (2, "no_proposal_chosen")])


def test_answer_for_another_initiator_is_ignored() -> None:
    [(_, answer)] = _ike_pairs("ike-scan_main_handshake.pcap")
    assert ike_probe.parse_answer(answer, b"\x00" * 8).status == "malformed"
