"""The TLCP message codecs and signature formats against real GmSSL bytes (vectors/pcaps).

Ground truth: vectors/pcaps/SOURCES.md (4 GmSSL 3 connections, suites E013/E053 server-auth,
E011/E051 with client certificates; server Certificate = sign, enc, CA; curve 41).
Every handshake message is parsed and re-encoded byte for byte, the ServerKeyExchange
signatures are verified with the project's SM2 against the server's signing certificate,
and the ECDHE connections' CertificateVerify against the client's signing certificate.
"""

from __future__ import annotations


import pytest

from mptool.algo import sm2
from mptool.proto.tls import messages as m
from mptool.proto.probe.keys import certificate_public_key
from mptool.proto.tls.handshake import HandshakeMessage, HandshakeReassembler
from mptool.proto.tls.record import HANDSHAKE, parse_records
from mptool.proto.tlcp.channel import CV_GMSSL, CV_TONGSUO, verify_signature as _verify
from mptool.proto.tlcp.crypto import sm3

from conftest import DATA, BundledData
from support.proto_captures import tcp_streams

EXPECTED = {14431: 0xE013, 14432: 0xE053, 14433: 0xE011, 14434: 0xE051}


def _plain_handshake(stream: bytes) -> tuple[list[HandshakeMessage], list[int]]:
    records, tail = parse_records(stream)
    assert tail == b""
    reassembler = HandshakeReassembler()
    messages: list[HandshakeMessage] = []
    for record in records:
        assert record.version == 0x0101
        if record.content_type == 20:  # ChangeCipherSpec: the rest is encrypted
            break
        assert record.content_type == HANDSHAKE
        messages.extend(reassembler.feed(record.fragment))
    return messages, [r.content_type for r in records]


@pytest.fixture(scope="module")
def connections() -> dict[int, tuple[list[HandshakeMessage], list[HandshakeMessage]]]:
    streams = tcp_streams(DATA.pcaps / "tlcp_gmssl_4suites.pcap")
    out = {}
    for port in EXPECTED:
        client = next(data for (sport, dport), data in streams.items() if dport == port)
        server = next(data for (sport, dport), data in streams.items() if sport == port)
        out[port] = (_plain_handshake(client)[0], _plain_handshake(server)[0])
    return out


@pytest.mark.parametrize("port", sorted(EXPECTED))
def test_hellos_certificates_and_ske_roundtrip_and_verify(connections, port: int) -> None:
    client, server = connections[port]
    hello = m.ClientHello.parse(client[0].body)
    assert hello.version == 0x0101 and hello.encode() == client[0].raw
    server_hello = m.ServerHello.parse(server[0].body)
    assert server_hello.version == 0x0101 and server_hello.cipher_suite == EXPECTED[port]
    assert server_hello.encode() == server[0].raw
    certs = m.parse_certificate(server[1].body)
    assert len(certs) == 3 and m.encode_certificate(certs) == server[1].raw
    ecdhe = EXPECTED[port] in (0xE011, 0xE051)
    ske = m.parse_server_key_exchange(server[2].body, EXPECTED[port], 0x0101)
    assert m.encode_tlcp_server_key_exchange(ske.signature, ske.ecdhe) == server[2].raw
    if ecdhe:
        assert ske.ecdhe is not None and ske.ecdhe.curve_id == m.CURVE_SM2 and len(ske.ecdhe.point) == 65
        signed = m.signed_params_ecdhe(hello.random, server_hello.random, ske.ecdhe)
    else:
        signed = m.signed_params_ecc(hello.random, server_hello.random, certs[1])
    sign_key = certificate_public_key(certs[0])
    assert _verify(sign_key, signed, ske.signature)
    # The signature is over these exact bytes: one flipped bit in the signed data fails.
    assert not _verify(sign_key, signed[:-1] + bytes([signed[-1] ^ 1]), ske.signature)
    # ...and the encryption certificate's key does not verify it (signing key is the first cert).
    assert not _verify(certificate_public_key(certs[1]), signed, ske.signature)


@pytest.mark.parametrize("port", [14431, 14432])
def test_ecc_client_key_exchange_is_der_sm2_ciphertext(connections, port: int) -> None:
    client, server = connections[port]
    assert [msg.msg_type for msg in server] == [m.SERVER_HELLO, m.CERTIFICATE, m.SERVER_KEY_EXCHANGE, m.SERVER_HELLO_DONE]
    cke = m.TlcpClientKeyExchange.parse(client[1].body, ecdhe=False)
    assert cke.encode() == client[1].raw
    assert cke.encrypted_pms is not None and len(cke.encrypted_pms) == 156  # observed: 0x009c
    # DER SEQUENCE {x, y, hash OCTET STRING(32), ciphertext OCTET STRING(48)}: 48-byte pre-master secret
    assert cke.encrypted_pms[:3] == bytes.fromhex("308199")
    assert cke.encrypted_pms[-50:-48] == bytes.fromhex("0430")


@pytest.mark.parametrize("port", [14433, 14434])
def test_ecdhe_client_flight_gmssl_format(connections, port: int) -> None:
    client, server = connections[port]
    assert [msg.msg_type for msg in server] == [m.SERVER_HELLO, m.CERTIFICATE, m.SERVER_KEY_EXCHANGE, m.CERTIFICATE_REQUEST, m.SERVER_HELLO_DONE]
    request = m.CertificateRequest.parse(server[3].body)
    assert request.cert_types == bytes([64]) and len(request.authorities) == 1 and request.encode() == server[3].raw
    client_certs = m.parse_certificate(client[1].body)
    assert len(client_certs) == 3  # sign, enc, CA
    cke = m.TlcpClientKeyExchange.parse(client[2].body, ecdhe=True)
    assert cke.variant == m.CKE_GMSSL and cke.params is not None and cke.params.curve_id == 41
    assert cke.encode() == client[2].raw
    sm2.decode_public_key(cke.params.point)  # a valid curve point
    # CertificateVerify: GmSSL signs the handshake messages (ZA with the default ID), not SM3 of them.
    transcript = b"".join(msg.raw for msg in [client[0], *server, client[1], client[2]])
    _, signature = m.parse_certificate_verify(client[3].body)
    assert m.encode_certificate_verify(signature) == client[3].raw
    client_sign = certificate_public_key(client_certs[0])
    assert _verify(client_sign, transcript, signature)
    assert not _verify(client_sign, sm3(transcript), signature)
    assert CV_GMSSL != CV_TONGSUO


def test_tongsuo_ecdhe_client_key_exchange_without_outer_length(connections) -> None:
    """Tongsuo's layout (protocols.md §1.5): the same parameters without GmSSL's uint16 length."""
    client, _ = connections[14433]
    gmssl = m.TlcpClientKeyExchange.parse(client[2].body, ecdhe=True)
    assert gmssl.params is not None
    tongsuo_body = client[2].body[2:]  # 03 0029 41 04...
    assert tongsuo_body[:4] == bytes.fromhex("03002941")
    parsed = m.TlcpClientKeyExchange.parse(tongsuo_body, ecdhe=True)
    assert parsed.variant == m.CKE_TONGSUO and parsed.params == gmssl.params
    assert parsed.encode() == m.handshake(m.CLIENT_KEY_EXCHANGE, tongsuo_body)


@pytest.mark.parametrize("vendor", ["gmssl", "tongsuo", "tjfoc"])
def test_real_tlcp_certificates_give_sm2_keys(data: BundledData, vendor: str) -> None:
    """The signing/encryption certificates published by GmSSL, Tongsuo and tjfoc load as SM2 keys."""
    from mptool.proto.probe.keys import load_certificates

    directory = data.certs / "sm2" / "tlcp" / vendor
    files = sorted(directory.glob("*.pem"))
    assert files
    keys = {f.stem: [certificate_public_key(der) for der in load_certificates(str(f)).ders] for f in files}
    if "server_enc" in keys:  # the signing and encryption keys of a TLCP server differ
        assert keys["server_sign"] != keys["server_enc"]


@pytest.mark.parametrize("port", sorted(EXPECTED))
def test_protected_records_have_this_packages_layout(port: int) -> None:
    """After ChangeCipherSpec: GCM records carry the sequence number as explicit nonce (as this
    package's RecordCipher does) and a 16-byte tag; CBC records are IV + whole SM4 blocks."""
    from mptool.proto.tlcp.suites import IMPLEMENTED
    from mptool.proto.tlcp.crypto import GCM_EXPLICIT, GCM_TAG

    streams = tcp_streams(DATA.pcaps / "tlcp_gmssl_4suites.pcap")
    gcm = IMPLEMENTED[EXPECTED[port]].mode == "gcm"
    for (sport, dport), data in streams.items():
        if port not in (sport, dport):
            continue
        records, _ = parse_records(data)
        ccs = next(i for i, r in enumerate(records) if r.content_type == 20)
        protected = records[ccs + 1 :]
        assert [r.content_type for r in protected] == [22, 23, 21]  # Finished, data, close_notify
        for seq, record in enumerate(protected):
            if gcm:
                assert record.fragment[:GCM_EXPLICIT] == seq.to_bytes(8, "big")
                assert len(record.fragment) > GCM_EXPLICIT + GCM_TAG
            else:
                assert len(record.fragment) % 16 == 0 and len(record.fragment) >= 16 + 16 + 32  # IV, data, HMAC-SM3
        finished = protected[0].fragment
        assert len(finished) == (GCM_EXPLICIT + 16 + GCM_TAG if gcm else 80)
