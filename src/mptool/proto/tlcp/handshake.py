"""TLCP (GB/T 38636-2020) handshakes over a socket: a client and a server, ECC and ECDHE.

The message flow is GB/T 38636-2020 §6.4.5 (figure 2): ClientHello, ServerHello,
Certificate (signing then encryption certificate), ServerKeyExchange, [CertificateRequest],
ServerHelloDone, [client Certificate], ClientKeyExchange, [CertificateVerify],
ChangeCipherSpec, Finished in both directions, then application data.

Interoperability choices, each checked on the GmSSL bytes in ``vectors/pcaps`` (tests):

- ServerKeyExchange signs client_random ‖ server_random ‖ uint24-prefixed encryption
  certificate (ECC) or the ServerECDHEParams (ECDHE); SM2 with the default user ID.
- ClientKeyExchange (ECC): uint16 length and the DER SM2 ciphertext of the 48-byte
  pre-master secret, encrypted to the server's encryption certificate.
- ClientKeyExchange (ECDHE): GmSSL's form (uint16 length first) is sent by default; the
  server accepts both forms and records which one it saw.
- CertificateVerify: GmSSL signs the handshake messages themselves (e = SM3(Z ‖ messages));
  Tongsuo signs SM3(messages). The client sends GmSSL's form; the server accepts both.
- ECDHE pre-master secret: SM2 key exchange (GB/T 32918.3) with both sides' encryption keys
  and default IDs, 48 bytes; Tongsuo's NTLS makes the **server** the initiator A (its Z first).
  The server accepts either order (it tries both on the client's Finished and records which
  one the client used); the client uses the server-initiator order unless told otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mptool.algo.api import sm2
from mptool.proto.registry import tls as ids
from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import HandshakeMessage, HandshakeReassembler
from mptool.proto.tls.messages import (
    BAD_CERTIFICATE,
    BAD_RECORD_MAC,
    CLOSE_NOTIFY,
    DECODE_ERROR,
    DECRYPT_ERROR,
    FATAL,
    HANDSHAKE_FAILURE,
    ILLEGAL_PARAMETER,
    PROTOCOL_VERSION,
    UNEXPECTED_MESSAGE,
    WARNING,
)
from mptool.proto.tls.record import ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, Record
from mptool.proto.tls.transport import ConnectionProblem, PeerAlert, RecordStream
from mptool.proto.tlcp.suites import IMPLEMENTED, TLCP_VERSION, TlcpSuite
from mptool.proto.tlcp.crypto import (
    RecordCipher,
    RecordProtectionError,
    key_block,
    master_secret,
    sm3,
    verify_data,
)
from mptool.proto.wire import DecodeError

CERT_TYPE_ECDSA_SIGN = 64  #: also used for SM2 (GmSSL, Tongsuo; observed)

CV_GMSSL = "messages"  #: CertificateVerify signs the handshake messages (GmSSL)
CV_TONGSUO = "sm3_of_messages"  #: CertificateVerify signs SM3(handshake messages) (Tongsuo)
FLAVOURS = ("gmssl", "tongsuo")  #: client wire forms (see :func:`client_handshake`)
#: Which side is the SM2 key-exchange initiator A (whose Z comes first in the KDF input) in
#: ECDHE. Tongsuo's NTLS makes the server the initiator ("server is initiator(Z_A), client is
#: responder(Z_B)", crypto/sm2/sm2_kep.c); the other order is tried as a fallback.
ECDHE_INITIATORS = ("server", "client")

Point = tuple[int, int]


class HandshakeFailure(ConnectionProblem):
    """The handshake failed on our side: the peer's message was wrong (``alert`` sent)."""

    def __init__(self, kind: str, message: str, alert: int) -> None:
        super().__init__(kind, message)
        self.alert = alert


@dataclass(frozen=True)
class Credentials:
    """One side's TLCP identity: signing and encryption key pairs and the certificate list."""

    sign_d: int
    enc_d: int
    chain: list[bytes]  #: signing certificate, encryption certificate, then CA certificates

    @property
    def sign_public(self) -> Point:
        """Public key of the signing key."""
        return sm2.public_key_from_private(self.sign_d)

    @property
    def enc_public(self) -> Point:
        """Public key of the encryption key."""
        return sm2.public_key_from_private(self.enc_d)


def _random() -> bytes:
    return int(time.time()).to_bytes(4, "big") + os.urandom(28)


def _cert_key(der: bytes, what: str) -> Point:
    from mptool.core.errors import InputError
    from mptool.proto.probe.keys import certificate_public_key

    try:
        return certificate_public_key(der, what)
    except InputError as exc:
        raise HandshakeFailure("bad_certificate", str(exc), BAD_CERTIFICATE) from None


class Channel:
    """Record-level I/O of one TLCP connection: handshake reassembly, transcript, protection."""

    def __init__(self, stream: RecordStream) -> None:
        self.stream = stream
        self.transcript = b""
        self._reassembler = HandshakeReassembler()
        self._pending: list[HandshakeMessage] = []
        self.read_cipher: RecordCipher | None = None
        self.write_cipher: RecordCipher | None = None
        self.next_write_cipher: RecordCipher | None = None
        self.next_read_cipher: RecordCipher | None = None
        self._outgoing = b""

    # -- writing
    def send(self, content_type: int, payload: bytes) -> None:
        """Queue one record (protected once ChangeCipherSpec was sent); a flight goes out in one
        write when the next record is read or on :meth:`flush`."""
        fragment = self.write_cipher.seal(content_type, payload) if self.write_cipher else payload
        self._outgoing += Record(content_type, TLCP_VERSION, fragment).encode()

    def flush(self) -> None:
        """Write the queued records."""
        if not self._outgoing:
            return
        data, self._outgoing = self._outgoing, b""
        try:
            self.stream.write(data)
        except ConnectionProblem:
            self._raise_pending_alert()
            raise

    def _raise_pending_alert(self) -> None:
        """After a failed write: if the peer's last words were an alert, raise that instead."""
        try:
            record = self.stream.read_record()
        except ConnectionProblem:
            return
        if record.content_type == ALERT and self.read_cipher is None:
            raise_alert(record.fragment)

    def send_handshake(self, raw: bytes) -> None:
        """Send a handshake message and add it to the transcript."""
        self.transcript += raw
        self.send(HANDSHAKE, raw)

    def send_ccs(self) -> None:
        """Send ChangeCipherSpec and switch the write direction to the new keys."""
        self.send(CHANGE_CIPHER_SPEC, b"\x01")
        self.write_cipher = self.next_write_cipher

    def send_alert(self, description: int, level: int = FATAL) -> None:
        """Send an alert (and whatever is queued), ignoring a peer that is already gone."""
        self.send(ALERT, m.encode_alert(description, level))
        try:
            self.flush()
        except ConnectionProblem:
            pass

    # -- reading
    def _read_record(self) -> tuple[int, bytes]:
        self.flush()
        record = self.stream.read_record()
        payload = record.fragment
        if self.read_cipher is not None:
            try:
                payload = self.read_cipher.open(record.content_type, payload)
            except RecordProtectionError as exc:
                self.send_alert(BAD_RECORD_MAC)
                raise HandshakeFailure("bad_record_mac", str(exc), BAD_RECORD_MAC) from None
        if record.content_type == ALERT:
            raise_alert(payload)
        return record.content_type, payload

    def recv_handshake(self, expected: tuple[int, ...]) -> HandshakeMessage:
        """The next handshake message, which must be one of ``expected``; added to the transcript."""
        while not self._pending:
            content_type, payload = self._read_record()
            if content_type != HANDSHAKE:
                self.send_alert(UNEXPECTED_MESSAGE)
                raise HandshakeFailure("unexpected_message", f"record type {content_type} during the handshake", UNEXPECTED_MESSAGE)
            try:
                self._pending.extend(self._reassembler.feed(payload))
            except DecodeError as exc:
                self.send_alert(DECODE_ERROR)
                raise HandshakeFailure("decode_error", str(exc), DECODE_ERROR) from None
        message = self._pending.pop(0)
        if message.msg_type not in expected:
            self.send_alert(UNEXPECTED_MESSAGE)
            names = "/".join(ids.HANDSHAKE_TYPES.get(t, str(t)) for t in expected)
            raise HandshakeFailure("unexpected_message", f"got handshake message {ids.HANDSHAKE_TYPES.get(message.msg_type, message.msg_type)}, expected {names}", UNEXPECTED_MESSAGE)
        if message.msg_type != m.FINISHED:
            self.transcript += message.raw
        return message

    def recv_ccs(self, install: bool = True) -> None:
        """Read ChangeCipherSpec and (unless ``install`` is false) switch reading to the new keys."""
        content_type, payload = self._read_record()
        if content_type != CHANGE_CIPHER_SPEC or payload != b"\x01":
            self.send_alert(UNEXPECTED_MESSAGE)
            raise HandshakeFailure("unexpected_message", f"expected ChangeCipherSpec, got record type {content_type}", UNEXPECTED_MESSAGE)
        if install:
            self.read_cipher = self.next_read_cipher

    def recv_application_data(self) -> bytes | None:
        """The next application data, or None after close_notify."""
        try:
            content_type, payload = self._read_record()
        except PeerAlert as alert:
            if alert.description == CLOSE_NOTIFY:
                return None
            raise
        if content_type != APPLICATION_DATA:
            raise HandshakeFailure("unexpected_message", f"record type {content_type} after the handshake", UNEXPECTED_MESSAGE)
        return payload

    def install_keys(self, suite: TlcpSuite, master: bytes, client_random: bytes, server_random: bytes, is_client: bool) -> None:
        """Prepare both directions' record ciphers (activated by ChangeCipherSpec)."""
        kb = key_block(master, client_random, server_random, suite)
        client = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv)
        server = RecordCipher(suite, kb.server_mac, kb.server_key, kb.server_iv)
        self.next_write_cipher, self.next_read_cipher = (client, server) if is_client else (server, client)


def raise_alert(fragment: bytes) -> None:
    """Raise the (first) alert of a plaintext alert record as :class:`PeerAlert`; a malformed one is a decode error."""
    try:
        level, description = m.parse_alerts(fragment)[0]
    except DecodeError as exc:
        raise HandshakeFailure("decode_error", str(exc), DECODE_ERROR) from None
    raise PeerAlert(level, description)


def _parse(what: str, func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except DecodeError as exc:
        raise HandshakeFailure("decode_error", f"{what}: {exc}", DECODE_ERROR) from None


# --------------------------------------------------------------------------- client


@dataclass
class ClientLog:
    """What a client handshake saw; filled step by step, so a failure keeps what came before."""

    offered_suites: list[int]
    suite: int | None = None
    server_version: int | None = None
    server_certificates: list[bytes] = field(default_factory=list)
    ske_signature_valid: bool | None = None
    ecdhe_curve: int | None = None
    ecdhe_initiator: str | None = None
    certificate_requested: bool = False
    client_authenticated: bool = False
    key_exchange_sent: bool = False
    finished_sent: bool = False
    finished_verified: bool = False
    application_data_sent: int = 0
    application_data_received: bytes = b""
    completed: bool = False

    def measurements(self) -> dict[str, Any]:
        """The log as evidence measurements."""
        return {
            "suite": ids.hex_id(self.suite) if self.suite is not None else None,
            "suite_name": ids.suite_name(self.suite) if self.suite is not None else None,
            "server_version": ids.version_name(self.server_version) if self.server_version is not None else None,
            "server_certificate_count": len(self.server_certificates),
            "ske_signature_valid": self.ske_signature_valid,
            "ecdhe_curve": ids.group_name(self.ecdhe_curve) if self.ecdhe_curve is not None else None,
            "ecdhe_initiator": self.ecdhe_initiator,
            "certificate_requested": self.certificate_requested,
            "client_authenticated": self.client_authenticated,
            "finished_verified": self.finished_verified,
            "application_data_sent": self.application_data_sent,
            "application_data_received": len(self.application_data_received),
            "handshake_completed": self.completed,
        }


def client_hello(suites: list[int], server_name: str | None = None) -> m.ClientHello:
    """A TLCP ClientHello offering ``suites`` (SNI only when a host name is given, as GmSSL does)."""
    extensions = [m.server_name_extension(server_name)] if server_name else None
    return m.ClientHello(TLCP_VERSION, _random(), suites, extensions=extensions)


def client_handshake(
    channel: Channel,
    log: ClientLog,
    *,
    server_name: str | None = None,
    credentials: Credentials | None = None,
    application_data: bytes = b"",
    flavour: str = "gmssl",
    ecdhe_initiator: str = "server",
) -> None:
    """Run a full TLCP client handshake, then exchange ``application_data`` (if any).

    ``flavour`` picks the wire forms where GmSSL and Tongsuo differ: ``gmssl`` (ECDHE
    ClientKeyExchange with a uint16 length, CertificateVerify over the messages) or
    ``tongsuo`` (no length, CertificateVerify over SM3 of the messages).
    Raises :class:`ConnectionProblem` (or :class:`PeerAlert`/:class:`HandshakeFailure`) with
    ``log`` holding what was seen up to that point.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour: expected one of {', '.join(FLAVOURS)}, got {flavour!r}")
    if ecdhe_initiator not in ECDHE_INITIATORS:
        raise ValueError(f"ecdhe_initiator: expected one of {', '.join(ECDHE_INITIATORS)}, got {ecdhe_initiator!r}")
    hello = client_hello(log.offered_suites, server_name)
    channel.send_handshake(hello.encode())
    sh = _parse("ServerHello", m.ServerHello.parse, channel.recv_handshake((m.SERVER_HELLO,)).body)
    log.server_version, log.suite = sh.version, sh.cipher_suite
    if sh.version != TLCP_VERSION:
        channel.send_alert(PROTOCOL_VERSION)
        raise HandshakeFailure("protocol_version", f"server answered version {ids.version_name(sh.version)}", PROTOCOL_VERSION)
    suite = IMPLEMENTED.get(sh.cipher_suite)
    if suite is None or sh.cipher_suite not in log.offered_suites:
        channel.send_alert(HANDSHAKE_FAILURE)
        raise HandshakeFailure("suite_not_offered", f"server chose {ids.hex_id(sh.cipher_suite)}, which this client cannot run or did not offer", HANDSHAKE_FAILURE)
    certs = _parse("Certificate", m.parse_certificate, channel.recv_handshake((m.CERTIFICATE,)).body)
    log.server_certificates = certs
    if len(certs) < 2:
        channel.send_alert(BAD_CERTIFICATE)
        raise HandshakeFailure("bad_certificate", f"server sent {len(certs)} certificate(s); TLCP needs signing and encryption certificates", BAD_CERTIFICATE)
    sign_pub, enc_pub = _cert_key(certs[0], "server signing certificate"), _cert_key(certs[1], "server encryption certificate")
    ecdhe = suite.kex == "ecdhe"
    ske = _parse("ServerKeyExchange", m.parse_server_key_exchange, channel.recv_handshake((m.SERVER_KEY_EXCHANGE,)).body, sh.cipher_suite, TLCP_VERSION)
    if ske.ecdhe is not None:
        log.ecdhe_curve = ske.ecdhe.curve_id
    signed = m.signed_params_ecdhe(hello.random, sh.random, ske.ecdhe) if ske.ecdhe else m.signed_params_ecc(hello.random, sh.random, certs[1])
    log.ske_signature_valid = _verify(sign_pub, signed, ske.signature)
    if not log.ske_signature_valid:
        channel.send_alert(DECRYPT_ERROR)
        raise HandshakeFailure("bad_ske_signature", "the ServerKeyExchange signature does not verify with the signing certificate", DECRYPT_ERROR)
    msg = channel.recv_handshake((m.CERTIFICATE_REQUEST, m.SERVER_HELLO_DONE))
    if msg.msg_type == m.CERTIFICATE_REQUEST:
        _parse("CertificateRequest", m.CertificateRequest.parse, msg.body)
        log.certificate_requested = True
        channel.recv_handshake((m.SERVER_HELLO_DONE,))
    if ecdhe and (credentials is None or not log.certificate_requested):
        channel.send_alert(HANDSHAKE_FAILURE)
        what = "client encryption key and certificates" if credentials is None else "a CertificateRequest from the server"
        raise HandshakeFailure("ecdhe_needs_client_keys", f"an ECDHE handshake needs {what}", HANDSHAKE_FAILURE)
    if log.certificate_requested:
        channel.send_handshake(m.encode_certificate(credentials.chain if credentials else []))
    if ecdhe:
        assert credentials is not None and ske.ecdhe is not None
        server_ephemeral = _decode_point(ske.ecdhe.point, "server ECDHE point")
        r, big_r = sm2.ephemeral_key()
        role = "responder" if ecdhe_initiator == "server" else "initiator"
        pms = sm2.key_exchange(role, credentials.enc_d, r, enc_pub, server_ephemeral, 48).key
        log.ecdhe_initiator = ecdhe_initiator
        params = m.EcdheParams(ske.ecdhe.curve_id, sm2.encode_public_key(big_r))
        channel.send_handshake(m.TlcpClientKeyExchange(params=params, variant=m.CKE_GMSSL if flavour == "gmssl" else m.CKE_TONGSUO).encode())
    else:
        pms = TLCP_VERSION.to_bytes(2, "big") + os.urandom(46)
        channel.send_handshake(m.TlcpClientKeyExchange(encrypted_pms=sm2.encrypt(enc_pub, pms, order="asn1")).encode())
    log.key_exchange_sent = True
    if log.certificate_requested and credentials is not None:
        signed = channel.transcript if flavour == "gmssl" else sm3(channel.transcript)
        r_s = sm2.sign(credentials.sign_d, signed)
        channel.send_handshake(m.encode_certificate_verify(sm2.encode_signature_der(*r_s)))
        log.client_authenticated = True
    master = master_secret(pms, hello.random, sh.random)
    channel.install_keys(suite, master, hello.random, sh.random, is_client=True)
    channel.send_ccs()
    mine = verify_data(master, b"client finished", channel.transcript)
    channel.send_handshake(m.handshake(m.FINISHED, mine))
    log.finished_sent = True
    channel.recv_ccs()
    expected = verify_data(master, b"server finished", channel.transcript)
    finished = channel.recv_handshake((m.FINISHED,))
    if finished.body != expected:
        channel.send_alert(DECRYPT_ERROR)
        raise HandshakeFailure("bad_finished", "the server Finished verify_data is wrong", DECRYPT_ERROR)
    log.finished_verified = True
    if application_data:
        channel.send(APPLICATION_DATA, application_data)
        log.application_data_sent = len(application_data)
        reply = channel.recv_application_data()
        log.application_data_received = reply or b""
        log.completed = reply is not None
    else:
        log.completed = True
    channel.send_alert(CLOSE_NOTIFY, level=WARNING)


def _verify(public: Point, message: bytes, signature: bytes) -> bool:
    try:
        return sm2.verify(public, message, sm2.decode_signature(signature))
    except sm2.SM2Error:
        return False


def _decode_point(data: bytes, what: str) -> Point:
    try:
        return sm2.decode_public_key(data)
    except sm2.SM2Error as exc:
        raise HandshakeFailure("illegal_parameter", f"{what}: {exc}", ILLEGAL_PARAMETER) from None


# --------------------------------------------------------------------------- server


def _client_finished(channel: Channel, suite: TlcpSuite, candidates: dict[str, bytes], client_random: bytes, server_random: bytes, log: "ServerLog") -> tuple[bytes, HandshakeMessage]:
    """Open the client's encrypted Finished with the keys of each candidate pre-master secret
    (ECDHE: both initiator orders) and verify it; install the keys that worked."""
    channel.flush()
    record = channel.stream.read_record()
    if record.content_type == ALERT:  # a plaintext alert instead
        raise_alert(record.fragment)
    if record.content_type != HANDSHAKE:
        channel.send_alert(UNEXPECTED_MESSAGE)
        raise HandshakeFailure("unexpected_message", f"expected the encrypted Finished, got record type {record.content_type}", UNEXPECTED_MESSAGE)
    for side, pms in candidates.items():
        master = master_secret(pms, client_random, server_random)
        channel.install_keys(suite, master, client_random, server_random, is_client=False)
        assert channel.next_read_cipher is not None
        try:
            plain = channel.next_read_cipher.open(HANDSHAKE, record.fragment)
        except RecordProtectionError:
            continue
        messages = list(HandshakeReassembler().feed(plain))
        expected = verify_data(master, b"client finished", channel.transcript)
        if len(messages) != 1 or messages[0].msg_type != m.FINISHED or messages[0].body != expected:
            channel.send_alert(DECRYPT_ERROR)
            raise HandshakeFailure("bad_finished", "the client Finished verify_data is wrong", DECRYPT_ERROR)
        channel.read_cipher = channel.next_read_cipher
        if side:
            log.ecdhe_initiator = side
        return master, messages[0]
    channel.send_alert(BAD_RECORD_MAC)
    what = "with either SM2 key-exchange initiator order" if len(candidates) > 1 else "with the decrypted pre-master secret"
    raise HandshakeFailure("bad_record_mac", f"the client's encrypted Finished does not open {what}", BAD_RECORD_MAC)



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


def server_handshake(channel: Channel, config: ServerConfig, log: ServerLog, response: Callable[[ServerLog], bytes] | None = None) -> None:
    """Serve one TLCP handshake and answer the client's first application data with ``response(log)`` (default: echo)."""
    msg = channel.recv_handshake((m.CLIENT_HELLO,))
    hello = _parse("ClientHello", m.ClientHello.parse, msg.body)
    log.client_version, log.offered_suites = hello.version, hello.cipher_suites
    log.extensions = [t for t, _ in hello.extensions or []]
    log.server_name = _parse("server_name", m.parse_server_name, hello.extension(m.EXT_SERVER_NAME) or b"")
    if hello.version != TLCP_VERSION:
        channel.send_alert(PROTOCOL_VERSION)
        raise HandshakeFailure("protocol_version", f"client offered {ids.version_name(hello.version)}, this server speaks TLCP 1.1 only", PROTOCOL_VERSION)
    chosen = next((s for s in config.suites if s in hello.cipher_suites), None)
    if chosen is None:
        channel.send_alert(HANDSHAKE_FAILURE)
        raise HandshakeFailure("no_shared_suite", "no offered suite is enabled on this server", HANDSHAKE_FAILURE)
    suite = IMPLEMENTED[chosen]
    log.suite = chosen
    creds = config.credentials
    server_random = _random()
    channel.send_handshake(m.ServerHello(TLCP_VERSION, server_random, chosen, session_id=os.urandom(32)).encode())
    channel.send_handshake(m.encode_certificate(creds.chain))
    ecdhe = suite.kex == "ecdhe"
    if ecdhe:
        r, big_r = sm2.ephemeral_key()
        params = m.EcdheParams(m.CURVE_SM2, sm2.encode_public_key(big_r))
        signed = m.signed_params_ecdhe(hello.random, server_random, params)
    else:
        params = None
        signed = m.signed_params_ecc(hello.random, server_random, creds.chain[1])
    signature = sm2.encode_signature_der(*sm2.sign(creds.sign_d, signed))
    channel.send_handshake(m.encode_tlcp_server_key_exchange(signature, params))
    request = ecdhe or config.client_auth
    if request:
        channel.send_handshake(m.CertificateRequest(bytes([CERT_TYPE_ECDSA_SIGN]), list(config.ca_subjects)).encode())
    channel.send_handshake(m.handshake(m.SERVER_HELLO_DONE, b""))
    if request:
        log.client_certificates = _parse("Certificate", m.parse_certificate, channel.recv_handshake((m.CERTIFICATE,)).body)
        if not log.client_certificates:
            channel.send_alert(HANDSHAKE_FAILURE)
            raise HandshakeFailure("no_client_certificate", "the client sent no certificate", HANDSHAKE_FAILURE)
    cke = _parse("ClientKeyExchange", m.TlcpClientKeyExchange.parse, channel.recv_handshake((m.CLIENT_KEY_EXCHANGE,)).body, ecdhe)
    if ecdhe:
        assert cke.params is not None
        log.cke_variant = cke.variant
        if config.client_format != "auto" and cke.variant != config.client_format:
            channel.send_alert(DECODE_ERROR)
            raise HandshakeFailure("decode_error", f"ClientKeyExchange in {cke.variant}'s form; this server accepts {config.client_format}'s only", DECODE_ERROR)
        if len(log.client_certificates) < 2:
            channel.send_alert(HANDSHAKE_FAILURE)
            raise HandshakeFailure("no_client_encryption_certificate", "ECDHE needs the client's encryption certificate (second in its list)", HANDSHAKE_FAILURE)
        client_enc = _cert_key(log.client_certificates[1], "client encryption certificate")
        client_point = _decode_point(cke.params.point, "client ECDHE point")
        candidates = {
            side: sm2.key_exchange("initiator" if side == "server" else "responder", creds.enc_d, r, client_enc, client_point, 48).key
            for side in config.ecdhe_initiators
        }
    else:
        assert cke.encrypted_pms is not None
        try:
            decrypted = sm2.decrypt(creds.enc_d, cke.encrypted_pms)
        except sm2.SM2Error as exc:
            channel.send_alert(DECRYPT_ERROR)
            raise HandshakeFailure("bad_pms", f"the encrypted pre-master secret does not decrypt: {exc}", DECRYPT_ERROR) from None
        pms = decrypted.plaintext
        candidates = {"": pms}
        log.pms_ciphertext_order = decrypted.order
        log.pms_version = pms[:2].hex()
        if len(pms) != 48:
            channel.send_alert(ILLEGAL_PARAMETER)
            raise HandshakeFailure("bad_pms", f"pre-master secret of {len(pms)} bytes, expected 48", ILLEGAL_PARAMETER)
    if request:
        transcript = channel.transcript
        cv = channel.recv_handshake((m.CERTIFICATE_VERIFY,))
        client_sign = _cert_key(log.client_certificates[0], "client signing certificate")
        _, sig = _parse("CertificateVerify", m.parse_certificate_verify, cv.body)
        accepted = {"auto": (CV_GMSSL, CV_TONGSUO), "gmssl": (CV_GMSSL,), "tongsuo": (CV_TONGSUO,)}[config.client_format]
        if CV_GMSSL in accepted and _verify(client_sign, transcript, sig):
            log.certificate_verify = CV_GMSSL
        elif CV_TONGSUO in accepted and _verify(client_sign, sm3(transcript), sig):
            log.certificate_verify = CV_TONGSUO
        else:
            channel.send_alert(DECRYPT_ERROR)
            raise HandshakeFailure("bad_certificate_verify", "the CertificateVerify signature does not verify with the client signing certificate", DECRYPT_ERROR)
    channel.recv_ccs(install=False)
    master, finished = _client_finished(channel, suite, candidates, hello.random, server_random, log)
    channel.transcript += finished.raw
    log.finished_verified = True
    channel.send_ccs()
    channel.send_handshake(m.handshake(m.FINISHED, verify_data(master, b"server finished", channel.transcript)))
    data = channel.recv_application_data()
    if data is None:
        log.completed = True
        return
    log.application_data_received = len(data)
    channel.send(APPLICATION_DATA, response(log) if response is not None else data)
    log.completed = True
    channel.send_alert(CLOSE_NOTIFY, level=WARNING)
