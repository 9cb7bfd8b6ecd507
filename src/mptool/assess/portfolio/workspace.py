"""A portfolio workspace: one case directory per system, ``shared/`` cases, ``plan.yaml``, ``scores/``.

```
workspace/
  plan.yaml                  optional: milestones, teams, phase overrides, re-test interval
  shared/vpn-gateway/        shared cases (infrastructure objects systems reference)
  team-a/portal/             a system: any directory holding assessment.yaml (name: team-a/portal)
  scores/team-a/portal.json  written by `assess score WORKSPACE`: the score with the fingerprints
```

Everything is plain text (YAML written by people, JSON records written by mptool); nothing needs a server. A bad ``plan.yaml`` is an
:class:`~mptool.core.errors.InputError` naming the file and line (exit 3).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mptool.core import jsonio
from mptool.assess.model.loader import CASE_FILE, PROPOSALS_FILE
from mptool.assess.model.refs import SharedRef
from mptool.assess.yamlio import read_yaml
from mptool.core.errors import InputError

PLAN_FILE = "plan.yaml"
SHARED_DIR = "shared"
SCORES_DIR = "scores"
PLAN_SCHEMA = "mptool.plan/1"
RECORD_SCHEMA = "mptool.portfolio-score/1"
PHASES: tuple[str, ...] = ("测评准备", "方案编制", "现场测评", "分析与报告编制")
_SKIP = {SHARED_DIR, SCORES_DIR, "evidence", "seal"}
MAX_DEPTH = 3


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _iso_date(value: object) -> object:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None
    return value


class Milestone(_Strict):
    """By ``date``, ``percent`` of the year's work must be done."""

    date: str
    percent: float = Field(ge=0, le=100)
    label: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        """An unquoted YAML date is kept as its ISO text; anything else must be YYYY-MM-DD."""
        return _iso_date(value)


class PlannedSystem(_Strict):
    """What the plan says of one system: its team, a phase override."""

    team: str = ""
    phase: Literal["测评准备", "方案编制", "现场测评", "分析与报告编制"] | None = None


class PlanFile(_Strict):
    """``plan.yaml`` (``schema: mptool.plan/1``)."""

    schema_: Literal["mptool.plan/1"] = Field(alias="schema")
    name: str = ""
    retest_days: int = Field(default=365, ge=1, description="shared evidence holds this long after capture")
    reassess_months: dict[int, int] = Field(default_factory=lambda: {3: 12, 4: 12}, description="level → months between assessments")
    due_within_days: int = Field(default=90, ge=0, description="a system is due when its next assessment falls within this many days")
    milestones: list[Milestone] = Field(default_factory=list)
    systems: dict[str, PlannedSystem] = Field(default_factory=dict)

    @field_validator("milestones", mode="before")
    @classmethod
    def _empty(cls, value: object) -> object:
        return [] if value is None else value


DEFAULT_PLAN = PlanFile.model_validate({"schema": PLAN_SCHEMA})


@dataclass(frozen=True)
class SystemEntry:
    """One case directory of the workspace."""

    name: str  #: path relative to the workspace root, with /
    directory: Path


@dataclass
class Workspace:
    """A loaded workspace."""

    root: Path
    plan: PlanFile
    plan_path: Path | None
    systems: list[SystemEntry]
    shared: list[SystemEntry]
    _validity: dict[Path, tuple[str | None, str | None]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The plan's name, else the directory name."""
        return self.plan.name or self.root.resolve().name

    def team(self, system: str) -> str:
        """The system's team from the plan (empty when not planned)."""
        planned = self.plan.systems.get(system)
        return planned.team if planned else ""

    def record_path(self, system: str) -> Path:
        """Where the score record of ``system`` lives."""
        return self.root / SCORES_DIR / f"{system}.json"

    def evidence_dates(self, file: Path) -> tuple[str | None, str | None]:
        """(captured, earliest certificate not_after) of an evidence file (cached)."""
        if file not in self._validity:
            self._validity[file] = _evidence_dates(file)
        return self._validity[file]


def is_workspace(target: str | Path) -> bool:
    """A directory without assessment.yaml of its own that holds cases, shared/ or plan.yaml."""
    p = Path(target)
    if not p.is_dir() or (p / CASE_FILE).exists():
        return False
    return (p / PLAN_FILE).exists() or (p / SHARED_DIR).is_dir() or bool(_cases(p, skip_shared=True))


def _cases(root: Path, *, skip_shared: bool) -> list[SystemEntry]:
    out: list[SystemEntry] = []
    for current, dirs, files in os.walk(root):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        if CASE_FILE in files and here != root:
            out.append(SystemEntry(here.relative_to(root).as_posix(), here))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("evidence", "seal")
                         and not (depth == 0 and d in ((SHARED_DIR, SCORES_DIR) if skip_shared else (SCORES_DIR,)))
                         and depth < MAX_DEPTH)
    return sorted(out, key=lambda e: e.name)


def load_plan(path: Path) -> tuple[PlanFile, dict[Any, int]]:
    """Read and validate ``plan.yaml``; (plan, line map)."""
    raw, lines = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(f"{path}:1", f"expected a mapping with schema: {PLAN_SCHEMA}")
    try:
        return PlanFile.model_validate(raw), lines
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        p = loc
        while p and p not in lines:
            p = p[:-1]
        line = lines.get(p, 1)
        name = ".".join(str(x) for x in loc) or "(document)"
        if err["type"] == "extra_forbidden":
            problem = f"unknown key {loc[-1]!r}"
        elif err["type"] == "missing":
            problem = f"missing key {name}"
        else:
            problem = f"{name}: {err['msg'].removeprefix('Value error, ')}"
        raise InputError(f"{path}:{line}", problem) from None


def load_workspace(target: str | Path) -> Workspace:
    """Discover the systems and shared cases of a workspace and read its plan."""
    root = Path(target)
    if not root.is_dir():
        raise InputError(str(target), "not a directory (a workspace is a directory of case directories)")
    if (root / CASE_FILE).exists():
        raise InputError(str(target), f"is a case directory (it holds {CASE_FILE}), not a workspace")
    plan_path = root / PLAN_FILE
    plan, lines = load_plan(plan_path) if plan_path.exists() else (DEFAULT_PLAN, {})
    systems = _cases(root, skip_shared=True)
    shared = _cases(root / SHARED_DIR, skip_shared=False) if (root / SHARED_DIR).is_dir() else []
    if not systems:
        raise InputError(str(target), f"no system: no sub-directory holds {CASE_FILE}")
    names = {s.name for s in systems}
    for name in plan.systems:
        if name not in names:
            raise InputError(f"{plan_path}:{lines.get(('systems', name), lines.get(('systems',), 1))}", f"systems: {name!r} is not a case of the workspace (cases: {', '.join(sorted(names)[:8])}…)")
    return Workspace(root, plan, plan_path if plan_path.exists() else None, systems, shared)


def case_fingerprint(directory: Path) -> str:
    """SM3 over the case's own files (assessment.yaml, proposals.yaml)."""
    from mptool.core.inputs import new_sm3

    sm3 = new_sm3()
    for name in (CASE_FILE, PROPOSALS_FILE):
        path = directory / name
        sm3.update(name.encode() + b"\0")
        if path.exists():
            sm3.update(path.read_bytes())
        sm3.update(b"\0")
    return sm3.hexdigest()


def _not_after(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "not_after" and isinstance(value, str):
                found.append(value)
            else:
                _not_after(value, found)
    elif isinstance(node, list):
        for item in node:
            _not_after(item, found)


def _date_part(value: str) -> str:
    return value[:10]


def _evidence_dates(file: Path) -> tuple[str | None, str | None]:
    try:
        data = jsonio.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    captured = data.get("started_at") if isinstance(data, dict) else None
    found: list[str] = []
    _not_after(data, found)
    return (_date_part(captured) if isinstance(captured, str) else None), (min(_date_part(x) for x in found) if found else None)


def validity(ws: Workspace, ref: SharedRef) -> dict[str, Any]:
    """Provenance of an inherited object: captured, certificate expiry, valid until and why."""
    captured_dates, expiries = [], []
    for file in ref.evidence_files:
        captured, expiry = ws.evidence_dates(file)
        if captured:
            captured_dates.append(captured)
        if expiry:
            expiries.append(expiry)
    days = ref.retest_days or ws.plan.retest_days
    captured = min(captured_dates) if captured_dates else None
    candidates = []
    if captured:
        candidates.append(((_dt.date.fromisoformat(captured) + _dt.timedelta(days=days)).isoformat(), f"captured {captured} + {days} days"))
    if expiries:
        candidates.append((min(expiries), "earliest certificate expiry"))
    until, basis = min(candidates) if candidates else (None, "no dated evidence")
    try:
        source = ref.case_dir.resolve().relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        source = str(ref.case_dir)
    return {"object": ref.object, "ref": ref.ref, "from": f"{source}#{ref.shared_object}", "retest_days": ref.retest_days, "fingerprint": ref.fingerprint,
            "captured": captured, "certificate_expiry": min(expiries) if expiries else None,
            "valid_until": until, "valid_basis": basis}


def read_record(path: Path) -> dict[str, Any] | None:
    """A score record, or None when absent or unreadable (then the system counts as not scored)."""
    try:
        data = jsonio.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == RECORD_SCHEMA else None


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write a score record as indented JSON (plain text, one value per line: diff-able), atomically."""
    from mptool.assess.fileio import write_text_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def staleness(current: str, shared: list[SharedRef], record: dict[str, Any] | None) -> list[str]:
    """Why a recorded score no longer matches the case (``current``: its fingerprint now; empty: current)."""
    if record is None:
        return ["not scored"]
    out = []
    if record.get("case_fingerprint") != current:
        out.append("case changed since scored")
    recorded = {s.get("object"): s.get("fingerprint") for s in record.get("shared") or [] if isinstance(s, dict)}
    for ref in shared:
        if ref.object not in recorded:
            out.append(f"{ref.ref} added since scored")
        elif recorded[ref.object] != ref.fingerprint:
            out.append(f"{ref.ref} changed since scored")
    for obj in sorted(set(recorded) - {r.object for r in shared}, key=str):
        out.append(f"shared object {obj} no longer referenced")
    return out
