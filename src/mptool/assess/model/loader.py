"""Loading an assessment (a YAML file, or a case directory with ``assessment.yaml``).

Every problem is an :class:`~mptool.core.errors.InputError` naming ``FILE:LINE`` and the
problem (exit 3): YAML syntax, duplicate keys, unknown keys, unknown indicator ids, an
indicator not evaluated at the system's level, an object in the wrong layer, a judgement
without D/A/K or result, duplicate judgements, dangling references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mptool.assess.indicators import Catalogue, catalogue
from mptool.assess.model.file import AssessmentFile, Judgement
from mptool.assess.model.refs import SharedRef, expand_objects, inherit
from mptool.assess.yamlio import Lines, read_yaml
from mptool.core.errors import InputError

CASE_FILE = "assessment.yaml"
PROPOSALS_FILE = "proposals.yaml"
EVIDENCE_DIR = "evidence"
RA_VALUES = {Decimal("1"), Decimal("0.5"), Decimal("0.2")}
RK_VALUES = {Decimal("1"), Decimal("1.2"), Decimal("1.5")}


@dataclass(frozen=True)
class Resolved:
    """One technical (object, indicator) ready for scoring: factors or 不适用, and their basis."""

    object: str
    indicator: str
    na: bool
    D: bool | None
    A: bool | None
    K: bool | None
    Ra: Decimal
    Rk: Decimal
    basis: str  #: evaluator | evidence
    evidence: tuple[str, ...]
    line: int
    reason: str = ""
    record: str = ""
    by: str = ""
    why: str = ""
    overridden: tuple[str, ...] = ()  #: factors where the evaluator overrode the proposal
    source: str = ""  #: the ``ref:`` it was inherited through (shared object), else empty


@dataclass
class Case:
    """A loaded, validated assessment."""

    path: Path  #: the assessment YAML file
    directory: Path | None  #: the case directory (None for a lone YAML file)
    data: AssessmentFile
    lines: Lines
    proposals: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    proposals_raw: dict[str, Any] = field(default_factory=dict)
    resolved: list[Resolved] = field(default_factory=list)
    shared: list[SharedRef] = field(default_factory=list)  #: objects inherited through ref:

    def line(self, *path: Any) -> int:
        """The line of ``path`` in the file, or of its nearest ancestor (1 when unknown)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)

    def where(self, *path: Any) -> str:
        """``FILE:LINE`` of ``path``."""
        return f"{self.path}:{self.line(*path)}"


def case_paths(target: str | Path) -> tuple[Path, Path | None]:
    """(assessment file, case directory or None) for a FILE or DIR argument."""
    p = Path(target)
    if p.is_dir():
        return p / CASE_FILE, p
    return p, None


def _pydantic_problem(case_path: Path, lines: Lines, exc: ValidationError) -> InputError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    p = loc
    while p and p not in lines:
        p = p[:-1]
    line = lines.get(p, lines.get((), 1))
    name = ".".join(str(x) for x in loc) or "(document)"
    kind = err["type"]
    if kind == "extra_forbidden":
        problem = f"unknown key {loc[-1]!r}" + (f" in {'.'.join(str(x) for x in loc[:-1])}" if len(loc) > 1 else "")
    elif kind == "missing":
        problem = f"missing key {name}"
    elif kind == "literal_error" and loc == ("schema",):
        problem = f"schema must be mptool.assessment/1, got {err.get('input')!r}"
    else:
        problem = f"{name}: {err['msg']}"
    return InputError(f"{case_path}:{line}", problem)


def load_case(target: str | Path, *, verify_evidence: bool = True, _stack: tuple[Path, ...] = ()) -> Case:
    """Load and validate an assessment; resolve judgements against the proposals.

    With ``verify_evidence``, every evidence file listed in the case must still have its SM3
    digest (an altered evidence file is an input error). ``ref:`` objects are expanded from
    their shared cases (:mod:`mptool.assess.model.refs`); ``_stack`` guards against cycles.
    """
    path, directory = case_paths(target)
    raw, lines = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(f"{path}:1", "expected a mapping with schema: mptool.assessment/1")
    try:
        data = AssessmentFile.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_problem(path, lines, exc) from None
    case = Case(path=path, directory=directory, data=data, lines=lines)
    if directory is not None and (directory / PROPOSALS_FILE).exists():
        from mptool.assess.proposals.store import read_proposals

        case.proposals_raw, case.proposals = read_proposals(directory / PROPOSALS_FILE)
    expanded = expand_objects(case, _stack, load_case) if any(o.ref for o in data.objects) else []
    validate(case, catalogue(), expanded)
    if verify_evidence:
        for problem_path, problem in evidence_problems(case):
            raise InputError(case.where(*problem_path), problem)
    return case


def evidence_problems(case: Case) -> list[tuple[tuple[Any, ...], str]]:
    """(path in the file, problem) for each listed evidence file that is missing or altered."""
    from mptool.core.inputs import new_sm3

    out: list[tuple[tuple[Any, ...], str]] = []
    base = case.directory or case.path.parent
    for index, entry in enumerate(case.data.evidence):
        file = base / entry.file
        try:
            data = file.read_bytes()
        except OSError as exc:
            out.append((("evidence", index, "file"), f"evidence {entry.file}: cannot read: {exc.strerror or exc}"))
            continue
        sm3 = new_sm3()
        sm3.update(data)
        if sm3.hexdigest() != entry.sm3:
            out.append((("evidence", index, "sm3"), f"evidence {entry.file} was altered after assess add: SM3 {sm3.hexdigest()} != recorded {entry.sm3}"))
    return out


def validate(case: Case, cat: Catalogue, expanded: list[Any] | None = None) -> None:
    """Check references, levels and layers; fill ``case.resolved`` (with the inherited judgements of ``expanded``)."""
    data = case.data
    level = data.system.level
    objects: dict[str, str] = {}
    for i, obj in enumerate(data.objects):
        if obj.id in objects:
            raise InputError(case.where("objects", i, "id"), f"duplicate object id {obj.id!r}")
        objects[obj.id] = obj.layer

    def indicator(value: str, where: tuple[Any, ...], kind: str | None) -> None:
        ind = cat.indicators.get(value)
        if ind is None:
            if kind is None and value in cat.general:
                return
            raise InputError(case.where(*where), f"unknown indicator id {value!r} (see mptool assess init for the list)")
        if kind is not None and ind.kind != kind:
            other = "judgements (technical, with D/A/K)" if ind.kind == "technical" else "management (符合/部分符合/不符合/不适用)"
            raise InputError(case.where(*where), f"{value} is a {ind.kind} indicator: it belongs in {other}")
        if not ind.applies_at(level):
            raise InputError(case.where(*where), f"indicator {value} ({ind.name_zh}) is not evaluated at level {level}")

    def known_object(value: str, where: tuple[Any, ...]) -> str:
        if value not in objects:
            raise InputError(case.where(*where), f"unknown object {value!r} (declare it under objects:)")
        return objects[value]

    seen: set[tuple[str, str]] = set()
    case.resolved = []
    for i, j in enumerate(data.judgements):
        indicator(j.indicator, ("judgements", i, "indicator"), "technical")
        layer = known_object(j.object, ("judgements", i, "object"))
        ind = cat.indicators[j.indicator]
        if ind.layer != layer:
            raise InputError(case.where("judgements", i), f"object {j.object} is in layer {layer}, indicator {j.indicator} in layer {ind.layer}")
        key = (j.object, j.indicator)
        if key in seen:
            raise InputError(case.where("judgements", i), f"duplicate judgement for object {j.object}, indicator {j.indicator}")
        seen.add(key)
        case.resolved.append(_resolve(case, i, j))
    if expanded:
        inherit(case, expanded)
        seen |= {(r.object, r.indicator) for r in case.resolved}
    seen_m: set[str] = set()
    for i, m in enumerate(data.management):
        indicator(m.indicator, ("management", i, "indicator"), "management")
        if m.indicator in seen_m:
            raise InputError(case.where("management", i), f"duplicate management judgement for {m.indicator}")
        seen_m.add(m.indicator)
    seen_c: set[tuple[str, str]] = set()
    for i, c in enumerate(data.compensations):
        indicator(c.indicator, ("compensations", i, "indicator"), "technical")
        known_object(c.object, ("compensations", i, "object"))
        indicator(c.by[1], ("compensations", i, "by"), "technical")
        known_object(c.by[0], ("compensations", i, "by"))
        if (c.object, c.indicator) not in seen:
            raise InputError(case.where("compensations", i), f"no judgement for object {c.object}, indicator {c.indicator} to compensate")
        if (c.by[0], c.by[1]) not in seen:
            raise InputError(case.where("compensations", i, "by"), f"no judgement for the compensating object {c.by[0]}, indicator {c.by[1]}")
        if (c.object, c.indicator) in seen_c:
            raise InputError(case.where("compensations", i), f"duplicate compensation for object {c.object}, indicator {c.indicator}")
        seen_c.add((c.object, c.indicator))
    for i, h in enumerate(data.high_risks):
        indicator(h.indicator, ("high_risks", i, "indicator"), None)
        if h.object is not None:
            known_object(h.object, ("high_risks", i, "object"))
        if h.id is not None and h.id not in cat.high_risks:
            raise InputError(case.where("high_risks", i, "id"), f"unknown high-risk entry {h.id!r}")
    for i, r in enumerate(data.risks):
        indicator(r.indicator, ("risks", i, "indicator"), None)
        if r.level is None and not r.recommendation:
            raise InputError(case.where("risks", i), "a risks: entry needs a level, a recommendation or both")


def _resolve(case: Case, i: int, j: Judgement) -> Resolved:
    where = ("judgements", i)
    if j.result == "不适用":
        if any(v is not None for v in (j.D, j.A, j.K)) or j.accept:
            raise InputError(case.where(*where), "a 不适用 judgement takes no D/A/K and no accept")
        return Resolved(j.object, j.indicator, True, None, None, None, Decimal(1), Decimal(1), "evaluator", (), case.line(*where), j.reason, j.record)
    factors: dict[str, Any] = {"D": j.D, "A": j.A, "K": j.K, "Ra": j.Ra, "Rk": j.Rk}
    basis, evidence, overridden = "evaluator", (), []
    proposal = case.proposals.get((j.object, j.indicator))
    if j.accept:
        if proposal is None:
            raise InputError(case.where(*where, "accept"), f"accept: true but proposals.yaml has no proposal for object {j.object}, indicator {j.indicator}")
        if not j.by:
            raise InputError(case.where(*where, "accept"), "accept: true needs by: (who confirmed the proposal)")
        basis, evidence = "evidence", tuple(proposal.get("evidence", ()))
        for name in ("D", "A", "K", "Ra"):
            proposed = proposal.get(name)
            if factors[name] is None:
                factors[name] = Decimal(str(proposed)) if name == "Ra" and proposed is not None else proposed
            elif proposed is not None and _differs(factors[name], proposed):
                overridden.append(name)
    if factors["D"] is None:
        raise InputError(case.where(*where), f"judgement for {j.object}/{j.indicator} has no D/A/K and no result (give D, A, K or result: 不适用)")
    if factors["D"] and (factors["A"] is None or factors["K"] is None):
        missing = "/".join(n for n in ("A", "K") if factors[n] is None)
        raise InputError(case.where(*where), f"judgement for {j.object}/{j.indicator} lacks {missing} (D is yes: A and K are needed)")
    ra = factors["Ra"] if factors["Ra"] is not None else Decimal(1)
    rk = factors["Rk"] if factors["Rk"] is not None else Decimal(1)
    if ra not in RA_VALUES:
        raise InputError(case.where(*where, "Ra"), f"Ra must be 1, 0.5 or 0.2 (量化评估规则 2023 table 2), got {ra}")
    if rk not in RK_VALUES:
        raise InputError(case.where(*where, "Rk"), f"Rk must be 1, 1.2 or 1.5 (量化评估规则 2023 table 3), got {rk}")
    return Resolved(
        j.object, j.indicator, False, factors["D"], factors["A"], factors["K"], ra, rk, basis, evidence,
        case.line(*where), j.reason, j.record, j.by, j.why, tuple(overridden),
    )


def _differs(given: Any, proposed: Any) -> bool:
    if isinstance(given, Decimal):
        return given != Decimal(str(proposed))
    return bool(given) != bool(proposed)
