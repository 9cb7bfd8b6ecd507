"""The TLCP server handshake (GB/T 38636-2020 §6.4.5), one function per flight.

1. :func:`read_client_hello` — ClientHello (TLCP, a shared suite);
2. :func:`send_server_flight` — ServerHello, Certificate, ServerKeyExchange (signed),
   [CertificateRequest], ServerHelloDone;
3. :func:`read_client_flight` — [Certificate], ClientKeyExchange, [CertificateVerify],
   ChangeCipherSpec, Finished (each form GmSSL or Tongsuo send is accepted and recorded);
4. :func:`send_server_finished` — ChangeCipherSpec, Finished;
5. :func:`answer_application_data` — the client's first data answered, then close_notify.

:func:`server_handshake` runs them in order. Wire choices: :mod:`.channel`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mptool.algo.api import sm2
from mptool.proto.registry import tls as ids
from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import HandshakeMessage, HandshakeReassembler
from mptool.proto.tls.messages import BAD_RECORD_MAC, CLOSE_NOTIFY, DECODE_ERROR, DECRYPT_ERROR, HANDSHAKE_FAILURE, ILLEGAL_PARAMETER, PROTOCOL_VERSION, UNEXPECTED_MESSAGE, WARNING
from mptool.proto.tls.record import ALERT, APPLICATION_DATA, HANDSHAKE
from mptool.proto.tlcp.channel import (
    CERT_TYPE_ECDSA_SIGN,
    CV_GMSSL,
    CV_TONGSUO,
    ECDHE_INITIATORS,
    Channel,
    Credentials,
    certificate_key,
    decode_point,
    new_random,
    parse_or_fail,
    raise_alert,
    verify_signature,
)
from mptool.proto.tlcp.crypto import RecordProtectionError, master_secret, sm3, verify_data
from mptool.proto.tlcp.suites import IMPLEMENTED, TLCP_VERSION, TlcpSuite


@dataclass
class ServerLog:
    """What one client did against the TLCP server (recorded for ``proto serve`` evidence)."""

    client_version: int | None = None
    offered_suites: list[int] = field(default_factory=list)
    extensions: list[int] = field(default_factory=list)
    server_name: str | None = None
    suite: int | None = None
    client_certificates: list[bytes] = field(default_factory=list)
    cke_variant: str | None = None
    ecdhe_initiator: str | None = None
    pms_ciphertext_order: str | None = None
    pms_version: str | None = None
    certificate_verify: str | None = None
    finished_verified: bool = False
    application_data_received: int = 0
    completed: bool = False

    def measurements(self) -> dict[str, Any]:
        """The log as evidence measurements."""
        return {
            "client_version": ids.version_name(self.client_version) if self.client_version is not None else None,
            "offered_suites": [{"id": ids.hex_id(s), "name": ids.suite_name(s)} for s in self.offered_suites],
            "extensions": [{"id": e, "name": ids.extension_name(e)} for e in self.extensions],
            "server_name": self.server_name,
            "suite": ids.hex_id(self.suite) if self.suite is not None else None,
            "suite_name": ids.suite_name(self.suite) if self.suite is not None else None,
            "client_certificate_count": len(self.client_certificates),
            "client_key_exchange_format": self.cke_variant,
            "ecdhe_initiator": self.ecdhe_initiator,
            "pms_ciphertext_order": self.pms_ciphertext_order,
            "pms_version": self.pms_version,
            "certificate_verify_format": self.certificate_verify,
            "finished_verified": self.finished_verified,
            "application_data_received": self.application_data_received,
            "handshake_completed": self.completed,
        }


@dataclass(frozen=True)
class ServerConfig:
    """The TLCP server's identity and policy."""

    credentials: Credentials
    suites: tuple[int, ...] = tuple(IMPLEMENTED)
    client_auth: bool = False  #: request client certificates for ECC suites too (always for ECDHE)
    ca_subjects: tuple[bytes, ...] = ()  #: DER names sent in CertificateRequest
    ecdhe_initiators: tuple[str, ...] = ECDHE_INITIATORS  #: SM2 key-exchange orders accepted, tried in this order
    client_format: str = "auto"  #: ECDHE ClientKeyExchange / CertificateVerify forms accepted: auto, gmssl or tongsuo


@dataclass(frozen=True)
class ServerFlight:
    """What the server's first flight established."""

    hello: m.ClientHello
    suite: TlcpSuite
    server_random: bytes
    ephemeral: int | None  #: the server's SM2 ephemeral private key (ECDHE)
    certificate_requested: bool


def server_handshake(channel: Channel, config: ServerConfig, log: ServerLog, response: Callable[[ServerLog], bytes] | None = None) -> None:
    """Serve one TLCP handshake and answer the client's first application data with ``response(log)`` (default: echo)."""
    hello = read_client_hello(channel, log)
    flight = send_server_flight(channel, config, log, hello)
    master = read_client_flight(channel, config, log, flight)
    send_server_finished(channel, master)
    answer_application_data(channel, log, response)


def read_client_hello(channel: Channel, log: ServerLog) -> m.ClientHello:
    """Flight 1: the ClientHello, which must offer TLCP 1.1 and a suite enabled here."""
    hello = parse_or_fail("ClientHello", m.ClientHello.parse, channel.recv_handshake((m.CLIENT_HELLO,)).body)
    log.client_version, log.offered_suites = hello.version, hello.cipher_suites
    log.extensions = [t for t, _ in hello.extensions or []]
    log.server_name = parse_or_fail("server_name", m.parse_server_name, hello.extension(m.EXT_SERVER_NAME) or b"")
    if hello.version != TLCP_VERSION:
        channel.fail("protocol_version", f"client offered {ids.version_name(hello.version)}, this server speaks TLCP 1.1 only", PROTOCOL_VERSION)
    return hello


def send_server_flight(channel: Channel, config: ServerConfig, log: ServerLog, hello: m.ClientHello) -> ServerFlight:
    """Flight 2: ServerHello (the first enabled suite the client offered), Certificate, the signed
    ServerKeyExchange, [CertificateRequest] (always for ECDHE), ServerHelloDone."""
    chosen = next((s for s in config.suites if s in hello.cipher_suites), None)
    if chosen is None:
        channel.fail("no_shared_suite", "no offered suite is enabled on this server", HANDSHAKE_FAILURE)
    suite = IMPLEMENTED[chosen]
    log.suite = chosen
    creds = config.credentials
    server_random = new_random()
    channel.send_handshake(m.ServerHello(TLCP_VERSION, server_random, chosen, session_id=os.urandom(32)).encode())
    channel.send_handshake(m.encode_certificate(creds.chain))
    ephemeral: int | None = None
    params: m.EcdheParams | None = None
    if suite.kex == "ecdhe":
        ephemeral, big_r = sm2.ephemeral_key()
        params = m.EcdheParams(m.CURVE_SM2, sm2.encode_public_key(big_r))
        signed = m.signed_params_ecdhe(hello.random, server_random, params)
    else:
        signed = m.signed_params_ecc(hello.random, server_random, creds.chain[1])
    signature = sm2.encode_signature_der(*sm2.sign(creds.sign_d, signed))
    channel.send_handshake(m.encode_tlcp_server_key_exchange(signature, params))
    request = suite.kex == "ecdhe" or config.client_auth
    if request:
        channel.send_handshake(m.CertificateRequest(bytes([CERT_TYPE_ECDSA_SIGN]), list(config.ca_subjects)).encode())
    channel.send_handshake(m.handshake(m.SERVER_HELLO_DONE, b""))
    return ServerFlight(hello, suite, server_random, ephemeral, request)


def read_client_flight(channel: Channel, config: ServerConfig, log: ServerLog, flight: ServerFlight) -> bytes:
    """Flight 3: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec and the
    encrypted Finished; returns the master secret of the keys that opened it."""
    if flight.certificate_requested:
        log.client_certificates = parse_or_fail("Certificate", m.parse_certificate, channel.recv_handshake((m.CERTIFICATE,)).body)
        if not log.client_certificates:
            channel.fail("no_client_certificate", "the client sent no certificate", HANDSHAKE_FAILURE)
    candidates = _pre_master_candidates(channel, config, log, flight)
    if flight.certificate_requested:
        _check_certificate_verify(channel, config, log)
    channel.recv_ccs(install=False)
    master, finished = _client_finished(channel, flight, candidates, log)
    channel.transcript += finished.raw
    log.finished_verified = True
    return master


def _pre_master_candidates(channel: Channel, config: ServerConfig, log: ServerLog, flight: ServerFlight) -> dict[str, bytes]:
    """The ClientKeyExchange read: the pre-master secret (ECC), or one per accepted SM2
    key-exchange initiator order (ECDHE), keyed by the initiator ("" for ECC)."""
    ecdhe = flight.suite.kex == "ecdhe"
    cke = parse_or_fail("ClientKeyExchange", m.TlcpClientKeyExchange.parse, channel.recv_handshake((m.CLIENT_KEY_EXCHANGE,)).body, ecdhe)
    creds = config.credentials
    if ecdhe:
        assert cke.params is not None and flight.ephemeral is not None
        log.cke_variant = cke.variant
        if config.client_format != "auto" and cke.variant != config.client_format:
            channel.fail("decode_error", f"ClientKeyExchange in {cke.variant}'s form; this server accepts {config.client_format}'s only", DECODE_ERROR)
        if len(log.client_certificates) < 2:
            channel.fail("no_client_encryption_certificate", "ECDHE needs the client's encryption certificate (second in its list)", HANDSHAKE_FAILURE)
        client_enc = certificate_key(log.client_certificates[1], "client encryption certificate")
        client_point = decode_point(cke.params.point, "client ECDHE point")
        return {
            side: sm2.key_exchange("initiator" if side == "server" else "responder", creds.enc_d, flight.ephemeral, client_enc, client_point, 48).key
            for side in config.ecdhe_initiators
        }
    assert cke.encrypted_pms is not None
    try:
        decrypted = sm2.decrypt(creds.enc_d, cke.encrypted_pms)
    except sm2.SM2Error as exc:
        channel.fail("bad_pms", f"the encrypted pre-master secret does not decrypt: {exc}", DECRYPT_ERROR)
    pms = decrypted.plaintext
    log.pms_ciphertext_order = decrypted.order
    log.pms_version = pms[:2].hex()
    if len(pms) != 48:
        channel.fail("bad_pms", f"pre-master secret of {len(pms)} bytes, expected 48", ILLEGAL_PARAMETER)
    return {"": pms}


def _check_certificate_verify(channel: Channel, config: ServerConfig, log: ServerLog) -> None:
    """The client's CertificateVerify, over the messages (GmSSL) or SM3 of them (Tongsuo)."""
    transcript = channel.transcript
    cv = channel.recv_handshake((m.CERTIFICATE_VERIFY,))
    client_sign = certificate_key(log.client_certificates[0], "client signing certificate")
    _, sig = parse_or_fail("CertificateVerify", m.parse_certificate_verify, cv.body)
    accepted = {"auto": (CV_GMSSL, CV_TONGSUO), "gmssl": (CV_GMSSL,), "tongsuo": (CV_TONGSUO,)}[config.client_format]
    if CV_GMSSL in accepted and verify_signature(client_sign, transcript, sig):
        log.certificate_verify = CV_GMSSL
    elif CV_TONGSUO in accepted and verify_signature(client_sign, sm3(transcript), sig):
        log.certificate_verify = CV_TONGSUO
    else:
        channel.fail("bad_certificate_verify", "the CertificateVerify signature does not verify with the client signing certificate", DECRYPT_ERROR)


def _client_finished(channel: Channel, flight: ServerFlight, candidates: dict[str, bytes], log: ServerLog) -> tuple[bytes, HandshakeMessage]:
    """Open the client's encrypted Finished with the keys of each candidate pre-master secret
    (ECDHE: both initiator orders) and verify it; install the keys that worked."""
    channel.flush()
    record = channel.stream.read_record()
    if record.content_type == ALERT:  # a plaintext alert instead
        raise_alert(record.fragment)
    if record.content_type != HANDSHAKE:
        channel.fail("unexpected_message", f"expected the encrypted Finished, got record type {record.content_type}", UNEXPECTED_MESSAGE)
    client_random, server_random = flight.hello.random, flight.server_random
    for side, pms in candidates.items():
        master = master_secret(pms, client_random, server_random)
        channel.install_keys(flight.suite, master, client_random, server_random, is_client=False)
        assert channel.next_read_cipher is not None
        try:
            plain = channel.next_read_cipher.open(HANDSHAKE, record.fragment)
        except RecordProtectionError:
            continue
        messages = list(HandshakeReassembler().feed(plain))
        expected = verify_data(master, b"client finished", channel.transcript)
        if len(messages) != 1 or messages[0].msg_type != m.FINISHED or messages[0].body != expected:
            channel.fail("bad_finished", "the client Finished verify_data is wrong", DECRYPT_ERROR)
        channel.read_cipher = channel.next_read_cipher
        if side:
            log.ecdhe_initiator = side
        return master, messages[0]
    what = "with either SM2 key-exchange initiator order" if len(candidates) > 1 else "with the decrypted pre-master secret"
    channel.fail("bad_record_mac", f"the client's encrypted Finished does not open {what}", BAD_RECORD_MAC)


def send_server_finished(channel: Channel, master: bytes) -> None:
    """Flight 4: ChangeCipherSpec and the server's Finished."""
    channel.send_ccs()
    channel.send_handshake(m.handshake(m.FINISHED, verify_data(master, b"server finished", channel.transcript)))


def answer_application_data(channel: Channel, log: ServerLog, response: Callable[[ServerLog], bytes] | None) -> None:
    """The client's first application data, answered with ``response(log)`` (default: echo); a
    client that closes instead still completed the handshake."""
    data = channel.recv_application_data()
    if data is None:
        log.completed = True
        return
    log.application_data_received = len(data)
    channel.send(APPLICATION_DATA, response(log) if response is not None else data)
    log.completed = True
    channel.send_alert(CLOSE_NOTIFY, level=WARNING)
