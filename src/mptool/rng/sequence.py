"""One bit sequence and the statistics several tests share, computed chunk by chunk.

Every derived quantity is accumulated over chunks of at most :data:`CHUNK` bits, so the memory
a test needs beyond the sequence itself is bounded whatever the length (10^8 bits included).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np

#: Bits per chunk of the streaming computations (a 10^6-bit sequence is one chunk).
CHUNK = 1 << 22


class NotApplicable(Exception):
    """The item cannot be computed on a sequence of this length (reason in the message)."""


class BitSequence:
    """A sequence of bits (uint8 0/1, read-only) with lazily computed shared statistics.

    Tests never modify the arrays they are given: the bit array is read-only, so a test that
    tried to would raise instead of corrupting the tests that run after it.
    """

    def __init__(self, bits: np.ndarray, chunk: int = CHUNK) -> None:
        self.bits = np.ascontiguousarray(bits, dtype=np.uint8).view()  # a view: the caller's flags stay
        self.bits.flags.writeable = False
        self.n = int(self.bits.size)
        self.chunk = chunk
        self._counts: dict[int, np.ndarray] = {}
        #: Block size m -> linear complexity of every m-bit block, when computed for a whole batch.
        self.complexities: dict[int, np.ndarray] = {}

    def chunks(self, overlap: int = 0) -> Iterator[np.ndarray]:
        """Consecutive views of ``chunk`` bits, each extended by ``overlap`` bits of the next one."""
        for start in range(0, self.n, self.chunk):
            yield self.bits[start : start + self.chunk + overlap]

    @cached_property
    def ones(self) -> int:
        """The number of ones."""
        return sum(int(np.count_nonzero(c)) for c in self.chunks())

    def disagreements(self, d: int) -> int:
        """Number of i < n−d with ε_i ≠ ε_{i+d} (d = 1: the number of runs minus one)."""
        return sum(int(np.count_nonzero(c[:-d] != c[d:])) for c in self.chunks(d) if c.size > d)

    def run_histograms(self, cap: int) -> tuple[np.ndarray, np.ndarray]:
        """Numbers of maximal runs of ones and of zeros by length 1…cap (index = length; ≥ cap pooled)."""
        hist = np.zeros((2, cap + 1), dtype=np.int64)
        open_value, open_length = -1, 0
        for c in self.chunks():
            starts = np.concatenate(([0], np.flatnonzero(c[1:] != c[:-1]) + 1))
            lengths = np.diff(np.append(starts, c.size))
            values = c[starts].astype(np.int64)
            if values[0] == open_value:
                lengths[0] += open_length
            elif open_length:
                hist[open_value, min(open_length, cap)] += 1
            open_value, open_length = int(values[-1]), int(lengths[-1])  # may continue in the next chunk
            classes = values[:-1] * (cap + 1) + np.minimum(lengths[:-1], cap)
            hist += np.bincount(classes, minlength=2 * (cap + 1)).reshape(2, cap + 1)
        hist[open_value, min(open_length, cap)] += 1
        return hist[1], hist[0]

    def excursions(self) -> tuple[int, int, int, int, int]:
        """Partial sums S_k of X = 2ε−1: (S_n, max and min of S_1…S_n, max and min of S_0…S_{n−1})."""
        offset = 0
        top, bottom = -self.n, self.n
        head_top = head_bottom = 0  # S_0 = 0
        for start, c in zip(range(0, self.n, self.chunk), self.chunks(), strict=True):
            sums = np.cumsum(c.astype(np.int8) * np.int8(2) - np.int8(1), dtype=np.int64) + offset
            offset = int(sums[-1])
            top, bottom = max(top, int(sums.max())), min(bottom, int(sums.min()))
            head = sums[:-1] if start + c.size == self.n else sums
            if head.size:
                head_top, head_bottom = max(head_top, int(head.max())), min(head_bottom, int(head.min()))
        return offset, top, bottom, head_top, head_bottom

    def pattern_counts(self, k: int) -> np.ndarray:
        """Cyclic counts of the 2^k overlapping k-bit patterns (the sequence wraps around).

        Counts for a shorter k are sums of those for a longer one (grouped by prefix), so
        asking for the longest pattern first makes the shorter ones free.
        """
        if k <= 0:
            return np.array([self.n], dtype=np.int64)
        for known in sorted(self._counts):
            if known >= k:
                return self._counts[known].reshape(2**k, 2 ** (known - k)).sum(axis=1)
        if k > self.n:
            raise NotApplicable(f"{k}-bit patterns need at least {k} bits")
        counts = np.zeros(2**k, dtype=np.int64)
        for start in range(0, self.n, self.chunk):
            segment = self.bits[start : start + self.chunk + k - 1]
            windows = min(self.chunk, self.n - start)
            if segment.size < windows + k - 1:  # the last windows wrap around to the start
                segment = np.concatenate((segment, self.bits[: windows + k - 1 - segment.size]))
            counts += np.bincount(_window_codes(segment, k, windows), minlength=2**k)
        counts.flags.writeable = False
        self._counts[k] = counts
        return counts

    def word_counts(self, m: int) -> np.ndarray:
        """Counts of the 2^m values of the ⌊n/m⌋ non-overlapping m-bit words."""
        counts = np.zeros(2**m, dtype=np.int64)
        for words in self.words(m):
            counts += np.bincount(words, minlength=2**m)
        return counts

    def words(self, m: int) -> Iterator[np.ndarray]:
        """The values of the ⌊n/m⌋ non-overlapping m-bit words (MSB first), in chunks."""
        count = self.n // m
        if count == 0:
            raise NotApplicable(f"{m}-bit words need at least {m} bits")
        per_chunk = max(1, self.chunk // m)
        for first in range(0, count, per_chunk):
            last = min(count, first + per_chunk)
            yield _word_values(self.bits[first * m : last * m], m)


def _window_codes(segment: np.ndarray, k: int, windows: int) -> np.ndarray:
    """Codes of the ``windows`` overlapping k-bit windows starting at 0, 1, … of ``segment``."""
    dtype = np.uint8 if k <= 8 else np.uint16 if k <= 16 else np.uint32
    codes = segment[:windows].astype(dtype)
    for j in range(1, k):
        codes <<= 1
        codes |= segment[j : j + windows]
    return codes


def _word_values(bits: np.ndarray, m: int) -> np.ndarray:
    if m == 8:
        return np.packbits(bits)
    blocks = bits.reshape(-1, m)
    dtype = np.uint8 if m <= 8 else np.uint16 if m <= 16 else np.int64
    codes = np.zeros(blocks.shape[0], dtype=dtype)
    for j in range(m):
        codes <<= 1
        codes |= blocks[:, j]
    return codes
