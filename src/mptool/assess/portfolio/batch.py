"""``mptool assess score WORKSPACE``: score every system, record each score with its fingerprints.

A broken case (bad YAML, a dangling ``ref:``, an altered evidence file …) is reported and
skipped; the others are scored and recorded (``scores/<system>.json``) all the same, and the
run exits 4 (incomplete). Each record holds what status and summary need without re-scoring:
total, conclusion, risk rows, counts, the case's fingerprint and every inherited object's
fingerprint and validity — a later change of either marks the record stale.
"""

from __future__ import annotations

import os
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
    """One system of a batch: its score record, or why it could not be scored."""

    system: SystemEntry
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


def _score_one(ws: Workspace, entry: SystemEntry, when: str) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) or (None, the one-line problem): what a worker returns."""
    try:
        scored = score_case(entry.directory)
    except MptoolError as exc:
        return None, str(exc)
    return make_record(ws, entry, scored, when), None


PARALLEL_FROM = 8  #: fewer systems are scored in this process (a worker's start-up would cost more)


def default_jobs(systems: int) -> int:
    """Worker processes for a batch: one per core (at most 2 on the target machine), 1 for small workspaces."""
    return 1 if systems < PARALLEL_FROM else max(1, min(os.cpu_count() or 1, 4))


def score_workspace(ws: Workspace, when: str, progress: Progress = DISABLED, jobs: int | None = None) -> list[Outcome]:
    """Score every system of ``ws`` and write its record; a broken case is an Outcome with error.

    With ``jobs`` > 1 the systems are scored in that many worker processes (spawned, so no
    state is shared); records are written here, in workspace order, either way.
    """
    jobs = default_jobs(len(ws.systems)) if jobs is None else jobs
    out: list[Outcome] = []
    with progress.task("scoring systems", len(ws.systems)) as advance:
        if jobs <= 1:
            results: Any = (_score_one(ws, entry, when) for entry in ws.systems)
            pool = None
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
            results = pool.map(_score_one, [ws] * len(ws.systems), ws.systems, [when] * len(ws.systems))
        try:
            for entry, (record, error) in zip(ws.systems, results, strict=True):
                if record is not None:
                    write_record(ws.record_path(entry.name), record)
                out.append(Outcome(entry, record, error))
                advance(1)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    return out
