"""One bit sequence and the derived arrays several tests share (computed once, read-only)."""

from __future__ import annotations

from functools import cached_property

import numpy as np


class NotApplicable(Exception):
    """The item cannot be computed on a sequence of this length (reason in the message)."""


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class BitSequence:
    """A sequence of bits (uint8 0/1, read-only) with lazily computed shared statistics.

    Tests never modify the arrays they are given: every array here is read-only, so a test
    that tried to would raise instead of corrupting the tests that run after it.
    """

    def __init__(self, bits: np.ndarray) -> None:
        self.bits = _read_only(np.ascontiguousarray(bits, dtype=np.uint8))
        self.n = int(self.bits.size)
        self._counts: dict[int, np.ndarray] = {}

    @cached_property
    def ones(self) -> int:
        """The number of ones."""
        return int(np.count_nonzero(self.bits))

    @cached_property
    def transitions(self) -> np.ndarray:
        """Boolean array: ``bits[i+1] != bits[i]`` for i < n−1."""
        return _read_only(self.bits[1:] != self.bits[:-1])

    @cached_property
    def runs(self) -> tuple[np.ndarray, np.ndarray]:
        """The maximal runs of the sequence: (bit value of each run, length of each run)."""
        starts = np.concatenate(([0], np.flatnonzero(self.transitions) + 1))
        lengths = np.diff(np.append(starts, self.n))
        return _read_only(self.bits[starts]), _read_only(lengths)

    @cached_property
    def partial_sums(self) -> np.ndarray:
        """S_k = Σ_{i<k} (2ε_i − 1) for k = 1…n (int32 for n < 2^31)."""
        dtype = np.int32 if self.n < 2**31 else np.int64
        steps = self.bits.astype(np.int8) * 2 - 1
        return _read_only(np.cumsum(steps, dtype=dtype))

    def pattern_counts(self, k: int) -> np.ndarray:
        """Cyclic counts of the 2^k overlapping k-bit patterns (the sequence wraps around).

        Counts for a shorter k are sums of those for a longer one (grouped by prefix), so
        asking for the longest pattern first makes the shorter ones free.
        """
        if k <= 0:
            return np.array([self.n], dtype=np.int64)
        for known in sorted(self._counts):
            if known >= k:
                wide = self._counts[known]
                return wide.reshape(2**k, 2 ** (known - k)).sum(axis=1)
        counts = np.bincount(self._pattern_codes(k), minlength=2**k).astype(np.int64)
        self._counts[k] = _read_only(counts)
        return counts

    def _pattern_codes(self, k: int) -> np.ndarray:
        if k > self.n:
            raise NotApplicable(f"{k}-bit patterns need at least {k} bits")
        dtype = np.uint8 if k <= 8 else np.uint16 if k <= 16 else np.uint32
        extended = np.concatenate((self.bits, self.bits[: k - 1])).astype(dtype)
        codes = extended[: self.n].copy()
        for j in range(1, k):
            codes <<= 1
            codes |= extended[j : j + self.n]
        return codes

    def words(self, m: int) -> np.ndarray:
        """Values of the ⌊n/m⌋ non-overlapping m-bit words, most significant bit first."""
        count = self.n // m
        if count == 0:
            raise NotApplicable(f"{m}-bit words need at least {m} bits")
        if m == 8:
            return np.packbits(self.bits[: count * 8]).astype(np.int64)
        blocks = self.bits[: count * m].reshape(count, m)
        codes = np.zeros(count, dtype=np.int64)
        for j in range(m):
            codes <<= 1
            codes |= blocks[:, j]
        return codes
