"""What both GM/T 0022 roles share: credentials, the IKE SA state with its CBC IV chains, the
peer-certificate checks and the log that becomes evidence."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from mptool.proto.ipsec.gm import codec, crypto
from mptool.proto.ipsec.gm.codec import GmDecodeError, Message
from mptool.proto.ipsec.gm.esp import EspSA


@dataclass(frozen=True)
class Credentials:
    """One side's SM2 signing and encryption keys and certificates (DER)."""

    sign_d: int
    enc_d: int
    sign_cert: bytes
    enc_cert: bytes

    @property
    def id_body(self) -> bytes:
        """The ID payload body: ID_DER_ASN1_DN with the signing certificate's subject."""
        return codec.id_payload(codec.ID_DER_ASN1_DN, subject_der(self.sign_cert))


def subject_der(der: bytes) -> bytes:
    """The DER subject Name of a certificate (b"" when it cannot be read)."""
    from pyasn1.codec.der import decoder, encoder
    from pyasn1.error import PyAsn1Error
    from pyasn1_modules import rfc5280

    try:
        cert, _ = decoder.decode(der, asn1Spec=rfc5280.Certificate())
        return encoder.encode(cert["tbsCertificate"]["subject"])
    except (PyAsn1Error, ValueError, TypeError):
        return b""


#: Every problem kind a GM/T 0022 exchange can record (finding ``<prefix>.<kind>``) and its meaning.
PROBLEM_KINDS = {
    "malformed": "a message or payload from the peer cannot be decoded",
    "no_proposal_chosen": "the peer offered or chose no GM/T 0022 transform (SM4 129, SM3 20, envelope 10, SM2; ESP 127+HMAC-SM3 or 130)",
    "unexpected_exchange": "a message of an exchange type or in a state that was not expected",
    "bad_envelope": "the symmetric-key payload (or a field under Sk) does not decrypt with our encryption key",
    "bad_signature": "the peer's SIG does not verify with its signing certificate",
    "bad_hash": "a HASH payload (HASH_I/HASH_R, quick-mode HASH(1..3)) does not match",
    "certificate_role": "a certificate sent as signing (4) or encryption (5) has the other role by its keyUsage",
    "certificate_encoding": "a CERT payload with an encoding other than 4 (signing) or 5 (encryption)",
    "certificate_missing": "the peer did not send both its signing and its encryption certificate",
    "certificate_unreadable": "a certificate the peer sent has no readable SM2 public key",
    "transform_not_offered": "the responder chose a transform that was not offered",
    "peer_notify": "the peer answered with an error notify",
    "timeout": "no answer within the timeout",
    "socket_error": "the datagram could not be sent or received",
    "esp_bad_icv": "an ESP packet whose ICV does not verify was dropped",
    "esp_replay": "an ESP packet with a sequence number already received (or left of the window) was dropped",
    "esp_malformed": "an ESP packet too short or badly padded was dropped",
    "esp_unknown_spi": "an ESP packet for an SPI of no SA was dropped",
    "esp_echo_mismatch": "the echo of an ESP packet carried other data",
}

_NOTIFY_KINDS = {
    codec.N_INVALID_KEY_INFORMATION: "bad_envelope",
    codec.N_NO_PROPOSAL_CHOSEN: "no_proposal_chosen",
    codec.N_INVALID_EXCHANGE: "unexpected_exchange",
    codec.N_INVALID_CERTIFICATE: "certificate_unreadable",
}


def kind_of(exc: Exception) -> str:
    """The problem kind of an exception raised on a peer's message."""
    if isinstance(exc, PeerError):
        return exc.kind
    return _NOTIFY_KINDS.get(getattr(exc, "notify", 0), "malformed")


class PeerError(Exception):
    """The peer's message is wrong: ``kind`` is the finding, ``notify`` what we answer."""

    def __init__(self, kind: str, message: str, notify: int = codec.N_PAYLOAD_MALFORMED) -> None:
        super().__init__(message)
        self.kind = kind
        self.notify = notify


def peer_certificates(msg: Message, log: "ExchangeLog", who: str) -> tuple[bytes, bytes]:
    """(signing, encryption) certificate DER from a message's CERT payloads, roles checked.

    Encoding 4 must hold a signing certificate and 5 an encryption one, as their keyUsage says
    (cert domain's :func:`~mptool.cert.api.certificate_roles`); a swapped or missing one is
    INVALID-CERTIFICATE.
    """
    from mptool.cert.api import certificate_roles

    by_encoding: dict[int, bytes] = {}
    for body in msg.all(codec.P_CERT):
        encoding, der = codec.decode_cert(body)
        if encoding not in (codec.CERT_SIGN, codec.CERT_ENC):
            raise PeerError("certificate_encoding", f"{who} CERT encoding {encoding} is neither 4 (signing) nor 5 (encryption)", codec.N_INVALID_CERT_ENCODING)
        by_encoding.setdefault(encoding, der)
    if set(by_encoding) != {codec.CERT_SIGN, codec.CERT_ENC}:
        raise PeerError("certificate_missing", f"{who} did not send both a signing (4) and an encryption (5) certificate", codec.N_INVALID_CERTIFICATE)
    sign_der, enc_der = by_encoding[codec.CERT_SIGN], by_encoding[codec.CERT_ENC]
    roles = certificate_roles([sign_der, enc_der], tlcp=True)
    log.certificates[who] = {"sign": sign_der, "enc": enc_der, "roles": roles}
    if roles != ["sign", "enc"]:
        raise PeerError("certificate_role", f"{who} certificates by keyUsage are {roles}, expected encoding 4 = sign and 5 = enc", codec.N_INVALID_CERTIFICATE)
    return sign_der, enc_der


def public_key(der: bytes, who: str) -> tuple[int, int]:
    """The SM2 public key of a certificate; anything else is INVALID-CERTIFICATE."""
    from mptool.core.errors import InputError
    from mptool.proto.probe.keys import certificate_public_key

    try:
        return certificate_public_key(der, who)
    except InputError as exc:
        raise PeerError("certificate_unreadable", f"{who}: {exc.problem}", codec.N_INVALID_CERTIFICATE) from None


@dataclass
class ExchangeLog:
    """What happened in one IKE SA: the record behind a result."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    transforms: dict[str, Any] = field(default_factory=dict)
    certificates: dict[str, dict[str, Any]] = field(default_factory=dict)
    spis: dict[str, str] = field(default_factory=dict)
    phase1_completed: bool = False
    phase2_completed: bool = False
    esp_sent: int = 0
    esp_answered: int = 0
    esp_received: int = 0
    esp_dropped: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  #: (kind, message)
    peer_notify: str | None = None

    def message(self, direction: str, msg: Message, number: str) -> None:
        """Record a message (its payload names; never a key)."""
        self.messages.append({"message": number, "direction": direction, "exchange": msg.exchange, "encrypted": bool(msg.flags & codec.FLAG_ENCRYPTED), "payloads": msg.types()})

    def problem(self, kind: str, message: str) -> None:
        """Record a problem (peer error, our detection)."""
        self.problems.append((kind, message))

    def drop(self, kind: str) -> None:
        """Count an ESP packet the receiver dropped."""
        self.esp_dropped[kind] = self.esp_dropped.get(kind, 0) + 1


@dataclass
class IkeSA:
    """Phase-1 state shared by both roles."""

    icookie: bytes
    rcookie: bytes = bytes(8)
    sa_i: bytes = b""  #: SA payload body of message 1 (HASH_I/HASH_R input)
    sk_i: bytes = b""
    sk_r: bytes = b""
    ni: bytes = b""
    nr: bytes = b""
    id_i: bytes = b""
    id_r: bytes = b""
    keys: crypto.Phase1Keys | None = None
    iv: bytes = b""  #: phase-1 CBC IV for the next message
    phase1_last: bytes = b""  #: last CBC block of phase 1 (seed of quick-mode IVs)
    qm_iv: dict[int, bytes] = field(default_factory=dict)
    ni_qm: bytes = b""  #: quick-mode nonces (KEYMAT input)
    nr_qm: bytes = b""
    esp_in: EspSA | None = None
    esp_out: EspSA | None = None
    state: str = "start"

    def derive(self) -> None:
        """Phase-1 keys once both nonces and envelope keys are known."""
        self.keys = crypto.derive_phase1(self.ni, self.nr, self.icookie, self.rcookie, self.sk_i, self.sk_r)
        self.iv = self.keys.iv

    def _iv_for(self, msg: Message) -> bytes:
        if msg.exchange == codec.EXCH_MAIN:
            return self.iv
        if msg.msgid not in self.qm_iv:
            self.qm_iv[msg.msgid] = crypto.quick_mode_iv(self.phase1_last, msg.msgid)
        return self.qm_iv[msg.msgid]

    def _chain(self, msg: Message, ciphertext: bytes) -> None:
        last = ciphertext[-crypto.BLOCK :]
        if msg.exchange == codec.EXCH_MAIN:
            self.iv = self.phase1_last = last
        else:
            self.qm_iv[msg.msgid] = last

    def seal(self, msg: Message) -> bytes:
        """The encrypted form of ``msg`` (flag set, SM4-CBC under SKEYID_e), IV chained."""
        assert self.keys is not None
        msg.flags |= codec.FLAG_ENCRYPTED
        ciphertext = crypto.cbc_encrypt(self.keys.enc_key, self._iv_for(msg), codec.encode_payloads(msg.payloads))
        self._chain(msg, ciphertext)
        return codec.encode(msg, ciphertext)

    def open(self, msg: Message, first: int) -> Message:
        """Decrypt an encrypted message in place; undecodable plaintext is PAYLOAD-MALFORMED."""
        if self.keys is None:
            raise GmDecodeError("encrypted message before the keys exist", codec.N_INVALID_EXCHANGE)
        if not msg.flags & codec.FLAG_ENCRYPTED:
            raise GmDecodeError("this message must be encrypted", codec.N_INVALID_EXCHANGE)
        plaintext = crypto.cbc_decrypt(self.keys.enc_key, self._iv_for(msg), msg.raw_body)
        msg.payloads = codec.decode_payloads(first, plaintext)
        self._chain(msg, msg.raw_body)
        return msg


def new_spi() -> bytes:
    """A random SPI above the reserved range 1-255."""
    while True:
        spi = os.urandom(4)
        if int.from_bytes(spi, "big") > 255:
            return spi


def esp_material(ike: IkeSA, transform: int, spi_in: bytes, spi_out: bytes) -> tuple[EspSA, EspSA]:
    """Inbound and outbound ESP SAs from KEYMAT (each keyed by its receiver's SPI)."""
    from mptool.proto.ipsec.gm.esp import key_lengths, make_sa

    assert ike.keys is not None
    length = sum(key_lengths(transform))
    inbound = make_sa(spi_in, transform, crypto.keymat(ike.keys, codec.PROTO_ESP, spi_in, ike.ni_qm, ike.nr_qm, length))
    outbound = make_sa(spi_out, transform, crypto.keymat(ike.keys, codec.PROTO_ESP, spi_out, ike.ni_qm, ike.nr_qm, length))
    return inbound, outbound
