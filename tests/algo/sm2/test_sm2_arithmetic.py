"""The fast EC code (Jacobian, fixed-base table, wNAF) against textbook affine arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sm2_testdata import ref_add, ref_mul

from mptool.algo import sm2
from mptool.algo.sm2 import ec

CURVES = st.sampled_from([sm2.SM2P256V1, sm2.SM2_TEST_CURVE])


def scalars(curve: sm2.Curve) -> st.SearchStrategy[int]:
    """Random scalars plus the edges: small values, n-1, n-2, powers of two, all-ones windows."""
    n = curve.n
    edges = [1, 2, 3, 255, 256, 257, n - 1, n - 2, n - 255, (1 << 255) % n, (1 << 248) - 1, n // 2, (n + 1) // 2]
    return st.one_of(st.integers(1, n - 1), st.sampled_from(edges))


@st.composite
def curve_and_scalars(draw: st.DrawFn, count: int) -> tuple:
    curve = draw(CURVES)
    return (curve, *[draw(scalars(curve)) for _ in range(count)])


@settings(max_examples=60, deadline=None)
@given(curve_and_scalars(1))
def test_mul_base_matches_reference(args: tuple) -> None:
    curve, k = args
    assert ec.mul_base(curve, k) == ref_mul(k, curve.g, curve.p, curve.a)


@settings(max_examples=40, deadline=None)
@given(curve_and_scalars(2))
def test_mul_matches_reference(args: tuple) -> None:
    curve, d, k = args
    point = ref_mul(d, curve.g, curve.p, curve.a)
    assert ec.mul(curve, k, point) == ref_mul(k, point, curve.p, curve.a)


@settings(max_examples=40, deadline=None)
@given(curve_and_scalars(3))
def test_mul_add_matches_reference(args: tuple) -> None:
    curve, d, s, t = args
    p, a = curve.p, curve.a
    point = ref_mul(d, curve.g, p, a)
    assert ec.mul_add(curve, s, t, point) == ref_add(ref_mul(s, curve.g, p, a), ref_mul(t, point, p, a), p, a)


def test_mul_add_edge_cases() -> None:
    for curve in (sm2.SM2P256V1, sm2.SM2_TEST_CURVE):
        g, n = curve.g, curve.n
        assert ec.mul_add(curve, 1, n - 1, g) is None  # G - G = O
        assert ec.mul_add(curve, 5, 5, g) == ec.mul_base(curve, 10)  # doubling inside the mixed addition
        assert ec.mul_add(curve, 0, 7, g) == ec.mul_base(curve, 7)
        assert ec.mul_add(curve, 7, 0, g) == ec.mul_base(curve, 7)
        assert ec.mul_base(curve, n) is None
        assert ec.mul(curve, n, g) is None
        assert ec.mul(curve, n + 1, g) == g
        assert ec.mul_base(curve, n - 1) == (g[0], curve.p - g[1])


def test_public_key_from_private_range() -> None:
    n = sm2.SM2P256V1.n
    assert sm2.public_key_from_private(n - 2) == ref_mul(n - 2, sm2.SM2P256V1.g, sm2.SM2P256V1.p, sm2.SM2P256V1.a)
    for bad in (0, n - 1, n, -1):
        with pytest.raises(sm2.SM2Error, match=r"private key: must be in \[1, n-2\]"):
            sm2.public_key_from_private(bad)
