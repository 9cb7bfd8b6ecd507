"""rng/heap.py: freed arrays stay in the heap for the next sequence (issue 20, fewer page faults)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mptool.rng import heap

PROGRAM = """
import resource, sys
import numpy as np
from mptool.rng.heap import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    a = np.ones(5 << 20, dtype=np.int64)  # 40 MiB: above the 32 MiB glibc's mmap threshold can rise to
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_freed_arrays_are_reused_instead_of_faulted_in_again() -> None:
    default, kept = _faults("default"), _faults("keep")
    # each fresh mapping faults its pages in again (fewer with transparent huge pages, 10,640 for
    # the 20 here); reused from the heap, only the first allocation faults (519)
    assert default >= 20 * 20
    assert kept * 4 < default


def test_it_is_set_once_and_says_whether_it_could() -> None:
    first = heap.keep_freed_memory()
    assert heap.keep_freed_memory() is first
    assert first is sys.platform.startswith("linux")
