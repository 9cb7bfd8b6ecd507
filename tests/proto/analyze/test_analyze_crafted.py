"""Handshakes no Debian peer will negotiate any more (SSL 3.0, export, RC4, 3DES) and an
unencrypted ESP payload, written packet by packet from the wire formats of RFC 6101 / RFC 5246
(hello layout, suite and version code points) and RFC 4303 / RFC 3948 (ESP in UDP 4500)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from support.proto_captures import PCAPS, analyze, channels, results
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Dot1Q, Ether
from scapy.utils import PcapWriter, RawPcapReader

CLIENT, SERVER = ("192.0.2.10", 40000), ("192.0.2.20", 443)


def _record(ctype: int, version: int, body: bytes) -> bytes:
    return struct.pack("!BHH", ctype, version, len(body)) + body


def _handshake(mtype: int, body: bytes) -> bytes:
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def _client_hello(version: int, suites: list[int]) -> bytes:
    body = struct.pack("!H", version) + os.urandom(32) + b"\x00"
    body += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites) + b"\x01\x00"
    return _handshake(1, body)


def _server_hello(version: int, suite: int) -> bytes:
    return _handshake(2, struct.pack("!H", version) + os.urandom(32) + b"\x00" + struct.pack("!H", suite) + b"\x00")


def _write_tls(path: Path, version: int, offered: list[int], selected: int, preamble: list | None = None) -> None:
    """SYN handshake, [plaintext preamble,] hellos, ServerHelloDone, CKE, CCS + Finished both ways, data both ways."""
    flights = list(preamble or []) + [
        (CLIENT, _record(22, version, _client_hello(version, offered))),
        (SERVER, _record(22, version, _server_hello(version, selected) + _handshake(14, b""))),
        (CLIENT, _record(22, version, _handshake(16, os.urandom(130))) + _record(20, version, b"\x01") + _record(22, version, os.urandom(48))),
        (SERVER, _record(20, version, b"\x01") + _record(22, version, os.urandom(48))),
        (CLIENT, _record(23, version, os.urandom(64))),
        (SERVER, _record(23, version, os.urandom(900))),
    ]
    seq = {CLIENT: 1000, SERVER: 5000}
    with PcapWriter(str(path), linktype=1) as w:
        w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=CLIENT[0], dst=SERVER[0]) / TCP(sport=CLIENT[1], dport=SERVER[1], flags="S", seq=seq[CLIENT] - 1))
        w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=SERVER[0], dst=CLIENT[0]) / TCP(sport=SERVER[1], dport=CLIENT[1], flags="SA", seq=seq[SERVER] - 1, ack=seq[CLIENT]))
        for sender, data in flights:
            peer = SERVER if sender == CLIENT else CLIENT
            w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=sender[0], dst=peer[0]) / TCP(sport=sender[1], dport=peer[1], flags="PA", seq=seq[sender], ack=seq[peer]) / data)
            seq[sender] += len(data)


@pytest.mark.parametrize(
    ("version", "suite", "name", "reason"),
    [
        (0x0300, 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "SSL 3.0"),  # RFC 6101 version 3.0
        (0x0301, 0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "export-grade"),
        (0x0302, 0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4"),
        (0x0303, 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "3DES"),
        (0x0303, 0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL"),
        (0x0303, 0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "anonymous"),
    ],
)
def test_weak_handshakes(tmp_path: Path, version: int, suite: int, name: str, reason: str) -> None:
    path = tmp_path / "weak.pcap"
    _write_tls(path, version, [suite, 0x002F], suite)
    code, ev = analyze(str(path), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["cipher_suite"] == {"id": f"0x{suite:04X}", "name": name}
    assert c["client"] == "192.0.2.10:40000" and c["server"] == "192.0.2.20:443"
    assert c["handshake_completed"] and c["application_data"] == {"client_records": 1, "client_bytes": 64, "server_records": 1, "server_bytes": 900}
    assert c["verdict"] == "weak", c["reasons"]
    assert any(reason in r for r in c["reasons"]), c["reasons"]
    assert code == 1


def test_vlan_tagged_frames() -> None:
    """802.1Q-tagged Ethernet: the same connections as the untagged original."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "vlan.pcap"
        with PcapWriter(str(path), linktype=1) as w, RawPcapReader(str(PCAPS / "tls12_sm_gmssl.pcap")) as reader:
            for data, _meta in reader:
                frame = Ether(data)
                w.write(Ether(src=frame.src, dst=frame.dst) / Dot1Q(vlan=42) / frame.payload)
        _, ev = analyze(str(path), "--no-cert-checks")
    assert [c["cipher_suite"]["id"] for c in channels(ev)] == ["0xE011", "0xE051"]


def test_unencrypted_esp_payload_fails_randomness(tmp_path: Path) -> None:
    """ESP in UDP 4500 whose payload is plain text (as with ESP_NULL): the randomness check fails."""
    path = tmp_path / "esp_null.pcap"
    text = b"GET /index.html HTTP/1.1\r\nHost: intranet.example\r\n\r\n" * 3
    with PcapWriter(str(path), linktype=1) as w:
        for seq in range(1, 6):
            esp = struct.pack("!II", 0x1234ABCD, seq) + text
            w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="198.51.100.1", dst="198.51.100.2") / UDP(sport=4500, dport=4500) / esp)
    _, ev = analyze(str(path))
    (esp,) = results(ev, "proto.esp.channel")
    assert esp["status"] == "fail" and esp["measurements"]["randomness"]["outcome"] == "not_random"
    assert esp["measurements"]["spis"][0]["spi"] == "0x1234ABCD" and esp["measurements"]["spis"][0]["packets"] == 5
    assert esp["findings"][0]["code"] == "proto.esp.payload_not_random"


def test_esp_ip_protocol_50(tmp_path: Path) -> None:
    """ESP directly over IP (protocol 50) with ciphertext-like payload: counted per SPI, passes the randomness check."""
    from scapy.layers.ipsec import ESP

    path = tmp_path / "esp50.pcap"
    import hashlib

    def ciphertext(n: int) -> bytes:  # deterministic, cryptographic-quality bytes (SHA-256 in counter mode)
        return b"".join(hashlib.sha256(b"esp test %d %d" % (n, i)).digest() for i in range(3))

    with PcapWriter(str(path), linktype=1) as w:
        for seq in range(1, 9):
            for spi, (src, dst) in ((0xC0FFEE01, ("203.0.113.1", "203.0.113.2")), (0xC0FFEE02, ("203.0.113.2", "203.0.113.1"))):
                pkt = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=src, dst=dst) / ESP(spi=spi, seq=seq, data=ciphertext(seq * 4 + spi % 4))
                w.write(pkt)
    _, ev = analyze(str(path))
    (esp,) = results(ev, "proto.esp.channel")
    m = esp["measurements"]
    assert m["encapsulation"] == "IP protocol 50"
    assert sorted((s["spi"], s["packets"], s["first_sequence"], s["last_sequence"]) for s in m["spis"]) == [("0xC0FFEE01", 8, 1, 8), ("0xC0FFEE02", 8, 1, 8)]
    assert m["verdict"] == "undetermined" and m["ike_exchange"] is None  # no IKE in this capture
    assert esp["status"] == "pass" and m["randomness"]["outcome"] == "random" and m["randomness"]["bytes"] == 16 * (96 - 16)


def _isakmp(ispi: bytes, rspi: bytes, exchange: int, payloads: list[tuple[int, bytes]]) -> bytes:
    """An ISAKMP message (RFC 2408 §3.1) with generic payload headers (§3.2)."""
    body = b""
    for i, (_ptype, data) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        body += struct.pack("!BBH", nxt, 0, 4 + len(data)) + data
    header = ispi + rspi + struct.pack("!BBBBII", payloads[0][0], 0x10, exchange, 0, 0, 28 + len(body))
    return header + body


def _gm_sa() -> bytes:
    """SA (DOI IPsec, SIT_IDENTITY_ONLY) with one proposal, one transform: SM4-CBC, SM3, envelope, SM2."""
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v) for t, v in ((1, 129), (2, 20), (3, 10), (20, 2), (11, 1)))
    attrs += struct.pack("!HHI", 12, 4, 28800)
    transform = struct.pack("!BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    return struct.pack("!II", 1, 1) + proposal


def test_gm_main_mode_certificates_in_clear(tmp_path: Path) -> None:
    """GM/T 0022 main mode: message 2 carries the responder's signing and encryption certificates in clear."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from mptool.core.bundled import data_path

    ders = [
        x509.load_pem_x509_certificate(data_path("certs", "sm2", "tlcp", "gmssl", name).read_bytes()).public_bytes(Encoding.DER)
        for name in ("server_sign.pem", "server_enc.pem")
    ]
    ispi, rspi = bytes.fromhex("0102030405060708"), bytes.fromhex("a1a2a3a4a5a6a7a8")
    m1 = _isakmp(ispi, b"\0" * 8, 2, [(1, _gm_sa())])
    m2 = _isakmp(ispi, rspi, 2, [(1, _gm_sa()), (6, b"\x04" + ders[0]), (6, b"\x04" + ders[1])])
    path = tmp_path / "gm_mm.pcap"
    with PcapWriter(str(path), linktype=1) as w:
        for src, dst, msg in (("198.51.100.1", "198.51.100.2", m1), ("198.51.100.2", "198.51.100.1", m2)):
            w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=src, dst=dst) / UDP(sport=500, dport=500) / msg)
    _, ev = analyze(str(path))
    (ike,) = [r["measurements"] for r in results(ev, "proto.ike.exchange")]
    import hashlib

    assert [(c["role"], c["sha256"]) for c in ike["certificates"]] == [("responder", hashlib.sha256(d).hexdigest()) for d in ders]
    assert all(c["key_type"] == "SM2" and c["signature_algorithm"] == "SM2-with-SM3" for c in ike["certificates"])
    attrs = {a["name"]: a.get("value_name", a["value"]) for a in ike["selected"][0]["transforms"][0]["attributes"]}
    assert attrs["Authentication Method"] == "digital envelope (GM/T 0022)" and attrs["Encryption Algorithm"] == "SM4-CBC"
    assert not ike["established"] and ike["verdict"] == "undetermined"  # only messages 1 and 2


def test_starttls(tmp_path: Path) -> None:
    """SMTP STARTTLS (RFC 3207): plaintext first, then the TLS handshake on the same connection."""
    smtp = [
        (SERVER, b"220 mail.example ESMTP\r\n"),
        (CLIENT, b"EHLO client.example\r\n"),
        (SERVER, b"250-mail.example\r\n250 STARTTLS\r\n"),
        (CLIENT, b"STARTTLS\r\n"),
        (SERVER, b"220 2.0.0 Ready to start TLS\r\n"),
    ]
    path = tmp_path / "starttls.pcap"
    _write_tls(path, 0x0303, [0xC02F, 0x009C], 0xC02F, preamble=smtp)
    _, ev = analyze(str(path), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["starttls"] is True and c["client"] == "192.0.2.10:40000"
    assert c["version"] == "TLS 1.2" and c["cipher_suite"]["id"] == "0xC02F" and c["handshake_completed"]


def test_weak_selection_stays_weak_when_the_handshake_fails(tmp_path: Path) -> None:
    """The server selects RC4, then the client aborts with a fatal insufficient_security alert (71)."""
    path = tmp_path / "abort.pcap"
    flights = [
        (CLIENT, _record(22, 0x0303, _client_hello(0x0303, [0x0005, 0xC02F]))),
        (SERVER, _record(22, 0x0303, _server_hello(0x0303, 0x0005) + _handshake(14, b""))),
        (CLIENT, _record(21, 0x0303, b"\x02\x47")),
    ]
    seq = {CLIENT: 1, SERVER: 1}
    with PcapWriter(str(path), linktype=1) as w:
        for sender, data in flights:
            peer = SERVER if sender == CLIENT else CLIENT
            w.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=sender[0], dst=peer[0]) / TCP(sport=sender[1], dport=peer[1], flags="PA", seq=seq[sender], ack=seq[peer]) / data)
            seq[sender] += len(data)
    _, ev = analyze(str(path), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["alerts"] == [{"sender": "client", "level": "fatal", "code": 71, "name": "insufficient_security", "frame": 3}]
    assert not c["handshake_completed"] and c["verdict"] == "weak"
    (r,) = results(ev, "proto.tls.channel")
    severities = {f["message"]: f["severity"] for f in r["findings"]}
    assert any(s == "error" and "RC4" in m for m, s in severities.items())
    assert any(s == "info" and "insufficient_security" in m for m, s in severities.items())


def _certificate(ders: list[bytes]) -> bytes:
    body = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return _handshake(11, len(body).to_bytes(3, "big") + body)


def _der(name: str) -> bytes:
    """The DER of a Tongsuo test certificate (decoded as PEM only: cryptography refuses, in a future
    release, the non-positive serial numbers some of them carry)."""
    from mptool.core.pem import pem_blocks

    (block,) = pem_blocks((PCAPS.parent / "certs" / "sm2" / "tlcp" / "tongsuo" / name).read_bytes(), frozenset({"CERTIFICATE"}))
    return block.der


def _write_flights(path: Path, flights: list[tuple[tuple[str, int], bytes]]) -> None:
    seq = {CLIENT: 1000, SERVER: 5000}
    with PcapWriter(str(path), linktype=1) as w:
        for sender, data in flights:
            peer = SERVER if sender == CLIENT else CLIENT
            w.write(Ether() / IP(src=sender[0], dst=peer[0]) / TCP(sport=sender[1], dport=peer[1], flags="PA", seq=seq[sender], ack=seq[peer]) / data)
            seq[sender] += len(data)


def test_tlcp_client_certificates_take_their_roles_from_key_usage(tmp_path: Path) -> None:
    """An ECC client that sends only its signing certificate and its CA: no pair check on (sign, CA)."""
    tlcp = 0x0101
    cert_request = _handshake(13, b"\x01\x40" + b"\x00\x00")  # GB/T 38636: certificate_types, no CA names
    flights = [
        (CLIENT, _record(22, tlcp, _client_hello(tlcp, [0xE013]))),
        (SERVER, _record(22, tlcp, _server_hello(tlcp, 0xE013) + _certificate([_der("server_sign.pem"), _der("server_enc.pem"), _der("root-ca.pem")]) + cert_request + _handshake(14, b""))),
        (CLIENT, _record(22, tlcp, _certificate([_der("client_sign.pem"), _der("root-ca.pem")]) + _handshake(16, os.urandom(160))) + _record(20, tlcp, b"\x01") + _record(22, tlcp, os.urandom(48))),
        (SERVER, _record(20, tlcp, b"\x01") + _record(22, tlcp, os.urandom(48))),
    ]
    path = tmp_path / "tlcp_client_sign_only.pcap"
    _write_flights(path, flights)
    _, evidence = analyze(str(path))
    [channel] = channels(evidence)
    assert [c["role"] for c in channel["certificates"]] == ["sign", "enc", "ca"]
    assert [c["role"] for c in channel["client_certificates"]] == ["sign", "ca"]
    pairs = results(evidence, "cert.pair.tlcp")
    assert [p["subject"].endswith("server TLCP pair") for p in pairs] == [True]  # the client has no pair to check


def test_no_serverhello_means_no_negotiated_version(tmp_path: Path) -> None:
    """A TLS 1.3-only ClientHello (legacy_version 0x0303) refused with an alert: not reported as TLS 1.2."""
    supported_versions = struct.pack("!HHB", 43, 3, 2) + struct.pack("!H", 0x0304)
    hello = _client_hello(0x0303, [0x1301])[4:] + struct.pack("!H", len(supported_versions)) + supported_versions
    flights = [
        (CLIENT, _record(22, 0x0301, _handshake(1, hello))),
        (SERVER, _record(21, 0x0303, b"\x02\x46")),  # fatal protocol_version
    ]
    path = tmp_path / "tls13_refused.pcap"
    _write_flights(path, flights)
    _, evidence = analyze(str(path))
    [channel] = channels(evidence)
    assert channel["version"] is None
    assert channel["offered"]["versions"] == ["TLS 1.3"]
