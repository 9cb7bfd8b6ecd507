"""TLS / TLCP handshake messages and alerts: parsed (analyzer, prober, endpoint) and built (prober, endpoint).

RFC 5246 §7.4 (TLS 1.0-1.2), RFC 8446 §4 (TLS 1.3), GB/T 38636-2020 §6.4.5 (TLCP). Each parser
takes a message body (after the 4-byte handshake header) and reads it strictly: a field that does
not fit, or bytes left after the last field, raise :class:`~mptool.proto.wire.DecodeError`
(RFC 8446 §6.2 and RFC 5246 §7.2.2 ``decode_error``; docs/proto.md "One TLS/TLCP codec").

TLCP key-exchange bodies come in two wire variants (GmSSL 3 and Tongsuo sources;
docs/proto-active.md): GmSSL puts a uint16 length before the ECDHE ClientKeyExchange
parameters, Tongsuo does not; both are accepted and the variant seen is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.proto.registry import tls as ids
from mptool.proto.tls.handshake import (
    CERTIFICATE,
    CERTIFICATE_REQUEST,
    CERTIFICATE_VERIFY,
    CLIENT_HELLO,
    CLIENT_KEY_EXCHANGE,
    FINISHED,
    HELLO_REQUEST,
    SERVER_HELLO,
    SERVER_HELLO_DONE,
    SERVER_KEY_EXCHANGE,
    handshake,
)
from mptool.proto.wire import DecodeError, Reader, u8, u16, vec

__all__ = [  # the message types, re-exported so that ``messages as m`` reads ``m.CLIENT_HELLO``
    "CERTIFICATE", "CERTIFICATE_REQUEST", "CERTIFICATE_VERIFY", "CLIENT_HELLO", "CLIENT_KEY_EXCHANGE", "FINISHED",
    "HELLO_REQUEST", "SERVER_HELLO", "SERVER_HELLO_DONE", "SERVER_KEY_EXCHANGE", "handshake",
]  # fmt: skip

TLS12 = ids.TLS12
NAMED_CURVE = 3
CURVE_SM2 = ids.CURVE_SM2

EXT_SERVER_NAME = 0
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_ALPN = 16
EXT_SUPPORTED_VERSIONS = 43
EXT_KEY_SHARE = 51
EXT_RENEGOTIATION_INFO = 0xFF01

Extensions = list[tuple[int, bytes]]


def u16_list(data: bytes, what: str) -> list[int]:
    """A list of uint16 values (cipher suites, groups, signature schemes)."""
    if len(data) % 2:
        raise DecodeError(f"{what}: odd length of a list of 16-bit values")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def encode_u16_list(values: tuple[int, ...] | list[int]) -> bytes:
    """A uint16-length-prefixed list of uint16 values."""
    return vec(b"".join(u16(v) for v in values), 2)


# --------------------------------------------------------------------------- hellos


def _encode_extensions(extensions: Extensions | None) -> bytes:
    return b"" if extensions is None else vec(b"".join(u16(t) + vec(d, 2) for t, d in extensions), 2)


def _parse_extensions(r: Reader, what: str) -> Extensions | None:
    """The extension block after the compression method(s), or None when there is none."""
    if not r.remaining:
        return None
    block = Reader(r.vector(2), f"{what} extensions")
    r.expect_end()
    out = []
    while block.remaining:
        out.append((block.u16(), block.vector(2)))
    return out


def _extension(extensions: Extensions | None, ext_type: int) -> bytes | None:
    for t, d in extensions or []:
        if t == ext_type:
            return d
    return None


@dataclass
class ClientHello:
    """ClientHello (RFC 5246 §7.4.1.2; TLCP uses the same layout with version 0x0101)."""

    version: int
    random: bytes
    cipher_suites: list[int]
    session_id: bytes = b""
    compression_methods: bytes = b"\x00"
    extensions: Extensions | None = None

    def encode(self) -> bytes:
        """The handshake message bytes."""
        body = u16(self.version) + self.random + vec(self.session_id, 1)
        body += encode_u16_list(self.cipher_suites) + vec(self.compression_methods, 1)
        return handshake(CLIENT_HELLO, body + _encode_extensions(self.extensions))

    @classmethod
    def parse(cls, body: bytes) -> ClientHello:
        """Parse a ClientHello body."""
        r = Reader(body, "ClientHello")
        version, random, session_id = r.u16(), r.take(32), r.vector(1)
        suites = u16_list(r.vector(2), "ClientHello cipher suites")
        compression = r.vector(1)
        return cls(version, random, suites, session_id, compression, _parse_extensions(r, "ClientHello"))

    def extension(self, ext_type: int) -> bytes | None:
        """The data of an extension, or None."""
        return _extension(self.extensions, ext_type)


@dataclass
class ServerHello:
    """ServerHello (also a TLS 1.3 HelloRetryRequest, see :attr:`is_hrr`)."""

    version: int
    random: bytes
    cipher_suite: int
    session_id: bytes = b""
    compression_method: int = 0
    extensions: Extensions | None = None

    def encode(self) -> bytes:
        """The handshake message bytes."""
        body = u16(self.version) + self.random + vec(self.session_id, 1) + u16(self.cipher_suite) + u8(self.compression_method)
        return handshake(SERVER_HELLO, body + _encode_extensions(self.extensions))

    @classmethod
    def parse(cls, body: bytes) -> ServerHello:
        """Parse a ServerHello body."""
        r = Reader(body, "ServerHello")
        version, random, session_id = r.u16(), r.take(32), r.vector(1)
        suite, compression = r.u16(), r.u8()
        return cls(version, random, suite, session_id, compression, _parse_extensions(r, "ServerHello"))

    @property
    def is_hrr(self) -> bool:
        """Whether this is a TLS 1.3 HelloRetryRequest."""
        return self.random == ids.HRR_RANDOM

    def extension(self, ext_type: int) -> bytes | None:
        """The data of an extension, or None."""
        return _extension(self.extensions, ext_type)

    @property
    def negotiated_version(self) -> int:
        """The version after supported_versions (TLS 1.3) is taken into account."""
        sv = self.extension(EXT_SUPPORTED_VERSIONS)
        return parse_supported_versions(sv, client=False)[0] if sv else self.version


def server_name_extension(host: str) -> tuple[int, bytes]:
    """server_name (RFC 6066 §3) with one host_name entry, IDNA-encoded."""
    return EXT_SERVER_NAME, vec(u8(0) + vec(host.encode("idna"), 2), 2)


def parse_server_name(data: bytes) -> str | None:
    """The host_name of a server_name extension (RFC 6066 §3), or None (empty in a ServerHello)."""
    if not data:
        return None
    r = Reader(data, "server_name")
    names = Reader(r.vector(2), "server_name list")
    r.expect_end()
    host = None
    while names.remaining:
        kind, name = names.u8(), names.vector(2)
        if kind == 0:
            host = name.decode("ascii", "replace")
    return host


def parse_supported_versions(data: bytes, client: bool) -> list[int]:
    """supported_versions (RFC 8446 §4.2.1): a uint8-prefixed list (ClientHello) or one version."""
    r = Reader(data, "supported_versions")
    versions = u16_list(r.vector(1), "supported_versions") if client else [r.u16()]
    r.expect_end()
    return versions


@dataclass
class Hello:
    """What the analyzer reports about a ClientHello or ServerHello (extensions interpreted)."""

    legacy_version: int
    random: bytes
    session_id: bytes
    cipher_suites: list[int]  #: offered (ClientHello) or the selected one (ServerHello)
    compression: list[int]
    extensions: list[int] = field(default_factory=list)
    sni: str | None = None
    groups: list[int] = field(default_factory=list)
    signature_algorithms: list[int] = field(default_factory=list)
    supported_versions: list[int] = field(default_factory=list)
    key_share_groups: list[int] = field(default_factory=list)
    alpn: list[str] = field(default_factory=list)
    ec_point_formats: list[int] = field(default_factory=list)

    @property
    def is_hrr(self) -> bool:
        return self.random == ids.HRR_RANDOM


def parse_hello(body: bytes, client: bool) -> Hello:
    """Parse a ClientHello (``client``) or ServerHello body, extensions interpreted."""
    if client:
        ch = ClientHello.parse(body)
        hello = Hello(ch.version, ch.random, ch.session_id, ch.cipher_suites, list(ch.compression_methods))
        extensions = ch.extensions
    else:
        sh = ServerHello.parse(body)
        hello = Hello(sh.version, sh.random, sh.session_id, [sh.cipher_suite], [sh.compression_method])
        extensions = sh.extensions
    for etype, edata in extensions or []:
        hello.extensions.append(etype)
        if edata:
            _interpret_extension(hello, etype, edata, client)
    return hello


def _interpret_extension(hello: Hello, etype: int, data: bytes, client: bool) -> None:
    name = ids.extension_name(etype)
    r = Reader(data, name)
    if etype == EXT_SERVER_NAME and client:
        hello.sni = parse_server_name(data)
        return
    if etype == EXT_SUPPORTED_GROUPS:
        hello.groups = u16_list(r.vector(2), name)
    elif etype == EXT_SIGNATURE_ALGORITHMS:
        hello.signature_algorithms = u16_list(r.vector(2), name)
    elif etype == EXT_SUPPORTED_VERSIONS:
        hello.supported_versions = parse_supported_versions(data, client)
        return
    elif etype == EXT_KEY_SHARE:
        if client:
            shares = Reader(r.vector(2), name)
            while shares.remaining:
                hello.key_share_groups.append(shares.u16())
                shares.vector(2)
        else:
            hello.key_share_groups = [r.u16()]
            r.rest()  # the key exchange (ServerHello) or nothing (HelloRetryRequest)
    elif etype == EXT_ALPN:
        protos = Reader(r.vector(2), name)
        while protos.remaining:
            hello.alpn.append(protos.vector(1).decode("ascii", "replace"))
    elif etype == EXT_EC_POINT_FORMATS:
        hello.ec_point_formats = list(r.vector(1))
    else:
        return
    r.expect_end()


# --------------------------------------------------------------------------- certificates


def encode_certificate(chain: list[bytes]) -> bytes:
    """Certificate message (TLS 1.2/TLCP): uint24 list of uint24 DER certificates."""
    return handshake(CERTIFICATE, vec(b"".join(vec(c, 3) for c in chain), 3))


def parse_certificate(body: bytes, tls13: bool = False) -> list[bytes]:
    """The DER certificates of a Certificate message, in order (TLS 1.3 form with ``tls13``)."""
    r = Reader(body, "Certificate")
    if tls13:
        r.vector(1)  # certificate_request_context
    inner = Reader(r.vector(3), "Certificate list")
    r.expect_end()
    certs = []
    while inner.remaining:
        certs.append(inner.vector(3))
        if tls13:
            inner.vector(2)  # per-certificate extensions
    return certs


@dataclass
class CertificateRequest:
    """CertificateRequest of TLS 1.0-1.2 and TLCP: certificate types, [signature algorithms], CA names."""

    cert_types: bytes
    authorities: list[bytes] = field(default_factory=list)
    signature_algorithms: list[int] = field(default_factory=list)  #: TLS 1.2 only

    def encode(self) -> bytes:
        """The handshake message bytes (TLCP / TLS 1.1 layout: no signature algorithms)."""
        return handshake(CERTIFICATE_REQUEST, vec(self.cert_types, 1) + vec(b"".join(vec(a, 2) for a in self.authorities), 2))

    @classmethod
    def parse(cls, body: bytes, version: int = ids.TLCP_VERSION) -> CertificateRequest:
        """Parse; only TLS 1.2 carries supported_signature_algorithms (RFC 5246 §7.4.4, GB/T 38636 §6.4.5.5)."""
        r = Reader(body, "CertificateRequest")
        types = r.vector(1)
        sigalgs = u16_list(r.vector(2), "CertificateRequest signature algorithms") if version == TLS12 else []
        names = Reader(r.vector(2), "CertificateRequest authorities")
        r.expect_end()
        authorities = []
        while names.remaining:
            authorities.append(names.vector(2))
        return cls(types, authorities, sigalgs)


# --------------------------------------------------------------------------- key exchange


@dataclass
class EcdheParams:
    """ServerECDHEParams / ClientECDHEParams: named curve and a public point."""

    curve_id: int
    point: bytes

    def encode(self) -> bytes:
        """curve_type named_curve, uint16 curve id, uint8 point length, point."""
        return u8(NAMED_CURVE) + u16(self.curve_id) + vec(self.point, 1)

    @classmethod
    def read(cls, r: Reader) -> EcdheParams:
        """Read the parameters from a cursor (RFC 8422 §5.4: only named_curve is decoded)."""
        curve_type = r.u8()
        if curve_type != NAMED_CURVE:
            raise DecodeError(f"{r.what}: curve type {curve_type}, expected 3 (named_curve)")
        curve_id = r.u16()
        return cls(curve_id, r.vector(1))


@dataclass
class ServerKeyExchange:
    """A ServerKeyExchange: the signed parameters and the signature."""

    form: str  #: tlcp_ecc, tlcp_ibc, tlcp_rsa, tlcp_ecdhe, ecdhe, dhe, rsa_export, unknown
    params: bytes = b""  #: the bytes covered by the signature after the two randoms
    signature: bytes = b""
    signature_algorithm: int | None = None  #: TLS 1.2 SignatureAndHashAlgorithm
    ecdhe: EcdheParams | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def curve_type(self) -> int | None:
        return NAMED_CURVE if self.ecdhe else None

    @property
    def named_curve(self) -> int | None:
        return self.ecdhe.curve_id if self.ecdhe else None

    @property
    def point(self) -> bytes:
        return self.ecdhe.point if self.ecdhe else b""


def parse_server_key_exchange(body: bytes, suite: int, version: int) -> ServerKeyExchange:
    """Parse an SKE according to the key exchange of ``suite`` and the protocol ``version``."""
    kex = ids.suite_info(suite).key_exchange
    tlcp = version == ids.TLCP_VERSION
    r = Reader(body, "ServerKeyExchange")
    sigalg: int | None = None
    if tlcp and kex in ("ECC", "RSA", "IBC"):  # GB/T 38636 §6.4.5.4: signature only
        sig = r.vector(2)
        r.expect_end()
        return ServerKeyExchange(f"tlcp_{kex.lower()}", signature=sig)
    if kex in ("ECDHE", "ECDH"):
        ecdhe = EcdheParams.read(r)
        params = body[: r.pos]
        if not tlcp and version >= TLS12:
            sigalg = r.u16()
        sig = r.vector(2)
        r.expect_end()
        return ServerKeyExchange("tlcp_ecdhe" if tlcp else "ecdhe", params, sig, sigalg, ecdhe)
    if kex in ("DHE", "DH"):
        p = r.vector(2)
        r.vector(2)
        r.vector(2)
        params = body[: r.pos]
        if version >= TLS12:
            sigalg = r.u16()
        sig = r.vector(2) if r.remaining else b""  # DH_anon: unsigned
        r.expect_end()
        return ServerKeyExchange("dhe", params, sig, sigalg, details={"dh_prime_bits": len(p.lstrip(b"\0")) * 8})
    if kex == "RSA":
        modulus = r.vector(2)
        r.vector(2)
        params = body[: r.pos]
        if version >= TLS12:
            sigalg = r.u16()
        sig = r.vector(2)
        r.expect_end()
        return ServerKeyExchange("rsa_export", params, sig, sigalg, details={"rsa_modulus_bits": len(modulus.lstrip(b"\0")) * 8})
    return ServerKeyExchange("unknown", details={"length": len(body)})


def encode_tlcp_server_key_exchange(signature: bytes, params: EcdheParams | None = None) -> bytes:
    """TLCP ServerKeyExchange: [ECDHE parameters] and the DER SM2 signature."""
    return handshake(SERVER_KEY_EXCHANGE, (params.encode() if params else b"") + vec(signature, 2))


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
    def parse(cls, body: bytes, ecdhe: bool) -> TlcpClientKeyExchange:
        """Parse either variant; :attr:`variant` tells which one was seen."""
        r = Reader(body, "ClientKeyExchange")
        if not ecdhe:  # GB/T 38636 §6.4.5.8: opaque ECCEncryptedPreMasterSecret<0..2^16-1>
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


def describe_client_key_exchange(body: bytes, suite: int, version: int) -> dict[str, Any]:
    """What a ClientKeyExchange holds, as far as it is visible (the analyzer's evidence).

    TLCP ECC suites: the pre-master secret SM2-encrypted to the server's encryption certificate,
    DER SEQUENCE {x, y, hash OCTET STRING(32), ciphertext OCTET STRING} (GB/T 35276); C1 is
    checked to lie on the SM2 curve. ECDHE suites: the client's point (TLCP: either variant).
    A body that does not parse is described as ``unrecognised`` with the reason.
    """
    kex = ids.suite_info(suite).key_exchange
    out: dict[str, Any] = {"length": len(body)}
    tlcp = version == ids.TLCP_VERSION
    try:
        if tlcp and kex == "ECC":
            cke = TlcpClientKeyExchange.parse(body, ecdhe=False)
            assert cke.encrypted_pms is not None
            out.update(_sm2_ciphertext(cke.encrypted_pms))
        elif tlcp and kex == "ECDHE":
            cke = TlcpClientKeyExchange.parse(body, ecdhe=True)
            assert cke.params is not None
            out.update(form="ecdh_public_point", named_curve=cke.params.curve_id, point_length=len(cke.params.point))
        elif kex in ("ECDHE", "ECDH"):  # RFC 8422 §5.7: ClientECDiffieHellmanPublic, a uint8 vector
            r = Reader(body, "ClientKeyExchange")
            out.update(form="ecdh_public_point", point_length=len(r.vector(1)))
            r.expect_end()
    except DecodeError as exc:
        out.update(form="unrecognised", problem=str(exc))
    return out


def _sm2_ciphertext(der: bytes) -> dict[str, Any]:
    from mptool.algo.api import SM2Cipher, sm2, strict_der_decode

    try:
        value = strict_der_decode(der, SM2Cipher(), "ClientKeyExchange")
    except sm2.SM2Error as exc:
        return {"form": "unrecognised", "problem": str(exc)}
    x, y = int(value["x"]), int(value["y"])
    try:
        sm2.decode_public_key(b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"))
        on_curve = True
    except (sm2.SM2Error, OverflowError):
        on_curve = False
    return {"form": "sm2_ciphertext_asn1", "c1_on_curve": on_curve, "c3_length": len(value["hash"]), "c2_length": len(value["ciphertext"])}


# --------------------------------------------------------------------------- CertificateVerify


def encode_certificate_verify(signature: bytes) -> bytes:
    """TLCP CertificateVerify: uint16 length and a DER SM2 signature (no algorithm field)."""
    return handshake(CERTIFICATE_VERIFY, vec(signature, 2))


def parse_certificate_verify(body: bytes, version: int = ids.TLCP_VERSION) -> tuple[int | None, bytes]:
    """(signature algorithm or None, signature) of a CertificateVerify; only TLS 1.2 names the algorithm."""
    r = Reader(body, "CertificateVerify")
    sigalg = r.u16() if version == TLS12 else None
    sig = r.vector(2)
    r.expect_end()
    return sigalg, sig


# --------------------------------------------------------------------------- alerts

# Alert levels and the descriptions used by the active side (RFC 5246 §7.2, GB/T 38636 §6.4.2);
# names of every description: :data:`mptool.proto.registry.tls.ALERTS`.
WARNING, FATAL = 1, 2
CLOSE_NOTIFY = 0
UNEXPECTED_MESSAGE = 10
BAD_RECORD_MAC = 20
HANDSHAKE_FAILURE = 40
BAD_CERTIFICATE = 42
ILLEGAL_PARAMETER = 47
DECODE_ERROR = 50
DECRYPT_ERROR = 51
PROTOCOL_VERSION = 70
INTERNAL_ERROR = 80


def encode_alert(description: int, level: int = FATAL) -> bytes:
    """The two bytes of an alert."""
    return bytes([level, description])


def parse_alerts(fragment: bytes) -> list[tuple[int, int]]:
    """(level, description) pairs of a plaintext alert record.

    An alert is two bytes; TLS 1.0-1.2 and TLCP allow several in one record (RFC 5246 §6.2.1),
    TLS 1.3 exactly one (RFC 8446 §5.1). An empty or odd-length fragment is a decode error.
    """
    if not fragment or len(fragment) % 2:
        raise DecodeError(f"alert record of {len(fragment)} bytes, expected pairs of 2")
    return [(fragment[i], fragment[i + 1]) for i in range(0, len(fragment), 2)]
