"""Frequency-type tests: monobit, block frequency, poker, overlapping subsequences, approximate entropy."""

from __future__ import annotations

import math

import numpy as np

from mptool.core.registry import check
from mptool.rng.findings import GMT0005_FINDINGS
from mptool.rng.pvalues import Outcome, chi2, normal
from mptool.rng.sequence import BitSequence, NotApplicable


@check("rng.gmt0005.monobit", "Monobit frequency test (单比特频数检测)", "GM/T 0005-2021 §5.1; decision §6", GMT0005_FINDINGS)
def monobit(seq: BitSequence) -> list[Outcome]:
    """Proportion of ones: V = Σ(2ε−1)/√n is standard normal for a random sequence.

    P = erfc(|V|/√2); Q = erfc(V/√2)/2 (one-sided, so a bias towards ones or zeros shows
    in the Q-value distribution of a set).
    """
    return [normal((2 * seq.ones - seq.n) / math.sqrt(seq.n))]


@check("rng.gmt0005.block_frequency", "Frequency within a block (块内频数检测)", "GM/T 0005-2021 §5.2; Annex A; decision §6", GMT0005_FINDINGS)
def block_frequency(seq: BitSequence, m: int) -> list[Outcome]:
    """Proportion of ones in N = ⌊n/m⌋ blocks of m bits: V = 4m Σ(π_i − ½)², χ² with N degrees of freedom.

    P = Q = igamc(N/2, V/2).
    """
    blocks = seq.n // m
    if blocks == 0:
        raise NotApplicable(f"block size m={m} exceeds the sequence length {seq.n}")
    ones = np.add.reduce(seq.bits[: blocks * m].reshape(blocks, m), axis=1, dtype=np.int64)
    v = float(np.sum((2 * ones - m) ** 2)) / m
    return [chi2(v, blocks / 2)]


@check("rng.gmt0005.poker", "Poker test (扑克检测)", "GM/T 0005-2021 §5.3; Annex A; decision §6", GMT0005_FINDINGS)
def poker(seq: BitSequence, m: int) -> list[Outcome]:
    """Frequencies of the 2^m values of N = ⌊n/m⌋ non-overlapping m-bit words.

    V = (2^m/N) Σ n_j² − N, χ² with 2^m − 1 degrees of freedom; P = Q = igamc((2^m−1)/2, V/2).
    """
    counts = seq.word_counts(m)
    words = seq.n // m
    v = (2**m / words) * float(np.dot(counts, counts)) - words
    return [chi2(v, (2**m - 1) / 2)]


def _psi2(seq: BitSequence, k: int) -> float:
    if k <= 0:
        return 0.0
    counts = seq.pattern_counts(k)
    return (2**k / seq.n) * float(np.dot(counts, counts)) - seq.n


@check("rng.gmt0005.serial", "Overlapping subsequence test (重叠子序列检测)", "GM/T 0005-2021 §5.4; Annex A; decision §6", GMT0005_FINDINGS)
def serial(seq: BitSequence, m: int) -> list[Outcome]:
    """Frequencies of all overlapping m-bit patterns, the sequence wrapping around (NIST's Serial test).

    With ψ²_k = (2^k/n) Σ v² − n: ∇ψ² = ψ²_m − ψ²_{m−1} gives P1 = igamc(2^{m−2}, ∇ψ²/2) and
    ∇²ψ² = ψ²_m − 2ψ²_{m−1} + ψ²_{m−2} gives P2 = igamc(2^{m−3}, ∇²ψ²/2); Q = P for both.
    """
    if m < 2:
        raise NotApplicable("the overlapping subsequence test needs m ≥ 2")
    if m > seq.n:
        raise NotApplicable(f"m={m} exceeds the sequence length {seq.n}")
    psi = [_psi2(seq, m), _psi2(seq, m - 1), _psi2(seq, m - 2)]
    first = psi[0] - psi[1]
    second = psi[0] - 2 * psi[1] + psi[2]
    return [chi2(first, 2 ** (m - 2)), chi2(second, 2 ** (m - 3))]


def _phi(seq: BitSequence, k: int) -> float:
    if k <= 0:
        return 0.0
    counts = seq.pattern_counts(k)
    pi = counts[counts > 0] / seq.n
    return float(np.sum(pi * np.log(pi)))


@check("rng.gmt0005.approximate_entropy", "Approximate entropy test (近似熵检测)", "GM/T 0005-2021 §5.12; Annex A; decision §6", GMT0005_FINDINGS)
def approximate_entropy(seq: BitSequence, m: int) -> list[Outcome]:
    """Compares the frequencies of overlapping m- and (m+1)-bit patterns (wrapping around).

    φ(k) = Σ π_j ln π_j, ApEn = φ(m) − φ(m+1), V = 2n(ln 2 − ApEn); P = Q = igamc(2^{m−1}, V/2).
    """
    if m < 1 or m + 1 > seq.n:
        raise NotApplicable(f"m={m} needs 1 ≤ m < n")
    apen = _phi(seq, m) - _phi(seq, m + 1)
    v = 2 * seq.n * (math.log(2) - apen)
    return [chi2(v, 2 ** (m - 1))]
