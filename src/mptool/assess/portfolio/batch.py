"""``mptool assess score WORKSPACE``: score every system, record each score with its fingerprints.

A broken case (bad YAML, a dangling ``ref:``, an altered evidence file …) is reported and
skipped; the others are scored and recorded (``scores/<system>.yaml``) all the same, and the
run exits 4 (incomplete). Each record holds what status and summary need without re-scoring:
total, conclusion, risk rows, counts, the case's fingerprint and every inherited object's
fingerprint and validity — a later change of either marks the record stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mptool.assess.api import ScoredAssessment, score_case
from mptool.assess.portfolio.status import progress_facts
from mptool.assess.portfolio.workspace import RECORD_SCHEMA, SystemEntry, Workspace, case_fingerprint, validity, write_record
from mptool.core.errors import MptoolError
from mptool.core.progress import DISABLED, Progress

RISK_LEVELS = ("高", "中", "低")


@dataclass
class Outcome:
    """One system of a batch: its score (and record), or why it could not be scored."""

    system: SystemEntry
    scored: ScoredAssessment | None
    record: dict[str, Any] | None
    error: str | None


def risk_counts(scored: ScoredAssessment) -> dict[str, int]:
    """高/中/低 risk rows of a scored case."""
    counts = dict.fromkeys(RISK_LEVELS, 0)
    for row in scored.risks:
        counts[row.level] += 1
    return counts


def make_record(ws: Workspace, entry: SystemEntry, scored: ScoredAssessment, when: str) -> dict[str, Any]:
    """The score record of one system (plain data, English keys)."""
    data = scored.case.data
    r = scored.result
    return {
        "schema": RECORD_SCHEMA,
        "system": entry.name,
        "name": data.system.name,
        "level": data.system.level,
        "scored_at": when,
        "rule_set": scored.rules.id,
        "total": None if r.total is None else str(r.total),
        "conclusion": scored.conclusion,
        "complete": not r.not_judged,
        "not_judged": len(r.not_judged),
        "high_risks": scored.high_risks,
        "risk_counts": risk_counts(scored),
        "not_applicable": sum(1 for u in r.units.values() if u.result == "不适用"),
        "report": {"number": data.report.number, "date": data.report.date},
        "progress": progress_facts(scored.case),
        "case_fingerprint": case_fingerprint(entry.directory),
        "shared": [validity(ws, ref) for ref in scored.case.shared],
        "risks": [{"indicator": row.indicator, "level": row.level, "result": row.result, "high_risk": row.high_risk,
                   "objects": list(row.objects)} for row in scored.risks],
    }


def score_workspace(ws: Workspace, when: str, progress: Progress = DISABLED) -> list[Outcome]:
    """Score every system of ``ws`` and write its record; a broken case is an Outcome with error."""
    out: list[Outcome] = []
    with progress.task("scoring systems", len(ws.systems)) as advance:
        for entry in ws.systems:
            try:
                scored = score_case(entry.directory)
            except MptoolError as exc:
                out.append(Outcome(entry, None, None, str(exc)))
            else:
                record = make_record(ws, entry, scored, when)
                write_record(ws.record_path(entry.name), record)
                out.append(Outcome(entry, scored, record, None))
            advance(1)
    return out
