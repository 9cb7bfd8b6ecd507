"""The TLCP key schedule and record layer, with SHA-256/AES in place of SM3/SM4, against
OpenSSL's own TLS 1.2 records (the outside oracle for the encrypted part).

TLCP's record protection and key derivation are TLS 1.2's with SM3/SM4 (GB/T 38636-2020
§6.3.3, §6.4.5.9); this package writes them once over :class:`RecordParams`. Here the Python
ssl module (system OpenSSL) talks TLS 1.2 to ``openssl s_server`` through memory BIOs, so every
byte on the wire is seen, and logs the master secret (SSLKEYLOGFILE format). With only the
master secret and the randoms, this package's code must derive the keys, open OpenSSL's
encrypted Finished messages and application data, and recompute both verify_data values.
"""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import algorithms

from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import HandshakeMessage, HandshakeReassembler
from mptool.proto.tls.record import APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, parse_records
from mptool.proto.tlcp.crypto import RecordCipher, RecordParams, key_block, verify_data
from support import peers

pytestmark = pytest.mark.network

TLS12 = 0x0303
SSL_OP_NO_ENCRYPT_THEN_MAC = 0x00080000  # OpenSSL's option bit; RFC 7366 would change the CBC layout
SUITES = {
    "ECDHE-RSA-AES128-GCM-SHA256": RecordParams("gcm", algorithms.AES, 16, 4, prf_hash=hashes.SHA256),
    "AES128-SHA256": RecordParams("cbc", algorithms.AES, 16, 0, mac_hash=hashes.SHA256, prf_hash=hashes.SHA256),
}


def _talk(port: int, cipher: str, keylog: Path) -> tuple[bytes, bytes]:
    """One TLS 1.2 connection with an HTTP GET; returns (client bytes, server bytes)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher)
    context.options |= SSL_OP_NO_ENCRYPT_THEN_MAC
    context.keylog_filename = str(keylog)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    sent, received = bytearray(), bytearray()
    deadline = time.monotonic() + 20
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:

        def pump() -> bool:
            data = outgoing.read()
            if data:
                sent.extend(data)
                sock.sendall(data)
            chunk = sock.recv(65536)
            received.extend(chunk)
            if chunk:
                incoming.write(chunk)
            else:
                incoming.write_eof()
            return bool(chunk)

        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                assert time.monotonic() < deadline
                pump()
        tls.write(b"GET / HTTP/1.0\r\n\r\n")
        while time.monotonic() < deadline:
            try:
                if not tls.read(65536):
                    break
            except ssl.SSLWantReadError:
                if not pump():
                    break
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                break
    return bytes(sent), bytes(received)


def _split(stream: bytes) -> tuple[list[HandshakeMessage], list[tuple[int, bytes]]]:
    """Plain handshake messages before ChangeCipherSpec, and the protected records after it."""
    records, _ = parse_records(stream)
    reassembler = HandshakeReassembler()
    plain, protected, after_ccs = [], [], False
    for record in records:
        if record.content_type == CHANGE_CIPHER_SPEC:
            after_ccs = True
        elif after_ccs:
            protected.append((record.content_type, record.fragment))
        elif record.content_type == HANDSHAKE:
            plain.extend(reassembler.feed(record.fragment))
    return plain, protected


@pytest.mark.parametrize("cipher", sorted(SUITES))
def test_openssl_tls12_records_open_with_this_packages_key_schedule(tmp_path: Path, cipher: str) -> None:
    params = SUITES[cipher]
    cert, key = peers.self_signed(tmp_path, "rsa")
    port = peers.free_port()
    keylog = tmp_path / "keys.log"
    with peers.openssl_server(port, cert, key, ["-tls1_2", "-cipher", cipher, "-no_etm"]):
        sent, received = _talk(port, cipher, keylog)
    client_plain, client_protected = _split(sent)
    server_plain, server_protected = _split(received)
    hello = m.ClientHello.parse(client_plain[0].body)
    server_hello = m.ServerHello.parse(server_plain[0].body)
    assert server_hello.version == TLS12
    [line] = [ln.split() for ln in keylog.read_text().splitlines() if ln.startswith("CLIENT_RANDOM")]
    assert bytes.fromhex(line[1]) == hello.random
    master = bytes.fromhex(line[2])

    kb = key_block(master, hello.random, server_hello.random, params)
    client = RecordCipher(params, kb.client_mac, kb.client_key, kb.client_iv, version=TLS12)
    server = RecordCipher(params, kb.server_mac, kb.server_key, kb.server_iv, version=TLS12)
    # the client's Finished: opens with the client write keys and carries our verify_data
    done = next(i for i, msg in enumerate(server_plain) if msg.msg_type == m.SERVER_HELLO_DONE) + 1
    first_flight, after = server_plain[:done], server_plain[done:]  # after: NewSessionTicket (RFC 5077)
    transcript = b"".join(msg.raw for msg in [client_plain[0], *first_flight, *client_plain[1:]])
    content_type, fragment = client_protected[0]
    client_finished = client.open(content_type, fragment)
    assert content_type == HANDSHAKE
    assert client_finished == m.handshake(m.FINISHED, verify_data(master, b"client finished", transcript, hashes.SHA256))
    # the server's Finished, over the transcript including the client's Finished
    content_type, fragment = server_protected[0]
    server_finished = server.open(content_type, fragment)
    server_transcript = transcript + client_finished + b"".join(msg.raw for msg in after)
    assert server_finished == m.handshake(m.FINISHED, verify_data(master, b"server finished", server_transcript, hashes.SHA256))
    # application data both ways
    assert client.open(*client_protected[1]) == b"GET / HTTP/1.0\r\n\r\n"
    response = b"".join(server.open(t, f) for t, f in server_protected[1:] if t == APPLICATION_DATA)
    assert response.startswith(b"HTTP/1.0 200 ok")
