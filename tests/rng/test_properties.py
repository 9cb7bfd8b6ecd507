"""Invariants (hypothesis) and the fast vectorised kernels against plain reference implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from rng_testdata import data_e

from mptool.rng.battery import evaluate
from mptool.rng.checks.correlation import DFT_THRESHOLD_FACTOR
from mptool.rng.checks.linear_complexity import linear_complexities
from mptool.rng.params import VARIANTS, resolve
from mptool.rng.checks.rank import gf2_ranks
from mptool.rng.checks.runs import _longest_per_block
from mptool.rng.sequence import BitSequence
from mptool.rng.spectrum import count_below
from mptool.rng.checks.universal import distances

bit_arrays = st.integers(min_value=1, max_value=4096).flatmap(lambda n: arrays(np.uint8, n, elements=st.integers(0, 1)))

#: Items on 2×10^4-class plans plus short-sequence settings so that most items apply to small n.
SMALL_TESTS = {
    "monobit": ({},),
    "block_frequency": ({"m": 16},),
    "poker": ({"m": 4},),
    "serial": ({"m": 3},),
    "runs": ({},),
    "runs_distribution": ({},),
    "longest_run": ({"m": 8},),
    "binary_derivative": ({"k": 3},),
    "autocorrelation": ({"d": 2},),
    "rank": ({"probabilities": "rounded"},),
    "cumulative_sums": ({},),
    "approximate_entropy": ({"m": 2},),
    "linear_complexity": ({"m": 64},),
    "universal": ({"L": 2, "Q": 40},),
    "dft": ({"divisor": 3.8},),
}

#: Tests whose P-value is unchanged when every bit is complemented (statistic symmetric in 0/1).
SYMMETRIC = {"block_frequency", "poker", "serial", "runs", "runs_distribution", "binary_derivative", "autocorrelation", "cumulative_sums", "approximate_entropy", "universal", "dft"}


@settings(max_examples=60, deadline=None)
@given(bit_arrays)
def test_p_and_q_in_unit_interval(bits: np.ndarray) -> None:
    matrix, problems = evaluate(bits, SMALL_TESTS)
    computed = [i for i in range(matrix.shape[0]) if i not in problems]
    assert all(not reason.startswith("error") for reason in problems.values()), problems
    values = matrix[computed, :2]
    assert np.all((values >= 0) & (values <= 1))


@settings(max_examples=60, deadline=None)
@given(bit_arrays, st.sampled_from([8, 64, 1000]))
def test_chunked_statistics_equal_whole_sequence(bits: np.ndarray, chunk: int) -> None:
    # 10^8-bit sequences are processed in chunks; small chunks exercise every chunk boundary
    whole, _ = evaluate(bits, SMALL_TESTS)
    chunked, _ = evaluate(bits, SMALL_TESTS, chunk=chunk)
    assert np.allclose(chunked, whole, rtol=1e-12, atol=1e-12, equal_nan=True)


ITEMS = [(test, variant) for test, sets in SMALL_TESTS.items() for _ in sets for variant in VARIANTS.get(test, (None,))]


@settings(max_examples=40, deadline=None)
@given(bit_arrays)
def test_complement_leaves_symmetric_statistics_unchanged(bits: np.ndarray) -> None:
    plain, problems = evaluate(bits, SMALL_TESTS)
    flipped, _ = evaluate(1 - bits, SMALL_TESTS)
    for index, (test, variant) in enumerate(ITEMS):
        if index in problems:
            continue
        if test in SYMMETRIC:
            assert abs(flipped[index, 0] - plain[index, 0]) < 1e-9, test
        elif test == "monobit":  # V changes sign: P unchanged, Q becomes 1 − Q
            assert abs(flipped[index, 0] - plain[index, 0]) < 1e-12
            assert abs(flipped[index, 1] - (1 - plain[index, 1])) < 1e-9
        elif test == "longest_run":  # runs of ones become runs of zeros
            other = ITEMS.index((test, "zeros" if variant == "ones" else "ones"))
            assert abs(flipped[index, 0] - plain[other, 0]) < 1e-12


def _reference_bm(s: list[int]) -> int:
    """Textbook Berlekamp–Massey over GF(2) on one block (lists, one bit at a time)."""
    n = len(s)
    c, b = [1] + [0] * n, [1] + [0] * n
    length, m = 0, -1
    for i in range(n):
        d = s[i]
        for j in range(1, length + 1):
            d ^= c[j] & s[i - j]
        if d:
            t = c[:]
            for j in range(n + 1 - (i - m)):
                c[i - m + j] ^= b[j]
            if 2 * length <= i:
                length, m, b = i + 1 - length, i, t
    return length


@settings(max_examples=40, deadline=None)
@given(st.tuples(st.integers(1, 130), st.integers(1, 140)).flatmap(lambda shape: arrays(np.uint8, shape, elements=st.integers(0, 1))))
def test_bit_sliced_berlekamp_massey_matches_reference(blocks: np.ndarray) -> None:
    got = linear_complexities(blocks)
    assert list(got) == [_reference_bm(list(map(int, row))) for row in blocks]


def test_berlekamp_massey_edge_blocks() -> None:
    blocks = np.zeros((4, 100), dtype=np.uint8)
    blocks[1, -1] = 1  # 0…01 has complexity n
    blocks[2] = 1  # constant ones: complexity 1
    blocks[3, ::2] = 1  # 1010…: complexity 2
    assert list(linear_complexities(blocks)) == [0, 100, 1, 2]


def _reference_rank(rows: list[int]) -> int:
    rank = 0
    rows = list(rows)
    for bit in reversed(range(32)):
        pivot = next((r for r in rows if r >> bit & 1), None)
        if pivot is None:
            continue
        rows = [r ^ pivot if r >> bit & 1 else r for r in rows if r is not pivot]
        rank += 1
    return rank


@settings(max_examples=30, deadline=None)
@given(arrays(np.uint32, (8, 32), elements=st.integers(0, 2**32 - 1)), st.integers(0, 31))
def test_gf2_rank_matches_reference(matrices: np.ndarray, drop: int) -> None:
    matrices[0, drop:] = 0  # some rank-deficient matrices too
    matrices[1] = matrices[1, 0]
    assert list(gf2_ranks(matrices)) == [_reference_rank(list(map(int, m))) for m in matrices]


@settings(max_examples=50, deadline=None)
@given(bit_arrays, st.integers(1, 7))
def test_pattern_counts_match_direct_count(bits: np.ndarray, k: int) -> None:
    seq = BitSequence(bits)
    seq.pattern_counts(min(bits.size, 8))  # counts for k are then derived from the longer ones
    wrapped = np.concatenate((bits, bits[: k - 1])) if k <= bits.size else None
    if wrapped is None:
        return
    direct = np.zeros(2**k, dtype=np.int64)
    for i in range(bits.size):
        direct[int("".join(map(str, wrapped[i : i + k])), 2)] += 1
    assert np.array_equal(seq.pattern_counts(k), direct)


@settings(max_examples=50, deadline=None)
@given(bit_arrays, st.sampled_from([8, 16, 33]))
def test_longest_runs_per_block_match_direct_scan(bits: np.ndarray, m: int) -> None:
    blocks = bits.size // m
    if blocks == 0:
        return
    ones, zeros = _longest_per_block(bits, m, blocks)
    for index in range(blocks):
        text = "".join(map(str, bits[index * m : (index + 1) * m]))
        assert ones[index] == max((len(r) for r in text.split("0")), default=0)
        assert zeros[index] == max((len(r) for r in text.split("1")), default=0)


@settings(max_examples=50, deadline=None)
@given(arrays(np.int64, st.integers(1, 300), elements=st.integers(0, 15)))
def test_universal_distances_match_table_walk(codes: np.ndarray) -> None:
    last: dict[int, int] = {}
    expected = []
    for i, code in enumerate(codes, start=1):
        expected.append(i - last.get(int(code), 0))
        last[int(code)] = i
    assert list(distances(codes, np.zeros(16, dtype=np.int64))) == expected


@pytest.mark.parametrize("n", [1_000_000, 999_999, 999_983])  # 8 parts; 9 parts of odd length; prime: one FFT
def test_split_dft_count_equals_direct_fft(n: int) -> None:
    bits = data_e()[:n]
    threshold = math.sqrt(DFT_THRESHOLD_FACTOR * n)
    direct = count_below(bits, threshold)
    assert count_below(bits, threshold, direct_max=1000, part_max=1 << 17) == direct


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("n", [1, 2, 7, 64, 100, 128, 1023, 1025, 6271, 6272, 20_001])
@pytest.mark.parametrize("kind", ["zeros", "ones", "alternating", "random"])
def test_default_plan_on_short_and_degenerate_sequences(n: int, kind: str) -> None:
    # every item either computes a P and Q in [0, 1] or says why it does not apply; no error, no warning
    bits = {
        "zeros": np.zeros(n, dtype=np.uint8),
        "ones": np.ones(n, dtype=np.uint8),
        "alternating": (np.arange(n) % 2).astype(np.uint8),
        "random": np.random.default_rng(n).integers(0, 2, n, dtype=np.uint8),
    }[kind]
    matrix, problems = evaluate(bits, resolve(n).tests)
    assert all(reason.startswith("na: ") for reason in problems.values()), problems
    computed = matrix[[i for i in range(matrix.shape[0]) if i not in problems], :2]
    assert np.all((computed >= 0) & (computed <= 1))
