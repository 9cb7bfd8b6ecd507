"""GM/T 0005-2021 clause 6: pass-count threshold from s, Q-value uniformity, verdict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import chisquare

from mptool.rng.decision import decide, pass_threshold, uniformity


@pytest.mark.parametrize(("s", "threshold"), [(1000, 981), (100, 97), (50, 48), (20, 19), (1, 1)])
def test_pass_threshold_from_set_size(s: int, threshold: int) -> None:
    # 981 of 1000: the figure quoted by the GM/T implementations; 97/100, 48/50, 19/20 from the formula
    assert pass_threshold(s) == threshold


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(2, 400), elements=st.floats(0, 1)))
def test_uniformity_is_the_chi_square_of_ten_bins(q: np.ndarray) -> None:
    counts = np.minimum((q * 10).astype(int), 9)
    expected = chisquare(np.bincount(counts, minlength=10)).pvalue
    assert uniformity(q) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_q_equal_one_falls_in_the_last_bin() -> None:
    q = np.array([1.0] * 10 + [i / 10 + 0.05 for i in range(9)] * 10)
    assert uniformity(q) == pytest.approx(1.0)


def test_item_decision_needs_pass_count_and_uniformity() -> None:
    q_uniform = (np.arange(1000) + 0.5) / 1000
    p = q_uniform.copy()
    assert decide(p, q_uniform).ok  # 990 of 1000 have P ≥ 0.01
    p_low = p.copy()
    p_low[:20] = 0.001  # 980 pass < 981
    result = decide(p_low, q_uniform)
    assert (result.passed, result.threshold, result.pass_rate_ok, result.ok) == (980, 981, False, False)
    q_skewed = np.full(1000, 0.55)
    result = decide(p, q_skewed)
    assert result.pass_rate_ok and not result.uniform and result.p_t is not None and result.p_t < 1e-4


def test_single_sequence_has_no_uniformity() -> None:
    result = decide(np.array([0.01]), np.array([0.005]))
    assert result.ok and result.p_t is None  # P = α passes (P ≥ α)
    assert not decide(np.array([0.0099]), np.array([0.5])).ok


def test_perfect_source_failure_closed_form() -> None:
    """One item on 20 sequences fails when 2 or more have P < α: 1 − 0.99^20 − 20·0.01·0.99^19 (threshold 19)."""
    from mptool.rng.decision import item_false_rejection, pass_count_chance, perfect_source_failure

    pass_rate = 1 - 0.99**20 - 20 * 0.01 * 0.99**19
    assert item_false_rejection(20) == pytest.approx(1 - (1 - pass_rate) * (1 - 0.0001), rel=1e-12)
    assert perfect_source_failure(20, 22) == pytest.approx(1 - (1 - item_false_rejection(20)) ** 22, rel=1e-12)
    assert perfect_source_failure(1, 27) == pytest.approx(1 - 0.99**27, rel=1e-12)  # one sequence: α per item
    assert pass_count_chance(18, 20) == pytest.approx(pass_rate, rel=1e-12)  # 18 or fewer = 2 or more fail


@pytest.mark.parametrize("sequences", [10, 20])
def test_perfect_source_failure_matches_simulated_perfect_sources(sequences: int) -> None:
    """Monte Carlo of the clause 6 decision on sets whose 22 items get independent uniform P- and
    Q-values (a perfect source): the share of failing sets is the analytic figure (within 4 σ)."""
    from mptool.rng.decision import perfect_source_failure

    rng = np.random.default_rng(20261203)
    trials, items = 2000, 22
    failing = 0
    for _ in range(trials):
        p, q = rng.random((items, sequences)), rng.random((items, sequences))
        failing += not all(decide(p[i], q[i]).ok for i in range(items))
    expected = perfect_source_failure(sequences, items)
    sigma = (expected * (1 - expected) / trials) ** 0.5
    assert abs(failing / trials - expected) < 4 * sigma, (failing / trials, expected)
