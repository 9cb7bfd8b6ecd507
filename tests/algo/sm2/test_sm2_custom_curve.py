"""Any curve parameters: validation of domain parameters and a small curve with cofactor h > 1.

The small curve's group order is counted by brute force here (independent of the code under
test), so the subgroup checks for h > 1 are exercised against ground truth.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest
from sm2_testdata import ref_mul

from mptool.algo import sm2
from mptool.algo.sm2.curve import probable_prime

P = 10007  # prime, 3 mod 4


def _count_points(a: int, b: int) -> int:
    squares = [0] * P
    for y in range(P):
        squares[y * y % P] += 1
    return 1 + sum(squares[(x * x * x + a * x + b) % P] for x in range(P))


@cache
def small_curve() -> tuple[sm2.Curve, tuple[int, int]]:
    """A curve over F_10007 with order h*n, h in {2..8}, n prime; and a point outside <G>."""
    for b in range(1, 200):
        a = 3
        order = _count_points(a, b)
        for h in range(2, 9):
            if order % h or not probable_prime(order // h) or (order // h) % h == 0:
                continue
            n = order // h
            points = [(x, y) for x in range(1, 60) for y in range(P) if (y * y - x**3 - a * x - b) % P == 0]
            for q in points:
                g = ref_mul(h, q, P, a)
                outside = ref_mul(n, q, P, a)
                if g is not None and outside is not None:
                    curve = sm2.Curve("toy", P, a, b, n, g[0], g[1], h)
                    return curve, q
    raise AssertionError("no small curve found")


def test_standard_curves_validate() -> None:
    assert sm2.validate_curve(sm2.SM2P256V1) is sm2.SM2P256V1
    assert sm2.validate_curve(sm2.SM2_TEST_CURVE) is sm2.SM2_TEST_CURVE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"p": sm2.SM2P256V1.p + 2}, "p must be an odd prime"),
        ({"gy": sm2.SM2P256V1.gy ^ 1}, "G is not on the curve"),
        ({"n": sm2.SM2P256V1.n + 2}, "n must be a prime|Hasse|n\\*G"),
        ({"n": sm2.SM2_TEST_CURVE.n}, "Hasse|n\\*G"),
        ({"a": 0, "b": 0}, "singular"),
        ({"gx": sm2.SM2P256V1.p}, r"must be in \[0, p-1\]"),
    ],
    ids=["p-not-prime", "g-off-curve", "n-wrong", "n-of-other-curve", "singular", "gx-ge-p"],
)
def test_bad_domain_parameters(change: dict, message: str) -> None:
    with pytest.raises(sm2.SM2Error, match=message):
        sm2.validate_curve(dataclasses.replace(sm2.SM2P256V1, **change))


def test_renamed_curve_gives_the_same_answers() -> None:
    """A Curve built from user-given numbers behaves exactly like the built-in one."""
    mine = sm2.validate_curve(dataclasses.replace(sm2.SM2P256V1, name="user"))
    d = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
    k = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
    assert sm2.sign(d, b"message digest", k=k, curve=mine) == sm2.sign(d, b"message digest", k=k)


def test_small_curve_with_cofactor() -> None:
    curve, outside = small_curve()
    assert curve.h > 1
    sm2.validate_curve(curve)
    assert curve.contains(outside)
    with pytest.raises(sm2.SM2Error, match="not in the subgroup of order n"):
        sm2.check_point(curve, outside, "public key")
    for d in (1, 2, curve.n // 3, curve.n - 2):
        pub = sm2.public_key_from_private(d, curve)
        assert pub == ref_mul(d, curve.g, curve.p, curve.a)
        sig = sm2.sign(d, b"cofactor", b"id", curve=curve)
        assert sm2.verify(pub, b"cofactor", sig, b"id", curve=curve)
        blob = sm2.encrypt(pub, b"hello", curve=curve)
        assert sm2.decrypt(d, blob, curve=curve).plaintext == b"hello"
        assert sm2.decode_public_key(sm2.encode_public_key(pub, curve, compressed=True), curve) == pub
    # encryption: (x2, y2) = k*P, not k*h*P (GB/T 32918.4 §6.1 A4), checked with the reference
    d, k = 5, 7
    pub = sm2.public_key_from_private(d, curve)
    blob = sm2.encrypt(pub, b"x", k=k, curve=curve)
    x2, y2 = ref_mul(k, pub, curve.p, curve.a)
    size = curve.field_bytes
    assert blob[-33:-1] == sm2.sm3(x2.to_bytes(size, "big"), b"x", y2.to_bytes(size, "big"))
    # a C1 of small order (outside <G>, h*C1 = O) is refused at step B2
    small = next(q for q in _small_order_points(curve))
    forged = sm2.encode_ciphertext(small, bytes(32), b"x", curve=curve)
    with pytest.raises(sm2.SM2DecryptError, match="h\\*C1 is the point at infinity"):
        sm2.decrypt(d, forged, curve=curve)
    # key exchange: U = [h*t](P + x̄R) on both sides
    ra, big_ra = sm2.ephemeral_key(3, curve)
    rb, big_rb = sm2.ephemeral_key(4, curve)
    pb = sm2.public_key_from_private(6, curve)
    ka = sm2.key_exchange("initiator", d, ra, pb, big_rb, 16, curve=curve)
    kb = sm2.key_exchange("responder", 6, rb, pub, big_ra, 16, curve=curve)
    assert ka == kb


def _small_order_points(curve: sm2.Curve):
    """Points Q != O with h*Q = O (brute force over small x)."""
    for x in range(curve.p):
        y = curve.sqrt(x**3 + curve.a * x + curve.b)
        if y is not None and ref_mul(curve.h, (x, y), curve.p, curve.a) is None:
            yield (x, y)
