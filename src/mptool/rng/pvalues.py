"""P-values and Q-values: the normal and chi-square distributions of GM/T 0005-2021 clause 5."""

from __future__ import annotations

import math

from scipy.special import erfc, gammaincc

#: (P, Q, V) of one item: P-value, Q-value and the test statistic.
Outcome = tuple[float, float, float]


def normal(v: float) -> Outcome:
    """Tests whose statistic V is standard normal: P = erfc(|V|/√2), Q = erfc(V/√2)/2."""
    p = float(erfc(abs(v) / math.sqrt(2)))
    q = float(erfc(v / math.sqrt(2)) / 2)
    return p, q, float(v)


def chi2(v: float, half_df: float) -> Outcome:
    """Chi-square tests: P = igamc(df/2, V/2) and Q = P."""
    p = float(gammaincc(half_df, v / 2))
    return p, p, float(v)


def clip01(p: float) -> float:
    """Clamp a P-value computed from a series into [0, 1] (rounding can step outside)."""
    return min(1.0, max(0.0, p))
