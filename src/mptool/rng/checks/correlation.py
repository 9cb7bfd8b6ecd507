"""Tests on transforms of the sequence: binary derivative, autocorrelation, cumulative sums, DFT."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from mptool.core.registry import check
from mptool.rng.findings import GMT0005_FINDINGS
from mptool.rng.pvalues import Outcome, clip01, normal
from mptool.rng.sequence import BitSequence, NotApplicable
from mptool.rng.spectrum import count_below


@check("rng.gmt0005.binary_derivative", "Binary derivative test (二元推导检测)", "GM/T 0005-2021 §5.8; Annex A; decision §6", GMT0005_FINDINGS)
def binary_derivative(seq: BitSequence, k: int) -> list[Outcome]:
    """Applies ε'_i = ε_i ⊕ ε_{i+1} k times; V = Σ(2ε'−1)/√(n−k) is standard normal.

    P = erfc(|V|/√2), Q = erfc(V/√2)/2.
    """
    if k >= seq.n:
        raise NotApplicable(f"k={k} needs more than {k} bits")
    ones = 0
    for derived in seq.chunks(overlap=k):
        for _ in range(k):
            derived = derived[1:] ^ derived[:-1]
        ones += int(np.count_nonzero(derived))
    length = seq.n - k
    return [normal((2 * ones - length) / math.sqrt(length))]


@check("rng.gmt0005.autocorrelation", "Autocorrelation test (自相关检测)", "GM/T 0005-2021 §5.9; Annex A; decision §6", GMT0005_FINDINGS)
def autocorrelation(seq: BitSequence, d: int) -> list[Outcome]:
    """Agreement of the sequence with itself shifted by d: A(d) = Σ_{i<n−d} ε_i ⊕ ε_{i+d}.

    V = 2(A(d) − (n−d)/2)/√(n−d) is standard normal; P = erfc(|V|/√2), Q = erfc(V/√2)/2.
    """
    if d >= seq.n:
        raise NotApplicable(f"d={d} needs more than {d} bits")
    length = seq.n - d
    a = seq.disagreements(d)
    return [normal((2 * a - length) / math.sqrt(length))]


def cumulative_sums_p(z: int, n: int) -> float:
    """The P-value of a maximal partial-sum excursion z over n steps (NIST SP 800-22 §2.13.4)."""
    root = math.sqrt(n)
    k1 = np.arange(int((-n / z + 1) / 4), math.floor((n / z - 1) / 4) + 1)
    k2 = np.arange(int((-n / z - 3) / 4), math.floor((n / z - 1) / 4) + 1)
    sum1 = np.sum(ndtr((4 * k1 + 1) * z / root) - ndtr((4 * k1 - 1) * z / root))
    sum2 = np.sum(ndtr((4 * k2 + 3) * z / root) - ndtr((4 * k2 + 1) * z / root))
    return clip01(float(1.0 - sum1 + sum2))


@check("rng.gmt0005.cumulative_sums", "Cumulative sums test (累加和检测)", "GM/T 0005-2021 §5.11; decision §6", GMT0005_FINDINGS)
def cumulative_sums(seq: BitSequence) -> list[Outcome]:
    """Maximal excursion z of the partial sums of X_i = 2ε_i − 1, forward and backward.

    P from the random-walk series of NIST SP 800-22 §2.13; Q = P. Two items: forward, backward.
    """
    total, top, bottom, head_top, head_bottom = seq.excursions()
    forward = max(top, -bottom)
    # Backward partial sums are total − S_j for j = 0…n−1 (S_0 = 0).
    backward = max(total - head_bottom, head_top - total)
    return [(p, p, float(z)) for z in (forward, backward) for p in [cumulative_sums_p(z, seq.n)]]


#: Threshold T = √(ln(1/0.05)·n): 95 % of the peaks of a random sequence lie below it.
DFT_THRESHOLD_FACTOR = 2.995732274


@check("rng.gmt0005.dft", "Discrete Fourier transform test (离散傅立叶检测)", "GM/T 0005-2021 §5.15; decision §6", GMT0005_FINDINGS)
def dft(seq: BitSequence, divisor: float = 3.8) -> list[Outcome]:
    """Number N1 of the first n/2 DFT moduli of X = 2ε−1 below T = √(2.995732274·n).

    V = (N1 − 0.95n/2)/√(0.95·0.05·n/3.8) is standard normal (GM/T uses the corrected variance
    divisor 3.8; NIST SP 800-22 uses 4, selectable as ``dft.divisor=4``); P = erfc(|V|/√2),
    Q = erfc(V/√2)/2.
    """
    if seq.n < 2:
        raise NotApplicable("the DFT test needs at least 2 bits")
    below = count_below(seq.bits, math.sqrt(DFT_THRESHOLD_FACTOR * seq.n))
    v = (below - 0.95 * seq.n / 2) / math.sqrt(0.95 * 0.05 * seq.n / divisor)
    return [normal(v)]
