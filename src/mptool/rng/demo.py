"""Demo runs of ``mptool rng`` on the bundled sample (NIST's data.e, the binary expansion of e)."""

from __future__ import annotations

from mptool.core.demo import DemoRun
from mptool.core.bundled import data_path


def demo_runs() -> list[DemoRun]:
    """One 10^6-bit sequence through all 27 items, and a set of 50 × 2×10^4 bits with the clause 6 decision."""
    sample = str(data_path("rng", "data.e"))
    return [
        DemoRun("rng-test-1e6", "GM/T 0005-2021, 27 items on 10^6 bits of e (data.e)", ["rng", "test", sample, "--input-format", "ascii", "--bits", "1000000"]),
        DemoRun("rng-test-set", "GM/T 0005-2021 set decision, 50 × 2×10^4 bits of e", ["rng", "test", sample, "--input-format", "ascii", "--bits", "20000", "--count", "50"]),
    ]
