"""GM/T 0022 IKE messages: ISAKMP header version 0x11 and the payloads of main and quick mode.

The layout is ISAKMP's (RFC 2408 §3): a 28-byte header, then a chain of generic payloads
(next payload, reserved, length). GM/T 0022 adds the symmetric-key payload (type 128), the
certificate encodings 4 (signing) and 5 (encryption), phase-1 authentication method 10
(digital envelope) and attribute 20 (asymmetric algorithm, 2 = SM2). Anything malformed raises
:class:`GmDecodeError` (a :class:`~mptool.proto.wire.DecodeError`), never another exception.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from mptool.proto.wire import DecodeError, Reader

VERSION = 0x11  #: GM/T 0022 ISAKMP version byte (major 1, minor 1)
EXCH_MAIN, EXCH_QUICK, EXCH_INFO = 2, 32, 5
FLAG_ENCRYPTED = 0x01

P_SA, P_PROPOSAL, P_TRANSFORM, P_ID, P_CERT, P_HASH, P_SIG, P_NONCE, P_NOTIFY, P_DELETE, P_VID = 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13
P_SK = 128  #: symmetric-key payload (GM/T 0022)
PAYLOAD_NAMES = {1: "SA", 5: "ID", 6: "CERT", 8: "HASH", 9: "SIG", 10: "NONCE", 11: "N", 12: "D", 13: "VID", 128: "SK"}

CERT_SIGN, CERT_ENC = 4, 5  #: GM/T 0022 certificate encodings

# phase-1 attributes (RFC 2409 Appendix A + GM/T 0022)
A_ENC, A_HASH, A_AUTH, A_LIFE_TYPE, A_LIFE, A_ASYM = 1, 2, 3, 11, 12, 20
ENC_SM4, HASH_SM3, AUTH_ENVELOPE, ASYM_SM2 = 129, 20, 10, 2
PHASE1 = ((A_ENC, ENC_SM4), (A_HASH, HASH_SM3), (A_AUTH, AUTH_ENVELOPE), (A_ASYM, ASYM_SM2), (A_LIFE_TYPE, 1), (A_LIFE, 86400))

# phase-2 (ESP) transform: RFC 2407 §4.5 attributes
PROTO_ISAKMP, PROTO_ESP = 1, 3
ESP_SM4_CBC, ESP_SM4_GCM = 127, 130  #: transform IDs (mptool's reading of GM/T 0022; M-confidence values)
QA_LIFE_TYPE, QA_LIFE, QA_ENCAP, QA_AUTH = 1, 2, 4, 5
AUTH_HMAC_SM3 = 20
ENCAP_UDP_TUNNEL = 3  #: RFC 3947 §5.2 UDP-Encapsulated-Tunnel

ID_DER_ASN1_DN, ID_IPV4_SUBNET = 9, 4

# notify messages (RFC 2408 §3.14.1)
N_INVALID_PAYLOAD_TYPE, N_INVALID_MAJOR_VERSION, N_INVALID_EXCHANGE = 1, 5, 7
N_NO_PROPOSAL_CHOSEN, N_PAYLOAD_MALFORMED, N_INVALID_KEY_INFORMATION = 14, 16, 17
N_INVALID_CERT_ENCODING, N_INVALID_CERTIFICATE, N_AUTHENTICATION_FAILED = 18, 19, 24
N_INVALID_SIGNATURE, N_INVALID_HASH_INFORMATION = 25, 23
NOTIFY_NAMES = {
    1: "INVALID-PAYLOAD-TYPE", 5: "INVALID-MAJOR-VERSION", 7: "INVALID-EXCHANGE-TYPE", 14: "NO-PROPOSAL-CHOSEN",
    16: "PAYLOAD-MALFORMED", 17: "INVALID-KEY-INFORMATION", 18: "INVALID-CERT-ENCODING", 19: "INVALID-CERTIFICATE",
    23: "INVALID-HASH-INFORMATION", 24: "AUTHENTICATION-FAILED", 25: "INVALID-SIGNATURE",
}

#: Where GM/T 0022-2023 was not available to us, what mptool does (docs/proto-active.md).
CHOICES = {
    "sk_payload": "payload 128 carries the 16-byte SM4 key Sk SM2-encrypted to the peer's encryption certificate, GB/T 35276 ASN.1 ciphertext",
    "envelope_fields": "NONCE and ID bodies of messages 3/4 are 16-byte random IV || SM4-CBC(Sk, PKCS#7-padded value)",
    "sig_input": "SIG = SM2 (SM3, default user ID) DER signature over Sk || N || ID body || encryption certificate DER",
    "hash_i_r": "HASH_I = PRF(SKEYID, CKY-I || CKY-R || SAi_b || IDi_b), HASH_R = PRF(SKEYID, CKY-R || CKY-I || SAi_b || IDr_b) (RFC 2409 §5 without g^x)",
    "prf": "PRF = HMAC-SM3, HASH = SM3; SM4 key = SKEYID_e[:16]; phase-1 IV = SM3(Sk_i || Sk_r)[:16]",
    "quick_mode_iv": "quick-mode IV = SM3(last phase-1 CBC block || MsgID)[:16] (RFC 2409 Appendix B)",
    "keymat": "KEYMAT = PRF(SKEYID_d, protocol || SPI || Ni_b || Nr_b) expanded as RFC 2409 §5.5; encryption key first",
    "esp_transforms": "ESP transform 127 = SM4-CBC with HMAC-SM3 (auth attribute 20, full 32-byte ICV), 130 = SM4-GCM (16-byte key + 4-byte salt, 8-byte IV, 16-byte ICV)",
    "encapsulation": "IKE and ESP share one UDP port with RFC 3948 framing (non-ESP marker before IKE), default 4500; the responder answers unframed IKE unframed",
}
READING = "per mptool's reading of GM/T 0022"


class GmDecodeError(DecodeError):
    """A GM/T 0022 IKE message or payload that does not decode; ``notify`` is the answer type."""

    def __init__(self, message: str, notify: int = N_PAYLOAD_MALFORMED) -> None:
        super().__init__(message)
        self.notify = notify


@dataclass
class Message:
    """One ISAKMP message: header fields and its payloads as (type, body) pairs."""

    icookie: bytes
    rcookie: bytes
    exchange: int
    flags: int = 0
    msgid: int = 0
    payloads: list[tuple[int, bytes]] = field(default_factory=list)
    raw_body: bytes = b""  #: the bytes after the header (ciphertext when encrypted)
    version: int = VERSION

    def first(self, ptype: int) -> bytes | None:
        """Body of the first payload of a type."""
        return next((body for t, body in self.payloads if t == ptype), None)

    def all(self, ptype: int) -> list[bytes]:
        """Bodies of every payload of a type."""
        return [body for t, body in self.payloads if t == ptype]

    def need(self, ptype: int) -> bytes:
        """Body of a required payload; its absence is a decode error."""
        body = self.first(ptype)
        if body is None:
            raise GmDecodeError(f"{PAYLOAD_NAMES.get(ptype, ptype)} payload missing")
        return body

    def types(self) -> list[str]:
        """Payload names in order (evidence)."""
        return [PAYLOAD_NAMES.get(t, str(t)) for t, _ in self.payloads]


def encode_payloads(payloads: list[tuple[int, bytes]]) -> bytes:
    """The generic payload chain (each payload names the type of the next)."""
    out = []
    for i, (_, body) in enumerate(payloads):
        following = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out.append(struct.pack("!BBH", following, 0, len(body) + 4) + body)
    return b"".join(out)


def header(msg: Message, first: int, body_length: int) -> bytes:
    """The 28-byte ISAKMP header."""
    return msg.icookie + msg.rcookie + struct.pack("!BBBBII", first, msg.version, msg.exchange, msg.flags, msg.msgid, 28 + body_length)


def encode(msg: Message, body: bytes | None = None) -> bytes:
    """Header + payload chain (or ``body``, e.g. a ciphertext, with the first payload type)."""
    first = msg.payloads[0][0] if msg.payloads else 0
    data = encode_payloads(msg.payloads) if body is None else body
    return header(msg, first, len(data)) + data


def decode_header(data: bytes) -> tuple[Message, int]:
    """The header of a message and its first payload type; ``raw_body`` holds the rest."""
    r = Reader(data, "ISAKMP header")
    try:
        icookie, rcookie = r.take(8), r.take(8)
        first, version, exchange, flags, msgid, length = r.u8(), r.u8(), r.u8(), r.u8(), r.uint(4), r.uint(4)
    except DecodeError as exc:
        raise GmDecodeError(str(exc)) from None
    if version >> 4 != 1:
        raise GmDecodeError(f"ISAKMP major version {version >> 4}, expected 1", N_INVALID_MAJOR_VERSION)
    if not 28 <= length <= len(data):
        raise GmDecodeError(f"ISAKMP length {length} does not fit the {len(data)}-byte datagram")
    return Message(icookie, rcookie, exchange, flags, msgid, raw_body=data[28:length], version=version), first


def decode_payloads(first: int, body: bytes) -> list[tuple[int, bytes]]:
    """The payload chain starting with type ``first`` (trailing bytes, e.g. CBC padding, ignored)."""
    r = Reader(body, "ISAKMP payloads")
    out: list[tuple[int, bytes]] = []
    current = first
    try:
        while current:
            following = r.u8()
            r.u8()
            size = r.u16()
            if size < 4:
                raise GmDecodeError(f"{PAYLOAD_NAMES.get(current, current)} payload length {size} < 4")
            out.append((current, r.take(size - 4)))
            current = following
            if len(out) > 64:
                raise GmDecodeError("more than 64 payloads")
    except GmDecodeError:
        raise
    except DecodeError as exc:
        raise GmDecodeError(str(exc)) from None
    return out


def decode(data: bytes) -> Message:
    """A cleartext message."""
    msg, first = decode_header(data)
    if msg.flags & FLAG_ENCRYPTED:
        raise GmDecodeError("message is encrypted; decrypt it first")
    msg.payloads = decode_payloads(first, msg.raw_body)
    return msg


# ------------------------------------------------------------------ SA payloads


def attribute(attr_type: int, value: int) -> bytes:
    """An ISAKMP data attribute: TV form below 2^16, TLV above (RFC 2408 §3.3)."""
    if value < 0x10000:
        return struct.pack("!HH", 0x8000 | attr_type, value)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return struct.pack("!HH", attr_type, len(raw)) + raw


def decode_attributes(r: Reader) -> tuple[tuple[int, int], ...]:
    """(type, value) of the data attributes left in ``r`` (TV and TLV forms)."""
    attrs = []
    while r.remaining:
        attr_type = r.u16()
        if attr_type & 0x8000:
            attrs.append((attr_type & 0x7FFF, r.u16()))
        else:
            attrs.append((attr_type, int.from_bytes(r.vector(2), "big")))
    return tuple(attrs)


@dataclass(frozen=True)
class Proposal:
    """One SA proposal: protocol, SPI and its transforms (transform id, attributes)."""

    protocol: int
    spi: bytes
    transforms: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]


def encode_sa(proposal: Proposal) -> bytes:
    """SA payload body: DOI IPsec, situation identity-only, one proposal."""
    parts = []
    for number, (tid, attrs) in enumerate(proposal.transforms, 1):
        body = struct.pack("!BBH", number, tid, 0) + b"".join(attribute(t, v) for t, v in attrs)
        parts.append(struct.pack("!BBH", P_TRANSFORM if number < len(proposal.transforms) else 0, 0, len(body) + 4) + body)
    body = struct.pack("!BBBB", 1, proposal.protocol, len(proposal.spi), len(proposal.transforms)) + proposal.spi + b"".join(parts)
    return struct.pack("!II", 1, 1) + struct.pack("!BBH", 0, 0, len(body) + 4) + body


def decode_sa(body: bytes) -> Proposal:
    """The first proposal of an SA payload body."""
    try:
        r = Reader(body, "SA payload")
        doi = r.uint(4)
        if doi != 1:
            raise GmDecodeError(f"SA DOI {doi}, expected 1 (IPsec)", N_NO_PROPOSAL_CHOSEN)
        r.take(4)
        r.take(2)
        p = Reader(r.take(r.u16() - 4), "proposal")
        _number, protocol, spi_size, count = p.u8(), p.u8(), p.u8(), p.u8()
        spi = p.take(spi_size)
        transforms = []
        for _ in range(count):
            p.take(2)
            t = Reader(p.take(p.u16() - 4), "transform")
            t.u8()
            tid = t.u8()
            t.take(2)
            transforms.append((tid, decode_attributes(t)))
    except GmDecodeError:
        raise
    except DecodeError as exc:
        raise GmDecodeError(str(exc)) from None
    if not transforms:
        raise GmDecodeError("proposal without transforms", N_NO_PROPOSAL_CHOSEN)
    return Proposal(protocol, spi, tuple(transforms))


def phase1_proposal() -> Proposal:
    """The GM/T 0022 phase-1 offer: SM4-CBC, SM3, digital envelope, SM2."""
    return Proposal(PROTO_ISAKMP, b"", ((1, PHASE1),))


def esp_proposal(spi: bytes, gcm: bool = False) -> Proposal:
    """The quick-mode ESP offer with our SPI: SM4-CBC + HMAC-SM3 (or SM4-GCM), UDP-encapsulated tunnel."""
    attrs: tuple[tuple[int, int], ...] = ((QA_LIFE_TYPE, 1), (QA_LIFE, 3600), (QA_ENCAP, ENCAP_UDP_TUNNEL))
    if not gcm:
        attrs += ((QA_AUTH, AUTH_HMAC_SM3),)
    return Proposal(PROTO_ESP, spi, ((ESP_SM4_GCM if gcm else ESP_SM4_CBC, attrs),))


# ------------------------------------------------------------------ other payloads


def cert_payload(encoding: int, der: bytes) -> bytes:
    """CERT payload body: encoding byte + DER certificate."""
    return bytes([encoding]) + der


def decode_cert(body: bytes) -> tuple[int, bytes]:
    """(encoding, DER) of a CERT payload."""
    if len(body) < 2:
        raise GmDecodeError("CERT payload without a certificate", N_INVALID_CERTIFICATE)
    return body[0], body[1:]


def id_payload(id_type: int, data: bytes) -> bytes:
    """ID payload body (RFC 2407 §4.6.2): type, protocol 0, port 0, data."""
    return struct.pack("!BBH", id_type, 0, 0) + data


def notify_payload(notify: int, protocol: int = PROTO_ISAKMP, spi: bytes = b"", data: bytes = b"") -> bytes:
    """Notify payload body (RFC 2408 §3.14)."""
    return struct.pack("!IBBH", 1, protocol, len(spi), notify) + spi + data


def delete_payload(icookie: bytes, rcookie: bytes) -> bytes:
    """Delete payload body (RFC 2408 §3.15) for an ISAKMP SA."""
    return struct.pack("!IBBH", 1, PROTO_ISAKMP, 16, 1) + icookie + rcookie


def decode_notify(body: bytes) -> int:
    """The message type of a notify payload."""
    r = Reader(body, "notify payload")
    try:
        r.take(4)
        r.u8()
        spi_size = r.u8()
        notify = r.u16()
        r.take(spi_size)
    except DecodeError as exc:
        raise GmDecodeError(str(exc)) from None
    return notify
