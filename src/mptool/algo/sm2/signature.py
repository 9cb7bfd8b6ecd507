"""SM2 digital signature (GB/T 32918.2-2016): ZA, e, signing and verification."""

from __future__ import annotations

import secrets

from mptool.algo import DEFAULT_SM2_USER_ID
from mptool.algo.sm2 import ec
from mptool.algo.sm2.curve import SM2P256V1, Curve, Point
from mptool.algo.sm2.errors import SM2Error
from mptool.algo.sm2.hashing import sm3

#: The default user ID of GB/T 35276-2017 §10 (also GM/T 0009-2012).
DEFAULT_USER_ID = DEFAULT_SM2_USER_ID


def compute_za(public_key: Point, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1) -> bytes:
    """ZA = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GB/T 32918.2-2016 §5.5).

    ENTL is the bit length of the ID on two bytes, so an ID may have at most 8191 bytes.
    """
    x, y = ec.check_point(curve, public_key, "public key")
    user_id = bytes(user_id)
    bits = 8 * len(user_id)
    if bits >= 1 << 16:
        raise SM2Error("user ID: at most 8191 bytes (ENTL is a 16-bit bit length)")
    size = curve.field_bytes
    fields = (curve.a, curve.b, curve.gx, curve.gy, x, y)
    return sm3(bits.to_bytes(2, "big"), user_id, b"".join(v.to_bytes(size, "big") for v in fields))


def message_digest(public_key: Point, message: bytes, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1) -> bytes:
    """e = SM3(ZA || M) (GB/T 32918.2-2016 §6.1 steps A1-A2)."""
    return sm3(compute_za(public_key, user_id, curve), bytes(message))


def sign_digest(d: int, e: bytes, *, k: int | None = None, curve: Curve = SM2P256V1) -> tuple[int, int]:
    """Sign the 32-byte digest e (GB/T 32918.2-2016 §6.1 steps A3-A6).

    With an injected ``k`` (for known-answer tests) a degenerate result (r = 0, r + k = n,
    s = 0) raises :class:`SM2Error`; without one a fresh k is drawn from ``secrets``.
    """
    curve.check_private_key(d)
    n = curve.n
    e_int = int.from_bytes(bytes(e), "big")
    inv = pow(1 + d, -1, n)
    while True:
        kk = k if k is not None else secrets.randbelow(n - 1) + 1
        if not 1 <= kk < n:
            raise SM2Error(f"k: must be in [1, n-1] of curve {curve.name}")
        point = ec.mul_base(curve, kk)
        assert point is not None
        r = (e_int + point[0]) % n
        if r != 0 and r + kk != n:
            s = inv * (kk - r * d) % n
            if s != 0:
                return (r, s)
        if k is not None:
            raise SM2Error("k: gives r = 0, r + k = n or s = 0; choose another k (GB/T 32918.2 §6.1 A5/A6)")


def sign(
    d: int, message: bytes, user_id: bytes = DEFAULT_USER_ID, *, k: int | None = None, curve: Curve = SM2P256V1
) -> tuple[int, int]:
    """Sign ``message`` with private key d and ``user_id``; returns (r, s)."""
    public = public_key_from_private(d, curve)
    return sign_digest(d, message_digest(public, message, user_id, curve), k=k, curve=curve)


def verify_digest(public_key: Point, e: bytes, signature: tuple[int, int], *, curve: Curve = SM2P256V1) -> bool:
    """Verify (r, s) over the digest e (GB/T 32918.2-2016 §7.1 steps B1, B2, B4-B7).

    Returns False for r or s outside [1, n-1], t = 0 or a mismatch; raises :class:`SM2Error`
    for a public key that is not a valid point.
    """
    point = ec.check_point(curve, public_key, "public key")
    r, s = signature
    n = curve.n
    if not (isinstance(r, int) and isinstance(s, int) and 1 <= r < n and 1 <= s < n):
        return False
    t = (r + s) % n
    if t == 0:
        return False
    xy = ec.mul_add(curve, s, t, point)
    if xy is None:
        return False
    return (int.from_bytes(bytes(e), "big") + xy[0]) % n == r


def verify(
    public_key: Point,
    message: bytes,
    signature: tuple[int, int],
    user_id: bytes = DEFAULT_USER_ID,
    *,
    curve: Curve = SM2P256V1,
) -> bool:
    """Verify (r, s) over ``message`` with ``user_id`` (GB/T 32918.2-2016 §7.1)."""
    return verify_digest(public_key, message_digest(public_key, message, user_id, curve), signature, curve=curve)


def public_key_from_private(d: int, curve: Curve = SM2P256V1) -> Point:
    """P = d*G for a private key d in [1, n-2] (GB/T 32918.1-2016 §6.1)."""
    curve.check_private_key(d)
    point = ec.mul_base(curve, d)
    assert point is not None
    return point


def generate_private_key(curve: Curve = SM2P256V1) -> int:
    """A random private key in [1, n-2] from ``secrets``."""
    return secrets.randbelow(curve.n - 2) + 1
