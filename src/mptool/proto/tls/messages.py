"""Handshake messages of TLS 1.0-1.3 and TLCP (GB/T 38636-2020 §6.4.5), parsed and built.

Only the fields the probe and the TLCP endpoint need are modelled. TLCP key-exchange
bodies come in two wire variants (GmSSL 3 and Tongsuo sources; docs/proto-active.md): GmSSL puts a
uint16 length before the ECDHE ClientKeyExchange parameters, Tongsuo does not; both are
accepted and the variant seen is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mptool.proto.registry import tls as ids
from mptool.proto.wire import DecodeError, Reader, u8, u16, u24, vec

HELLO_REQUEST = 0
CLIENT_HELLO = 1
SERVER_HELLO = 2
CERTIFICATE = 11
SERVER_KEY_EXCHANGE = 12
CERTIFICATE_REQUEST = 13
SERVER_HELLO_DONE = 14
CERTIFICATE_VERIFY = 15
CLIENT_KEY_EXCHANGE = 16
FINISHED = 20

NAMED_CURVE = 3
CURVE_SM2 = ids.CURVE_SM2

EXT_SERVER_NAME = 0
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_SUPPORTED_VERSIONS = 43
EXT_KEY_SHARE = 51
EXT_RENEGOTIATION_INFO = 0xFF01


def handshake(msg_type: int, body: bytes) -> bytes:
    """A handshake message: type, uint24 length, body."""
    return u8(msg_type) + u24(len(body)) + body


@dataclass
class ClientHello:
    """ClientHello (RFC 5246 §7.4.1.2; TLCP uses the same layout with version 0x0101)."""

    version: int
    random: bytes
    cipher_suites: list[int]
    session_id: bytes = b""
    compression_methods: bytes = b"\x00"
    extensions: list[tuple[int, bytes]] | None = None

    def encode(self) -> bytes:
        """The handshake message bytes."""
        body = u16(self.version) + self.random + vec(self.session_id, 1)
        body += vec(b"".join(u16(s) for s in self.cipher_suites), 2) + vec(self.compression_methods, 1)
        if self.extensions is not None:
            body += vec(b"".join(u16(t) + vec(d, 2) for t, d in self.extensions), 2)
        return handshake(CLIENT_HELLO, body)

    @classmethod
    def parse(cls, body: bytes) -> "ClientHello":
        """Parse a ClientHello body."""
        r = Reader(body, "ClientHello")
        version = r.u16()
        random = r.take(32)
        session_id = r.vector(1)
        suites_raw = r.vector(2)
        if len(suites_raw) % 2:
            raise DecodeError("ClientHello: odd cipher-suite list length")
        suites = [int.from_bytes(suites_raw[i : i + 2], "big") for i in range(0, len(suites_raw), 2)]
        compression = r.vector(1)
        extensions = _parse_extensions(r.vector(2), "ClientHello") if r.remaining else None
        r.expect_end()
        return cls(version, random, suites, session_id, compression, extensions)


@dataclass
class ServerHello:
    """ServerHello (also a TLS 1.3 HelloRetryRequest, see :attr:`is_hrr`)."""

    version: int
    random: bytes
    cipher_suite: int
    session_id: bytes = b""
    compression_method: int = 0
    extensions: list[tuple[int, bytes]] | None = None

    def encode(self) -> bytes:
        """The handshake message bytes."""
        body = u16(self.version) + self.random + vec(self.session_id, 1) + u16(self.cipher_suite) + u8(self.compression_method)
        if self.extensions is not None:
            body += vec(b"".join(u16(t) + vec(d, 2) for t, d in self.extensions), 2)
        return handshake(SERVER_HELLO, body)

    @classmethod
    def parse(cls, body: bytes) -> "ServerHello":
        """Parse a ServerHello body."""
        r = Reader(body, "ServerHello")
        version, random, session_id = r.u16(), r.take(32), r.vector(1)
        suite, compression = r.u16(), r.u8()
        extensions = _parse_extensions(r.vector(2), "ServerHello") if r.remaining else None
        r.expect_end()
        return cls(version, random, suite, session_id, compression, extensions)

    @property
    def is_hrr(self) -> bool:
        """Whether this is a TLS 1.3 HelloRetryRequest."""
        return self.random == ids.HRR_RANDOM

    def extension(self, ext_type: int) -> bytes | None:
        """The data of an extension, or None."""
        for t, d in self.extensions or []:
            if t == ext_type:
                return d
        return None

    @property
    def negotiated_version(self) -> int:
        """The version after supported_versions (TLS 1.3) is taken into account."""
        sv = self.extension(EXT_SUPPORTED_VERSIONS)
        return int.from_bytes(sv, "big") if sv and len(sv) == 2 else self.version


def server_name_extension(host: str) -> tuple[int, bytes]:
    """server_name (RFC 6066 §3) with one host_name entry, IDNA-encoded."""
    return EXT_SERVER_NAME, vec(u8(0) + vec(host.encode("idna"), 2), 2)


def _parse_extensions(data: bytes, what: str) -> list[tuple[int, bytes]]:
    r = Reader(data, f"{what} extensions")
    out = []
    while r.remaining:
        out.append((r.u16(), r.vector(2)))
    return out


def encode_certificate(chain: list[bytes]) -> bytes:
    """Certificate message (TLS 1.2/TLCP): uint24 list of uint24 DER certificates."""
    return handshake(CERTIFICATE, vec(b"".join(vec(c, 3) for c in chain), 3))


def parse_certificate(body: bytes) -> list[bytes]:
    """The DER certificates of a TLS 1.2/TLCP Certificate message, in order."""
    r = Reader(body, "Certificate")
    inner = Reader(r.vector(3), "Certificate list")
    r.expect_end()
    certs = []
    while inner.remaining:
        certs.append(inner.vector(3))
    return certs


@dataclass
class CertificateRequest:
    """TLCP/TLS 1.1 CertificateRequest: certificate types and CA distinguished names."""

    cert_types: bytes
    authorities: list[bytes] = field(default_factory=list)

    def encode(self) -> bytes:
        """The handshake message bytes."""
        return handshake(CERTIFICATE_REQUEST, vec(self.cert_types, 1) + vec(b"".join(vec(a, 2) for a in self.authorities), 2))

    @classmethod
    def parse(cls, body: bytes) -> "CertificateRequest":
        """Parse the TLCP layout (no signature_algorithms field)."""
        r = Reader(body, "CertificateRequest")
        types = r.vector(1)
        names = Reader(r.vector(2), "CertificateRequest authorities")
        r.expect_end()
        authorities = []
        while names.remaining:
            authorities.append(names.vector(2))
        return cls(types, authorities)


@dataclass
class EcdheParams:
    """ServerECDHEParams / ClientECDHEParams: named curve and an uncompressed SM2 point."""

    curve_id: int
    point: bytes

    def encode(self) -> bytes:
        """curve_type named_curve, uint16 curve id, uint8 point length, point."""
        return u8(NAMED_CURVE) + u16(self.curve_id) + vec(self.point, 1)

    @classmethod
    def read(cls, r: Reader) -> "EcdheParams":
        """Read the parameters from a cursor."""
        curve_type = r.u8()
        if curve_type != NAMED_CURVE:
            raise DecodeError(f"{r.what}: curve type {curve_type}, expected 3 (named_curve)")
        curve_id = r.u16()
        return cls(curve_id, r.vector(1))


@dataclass
class TlcpServerKeyExchange:
    """TLCP ServerKeyExchange: ECDHE parameters (ECDHE suites only) and a DER SM2 signature."""

    signature: bytes
    params: EcdheParams | None = None

    def encode(self) -> bytes:
        """The handshake message bytes."""
        head = self.params.encode() if self.params else b""
        return handshake(SERVER_KEY_EXCHANGE, head + vec(self.signature, 2))

    @classmethod
    def parse(cls, body: bytes, ecdhe: bool) -> "TlcpServerKeyExchange":
        """Parse for an ECC (signature only) or ECDHE suite."""
        r = Reader(body, "ServerKeyExchange")
        params = EcdheParams.read(r) if ecdhe else None
        signature = r.vector(2)
        r.expect_end()
        return cls(signature, params)


def signed_params_ecc(client_random: bytes, server_random: bytes, enc_cert: bytes) -> bytes:
    """What the TLCP ECC ServerKeyExchange signs: both randoms and the encryption certificate (uint24-prefixed)."""
    return client_random + server_random + vec(enc_cert, 3)


def signed_params_ecdhe(client_random: bytes, server_random: bytes, params: EcdheParams) -> bytes:
    """What the TLCP ECDHE ServerKeyExchange signs: both randoms and the ServerECDHEParams."""
    return client_random + server_random + params.encode()


#: Wire variants of the TLCP ECDHE ClientKeyExchange.
CKE_GMSSL = "gmssl"  #: uint16 length, then ECParameters and point
CKE_TONGSUO = "tongsuo"  #: ECParameters and point without outer length


@dataclass
class TlcpClientKeyExchange:
    """TLCP ClientKeyExchange: SM2-encrypted pre-master secret (ECC) or ECDHE parameters."""

    encrypted_pms: bytes | None = None
    params: EcdheParams | None = None
    variant: str = CKE_GMSSL

    def encode(self) -> bytes:
        """The handshake message bytes, in :attr:`variant` for ECDHE."""
        if self.params is None:
            assert self.encrypted_pms is not None
            return handshake(CLIENT_KEY_EXCHANGE, vec(self.encrypted_pms, 2))
        inner = self.params.encode()
        return handshake(CLIENT_KEY_EXCHANGE, vec(inner, 2) if self.variant == CKE_GMSSL else inner)

    @classmethod
    def parse(cls, body: bytes, ecdhe: bool) -> "TlcpClientKeyExchange":
        """Parse either variant; :attr:`variant` tells which one was seen."""
        r = Reader(body, "ClientKeyExchange")
        if not ecdhe:
            pms = r.vector(2)
            r.expect_end()
            return cls(encrypted_pms=pms)
        if body[:1] == bytes([NAMED_CURVE]):
            params = EcdheParams.read(r)
            r.expect_end()
            return cls(params=params, variant=CKE_TONGSUO)
        inner = Reader(r.vector(2), "ClientKeyExchange ECDHE parameters")
        r.expect_end()
        params = EcdheParams.read(inner)
        inner.expect_end()
        return cls(params=params, variant=CKE_GMSSL)


def encode_certificate_verify(signature: bytes) -> bytes:
    """TLCP CertificateVerify: uint16 length and a DER SM2 signature (no algorithm field)."""
    return handshake(CERTIFICATE_VERIFY, vec(signature, 2))


def parse_certificate_verify(body: bytes) -> bytes:
    """The DER signature of a TLCP CertificateVerify."""
    r = Reader(body, "CertificateVerify")
    sig = r.vector(2)
    r.expect_end()
    return sig


def parse_alert(fragment: bytes) -> tuple[int, int]:
    """(level, description) of a plaintext alert record."""
    if len(fragment) != 2:
        raise DecodeError(f"alert: {len(fragment)} bytes, expected 2")
    return fragment[0], fragment[1]
