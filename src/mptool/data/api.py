"""Public API of the data domain for other domains (e.g. ``assess`` reading data evidence).

- :data:`VERDICTS` / :data:`INTEGRITY_VERDICTS`: the verdicts a ``data.column.protection`` /
  ``data.column.integrity`` result carries in ``measurements["verdict"]``.
- :data:`CHECK_INDICATORS`: which GB/T 39786 indicator each check's results bear on.
- :func:`indicators_of`: the ``measurements["indicators"]`` entries of a result (the contract in docs/data.md).
- :func:`judge_values`: the confidentiality judgement of values already in memory (no database).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mptool.core.model import CheckResult
from mptool.data.checks.column import INTEGRITY_VERDICTS, VERDICTS

__all__ = ["CHECK_INDICATORS", "INTEGRITY_VERDICTS", "VERDICTS", "indicators_of", "judge_values"]

CHECK_INDICATORS: dict[str, tuple[str, ...]] = {
    "data.column.protection": ("APP-SCONF",),
    "data.column.decrypt": ("APP-SCONF",),
    "data.column.integrity": ("APP-SINTEG",),
}


def indicators_of(result: CheckResult | dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"indicator", "D", "A", "K", "reason"}, …]`` of a data result (a model or its JSON)."""
    measurements = result.measurements if isinstance(result, CheckResult) else result.get("measurements", {})
    return list(measurements.get("indicators", []))


def judge_values(values: Sequence[str | bytes | None], *, subject: str = "values", key: bytes | None = None, randomness: bool = True) -> list[CheckResult]:
    """Judge a column's values given in memory, as ``data sample`` does: protection (and decrypt with ``key``)."""
    from mptool.data.checks import column
    from mptool.data.judge import analysis, decrypt, encoding

    decoded = encoding.detect(list(values))
    stats = analysis.analyse(decoded.values)
    rnd = analysis.randomness(decoded.values, subject) if randomness and stats.values else None
    dec = decrypt.decrypt_values(decoded.values, key) if key is not None and decoded.values and stats.text_share < analysis.TEXT_MAJORITY else None
    out = [column.judge_protection(subject, decoded, stats, rnd, dec)]
    if dec is not None:
        out.append(column.judge_decryption(subject, dec))
    return out
