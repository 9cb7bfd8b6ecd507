"""Linear complexity test: Berlekamp–Massey on every block at once, bit-sliced across blocks.

Layout: 64 blocks share one uint64 word per bit position (bit b of word g belongs to block
64g+b), so one numpy operation advances the Berlekamp–Massey step of every block. The
connection polynomial C is stored by coefficient index, the sequence reversed, and the
correction polynomial B = x^{N−m}·B_m in a buffer read at an offset that moves by one each step:
no array is ever shifted. Only the coefficients up to the largest current complexity are touched.

The same algorithm compiled (``_berlekamp_massey.c``, built at install by hatch_build.py when a
C compiler is there) runs each group of 64 blocks in one fused loop, about four times faster
(issue 20); where it is not built, the numpy code here runs. Both give the same complexities
(tests/rng/test_berlekamp_massey_compiled.py).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc

from mptool.core.registry import check
from mptool.rng.findings import GMT0005_FINDINGS
from mptool.rng.pvalues import Outcome
from mptool.rng.sequence import BitSequence, NotApplicable

try:
    import mptool.rng.checks._berlekamp_massey as _compiled
except ImportError:  # not built (no C compiler at install): numpy
    _compiled = None

#: Class probabilities π_0 … π_6 of T (NIST SP 800-22 rev1a §3.10, as GM/T 0005-2021 uses them).
CLASS_PROBABILITIES = np.array([0.010417, 0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833])
#: Upper class edges of T: T ≤ −2.5, (−2.5, −1.5], …, (1.5, 2.5], > 2.5.
CLASS_EDGES = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
#: Blocks run through Berlekamp–Massey together: at least this many, more for short blocks.
BLOCKS_AT_ONCE = 4096
#: Bits of blocks run together (bounds the bit-sliced copy to 16 MiB whatever m is; with a batch
#: of sequences the blocks of all of them share one pass, which amortises numpy's per-call cost).
BITS_AT_ONCE = 1 << 24


def _bit_slice(blocks: np.ndarray) -> np.ndarray:
    """(count, m) uint8 blocks -> (m, groups) uint64; bit b of word [p, g] = bit p of block 64g+b."""
    count, m = blocks.shape
    groups = (count + 63) // 64
    padded = np.zeros((m, groups * 64), dtype=np.uint8)
    padded[:, :count] = blocks.T
    return np.packbits(padded, axis=1, bitorder="little").view(np.uint64)


def linear_complexities(blocks: np.ndarray) -> np.ndarray:
    """Linear complexity of every row of a (count, m) 0/1 array (Berlekamp–Massey over GF(2))."""
    if _compiled is None:
        return linear_complexities_numpy(blocks)
    count, m = blocks.shape
    out = np.zeros(count, dtype=np.int32)
    if count:
        _compiled.linear_complexities(np.ascontiguousarray(blocks, dtype=np.uint8), count, m, out)
    return out


def linear_complexities_numpy(blocks: np.ndarray) -> np.ndarray:
    """:func:`linear_complexities` in numpy (the fallback where the compiled module is not built)."""
    count, m = blocks.shape
    reversed_bits = np.ascontiguousarray(_bit_slice(blocks)[::-1])  # row j = bit m−1−j
    groups = reversed_bits.shape[1]
    ones = ~np.uint64(0)
    conn = np.zeros((m + 2, groups), dtype=np.uint64)  # C: coefficient i in row i
    conn[0] = ones
    base = m
    corr = np.zeros((2 * m + 3, groups), dtype=np.uint64)  # B' = x^{N−m'}B: coefficient i in row base−N+i
    corr[base + 1] = ones  # at N = 0: B = 1, m' = −1
    lengths = np.zeros(groups * 64, dtype=np.int32)
    longest = 0
    for n in range(m):
        span = longest + 1
        window = reversed_bits[m - 1 - n : m - 1 - n + span]  # row i = s_{n−i}
        discrepancy = np.bitwise_xor.reduce(conn[:span] & window, axis=0)
        may_grow = np.packbits(lengths <= n // 2, bitorder="little").view(np.uint64)
        grow = discrepancy & may_grow
        grow_bits = np.unpackbits(grow.view(np.uint8), bitorder="little").view(bool)
        lengths = np.where(grow_bits, n + 1 - lengths, lengths)
        longest = int(lengths.max())
        span = longest + 1
        c = conn[:span]
        b = corr[base - n : base - n + span]
        old_c_xor_b = c ^ b
        c ^= b & discrepancy  # C ← C + x^{N−m'}B where the discrepancy is 1
        b ^= old_c_xor_b & grow  # B ← old C where the complexity grows
    return lengths[:count]


def block_complexities(sequences: list[np.ndarray], m: int) -> list[np.ndarray]:
    """Linear complexity of each of the ⌊n/m⌋ m-bit blocks of every sequence (all of length n).

    The blocks of all the sequences go through Berlekamp–Massey together, a bounded number at a
    time; the result for a block does not depend on which others share its pass.
    """
    count = sequences[0].size // m
    blocks = np.concatenate([s[: count * m].reshape(count, m) for s in sequences]) if len(sequences) > 1 else sequences[0][: count * m].reshape(count, m)
    step = max(BLOCKS_AT_ONCE, BITS_AT_ONCE // m)
    lengths = np.concatenate([linear_complexities(blocks[i : i + step]) for i in range(0, blocks.shape[0], step)])
    return [lengths[i * count : (i + 1) * count] for i in range(len(sequences))]


@check("rng.gmt0005.linear_complexity", "Linear complexity test (线性复杂度检测)", "GM/T 0005-2021 §5.13; Annex A; decision §6", GMT0005_FINDINGS)
def linear_complexity(seq: BitSequence, m: int) -> list[Outcome]:
    """Linear complexity L_i (Berlekamp–Massey) of N = ⌊n/m⌋ blocks of m bits.

    T_i = (−1)^m (L_i − μ) + 2/9 with μ = m/2 + (9 + (−1)^{m+1})/36 − (m/3 + 2/9)/2^m is put in
    7 classes with probabilities 0.010417 … 0.020833; V = χ² with 6 degrees of freedom,
    P = Q = igamc(3, V/2).
    """
    count = seq.n // m
    if count == 0:
        raise NotApplicable(f"block size m={m} exceeds the sequence length {seq.n}")
    lengths = seq.complexities.get(m)
    if lengths is None:
        lengths = block_complexities([seq.bits], m)[0]
    sign = -1.0 if m % 2 else 1.0
    mu = m / 2 + (9 - sign) / 36 - (m / 3 + 2 / 9) * 2.0 ** (-m)
    t = sign * (lengths - mu) + 2 / 9
    observed = np.bincount(np.searchsorted(CLASS_EDGES, t, side="left"), minlength=7)
    expected = count * CLASS_PROBABILITIES
    v = float(np.sum((observed - expected) ** 2 / expected))
    p = float(gammaincc(3, v / 2))
    return [(p, p, v)]
