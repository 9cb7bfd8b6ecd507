"""Public API of the rng domain for other domains (stored data, devices, ESP payloads).

- :func:`test_bytes` runs the GM/T 0005-2021 suite on bytes already in memory (random numbers
  read from a device, ciphertext sampled from a database) and returns one result per item,
  decided as ``mptool rng test`` decides (§6: pass rate per item and, for a set, uniformity).
- :class:`BitSequence`, :func:`monobit`, :func:`poker`: single tests on a bit sequence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mptool.core.model import CheckResult
from mptool.core.report import ReportBuilder
from mptool.rng.battery import evaluate
from mptool.rng.checks.frequency import monobit, poker
from mptool.rng.params import resolve
from mptool.rng.sequence import BitSequence
from mptool.rng.suite import _add_results

__all__ = ["BitSequence", "failure_caveat", "monobit", "poker", "test_bytes"]

#: A failed item this unlikely for a perfect source (or less) is strong evidence (mptool's reading, not
#: the standard's: with 27 items a perfect source reaches it on some item about one time in 40).
STRONG_EVIDENCE = 0.001


def failure_caveat(verdict: dict[str, Any]) -> str:
    """How much a failed GM/T 0005 verdict (``summary.rng``) weighs, in words for a reason or finding.

    Empty for a passing verdict or one without the figures (evidence of an older mptool).
    """
    chance, least = verdict.get("perfect_source_fails"), verdict.get("least_likely_failure")
    if verdict.get("verdict") != "fail" or not isinstance(chance, (int, float)) or not isinstance(least, (int, float)):
        return ""
    weight = "strong evidence" if least <= STRONG_EVIDENCE else "weak evidence: confirm on a new, independent set"
    return (
        f"{verdict.get('items_failed')} of {verdict.get('items')} items failed; a perfect source fails such a set with probability "
        f"≈ {chance:.2f}, and its least likely failed item with probability {least:.2g}: {weight}"
    )


def test_bytes(data: bytes, *, bits: int | None = None, subject: str) -> tuple[list[CheckResult], dict[str, Any]]:
    """The GM/T 0005-2021 suite on ``data``: sequences of ``bits`` bits (default: all of it as one).

    Returns the per-item results (check ids ``rng.gmt0005.*``) and the verdict summary
    (``{"verdict", "sequences", "bits", "items", "items_failed"}``). Trailing bits that do not fill
    a sequence are ignored. Raises ValueError when ``data`` holds less than one sequence.
    """
    unpacked = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
    n = bits or len(unpacked)
    count = len(unpacked) // n if n else 0
    if count == 0:
        raise ValueError(f"{len(unpacked)} bits of data are less than one sequence of {n} bits")
    plan = resolve(n, {}, None)
    rows = []
    problems: dict[int, str] = {}
    for index in range(count):
        matrix, found = evaluate(unpacked[index * n : (index + 1) * n], plan.tests)
        rows.append(matrix)
        problems.update(found)
    builder = ReportBuilder("rng.api", [])
    _add_results(builder, plan, np.stack(rows), problems, subject=subject)
    return builder.results, builder.summary_extra["rng"]
