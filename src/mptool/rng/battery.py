"""Running the items of a plan on one sequence, or on a batch of sequences (worker side)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mptool.rng.checks import correlation, frequency, linear_complexity, rank, runs, universal
from mptool.rng.params import VARIANTS
from mptool.rng.pvalues import Outcome
from mptool.rng.sequence import CHUNK, BitSequence, NotApplicable

TestFunction = Callable[..., list[Outcome]]

#: Test name -> the registered function that computes its items.
FUNCTIONS: dict[str, TestFunction] = {
    "monobit": frequency.monobit,
    "block_frequency": frequency.block_frequency,
    "poker": frequency.poker,
    "serial": frequency.serial,
    "runs": runs.runs,
    "runs_distribution": runs.runs_distribution,
    "longest_run": runs.longest_run,
    "binary_derivative": correlation.binary_derivative,
    "autocorrelation": correlation.autocorrelation,
    "rank": rank.rank,
    "cumulative_sums": correlation.cumulative_sums,
    "approximate_entropy": frequency.approximate_entropy,
    "linear_complexity": linear_complexity.linear_complexity,
    "universal": universal.universal,
    "dft": correlation.dft,
}

Tests = Mapping[str, tuple[Mapping[str, Any], ...]]


def _longest_pattern(tests: Tests) -> int:
    """The longest overlapping pattern any item needs (serial m, approximate entropy m+1)."""
    lengths = [p["m"] for p in tests.get("serial", ())] + [p["m"] + 1 for p in tests.get("approximate_entropy", ())]
    return max(lengths, default=0)


def evaluate(bits: np.ndarray, tests: Tests, chunk: int = CHUNK, on_test: Callable[[int], None] | None = None, complexities: Mapping[int, np.ndarray] | None = None) -> tuple[np.ndarray, dict[int, str]]:
    """All items of ``tests`` on one sequence (shared statistics computed ``chunk`` bits at a time).

    ``on_test(items)`` is called after each parameter set with the number of items it gave.

    Returns an (items, 3) array of P, Q and statistic (NaN where an item could not be computed)
    and, for those items, the reason: ``"na: …"`` (sequence too short) or ``"error: …"`` (a bug).
    ``complexities`` are block linear complexities already computed for this sequence (by m).
    """
    seq = BitSequence(bits, chunk)
    seq.complexities.update(complexities or {})
    longest = _longest_pattern(tests)
    if 0 < longest <= seq.n:
        seq.pattern_counts(longest)
    rows: list[Outcome] = []
    problems: dict[int, str] = {}
    for test, sets in tests.items():
        width = len(VARIANTS.get(test, (None,)))
        for params in sets:
            try:
                outcomes = FUNCTIONS[test](seq, **params)
            except NotApplicable as exc:
                outcomes = [(math.nan,) * 3] * width  # type: ignore[list-item]
                problems.update({len(rows) + i: f"na: {exc}" for i in range(width)})
            except Exception as exc:  # recorded as an error result, never a silent pass
                outcomes = [(math.nan,) * 3] * width  # type: ignore[list-item]
                problems.update({len(rows) + i: f"error: {type(exc).__name__}: {exc}" for i in range(width)})
            rows.extend(outcomes)
            if on_test is not None:
                on_test(width)
    return np.array(rows, dtype=np.float64).reshape(len(rows), 3), problems


def _batch_complexities(sequences: list[np.ndarray], tests: Tests) -> list[dict[int, np.ndarray]]:
    """Block linear complexities of every sequence of a batch, all blocks of one m in one pass.

    Berlekamp–Massey advances every block of a pass with one numpy operation per step, so one
    pass over the blocks of the whole batch costs little more than one over a single sequence.
    Block sizes the sequences are too short for are left to :func:`evaluate`, which reports them.
    """
    found: list[dict[int, np.ndarray]] = [{} for _ in sequences]
    if len(sequences) < 2:
        return found
    for params in tests.get("linear_complexity", ()):
        m = params.get("m")
        if isinstance(m, int) and 0 < m <= sequences[0].size:
            for mine, lengths in zip(found, linear_complexity.block_complexities(sequences, m), strict=True):
                mine[m] = lengths
    return found


def evaluate_batch(sequences: list[np.ndarray], tests: Tests) -> tuple[np.ndarray, dict[int, str]]:
    """All items on each of a batch of sequences of equal length: a (count, items, 3) array.

    The problems are those of the first sequence (they depend only on the length, which all
    sequences share). Every value is the one :func:`evaluate` gives for the sequence alone.
    """
    results = []
    problems: dict[int, str] = {}
    for sequence, complexities in zip(sequences, _batch_complexities(sequences, tests), strict=True):
        matrix, found = evaluate(sequence, tests, complexities=complexities)
        problems = problems or found
        results.append(matrix)
    return np.stack(results), problems


def evaluate_packed(packed: bytes, bits: int, count: int, tests: Tests) -> tuple[np.ndarray, dict[int, str]]:
    """Worker entry: ``count`` sequences of ``bits`` bits, each packed MSB first into whole bytes."""
    stride = (bits + 7) // 8
    raw = np.frombuffer(packed, dtype=np.uint8)
    return evaluate_batch([np.unpackbits(raw[i * stride : (i + 1) * stride], count=bits) for i in range(count)], tests)
