"""One TLCP (GB/T 38636-2020) connection: records, transcript, protection, alerts, and what client and server share.

The message flow is GB/T 38636-2020 §6.4.5 (figure 2): ClientHello, ServerHello,
Certificate (signing then encryption certificate), ServerKeyExchange, [CertificateRequest],
ServerHelloDone, [client Certificate], ClientKeyExchange, [CertificateVerify],
ChangeCipherSpec, Finished in both directions, then application data. The flights are
:mod:`.client` and :mod:`.server`, one function each.

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
from dataclasses import dataclass
from typing import Any, NoReturn

from mptool.algo.api import sm2
from mptool.proto.registry import tls as ids
from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import HandshakeMessage, HandshakeReassembler
from mptool.proto.tls.messages import BAD_CERTIFICATE, BAD_RECORD_MAC, CLOSE_NOTIFY, DECODE_ERROR, FATAL, ILLEGAL_PARAMETER, UNEXPECTED_MESSAGE
from mptool.proto.tls.record import ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, Record
from mptool.proto.tls.transport import ConnectionProblem, PeerAlert, RecordStream
from mptool.proto.tlcp.crypto import RecordCipher, RecordProtectionError, key_block
from mptool.proto.tlcp.suites import TLCP_VERSION, TlcpSuite
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


def new_random() -> bytes:
    """A hello random: gmt_unix_time and 28 random bytes (RFC 5246 §7.4.1.2, GB/T 38636 §6.4.5.2)."""
    return int(time.time()).to_bytes(4, "big") + os.urandom(28)


def certificate_key(der: bytes, what: str) -> Point:
    """The SM2 public key of a certificate the peer sent; unusable is ``bad_certificate``."""
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

    def fail(self, kind: str, message: str, alert: int) -> NoReturn:
        """Send the fatal ``alert`` and raise :class:`HandshakeFailure` (the peer's message was wrong)."""
        self.send_alert(alert)
        raise HandshakeFailure(kind, message, alert)

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
                self.fail("bad_record_mac", str(exc), BAD_RECORD_MAC)
        if record.content_type == ALERT:
            raise_alert(payload)
        return record.content_type, payload

    def recv_handshake(self, expected: tuple[int, ...]) -> HandshakeMessage:
        """The next handshake message, which must be one of ``expected``; added to the transcript."""
        while not self._pending:
            content_type, payload = self._read_record()
            if content_type != HANDSHAKE:
                self.fail("unexpected_message", f"record type {content_type} during the handshake", UNEXPECTED_MESSAGE)
            try:
                self._pending.extend(self._reassembler.feed(payload))
            except DecodeError as exc:
                self.fail("decode_error", str(exc), DECODE_ERROR)
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
            self.fail("unexpected_message", f"expected ChangeCipherSpec, got record type {content_type}", UNEXPECTED_MESSAGE)
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


def parse_or_fail(what: str, func: Any, *args: Any) -> Any:
    """``func(*args)``; a DecodeError becomes a ``decode_error`` HandshakeFailure."""
    try:
        return func(*args)
    except DecodeError as exc:
        raise HandshakeFailure("decode_error", f"{what}: {exc}", DECODE_ERROR) from None


def verify_signature(public: Point, message: bytes, signature: bytes) -> bool:
    """Whether a DER SM2 signature over ``message`` (default user ID) verifies."""
    try:
        return sm2.verify(public, message, sm2.decode_signature(signature))
    except sm2.SM2Error:
        return False


def decode_point(data: bytes, what: str) -> Point:
    """An SM2 point the peer sent; not on the curve is ``illegal_parameter``."""
    try:
        return sm2.decode_public_key(data)
    except sm2.SM2Error as exc:
        raise HandshakeFailure("illegal_parameter", f"{what}: {exc}", ILLEGAL_PARAMETER) from None
