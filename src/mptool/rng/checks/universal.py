"""Maurer's universal statistical test."""

from __future__ import annotations

import math

import numpy as np

from mptool.core.registry import check
from mptool.rng.findings import GMT0005_FINDINGS
from mptool.rng.pvalues import Outcome, normal
from mptool.rng.sequence import BitSequence, NotApplicable

#: Expected value and variance of f per block length L (NIST SP 800-22 rev1a §2.9.4, Maurer 1992).
EXPECTED: dict[int, tuple[float, float]] = {
    1: (0.7326495, 0.690),
    2: (1.5374383, 1.338),
    3: (2.4016068, 1.901),
    4: (3.3112247, 2.358),
    5: (4.2534266, 2.705),
    6: (5.2177052, 2.954),
    7: (6.1962507, 3.125),
    8: (7.1836656, 3.238),
    9: (8.1764248, 3.311),
    10: (9.1723243, 3.356),
    11: (10.170032, 3.384),
    12: (11.168765, 3.401),
    13: (12.168070, 3.410),
    14: (13.167693, 3.416),
    15: (14.167488, 3.419),
    16: (15.167379, 3.421),
}


def distances(codes: np.ndarray, last: np.ndarray, offset: int = 0) -> np.ndarray:
    """For each word (1-based index offset+1, offset+2, …), its index minus that of the previous equal word.

    ``last`` holds, per word value, the 1-based index of its latest occurrence before this chunk
    (0: never seen); it is updated in place, so chunks can be fed in order.
    """
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    index = order.astype(np.int64) + offset + 1
    previous = np.empty(codes.size, dtype=np.int64)
    first = np.ones(codes.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    previous[order[first]] = last[ordered[first]]
    previous[order[~first]] = index[np.flatnonzero(~first) - 1]
    final = np.ones(codes.size, dtype=bool)
    final[:-1] = first[1:]
    last[ordered[final]] = index[final]
    return np.arange(offset + 1, offset + codes.size + 1) - previous


@check("rng.gmt0005.universal", "Maurer's universal statistical test (Maurer通用统计检测)", "GM/T 0005-2021 §5.14; Annex A; decision §6", GMT0005_FINDINGS)
def universal(seq: BitSequence, L: int = 7, Q: int = 1280) -> list[Outcome]:  # L and Q: the standard's names
    """Mean log2 distance f between repeats of L-bit words, after Q words that initialise the table.

    K = ⌊n/L⌋ − Q, c = 0.7 − 0.8/L + (4 + 32/L)K^{−3/L}/15, σ = c√(var/K); V = (f − E)/σ is standard
    normal: P = erfc(|V|/√2), Q-value = erfc(V/√2)/2.
    """
    if L not in EXPECTED:
        raise NotApplicable(f"no expected value for L={L} (1 ≤ L ≤ 16)")
    k = seq.n // L - Q
    if k <= 0:
        raise NotApplicable(f"L={L}, Q={Q} need more than {(Q + 1) * L} bits")
    last = np.zeros(2**L, dtype=np.int64)
    total, offset = 0.0, 0
    for codes in seq.words(L):
        gaps = distances(codes, last, offset)
        total += float(np.sum(np.log2(gaps[max(0, Q - offset) :])))
        offset += codes.size
    f = total / k
    expected, variance = EXPECTED[L]
    c = 0.7 - 0.8 / L + (4 + 32 / L) * k ** (-3 / L) / 15
    sigma = c * math.sqrt(variance / k)
    return [normal((f - expected) / sigma)]
