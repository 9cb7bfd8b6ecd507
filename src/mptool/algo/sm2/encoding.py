"""SM2 encodings: public keys (GB/T 32918.1 §4.2.8), signatures and ciphertexts (GB/T 35276-2017).

DER is parsed with pyasn1 and accepted only when re-encoding gives back the same bytes, which
rejects BER forms (long lengths, non-minimal integers, indefinite lengths) and trailing data.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import namedtype, univ

from mptool.algo.sm2 import ec
from mptool.algo.sm2.curve import SM2P256V1, Curve, Point
from mptool.algo.sm2.errors import SM2Error


class SM2Signature(univ.Sequence):
    """GB/T 35276-2017 §7.3: SM2Signature ::= SEQUENCE { R INTEGER, S INTEGER }."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("r", univ.Integer()),
        namedtype.NamedType("s", univ.Integer()),
    )


class SM2Cipher(univ.Sequence):
    """GB/T 35276-2017 §7.2: SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER, HASH OCTET STRING, CipherText OCTET STRING }."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("x", univ.Integer()),
        namedtype.NamedType("y", univ.Integer()),
        namedtype.NamedType("hash", univ.OctetString()),
        namedtype.NamedType("ciphertext", univ.OctetString()),
    )


def strict_der_decode(data: bytes, spec: univ.Sequence, what: str) -> univ.Sequence:
    """Decode ``data`` as DER of ``spec``; raise :class:`SM2Error` unless it is exactly DER."""
    try:
        value, rest = der_decoder.decode(data, asn1Spec=spec)
    except (PyAsn1Error, ValueError, TypeError, OverflowError) as exc:
        raise SM2Error(f"{what}: not a DER {type(spec).__name__} ({exc.__class__.__name__})") from None
    if rest:
        raise SM2Error(f"{what}: {len(rest)} trailing bytes after the DER SEQUENCE")
    for name, component in value.items():
        if isinstance(component, univ.Integer) and int(component) < 0:
            raise SM2Error(f"{what}: INTEGER {name} is negative, expected a positive value")
    try:
        again = der_encoder.encode(value)
    except PyAsn1Error as exc:
        raise SM2Error(f"{what}: incomplete DER {type(spec).__name__} ({exc})") from None
    if again != data:
        raise SM2Error(f"{what}: BER but not DER (non-minimal length or integer encoding)")
    return value


# ----------------------------------------------------------------------------- public keys


def encode_public_key(point: Point, curve: Curve = SM2P256V1, compressed: bool = False) -> bytes:
    """04||X||Y, or 02/03||X when ``compressed`` (GB/T 32918.1-2016 §4.2.8)."""
    x, y = ec.check_point(curve, point, "public key")
    size = curve.field_bytes
    if compressed:
        return bytes([2 | (y & 1)]) + x.to_bytes(size, "big")
    return b"\x04" + x.to_bytes(size, "big") + y.to_bytes(size, "big")


def decode_public_key(data: bytes, curve: Curve = SM2P256V1) -> Point:
    """Decode 04||X||Y, 02/03||X (compressed), 06/07||X||Y (hybrid) or raw X||Y; validate the point.

    Raises :class:`SM2Error` for a wrong length or prefix, a coordinate >= p, a point that is
    not on the curve, or the point at infinity (a single 00 byte).
    """
    size = curve.field_bytes
    data = bytes(data)
    if data == b"\x00":
        raise SM2Error("public key: the point at infinity (00) is not a valid public key")
    if len(data) == 2 * size + 1 and data[0] in (4, 6, 7):
        x = int.from_bytes(data[1 : 1 + size], "big")
        y = int.from_bytes(data[1 + size :], "big")
        if data[0] != 4 and (y & 1) != (data[0] & 1):
            raise SM2Error("public key: hybrid prefix 06/07 does not match the parity of Y")
    elif len(data) == size + 1 and data[0] in (2, 3):
        x = int.from_bytes(data[1:], "big")
        if x >= curve.p:
            raise SM2Error(f"public key: X must be < p of curve {curve.name}")
        root = curve.sqrt(x * x * x + curve.a * x + curve.b)
        if root is None:
            raise SM2Error(f"public key: compressed X is not the x-coordinate of a point of curve {curve.name}")
        y = root if (root & 1) == (data[0] & 1) else (curve.p - root) % curve.p
    elif len(data) == 2 * size:
        x = int.from_bytes(data[:size], "big")
        y = int.from_bytes(data[size:], "big")
    else:
        raise SM2Error(
            f"public key: expected {2 * size + 1} bytes 04||X||Y, {size + 1} bytes 02/03||X "
            f"or {2 * size} bytes X||Y, got {len(data)} bytes"
            + (f" starting with {data[0]:02x}" if data else "")
        )
    return ec.check_point(curve, (x, y), "public key")


# ----------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class DecodedSignature:
    """A decoded signature and the encoding it came in (``der`` or ``raw``)."""

    r: int
    s: int
    encoding: str


def encode_signature_der(r: int, s: int) -> bytes:
    """DER SEQUENCE { INTEGER r, INTEGER s } (GB/T 35276-2017 §7.3)."""
    if r <= 0 or s <= 0:
        raise SM2Error("signature: r and s must be positive")
    value = SM2Signature()
    value["r"] = r
    value["s"] = s
    return der_encoder.encode(value)


def encode_signature_raw(r: int, s: int, curve: Curve = SM2P256V1) -> bytes:
    """r||s, each big-endian on the byte length of n (64 bytes for 256-bit curves)."""
    size = curve.order_bytes
    if not (0 < r < 1 << (8 * size) and 0 < s < 1 << (8 * size)):
        raise SM2Error(f"signature: r and s must be positive and fit in {size} bytes")
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _check_rs(r: int, s: int, curve: Curve) -> None:
    if not 1 <= r < curve.n:
        raise SM2Error(f"signature: r must be in [1, n-1] of curve {curve.name}")
    if not 1 <= s < curve.n:
        raise SM2Error(f"signature: s must be in [1, n-1] of curve {curve.name}")


def detect_signature(data: bytes, curve: Curve = SM2P256V1) -> DecodedSignature:
    """Decode strict DER or raw r||s and say which; r and s must be in [1, n-1].

    A value that parses as strict DER is DER; otherwise a value of exactly 2*len(n) bytes is raw.
    """
    data = bytes(data)
    size = curve.order_bytes
    der_problem = "does not start with a SEQUENCE tag (30)"
    if data[:1] == b"\x30":
        try:
            value = strict_der_decode(data, SM2Signature(), "signature")
        except SM2Error as exc:
            der_problem = str(exc).removeprefix("signature: ")
        else:
            r, s = int(value["r"]), int(value["s"])
            _check_rs(r, s, curve)
            return DecodedSignature(r, s, "der")
    if len(data) == 2 * size:
        r = int.from_bytes(data[:size], "big")
        s = int.from_bytes(data[size:], "big")
        _check_rs(r, s, curve)
        return DecodedSignature(r, s, "raw")
    raise SM2Error(
        f"signature: expected DER SEQUENCE{{r, s}} or {2 * size} bytes r||s, got {len(data)} bytes (as DER: {der_problem})"
    )


def decode_signature(data: bytes, curve: Curve = SM2P256V1) -> tuple[int, int]:
    """Decode a strict DER SEQUENCE{r, s} or raw r||s (2*32 bytes); r and s must be in [1, n-1]."""
    sig = detect_signature(data, curve)
    return (sig.r, sig.s)
