"""SM2 key exchange (GB/T 32918.3-2016 §6.1) with the optional key confirmations.

Both parties call :func:`key_exchange` with their own static and ephemeral keys and the peer's
public values. A is the initiator, B the responder. The result carries the shared key K and
both confirmation values:

* ``s_b``: S_B computed by B and sent to A, which A recomputes as S_1 and compares
  (prefix 0x02, §6.1 B9 / A9);
* ``s_a``: S_A computed by A and sent to B, which B recomputes as S_2 and compares
  (prefix 0x03, §6.1 A10 / B10).

Flow::

    ra, RA = ephemeral_key()                                   # A, sends RA
    rb, RB = ephemeral_key()                                   # B
    kb = key_exchange("responder", db, rb, PA, RA, 16, own_id=IDB, peer_id=IDA)   # sends RB, kb.s_b
    ka = key_exchange("initiator", da, ra, PB, RB, 16, own_id=IDA, peer_id=IDB)
    check_confirmation(ka.s_b, received_sb, "S_B")             # A: S_1 == S_B, sends ka.s_a
    check_confirmation(kb.s_a, received_sa, "S_A")             # B: S_2 == S_A
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from mptool.algo.sm2 import ec
from mptool.algo.sm2.curve import SM2P256V1, Curve, Point
from mptool.algo.sm2.errors import SM2Error
from mptool.algo.sm2.hashing import kdf, sm3
from mptool.algo.sm2.signature import DEFAULT_USER_ID, compute_za, public_key_from_private

ROLES = ("initiator", "responder")
T = TypeVar("T")


@dataclass(frozen=True)
class KeyExchangeResult:
    """Outcome of one party's computation (§6.1 A4-A10 / B1-B10)."""

    key: bytes  #: K = KDF(xU || yU || ZA || ZB, klen)
    shared_point: Point  #: U (initiator) or V (responder); equal for both parties
    za: bytes  #: Z of the initiator A
    zb: bytes  #: Z of the responder B
    s_b: bytes  #: S_B = S_1 = SM3(0x02 || yU || SM3(xU || ZA || ZB || x1 || y1 || x2 || y2))
    s_a: bytes  #: S_A = S_2 = SM3(0x03 || yU || SM3(xU || ZA || ZB || x1 || y1 || x2 || y2))


def ephemeral_key(r: int | None = None, curve: Curve = SM2P256V1) -> tuple[int, Point]:
    """(r, R = r*G) with r in [1, n-1]; r random from ``secrets`` unless injected."""
    if r is None:
        r = secrets.randbelow(curve.n - 1) + 1
    if not isinstance(r, int) or not 1 <= r < curve.n:
        raise SM2Error(f"ephemeral key: must be in [1, n-1] of curve {curve.name}")
    point = ec.mul_base(curve, r)
    assert point is not None
    return r, point


def x_bar(x: int, curve: Curve) -> int:
    """x̄ = 2^w + (x mod 2^w), w = ceil(ceil(log2 n) / 2) - 1 (§6.1 A4)."""
    w = (curve.n.bit_length() + 1) // 2 - 1
    return (1 << w) + (x & ((1 << w) - 1))


def by_role(role: str, own: T, peer: T) -> tuple[T, T]:
    """(A's value, B's value) from one party's own and peer values."""
    return (own, peer) if role == "initiator" else (peer, own)


def finish(
    shared: Point,
    za: bytes,
    zb: bytes,
    ra: Point,
    rb: Point,
    key_length: int,
    curve: Curve,
    hash_fn: Callable[[bytes], bytes] = sm3,
    kdf_fn: Callable[[bytes, int], bytes] = kdf,
) -> KeyExchangeResult:
    """K and the confirmations from U/V, ZA, ZB and R_A, R_B (§6.1 A8-A10 / B5-B10).

    ``hash_fn``/``kdf_fn`` let the gmssl cross-check supply its own SM3 and KDF.
    """
    size = curve.field_bytes
    xu, yu = shared[0].to_bytes(size, "big"), shared[1].to_bytes(size, "big")
    coords = b"".join(v.to_bytes(size, "big") for v in (*ra, *rb))
    inner = hash_fn(xu + za + zb + coords)
    return KeyExchangeResult(
        key=kdf_fn(xu + yu + za + zb, key_length),
        shared_point=shared,
        za=za,
        zb=zb,
        s_b=hash_fn(b"\x02" + yu + inner),
        s_a=hash_fn(b"\x03" + yu + inner),
    )


def key_exchange(
    role: str,
    private_key: int,
    ephemeral_private: int,
    peer_public_key: Point,
    peer_ephemeral_public: Point,
    key_length: int,
    *,
    own_id: bytes = DEFAULT_USER_ID,
    peer_id: bytes = DEFAULT_USER_ID,
    curve: Curve = SM2P256V1,
) -> KeyExchangeResult:
    """One party's side of the SM2 key exchange; ``key_length`` is klen in bytes.

    Validates the peer's public key and ephemeral point (on the curve, §6.1 A6/B3) and rejects
    a shared point at infinity (§6.1 A8/B5).
    """
    if role not in ROLES:
        raise SM2Error(f"role: expected initiator or responder, got {role!r}")
    if not isinstance(key_length, int) or key_length <= 0:
        raise SM2Error("key length: must be a positive number of bytes")
    own_public = public_key_from_private(private_key, curve)
    _, own_ephemeral = ephemeral_key(ephemeral_private, curve)
    peer_public = ec.check_point(curve, peer_public_key, "peer public key")
    peer_ephemeral = ec.check_point(curve, peer_ephemeral_public, "peer ephemeral point")
    t = (private_key + x_bar(own_ephemeral[0], curve) * ephemeral_private) % curve.n
    combined = ec.add(curve, peer_public, ec.mul(curve, x_bar(peer_ephemeral[0], curve), peer_ephemeral))
    shared = None if combined is None else ec.mul(curve, curve.h * t, combined)
    if shared is None:
        raise SM2Error("key exchange: the shared point is the point at infinity (§6.1 A8/B5)")
    id_a, id_b = by_role(role, own_id, peer_id)
    pub_a, pub_b = by_role(role, own_public, peer_public)
    ra, rb = by_role(role, own_ephemeral, peer_ephemeral)
    za, zb = compute_za(pub_a, id_a, curve), compute_za(pub_b, id_b, curve)
    return finish(shared, za, zb, ra, rb, key_length, curve)


def check_confirmation(expected: bytes, received: bytes, name: str = "confirmation") -> None:
    """Compare a received S_B/S_A with the locally computed value; raise :class:`SM2Error` if unequal."""
    if not hmac.compare_digest(bytes(expected), bytes(received)):
        raise SM2Error(f"{name}: key confirmation failed (received value differs from the computed one)")
