"""Every check of the rng domain, in one table: the 15 tests of GM/T 0005-2021 §5 in clause order.

Each test is implemented by the function named here (its docstring is the catalogue text); all
share the finding codes of :data:`mptool.rng.findings.GMT0005_FINDINGS`.
"""

from __future__ import annotations

from mptool.core.registry import CheckSpec
from mptool.rng.checks import correlation, frequency, linear_complexity, rank, runs, universal

CHECKS: tuple[CheckSpec, ...] = tuple(
    test.spec  # type: ignore[attr-defined]
    for test in (
        frequency.monobit,  # §5.1
        frequency.block_frequency,  # §5.2
        frequency.poker,  # §5.3
        frequency.serial,  # §5.4
        runs.runs,  # §5.5
        runs.runs_distribution,  # §5.6
        runs.longest_run,  # §5.7
        correlation.binary_derivative,  # §5.8
        correlation.autocorrelation,  # §5.9
        rank.rank,  # §5.10
        correlation.cumulative_sums,  # §5.11
        frequency.approximate_entropy,  # §5.12
        linear_complexity.linear_complexity,  # §5.13
        universal.universal,  # §5.14
        correlation.dft,  # §5.15
    )
)
