"""SM2 public-key encryption (GB/T 32918.4-2016) and the ciphertext encodings of GB/T 35276-2017.

Encodings: ``c1c3c2`` (GB/T 32918.4-2016, GB/T 35276), ``c1c2c3`` (the 2010 OSCCA text and many
old tools), each with or without the 04 point prefix, and ``asn1`` (GB/T 35276-2017 §7.2:
SEQUENCE{INTEGER x, INTEGER y, OCTET STRING C3, OCTET STRING C2}).
Decryption always checks C3; with ``order="auto"`` it tries ASN.1, then C1C3C2 with and without
04, then C1C2C3 with and without 04, and reports the first that decrypts with a matching C3.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from pyasn1.codec.der import encoder as der_encoder

from mptool.algo.primitives.blockmodes import xor
from mptool.algo.sm2 import ec
from mptool.algo.sm2.curve import SM2P256V1, Curve, Point
from mptool.algo.sm2.encoding import SM2Cipher, strict_der_decode
from mptool.algo.sm2.errors import SM2DecryptError, SM2Error
from mptool.algo.sm2.hashing import SM3_SIZE, kdf, sm3

ORDERS = ("c1c3c2", "c1c2c3", "asn1")
DECRYPT_ORDERS = ("auto", *ORDERS)


@dataclass(frozen=True)
class Decrypted:
    """Result of :func:`decrypt`: the plaintext and the encoding that decrypted with a good C3.

    ``point_prefix`` is True/False for the raw orders (C1 given as 04||x||y or x||y) and None
    for ``asn1`` (which has no prefix).
    """

    plaintext: bytes
    order: str
    point_prefix: bool | None

    @property
    def encoding(self) -> str:
        """A one-word name: ``asn1``, ``c1c3c2``, ``c1c3c2-no04``, ``c1c2c3`` or ``c1c2c3-no04``."""
        if self.point_prefix is False:
            return f"{self.order}-no04"
        return self.order


def encrypt(
    public_key: Point,
    plaintext: bytes,
    *,
    k: int | None = None,
    order: str = "c1c3c2",
    point_prefix: bool = True,
    curve: Curve = SM2P256V1,
) -> bytes:
    """Encrypt ``plaintext`` to ``public_key`` (GB/T 32918.4-2016 §6.1).

    ``order`` is ``c1c3c2``, ``c1c2c3`` or ``asn1``; ``point_prefix`` adds 04 before C1 in the raw
    orders (ignored for ``asn1``). An injected ``k`` that gives an all-zero KDF output raises
    :class:`SM2Error`. The plaintext must not be empty (its KDF output t would be the empty,
    hence all-zero, bit string, which step A5 rejects).
    """
    if order not in ORDERS:
        raise SM2Error(f"order: expected one of {', '.join(ORDERS)}, got {order!r}")
    point = ec.check_point(curve, public_key, "public key")
    message = bytes(plaintext)
    if not message:
        raise SM2Error("plaintext: must not be empty (GB/T 32918.4 §6.1 A5 rejects an all-zero t)")
    if curve.h != 1 and ec.mul(curve, curve.h, point) is None:
        raise SM2Error("public key: h*P is the point at infinity (GB/T 32918.4 §6.1 A3)")
    size = curve.field_bytes
    while True:
        kk = k if k is not None else secrets.randbelow(curve.n - 1) + 1
        if not 1 <= kk < curve.n:
            raise SM2Error(f"k: must be in [1, n-1] of curve {curve.name}")
        c1 = ec.mul_base(curve, kk)
        shared = ec.mul(curve, kk, point)
        if c1 is None or shared is None:
            raise SM2Error("public key: k*P is the point at infinity (GB/T 32918.4 §6.1 A4)")
        x2 = shared[0].to_bytes(size, "big")
        y2 = shared[1].to_bytes(size, "big")
        t = kdf(x2 + y2, len(message))
        if any(t):
            break
        if k is not None:
            raise SM2Error("k: the KDF output t is all zero; choose another k (GB/T 32918.4 §6.1 A5)")
    return encode_ciphertext(c1, sm3(x2, message, y2), xor(message, t), order=order, point_prefix=point_prefix, curve=curve)


def encode_ciphertext(
    c1: Point, c3: bytes, c2: bytes, *, order: str = "c1c3c2", point_prefix: bool = True, curve: Curve = SM2P256V1
) -> bytes:
    """Lay out C1, C3, C2 as ``c1c3c2``/``c1c2c3`` (04 prefix optional) or ``asn1`` (GB/T 35276 §7.2)."""
    if order not in ORDERS:
        raise SM2Error(f"order: expected one of {', '.join(ORDERS)}, got {order!r}")
    if order == "asn1":
        value = SM2Cipher()
        value["x"] = c1[0]
        value["y"] = c1[1]
        value["hash"] = c3
        value["ciphertext"] = c2
        return der_encoder.encode(value)
    size = curve.field_bytes
    c1_bytes = (b"\x04" if point_prefix else b"") + c1[0].to_bytes(size, "big") + c1[1].to_bytes(size, "big")
    return c1_bytes + (c3 + c2 if order == "c1c3c2" else c2 + c3)


@dataclass(frozen=True)
class Candidate:
    """One way of reading a ciphertext: C1 (None when unusable, with the problem), C2 and C3."""

    order: str
    point_prefix: bool | None
    c1: Point | None
    c2: bytes
    c3: bytes
    problem: str = ""

    @property
    def name(self) -> str:
        """The encoding name, as in :attr:`Decrypted.encoding`."""
        return Decrypted(b"", self.order, self.point_prefix).encoding


def _asn1_candidate(data: bytes, curve: Curve) -> Candidate:
    try:
        value = strict_der_decode(data, SM2Cipher(), "ciphertext")
    except SM2Error as exc:
        return Candidate("asn1", None, None, b"", b"", str(exc).removeprefix("ciphertext: "))
    x, y = int(value["x"]), int(value["y"])
    c3, c2 = bytes(value["hash"]), bytes(value["ciphertext"])
    if len(c3) != SM3_SIZE:
        return Candidate("asn1", None, None, c2, c3, f"HASH (C3) has {len(c3)} bytes, expected {SM3_SIZE}")
    if not c2:
        return Candidate("asn1", None, None, c2, c3, "CipherText (C2) is empty")
    if not curve.contains((x, y)):
        return Candidate("asn1", None, None, c2, c3, f"C1 is not a point of curve {curve.name}")
    return Candidate("asn1", None, (x, y), c2, c3)


def _raw_candidates(data: bytes, order: str, curve: Curve) -> list[Candidate]:
    size = curve.field_bytes
    out = []
    for prefix in (True, False):
        start = 1 if prefix else 0
        if prefix and data[:1] != b"\x04":
            out.append(Candidate(order, prefix, None, b"", b"", "does not start with 04"))
            continue
        body = data[start:]
        if len(body) < 2 * size + SM3_SIZE + 1:
            need = start + 2 * size + SM3_SIZE + 1
            out.append(Candidate(order, prefix, None, b"", b"", f"{len(data)} bytes, expected at least {need}"))
            continue
        point = (int.from_bytes(body[:size], "big"), int.from_bytes(body[size : 2 * size], "big"))
        rest = body[2 * size :]
        c3, c2 = (rest[:SM3_SIZE], rest[SM3_SIZE:]) if order == "c1c3c2" else (rest[-SM3_SIZE:], rest[:-SM3_SIZE])
        if not curve.contains(point):
            out.append(Candidate(order, prefix, None, c2, c3, f"C1 is not a point of curve {curve.name}"))
            continue
        out.append(Candidate(order, prefix, point, c2, c3))
    return out


def ciphertext_candidates(data: bytes, order: str, curve: Curve) -> list[Candidate]:
    """The readings of ``data`` to try for ``order`` (``auto`` = all), in the documented order."""
    if order not in DECRYPT_ORDERS:
        raise SM2Error(f"order: expected one of {', '.join(DECRYPT_ORDERS)}, got {order!r}")
    candidates: list[Candidate] = []
    if order in ("auto", "asn1"):
        if order == "asn1" or data[:1] == b"\x30":
            candidates.append(_asn1_candidate(data, curve))
        else:
            candidates.append(Candidate("asn1", None, None, b"", b"", "does not start with a SEQUENCE tag (30)"))
    for raw in ("c1c3c2", "c1c2c3"):
        if order in ("auto", raw):
            candidates += _raw_candidates(data, raw, curve)
    return candidates


def decrypt_error(attempts: list[tuple[str, str]]) -> SM2DecryptError:
    """The :class:`SM2DecryptError` summarising failed attempts."""
    detail = "; ".join(f"{name}: {problem}" for name, problem in attempts)
    if any(problem == "C3 mismatch" for _, problem in attempts):
        summary = "C3 does not match in any encoding (wrong key, tampered or corrupted ciphertext)"
    else:
        summary = "not a valid SM2 ciphertext in any accepted encoding"
    return SM2DecryptError(f"ciphertext: {summary} [{detail}]", attempts)


def decrypt(d: int, ciphertext: bytes, *, order: str = "auto", curve: Curve = SM2P256V1) -> Decrypted:
    """Decrypt with private key d (GB/T 32918.4-2016 §7.1), always checking C3 (step B6).

    ``order``: ``auto`` (try every encoding), ``c1c3c2``, ``c1c2c3`` (each with or without 04)
    or ``asn1``. Raises :class:`SM2DecryptError` (with ``attempts``) when no encoding gives a
    valid C1 and a matching C3.
    """
    curve.check_private_key(d)
    candidates = ciphertext_candidates(bytes(ciphertext), order, curve)
    size = curve.field_bytes
    attempts: list[tuple[str, str]] = []
    shared_cache: dict[Point, Point | None] = {}
    for cand in candidates:
        if cand.c1 is None:
            attempts.append((cand.name, cand.problem))
            continue
        if curve.h != 1 and ec.mul(curve, curve.h, cand.c1) is None:  # step B2
            attempts.append((cand.name, "h*C1 is the point at infinity"))
            continue
        if cand.c1 not in shared_cache:  # step B3: (x2, y2) = d*C1
            shared_cache[cand.c1] = ec.mul(curve, d, cand.c1)
        shared = shared_cache[cand.c1]
        if shared is None:
            attempts.append((cand.name, "d*C1 is the point at infinity"))
            continue
        x2 = shared[0].to_bytes(size, "big")
        y2 = shared[1].to_bytes(size, "big")
        t = kdf(x2 + y2, len(cand.c2))
        if not any(t):
            attempts.append((cand.name, "KDF output t is all zero"))
            continue
        message = xor(cand.c2, t)
        if hmac.compare_digest(sm3(x2, message, y2), cand.c3):
            return Decrypted(message, cand.order, cand.point_prefix)
        attempts.append((cand.name, "C3 mismatch"))
    raise decrypt_error(attempts)
