"""Keep freed heap memory for the next sequence instead of returning it to the system.

Every sequence of a set allocates the same numpy arrays again (a 10^6-bit sequence unpacked is
1 MB, its cumulative sums 8 MB). glibc serves blocks of 128 KiB and more with ``mmap`` and
unmaps them on ``free``, so each new sequence page-faults freshly zeroed pages: measured on a
set of 200 × 10^6 bits in one process, 660,648 minor faults and 2.0 s of system time (15 % of
the run) before, 22,364 and 0.14 s after (docs/benchmarks.md, "Speed (issue 20)"). Raising the
mmap and trim thresholds keeps those blocks in the heap, where the next sequence reuses them.
"""

from __future__ import annotations

import ctypes
import sys

#: glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: blocks below this come from the heap (a 10^8-bit sequence's 100 MB arrays still use mmap)
MMAP_THRESHOLD = 64 << 20
#: free memory at the top of the heap kept up to this much
TRIM_THRESHOLD = 256 << 20

_done = False


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds once per process; False where there is no glibc."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and other C libraries without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _done
