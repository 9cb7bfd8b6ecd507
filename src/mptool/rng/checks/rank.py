"""Binary matrix rank test: ranks of 32×32 matrices over GF(2), vectorised over all matrices."""

from __future__ import annotations

import math

import numpy as np

from mptool.core.registry import check
from mptool.rng.findings import GMT0005_FINDINGS
from mptool.rng.pvalues import Outcome
from mptool.rng.sequence import BitSequence, NotApplicable

SIZE = 32

#: Probabilities of rank 32, 31 and ≤ 30 as rounded in the GM/T 0005-2021 implementations
#: (their worked example on data.e, 0.307543, is reproduced only with these).
ROUNDED = (0.2888, 0.5776, 0.1336)


def rank_probability(r: int, rows: int = SIZE, cols: int = SIZE) -> float:
    """Probability that a random rows×cols matrix over GF(2) has rank r (NIST SP 800-22 §3.5)."""
    product = 1.0
    for i in range(r):
        product *= (1 - 2.0 ** (i - cols)) * (1 - 2.0 ** (i - rows)) / (1 - 2.0 ** (i - r))
    return 2.0 ** (r * (rows + cols - r) - rows * cols) * product


def exact_probabilities() -> tuple[float, float, float]:
    """The exact probabilities of rank 32, 31 and ≤ 30 (as NIST STS computes them)."""
    full, minus_one = rank_probability(SIZE), rank_probability(SIZE - 1)
    return full, minus_one, 1 - full - minus_one


def gf2_ranks(rows: np.ndarray) -> np.ndarray:
    """Ranks over GF(2) of matrices given as (count, 32) uint32 rows, by vectorised elimination.

    For each bit the first row holding it is XORed into every row holding it (itself included,
    so the pivot row becomes zero); the rank grows by one where such a row exists.
    """
    rows = rows.copy()
    ranks = np.zeros(rows.shape[0], dtype=np.int64)
    index = np.arange(rows.shape[0])
    for bit in range(SIZE - 1, -1, -1):
        holding = (rows >> np.uint32(bit)) & np.uint32(1) != 0
        pivot = rows[index, np.argmax(holding, axis=1)]
        rows ^= np.where(holding, pivot[:, None], np.uint32(0))
        ranks += holding.any(axis=1)
    return ranks


@check("rng.gmt0005.rank", "Binary matrix rank test (矩阵秩检测)", "GM/T 0005-2021 §5.10; decision §6", GMT0005_FINDINGS)
def rank(seq: BitSequence, probabilities: str = "rounded") -> list[Outcome]:
    """Ranks of N = ⌊n/1024⌋ disjoint 32×32 binary matrices (rows of 32 consecutive bits).

    Counts of rank 32, 31 and ≤ 30 against the probabilities 0.2888, 0.5776, 0.1336 (``rounded``,
    the GM/T implementations) or the exact values 0.288788, 0.577576, 0.133636 (``exact``,
    NIST STS); V = χ² with 2 degrees of freedom, P = Q = e^{−V/2}.
    """
    count = seq.n // (SIZE * SIZE)
    if count == 0:
        raise NotApplicable(f"the rank test needs at least {SIZE * SIZE} bits")
    packed = np.packbits(seq.bits[: count * SIZE * SIZE])
    rows = packed.view(">u4").astype(np.uint32).reshape(count, SIZE)
    ranks = gf2_ranks(rows)
    observed = np.array([np.sum(ranks == SIZE), np.sum(ranks == SIZE - 1), np.sum(ranks < SIZE - 1)])
    expected = count * np.array(ROUNDED if probabilities == "rounded" else exact_probabilities())
    v = float(np.sum((observed - expected) ** 2 / expected))
    p = math.exp(-v / 2)
    return [(p, p, v)]
