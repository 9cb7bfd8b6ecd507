"""The decision of GM/T 0005-2021 clause 6: pass rate per item, uniformity of Q-values, verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincc

#: Significance level α of each test (a sequence passes an item when P ≥ α).
ALPHA = 0.01
#: Significance level α_T of the uniformity test on the Q-values of a set.
ALPHA_T = 0.0001
#: Number of equal sub-intervals of [0, 1] for the uniformity test.
BINS = 10


def pass_threshold(count: int, alpha: float = ALPHA) -> int:
    """Minimum number of passing sequences: ⌈s(1 − α − 3√(α(1−α)/s))⌉ (981 for s = 1000)."""
    return math.ceil(count * (1 - alpha - 3 * math.sqrt(alpha * (1 - alpha) / count)) - 1e-9)


def uniformity(q_values: np.ndarray) -> float:
    """P_T of the Q-values: χ² of their counts in 10 equal bins of [0, 1] (q = 1 in the last bin)."""
    count = q_values.size
    bins = np.minimum((q_values * BINS).astype(np.int64), BINS - 1)
    observed = np.bincount(bins, minlength=BINS)
    expected = count / BINS
    v = float(np.sum((observed - expected) ** 2) / expected)
    return float(gammaincc((BINS - 1) / 2, v / 2))


@dataclass(frozen=True)
class ItemDecision:
    """The clause 6 decision on one item over a set of s sequences."""

    passed: int
    threshold: int
    p_t: float | None

    @property
    def pass_rate_ok(self) -> bool:
        """Clause 6.2: enough sequences have P ≥ α."""
        return self.passed >= self.threshold

    @property
    def uniform(self) -> bool:
        """Clause 6.3: the Q-values are uniform (P_T ≥ α_T); always true for a single sequence."""
        return self.p_t is None or self.p_t >= ALPHA_T

    @property
    def ok(self) -> bool:
        """The item passes both 6.2 and 6.3."""
        return self.pass_rate_ok and self.uniform


def decide(p_values: np.ndarray, q_values: np.ndarray, alpha: float = ALPHA) -> ItemDecision:
    """Decision on one item from the P- and Q-values of all sequences (P_T only for s ≥ 2)."""
    count = p_values.size
    passed = int(np.count_nonzero(p_values >= alpha))
    p_t = uniformity(q_values) if count >= 2 else None
    return ItemDecision(passed=passed, threshold=pass_threshold(count, alpha), p_t=p_t)
