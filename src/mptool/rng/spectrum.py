"""The DFT test's count of small spectral moduli, in bounded memory for long sequences.

Up to :data:`DIRECT_MAX` bits one real FFT is taken (about 16 bytes per bit). Longer sequences
use one step of decimation in time: with n = R·M, X_k = Σ_r ω_n^{rk} Y_r[k mod M], where Y_r is
the DFT of the subsequence x_r, x_{r+R}, … The halves of the R real FFTs Y_r go to a temporary
file (8 bytes per bit, on disk, not in memory) and are read back block by block of outputs k,
so memory stays at a few tens of MB whatever n; every value is computed in float64 as in the
direct FFT.
"""

from __future__ import annotations

import math
import os
import tempfile
from typing import BinaryIO

import numpy as np
import scipy.fft

#: Longest sequence transformed by one FFT in memory.
DIRECT_MAX = 1 << 22
#: Longest subsequence transformed at once by the split computation.
PART_MAX = 1 << 22
#: Outputs combined at once in the split computation.
BLOCK = 1 << 18
_ITEM = np.dtype(np.complex128).itemsize


def _signs(bits: np.ndarray) -> np.ndarray:
    x = bits.astype(np.float64)
    x *= 2
    x -= 1
    return x


def count_below(bits: np.ndarray, threshold: float, *, direct_max: int = DIRECT_MAX, part_max: int = PART_MAX) -> int:
    """#{k < ⌊n/2⌋ : |DFT(2ε−1)_k| < threshold}."""
    n = bits.size
    parts = None if n <= direct_max else _parts(n, part_max)
    if parts is None:  # short, or n has no divisor that splits it (then one FFT, more memory)
        spectrum = scipy.fft.rfft(_signs(bits), overwrite_x=True)
        return int(np.count_nonzero(np.abs(spectrum[: n // 2]) < threshold))
    return _count_split(bits, threshold, parts)


def _parts(n: int, part_max: int) -> int | None:
    """The smallest R ≤ 4096 dividing n with n/R ≤ part_max, or None."""
    for parts in range(max(2, math.ceil(n / part_max)), 4097):
        if n % parts == 0:
            return parts
    return None


class _Store:
    """The halves of the R sub-FFTs in a temporary file; reads Y_r[lo:hi] for any 0 ≤ lo < hi ≤ M."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.fd = handle.fileno()
        self.length = length
        self.stored = length // 2 + 1

    def _pread(self, part: int, lo: int, hi: int) -> np.ndarray:
        nbytes = (hi - lo) * _ITEM
        data = os.pread(self.fd, nbytes, (part * self.stored + lo) * _ITEM)
        if len(data) != nbytes:
            raise OSError("short read from the DFT temporary file")
        return np.frombuffer(data, dtype=np.complex128)

    def read(self, part: int, lo: int, hi: int) -> np.ndarray:
        pieces = []
        if lo < self.stored:
            pieces.append(self._pread(part, lo, min(hi, self.stored)))
        if hi > self.stored:  # Y[j] = conj(Y[M − j]) for a real subsequence
            mirrored = self._pread(part, self.length - hi + 1, self.length - max(lo, self.stored) + 1)
            pieces.append(np.conj(mirrored[::-1]))
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)


def _count_split(bits: np.ndarray, threshold: float, parts: int) -> int:
    n = bits.size
    length = n // parts
    half = n // 2
    count = 0
    with tempfile.TemporaryFile(prefix="mptool-dft-") as handle:
        for part in range(parts):
            handle.write(scipy.fft.rfft(_signs(bits[part::parts]), overwrite_x=True).tobytes())
        handle.flush()
        store = _Store(handle, length)
        start = 0
        while start < half:
            stop = min(half, start + BLOCK, (start // length + 1) * length)
            lo = start % length
            step = np.exp(-2j * np.pi * (np.arange(start, stop) / n))  # ω_n^k
            twiddle = np.ones(stop - start, dtype=np.complex128)
            total = store.read(0, lo, lo + stop - start).copy()
            for part in range(1, parts):
                twiddle *= step  # ω_n^{rk}
                total += twiddle * store.read(part, lo, lo + stop - start)
            count += int(np.count_nonzero(np.abs(total) < threshold))
            start = stop
    return count
