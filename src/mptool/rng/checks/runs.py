"""Run tests: total number of runs, distribution of run lengths, longest run in a block."""

from __future__ import annotations

import math

import numpy as np

from mptool.core.registry import check
from mptool.rng.findings import GMT0005_FINDINGS
from mptool.rng.params import longest_run_block
from mptool.rng.pvalues import Outcome, chi2, normal
from mptool.rng.sequence import BitSequence, NotApplicable


@check("rng.gmt0005.runs", "Runs test (游程总数检测)", "GM/T 0005-2021 §5.5; decision §6", GMT0005_FINDINGS)
def runs(seq: BitSequence) -> list[Outcome]:
    """Total number of runs V_obs against its expectation 2nπ(1−π).

    V = (V_obs − 2nπ(1−π)) / (2√n π(1−π)) is standard normal; P = erfc(|V|/√2), Q = erfc(V/√2)/2.
    Unlike NIST SP 800-22 there is no monobit pre-test; a constant sequence gives V = +∞ (P = Q = 0).
    """
    pi = seq.ones / seq.n
    observed = 1 + seq.disagreements(1)
    spread = 2 * math.sqrt(seq.n) * pi * (1 - pi)
    expected = 2 * seq.n * pi * (1 - pi)
    v = (observed - expected) / spread if spread > 0 else math.inf
    return [normal(v)]


def runs_distribution_classes(n: int) -> int:
    """k: the largest i with (n − i + 3)/2^{i+2} ≥ 5 (runs of length ≥ k share the last class)."""
    k = 0
    while (n - (k + 1) + 3) / 2 ** (k + 3) >= 5:
        k += 1
    return k


@check("rng.gmt0005.runs_distribution", "Runs distribution test (游程分布检测)", "GM/T 0005-2021 §5.6; decision §6", GMT0005_FINDINGS)
def runs_distribution(seq: BitSequence) -> list[Outcome]:
    """Numbers of runs of ones (b_i) and of zeros (g_i) of each length i = 1…k (k: longer runs pooled).

    With T runs in all, e_i = T/2^{i+1} (i < k) and e_k = T/2^k; V = Σ(b_i−e_i)²/e_i + Σ(g_i−e_i)²/e_i,
    P = Q = igamc(k−1, V/2). k is computed from the real sequence length n.
    """
    k = runs_distribution_classes(seq.n)
    if k < 2:
        raise NotApplicable(f"the runs distribution test needs at least 2 length classes (n={seq.n} gives {k})")
    b, g = (h[1:] for h in seq.run_histograms(k))
    total = int(b.sum() + g.sum())
    e = total / 2.0 ** np.arange(2, k + 2)
    e[-1] = total / 2.0**k
    v = float(np.sum((b - e) ** 2 / e) + np.sum((g - e) ** 2 / e))
    return [chi2(v, k - 1)]


#: Longest-run classes per block size M: (smallest class value, largest class value, probabilities).
#: M = 8 and 128: NIST SP 800-22 rev1a §2.4.4 (4 decimals). M = 10 000: the refined values used by
#: the GM/T 0005-2021 implementations (``gmt``) or NIST's 4-decimal values (``nist``).
LONGEST_RUN_CLASSES: dict[int, tuple[int, int, dict[str, tuple[float, ...]]]] = {
    8: (1, 4, {"gmt": (0.2148, 0.3672, 0.2305, 0.1875)}),
    128: (4, 9, {"gmt": (0.1174, 0.2430, 0.2493, 0.1752, 0.1027, 0.1124)}),
    10_000: (
        10,
        16,
        {
            "gmt": (0.086632, 0.208201, 0.248419, 0.193913, 0.121458, 0.068011, 0.073366),
            "nist": (0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727),
        },
    ),
}


def _longest_per_block(bits: np.ndarray, m: int, blocks: int) -> tuple[np.ndarray, np.ndarray]:
    x = bits[: blocks * m]
    change = np.empty(x.size, dtype=bool)
    change[0] = True
    np.not_equal(x[1:], x[:-1], out=change[1:])
    change[::m] = True
    starts = np.flatnonzero(change)
    lengths = np.diff(np.append(starts, x.size))
    values = x[starts]
    first_run = np.cumsum(change)[::m] - 1
    ones = np.maximum.reduceat(np.where(values == 1, lengths, 0), first_run)
    zeros = np.maximum.reduceat(np.where(values == 0, lengths, 0), first_run)
    return ones, zeros


@check("rng.gmt0005.longest_run", "Longest run of ones and of zeros in a block (块内最大游程检测)", "GM/T 0005-2021 §5.7; Annex A; decision §6", GMT0005_FINDINGS)
def longest_run(seq: BitSequence, m: int = 0, probabilities: str = "gmt") -> list[Outcome]:
    """Distribution of the longest run of ones, and of zeros, in N = ⌊n/m⌋ blocks of m bits.

    The block size is chosen from n (8, 128 or 10 000, as in NIST SP 800-22) unless given; the
    longest runs are put in K+1 classes with known probabilities π_i, V = Σ(v_i − Nπ_i)²/(Nπ_i),
    P = Q = igamc(K/2, V/2). Two items: ones, then zeros.
    """
    m = m or longest_run_block(seq.n)
    if m not in LONGEST_RUN_CLASSES:
        raise NotApplicable(f"no class probabilities for block size m={m} (use 8, 128 or 10000)")
    low, high, tables = LONGEST_RUN_CLASSES[m]
    pi = np.array(tables.get(probabilities, tables["gmt"]))
    blocks = seq.n // m
    if blocks == 0:
        raise NotApplicable(f"block size m={m} exceeds the sequence length {seq.n}")
    counts = np.zeros((2, high - low + 1), dtype=np.int64)
    per_chunk = max(1, seq.chunk // m)
    for first in range(0, blocks, per_chunk):
        count = min(per_chunk, blocks - first)
        for row, longest in enumerate(_longest_per_block(seq.bits[first * m :], m, count)):
            counts[row] += np.bincount(np.clip(longest, low, high) - low, minlength=high - low + 1)
    outcomes = []
    expected = blocks * pi
    for observed in counts:
        v = float(np.sum((observed - expected) ** 2 / expected))
        outcomes.append(chi2(v, (high - low) / 2))
    return outcomes
