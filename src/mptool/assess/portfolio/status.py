"""``mptool assess status WORKSPACE``: where every system stands, and the year against its milestones.

Phase reached (GM/T 0116-2021 测评过程), derived from what the case holds unless ``plan.yaml``
overrides it (``systems: {name: {phase: …}}``):

| phase | when | progress of the system |
|---|---|---|
| 测评准备 | the case exists, no test object yet | 0.10 |
| 方案编制 | test objects declared, no judgement and no evidence yet | 0.25 |
| 现场测评 | judgements or evidence, not every applicable indicator judged | 0.25 + 0.50 · judged/total |
| 分析与报告编制 | every applicable indicator judged | 0.75; 1.00 once the report is issued (report number and date) |

Work done = the mean progress of the systems, in percent (a broken case counts 0). A
milestone (``{date, percent}``) is *missed* when ``today`` is after its date and the work done
is below its percentage. Scores are those recorded by ``assess score WORKSPACE``, each with
its stale flags (:func:`~mptool.assess.portfolio.workspace.staleness`).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from mptool.assess.indicators import catalogue
from mptool.assess.model.loader import Case, load_case
from mptool.assess.model.refs import SharedRef, load_shared, shared_ref
from mptool.assess.portfolio.workspace import PHASES, SystemEntry, Workspace, case_fingerprint, read_record, staleness, validity
from mptool.core.errors import InputError, MptoolError
from mptool.core.progress import DISABLED, Progress

PHASE_BASE = {"测评准备": Decimal("0.10"), "方案编制": Decimal("0.25"), "现场测评": Decimal("0.25"), "分析与报告编制": Decimal("0.75")}
FIELDWORK_SHARE = Decimal("0.50")
ISSUED = Decimal("1.00")


@dataclass
class SystemStatus:
    """One row of the status table."""

    system: str
    name: str = ""
    team: str = ""
    level: int | None = None
    phase: str | None = None
    phase_source: str = "derived"  #: derived | plan
    judged: int = 0
    total: int = 0
    issued: bool = False
    progress: Decimal = Decimal(0)
    score: str | None = None
    complete: bool = False  #: the recorded score covers every applicable indicator (else provisional)
    conclusion: str | None = None
    scored_at: str | None = None
    stale: list[str] = field(default_factory=list)
    shared: list[dict[str, Any]] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form (English keys; progress as a string with 4 decimals)."""
        return {
            "system": self.system, "name": self.name, "team": self.team, "level": self.level, "phase": self.phase,
            "phase_source": self.phase_source, "judged": self.judged, "total": self.total, "issued": self.issued,
            "progress": str(self.progress), "score": self.score, "complete": self.complete, "conclusion": self.conclusion, "scored_at": self.scored_at,
            "stale": self.stale, "shared": self.shared, "expired": self.expired, "error": self.error,
        }


def judged_counts(case: Case) -> tuple[int, int]:
    """(applicable indicators judged, applicable indicators) of a case."""
    level = case.data.system.level
    applicable = {i.id for i in catalogue().at_level(level)}
    judged = {r.indicator for r in case.resolved} | {m.indicator for m in case.data.management}
    return len(judged & applicable), len(applicable)


def progress_facts(case: Case) -> dict[str, Any]:
    """What the phase is derived from (kept in the score record, so status need not re-parse an unchanged case)."""
    judged, total = judged_counts(case)
    data = case.data
    return {"judged": judged, "indicators": total, "objects": len(data.objects),
            "work": bool(case.resolved or data.management or data.evidence),
            "issued": bool(data.report.number and data.report.date) and judged >= total}


def derive_phase(facts: dict[str, Any]) -> str:
    """The phase a case has reached, from what it holds (see the module table)."""
    if facts["indicators"] and facts["judged"] >= facts["indicators"]:
        return "分析与报告编制"
    if facts["work"]:
        return "现场测评"
    if facts["objects"]:
        return "方案编制"
    return "测评准备"


def system_progress(phase: str, judged: int, total: int, issued: bool) -> Decimal:
    """Progress of one system in [0, 1] (4 decimals, half-up)."""
    if phase == "分析与报告编制" and issued:
        value = ISSUED
    elif phase == "现场测评":
        value = PHASE_BASE[phase] + (FIELDWORK_SHARE * judged / total if total else Decimal(0))
    else:
        value = PHASE_BASE[phase]
    return value.quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _recorded_refs(ws: Workspace, record: dict[str, Any]) -> list[SharedRef]:
    """The shared objects of an unchanged case, from its record, with their fingerprints now."""
    out = []
    for s in record.get("shared") or []:
        path, _, object_id = str(s["from"]).partition("#")
        directory = ws.root.joinpath(*path.split("/")) if not Path(path).is_absolute() else Path(path)
        shared = load_shared(directory, (), load_case)
        if not any(o.id == object_id for o in shared.data.objects):
            raise InputError(str(directory / "assessment.yaml"), f"object {object_id!r} referenced by {s['ref']} is gone")
        out.append(shared_ref(shared, object_id, s["object"], s["ref"], s.get("retest_days"), 0))
    return out


def system_status(ws: Workspace, entry: SystemEntry, today: _dt.date) -> SystemStatus:
    """The status row of one system (errors become the row's ``error``).

    A case unchanged since it was scored is not parsed again: its record holds the facts the
    phase is derived from; only the shared cases it references are read (each once, cached).
    """
    row = SystemStatus(entry.name, team=ws.team(entry.name))
    record = read_record(ws.record_path(entry.name))
    current = case_fingerprint(entry.directory)
    try:
        if record is not None and record.get("case_fingerprint") == current and isinstance(record.get("progress"), dict):
            facts, refs = record["progress"], _recorded_refs(ws, record)
            row.name, row.level = record.get("name", ""), record.get("level")
        else:
            case = load_case(entry.directory, verify_evidence=False)
            facts, refs = progress_facts(case), case.shared
            row.name, row.level = case.data.system.name, case.data.system.level
    except MptoolError as exc:
        row.error = str(exc)
        row.stale = ["case cannot be loaded"]
        return row
    row.judged, row.total, row.issued = facts["judged"], facts["indicators"], facts["issued"]
    planned = ws.plan.systems.get(entry.name)
    if planned is not None and planned.phase is not None:
        row.phase, row.phase_source = planned.phase, "plan"
    else:
        row.phase = derive_phase(facts)
    row.progress = system_progress(row.phase, row.judged, row.total, row.issued)
    if record is not None:
        row.score, row.conclusion, row.scored_at = record.get("total"), record.get("conclusion"), record.get("scored_at")
        row.complete = bool(record.get("complete"))
    row.stale = staleness(current, refs, record)
    row.shared = [validity(ws, ref) for ref in refs]
    row.expired = [s["ref"] for s in row.shared if s["valid_until"] and _dt.date.fromisoformat(s["valid_until"]) < today]
    return row


def milestone_states(plan_milestones: list[Any], done_percent: Decimal, today: _dt.date) -> list[dict[str, Any]]:
    """Each milestone with its state: met, missed (date passed below the percentage) or upcoming."""
    out = []
    for m in sorted(plan_milestones, key=lambda m: m.date):
        target = Decimal(str(m.percent))
        if done_percent >= target:
            state = "met"
        elif today > _dt.date.fromisoformat(m.date):
            state = "missed"
        else:
            state = "upcoming"
        out.append({"date": m.date, "percent": format(target.normalize(), "f"), "label": m.label, "state": state,
                    "done": str(done_percent), "short_by": str(max(Decimal(0), target - done_percent))})
    return out


@dataclass
class WorkspaceStatus:
    """The whole status: rows, totals and milestones."""

    workspace: str
    today: str
    rows: list[SystemStatus]
    done_percent: Decimal
    milestones: list[dict[str, Any]]

    @property
    def missed(self) -> list[dict[str, Any]]:
        """The milestones whose date passed below their percentage."""
        return [m for m in self.milestones if m["state"] == "missed"]

    @property
    def broken(self) -> list[SystemStatus]:
        """Rows whose case could not be loaded."""
        return [r for r in self.rows if r.error]

    def totals(self) -> dict[str, Any]:
        """Totals of the table (JSON form)."""
        phases = dict.fromkeys(PHASES, 0)
        for r in self.rows:
            if r.phase:
                phases[r.phase] += 1
        return {
            "systems": len(self.rows), "phases": phases, "issued": sum(r.issued for r in self.rows),
            "judged": sum(r.judged for r in self.rows), "indicators": sum(r.total for r in self.rows),
            "done_percent": str(self.done_percent), "scored": sum(1 for r in self.rows if r.scored_at),
            "stale": sum(1 for r in self.rows if r.stale and r.scored_at), "not_scored": sum(1 for r in self.rows if not r.scored_at),
            "broken": len(self.broken), "shared_expired": sum(1 for r in self.rows if r.expired),
        }

    def as_dict(self) -> dict[str, Any]:
        """``summary.portfolio_status``."""
        return {"workspace": self.workspace, "today": self.today, "totals": self.totals(),
                "milestones": self.milestones, "systems": [r.as_dict() for r in self.rows]}


def workspace_status(ws: Workspace, today: _dt.date, progress: Progress = DISABLED) -> WorkspaceStatus:
    """Status rows of every system, work done and milestone states."""
    rows = []
    with progress.task("reading systems", len(ws.systems)) as advance:
        for entry in ws.systems:
            rows.append(system_status(ws, entry, today))
            advance(1)
    mean = sum((r.progress for r in rows), Decimal(0)) / len(rows) if rows else Decimal(0)
    done = (mean * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return WorkspaceStatus(ws.name, today.isoformat(), rows, done, milestone_states(ws.plan.milestones, done, today))
