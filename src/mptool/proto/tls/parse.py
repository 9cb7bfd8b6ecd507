"""Parsers of TLS / TLCP handshake message bodies (RFC 5246 §7.4, RFC 8446 §4, GB/T 38636).

Each parser takes the message body (after the 4-byte handshake header) and returns plain
data; a body that does not fit its structure raises :class:`~mptool.proto.wire.DecodeError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.proto.registry import tls as ids
from mptool.proto.wire import DecodeError, Reader


def _u16_list(data: bytes) -> list[int]:
    if len(data) % 2:
        raise DecodeError("odd length of a list of 16-bit values")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


@dataclass
class Hello:
    """A ClientHello or ServerHello."""

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
    """Parse a ClientHello (``client``) or ServerHello body, extensions included."""
    r = Reader(body)
    version = r.uint(2)
    random = r.take(32)
    sid = r.vector(1)
    if client:
        suites = _u16_list(r.vector(2))
        comps = list(r.vector(1))
    else:
        suites = [r.uint(2)]
        comps = [r.uint(1)]
    hello = Hello(version, random, sid, suites, comps)
    if r.remaining == 0:
        return hello
    ext_block = Reader(r.vector(2))
    while ext_block.remaining:
        etype = ext_block.uint(2)
        edata = ext_block.vector(2)
        hello.extensions.append(etype)
        _parse_extension(hello, etype, edata, client)
    return hello


def _parse_extension(hello: Hello, etype: int, data: bytes, client: bool) -> None:
    r = Reader(data)
    if etype == 0 and client and data:  # server_name
        names = Reader(r.vector(2))
        while names.remaining:
            kind = names.uint(1)
            name = names.vector(2)
            if kind == 0:
                hello.sni = name.decode("ascii", "replace")
    elif etype == 10 and data:
        hello.groups = _u16_list(r.vector(2))
    elif etype == 13 and data:
        hello.signature_algorithms = _u16_list(r.vector(2))
    elif etype == 43 and data:
        hello.supported_versions = _u16_list(r.vector(1)) if client else [r.uint(2)]
    elif etype == 51 and data:
        if client:
            shares = Reader(r.vector(2))
            while shares.remaining:
                hello.key_share_groups.append(shares.uint(2))
                shares.vector(2)
        else:
            hello.key_share_groups = [r.uint(2)]
    elif etype == 16 and data:
        protos = Reader(r.vector(2))
        while protos.remaining:
            hello.alpn.append(protos.vector(1).decode("ascii", "replace"))
    elif etype == 11 and data:
        hello.ec_point_formats = list(r.vector(1))


def parse_certificate_list(body: bytes, tls13: bool = False) -> list[bytes]:
    """The DER certificates of a Certificate message (TLS 1.3 form with ``tls13``)."""
    r = Reader(body)
    if tls13:
        r.vector(1)  # certificate_request_context
    certs = Reader(r.vector(3))
    out = []
    while certs.remaining:
        out.append(certs.vector(3))
        if tls13:
            certs.vector(2)  # per-certificate extensions
    return out


@dataclass
class ServerKeyExchange:
    """A ServerKeyExchange: the signed parameters and the signature."""

    form: str  #: tlcp_ecc, tlcp_ecdhe, ecdhe, dhe, rsa_export, unknown
    params: bytes = b""  #: the bytes covered by the signature after the two randoms
    signature: bytes = b""
    signature_algorithm: int | None = None  #: TLS 1.2 SignatureAndHashAlgorithm
    curve_type: int | None = None
    named_curve: int | None = None
    point: bytes = b""
    details: dict[str, Any] = field(default_factory=dict)


def parse_server_key_exchange(body: bytes, suite: int, version: int) -> ServerKeyExchange:
    """Parse an SKE according to the key exchange of ``suite`` and the protocol ``version``."""
    info = ids.suite_info(suite)
    tlcp = version == ids.TLCP_VERSION
    r = Reader(body)
    if tlcp and info.key_exchange in ("ECC", "RSA", "IBC"):
        sig = r.vector(2)
        r.expect_end()
        return ServerKeyExchange("tlcp_ecc" if info.key_exchange == "ECC" else f"tlcp_{info.key_exchange.lower()}", signature=sig)
    if info.key_exchange in ("ECDHE", "ECDH") or (tlcp and info.key_exchange == "ECDHE"):
        start = r.pos
        curve_type = r.uint(1)
        if curve_type != 3:
            raise DecodeError(f"ECParameters curve_type {curve_type}, only named_curve (3) is decoded")
        curve = r.uint(2)
        point = r.vector(1)
        params = body[start : r.pos]
        sigalg = None if tlcp or version < 0x0303 else r.uint(2)
        sig = r.vector(2)
        r.expect_end()
        form = "tlcp_ecdhe" if tlcp else "ecdhe"
        return ServerKeyExchange(form, params, sig, sigalg, curve_type, curve, point)
    if info.key_exchange in ("DHE", "DH"):
        start = r.pos
        p = r.vector(2)
        r.vector(2)
        r.vector(2)
        params = body[start : r.pos]
        sigalg = None if version < 0x0303 else r.uint(2)
        sig = r.vector(2) if r.remaining else b""
        r.expect_end()
        return ServerKeyExchange("dhe", params, sig, sigalg, details={"dh_prime_bits": len(p.lstrip(b"\0")) * 8})
    if info.key_exchange == "RSA":
        start = r.pos
        modulus = r.vector(2)
        r.vector(2)
        params = body[start : r.pos]
        sigalg = None if version < 0x0303 else r.uint(2)
        sig = r.vector(2)
        r.expect_end()
        return ServerKeyExchange("rsa_export", params, sig, sigalg, details={"rsa_modulus_bits": len(modulus.lstrip(b"\0")) * 8})
    return ServerKeyExchange("unknown", details={"length": len(body)})


@dataclass
class CertificateRequest:
    """A CertificateRequest (TLS 1.0-1.2 / TLCP form)."""

    certificate_types: list[int]
    signature_algorithms: list[int]
    authorities: int


def parse_certificate_request(body: bytes, version: int) -> CertificateRequest:
    """Parse a CertificateRequest; TLCP and TLS < 1.2 carry no signature algorithm list."""
    r = Reader(body)
    types = list(r.vector(1))
    sigalgs = _u16_list(r.vector(2)) if version == 0x0303 else []
    dns = Reader(r.vector(2))
    count = 0
    while dns.remaining:
        dns.vector(2)
        count += 1
    return CertificateRequest(types, sigalgs, count)


def parse_certificate_verify(body: bytes, version: int) -> tuple[int | None, bytes]:
    """(signature algorithm or None, signature) of a CertificateVerify."""
    r = Reader(body)
    sigalg = r.uint(2) if version == 0x0303 else None
    sig = r.vector(2)
    r.expect_end()
    return sigalg, sig


def parse_alerts(body: bytes) -> list[tuple[int, int]]:
    """(level, description) pairs of a plaintext alert record."""
    if len(body) % 2:
        raise DecodeError("alert record of odd length")
    return [(body[i], body[i + 1]) for i in range(0, len(body), 2)]


def describe_client_key_exchange(body: bytes, suite: int, version: int) -> dict[str, Any]:
    """What a ClientKeyExchange holds, as far as it is visible.

    TLCP ECC suites: a uint16 length and the pre-master secret SM2-encrypted to the server's
    encryption certificate, DER SEQUENCE {x, y, hash OCTET STRING(32), ciphertext OCTET STRING}
    (GB/T 35276; protocols.md §1.5); C1 is checked to lie on the SM2 curve. ECDHE suites: the
    client's point, with or without the ECParameters GmSSL puts in front.
    """
    info = ids.suite_info(suite)
    out: dict[str, Any] = {"length": len(body)}
    if version == ids.TLCP_VERSION and info.key_exchange == "ECC":
        out.update(_sm2_ciphertext(body[2:] if len(body) > 2 and int.from_bytes(body[:2], "big") == len(body) - 2 else body))
    elif info.key_exchange in ("ECDHE", "ECDH"):
        r = Reader(body)
        if version == ids.TLCP_VERSION and len(body) > 2 and int.from_bytes(body[:2], "big") == len(body) - 2:
            r.uint(2)  # GmSSL's outer length
        if r.remaining > 3 and body[r.pos] == 3:
            r.uint(1)
            out["named_curve"] = r.uint(2)
        out["form"] = "ecdh_public_point"
        out["point_length"] = len(r.vector(1))
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
