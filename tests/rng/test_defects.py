"""Sequences with known defects must fail the tests designed to catch them (10^6 bits, full plan)."""

from __future__ import annotations

import numpy as np
import pytest
from rng_testdata import data_e

from mptool.rng.battery import evaluate
from mptool.rng.params import resolve

N = 1_000_000
PLAN = resolve(N)


def _p_values(bits: np.ndarray) -> dict[str, list[float]]:
    matrix, problems = evaluate(bits, PLAN.tests)
    assert not problems
    by_test: dict[str, list[float]] = {}
    for item, (p, q, _) in zip(PLAN.items, matrix, strict=True):
        assert 0.0 <= p <= 1.0 and 0.0 <= q <= 1.0, item.label
        by_test.setdefault(item.test, []).append(p)
    return by_test


def _lfsr(taps: tuple[int, ...], degree: int, n: int) -> np.ndarray:
    """Output of the Fibonacci LFSR s_{t+degree} = XOR of s_{t+tap} (taps of a primitive trinomial)."""
    out = np.zeros(n, dtype=np.uint8)
    out[:degree] = np.random.default_rng(7).integers(0, 2, degree)
    out[0] = 1
    for t in range(n - degree):  # a reference generator in the test, not under test
        out[t + degree] = np.bitwise_xor.reduce(out[[t + tap for tap in taps]])
    return out


def _lfsr_fast(n: int) -> np.ndarray:
    # s_{t+20} = s_{t+3} ^ s_t  (x^20 + x^3 + 1 is primitive): fill 3 bits at a time, vectorised
    out = np.zeros(n + 20, dtype=np.uint8)
    out[:20] = np.random.default_rng(7).integers(0, 2, 20)
    out[0] = 1
    t = 0
    while t < n:
        step = min(3, n - t)
        out[t + 20 : t + 20 + step] = out[t + 3 : t + 3 + step] ^ out[t : t + step]
        t += step
    return out[:n]


DEFECTS = {
    # name: (sequence, tests that must fail (every item P < 0.01), tests that must pass)
    "constant": (
        lambda: np.zeros(N, dtype=np.uint8),
        ["monobit", "block_frequency", "poker", "serial", "runs", "longest_run", "cumulative_sums", "approximate_entropy", "linear_complexity", "universal", "rank"],
        [],
    ),
    "alternating": (
        lambda: np.tile(np.array([0, 1], dtype=np.uint8), N // 2),
        ["poker", "serial", "runs", "runs_distribution", "binary_derivative", "approximate_entropy", "linear_complexity", "universal", "dft"],
        ["monobit", "block_frequency"],
    ),
    "biased": (
        lambda: (np.random.default_rng(1).random(N) < 0.51).astype(np.uint8),
        ["monobit", "cumulative_sums", "block_frequency"],
        [],
    ),
    "periodic": (
        lambda: np.tile(np.random.default_rng(2).integers(0, 2, 64, dtype=np.uint8), N // 64 + 1)[:N],
        ["linear_complexity", "rank", "approximate_entropy", "universal", "serial"],
        [],
    ),
    "lfsr20": (lambda: _lfsr_fast(N), ["linear_complexity", "rank"], ["monobit"]),
}


def test_fast_lfsr_matches_reference_generator() -> None:
    assert np.array_equal(_lfsr_fast(5000), _lfsr((0, 3), 20, 5000))


@pytest.mark.parametrize("name", DEFECTS)
def test_defect_is_caught(name: str) -> None:
    make, must_fail, must_pass = DEFECTS[name]
    p = _p_values(make())
    for test in must_fail:
        assert max(p[test]) < 0.01, (test, p[test])
    for test in must_pass:
        assert min(p[test]) >= 0.01, (test, p[test])


def test_data_e_passes_every_item() -> None:
    p = _p_values(data_e())
    assert sum(len(v) for v in p.values()) == 27
    assert all(value >= 0.01 for values in p.values() for value in values)
