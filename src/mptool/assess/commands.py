"""The operations behind ``mptool assess``: the only module the CLI calls.

init → a commented case; add → evidence copied by SM3 and proposals derived; score → the
evidence envelope with judgement/unit/layer/risk/total results and ``summary.assessment``;
check → what is still missing; schema → the JSON Schema of the file format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mptool.assess.api import ScoredAssessment, score_case
from mptool.assess.indicators import catalogue
from mptool.assess.fileio import write_text_atomic
from mptool.assess.init import assessment_template
from mptool.assess.model.loader import CASE_FILE, EVIDENCE_DIR, PROPOSALS_FILE, case_paths, evidence_problems, load_case
from mptool.assess.portfolio.render import render_batch, render_diff, render_status  # noqa: F401 (the CLI renders through commands)
from mptool.assess.render import CONCLUSION_EN, render_text
from mptool.assess.results import completeness_results, score_results
from mptool.core.errors import ExitCode, InputError, UsageError
from mptool.core.inputs import read_input
from mptool.core.model import InputRecord
from mptool.core.report import FailOn, ReportBuilder

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024


def init_case(directory: str, name: str, level: int) -> Path:
    """Create a case directory with a commented ``assessment.yaml`` and an empty ``evidence/``."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise InputError(directory, "exists and is not a directory")
    if (target / CASE_FILE).exists():
        raise InputError(str(target / CASE_FILE), "already exists: init never overwrites an assessment")
    try:
        (target / EVIDENCE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(directory, f"cannot create: {exc.strerror or exc}") from None
    write_text_atomic(target / CASE_FILE, assessment_template(name, level))
    load_case(target)  # the template must be valid as is
    return target / CASE_FILE


@dataclass
class AddReport:
    """What ``assess add`` did."""

    added: list[str]
    known: list[str]
    object_created: bool
    proposals: list[dict[str, Any]]
    candidates: list[dict[str, Any]]


def add_evidence(directory: str, evidence: list[str], object_id: str, layer: str | None, name: str | None, indicators: list[str]) -> AddReport:
    """Copy evidence into the case (by SM3), create the object if new, re-derive the proposals."""
    from mptool.assess.proposals.derive import derive_case_proposals, read_evidence
    from mptool.assess.proposals.store import PROPOSALS_SCHEMA, write_proposals
    from mptool.assess.proposals.mapping import MAPPING_ID
    from mptool.assess.rules.ruleset import rule_set
    from mptool.assess.yamlio import round_trip

    path, case_dir = case_paths(directory)
    if case_dir is None:
        raise UsageError(f"{directory}: assess add needs a case directory (made by mptool assess init)")
    case = load_case(case_dir)
    cat = catalogue()
    level = case.data.system.level
    for ind in indicators:
        if ind not in cat.indicators or not cat.indicators[ind].applies_at(level):
            raise UsageError(f"--indicator {ind}: not an indicator evaluated at level {level}")
    objects = {o.id: o.layer for o in case.data.objects}
    created = object_id not in objects
    if created and layer is None:
        raise UsageError(f"--object {object_id} is new: give --layer (physical|network|device|application) and --name")
    if not created and layer is not None and layer != objects[object_id]:
        raise UsageError(f"--object {object_id} is in layer {objects[object_id]}, not {layer}")
    parsed: list[tuple[InputRecord, bytes, dict[str, Any], str]] = []
    for item in evidence:
        content, record = read_input(item, max_size=MAX_EVIDENCE_BYTES)
        data = read_evidence(Path(item))
        parsed.append((record, content, data, item))
    yaml = round_trip()
    doc = yaml.load(path.read_text(encoding="utf-8"))
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def seq(key: str) -> CommentedSeq:
        value = doc.get(key)
        if not isinstance(value, CommentedSeq):
            value = CommentedSeq()
            doc[key] = value
        value.fa.set_block_style()
        return value

    if created:
        entry = CommentedMap([("id", object_id), ("layer", layer), ("name", name or object_id)])
        entry.fa.set_flow_style()
        seq("objects").append(entry)
    known_entries = {e["sm3"]: e for e in seq("evidence")}
    added, known = [], []
    for record, content, data, source in parsed:
        existing = known_entries.get(record.sm3)
        if existing is not None:
            known.append(source)
            if object_id not in existing["objects"]:
                existing["objects"].append(object_id)
            for ind in indicators:
                existing.setdefault("indicators", CommentedSeq())
                if ind not in existing["indicators"]:
                    existing["indicators"].append(ind)
            continue
        relative = f"{EVIDENCE_DIR}/{record.sm3[:16]}-{Path(source).name if source != '-' else 'stdin.json'}"
        (case_dir / EVIDENCE_DIR).mkdir(exist_ok=True)
        from mptool.assess.fileio import write_bytes_atomic

        write_bytes_atomic(case_dir / relative, content)
        entry = CommentedMap([
            ("file", relative), ("sm3", record.sm3), ("sha256", record.sha256),
            ("objects", _flow([object_id])), ("indicators", _flow(list(indicators))),
            ("command", str(data.get("command", ""))), ("source", Path(source).name),
        ])
        seq("evidence").append(entry)
        known_entries[record.sm3] = entry
        added.append(source)
    import io

    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    write_text_atomic(path, buffer.getvalue())
    case = load_case(case_dir, verify_evidence=True)  # the edited file must still be valid
    entries = []
    for e in case.data.evidence:
        entries.append({"sm3": e.sm3, "objects": e.objects, "indicators": e.indicators, "data": read_evidence(case_dir / e.file)})
    derived = derive_case_proposals(entries, {o.id: o.layer for o in case.data.objects}, cat, level, rule_set(case.data.scoring.rule_set))
    write_proposals(case_dir / PROPOSALS_FILE, {"schema": PROPOSALS_SCHEMA, "mapping": MAPPING_ID, **derived})
    return AddReport(added, known, created, [p for p in derived["proposals"] if p["object"] == object_id],
                     [c for c in derived["high_risk_candidates"] if c["object"] == object_id])


def _flow(items: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    value = CommentedSeq(items)
    value.fa.set_flow_style()
    return value


def _case_inputs(builder: ReportBuilder, target: str) -> None:
    path, case_dir = case_paths(target)
    files = [path]
    if case_dir is not None and (case_dir / PROPOSALS_FILE).exists():
        files.append(case_dir / PROPOSALS_FILE)
    for file in files:
        data, record = read_input(str(file))
        builder.add_input(record)


def score_command(target: str, builder: ReportBuilder, fail_on: FailOn, *, rule_set_id: str | None = None, all_na_group: str | None = None) -> tuple[ScoredAssessment, ExitCode]:
    """Score a case into ``builder``; the exit code is 1 when the conclusion is 不符合."""
    scored = score_case(target, rule_set_id=rule_set_id, all_na_group=all_na_group)
    _cite_case_level(builder, scored.case.data.system.level)
    _case_inputs(builder, target)
    base = scored.case.directory or scored.case.path.parent
    for entry in scored.case.data.evidence:
        data, record = read_input(str(base / entry.file))
        builder.add_input(record)
    builder.parameters.update(scored.parameters())
    builder.extend(score_results(scored))
    builder.summary_extra["assessment"] = scored.summary()
    conclusion = scored.conclusion
    if fail_on is FailOn.NEVER:
        code = ExitCode.OK
    elif fail_on is FailOn.WARN:
        code = ExitCode.FINDINGS if conclusion != "符合" else ExitCode.OK
    else:
        code = ExitCode.FINDINGS if conclusion == "不符合" else ExitCode.OK
    return scored, code


def _cite_case_level(builder: ReportBuilder, level: int) -> None:
    """The case's level is the level of its citations; a different root ``--level`` is a usage error."""
    if builder.level is not None and builder.level != level:
        raise UsageError(f"--level {builder.level}: the case is level {level} (system.level of the assessment file); leave --level out")
    builder.level = level


def check_command(target: str, builder: ReportBuilder) -> None:
    """Validate a case and list what is missing (results ``assess.completeness``)."""
    case = load_case(target, verify_evidence=False)
    _cite_case_level(builder, case.data.system.level)
    _case_inputs(builder, target)
    builder.parameters.update({"level": case.data.system.level, "rule_set": case.data.scoring.rule_set})
    builder.extend(completeness_results(case, evidence_problems(case)))


def schema_text() -> str:
    """The committed JSON Schema of the assessment file."""
    from mptool.assess.model.schema import committed_schema_text

    return committed_schema_text()



@dataclass
class ReportOutput:
    """A rendered report and the gaps (待确认) it shows."""

    content: bytes
    gaps: list[dict[str, Any]]
    scored: ScoredAssessment


def _previous(scored: ScoredAssessment, previous: str | None) -> dict[str, Any] | None:
    """The comparison with the previous case (section 2.7), or None."""
    if previous is None:
        return None
    from mptool.assess.portfolio.diff import diff_scored

    return diff_scored(score_case(previous), scored)


def report_command(target: str, fmt: str = "docx", lang: str = "zh", template: str | None = None, previous: str | None = None) -> ReportOutput:
    """Render the report of a case: Word (default), HTML, or through an institution template.

    ``previous``: the previous assessment's case; its comparison fills section 2.7.
    """
    from mptool.assess.report.data import build_report_data

    scored = score_case(target)
    data = build_report_data(scored, lang, previous=_previous(scored, previous))
    if template is not None:
        from mptool.assess.report.template import render_template

        content = render_template(template, data)
    elif fmt == "html":
        from mptool.assess.report.html import render_html

        content = render_html(data).encode("utf-8")
    else:
        from mptool.assess.report.docx import render_docx

        content = render_docx(data)
    return ReportOutput(content, data["gaps"], scored)


def export_command(target: str, lang: str = "zh", previous: str | None = None) -> ReportOutput:
    """The report model as JSON (``mptool.report-data/1``)."""
    import json

    from mptool.assess.report.data import build_report_data

    scored = score_case(target)
    data = build_report_data(scored, lang, previous=_previous(scored, previous))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return ReportOutput(text.encode("utf-8"), data["gaps"], scored)


def seal_command(directory: str, key: str, cert: str, password_file: str | None = None) -> dict[str, Any]:
    """Seal a case directory (manifest + SM2 signature); the password is read from a file, never echoed."""
    from mptool.assess.seal import seal_case

    password = None
    if password_file is not None:
        try:
            password = Path(password_file).read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise InputError(password_file, f"cannot read: {exc.strerror or exc}") from None
    return seal_case(directory, key, cert, password)


def verify_command(directory: str) -> Any:
    """Verify a sealed case directory (see :func:`mptool.assess.seal.verify_case`)."""
    from mptool.assess.seal import verify_case

    return verify_case(directory)


# --- portfolio: a workspace of cases (mptool.assess.portfolio) ---------------------------------


def conclusion_text(conclusion: str, language: str) -> str:
    """A conclusion (符合 / 基本符合 / 不符合) as a message in ``language`` shows it."""
    return conclusion if language == "zh" else CONCLUSION_EN.get(conclusion, conclusion)


def is_workspace(target: str) -> bool:
    """Whether ``target`` is a portfolio workspace (a directory of cases) rather than one case."""
    from mptool.assess.portfolio.workspace import is_workspace as _is_workspace

    return _is_workspace(target)


def parse_today(value: str | None) -> Any:
    """``--today YYYY-MM-DD``, else the date of SOURCE_DATE_EPOCH, else today (UTC)."""
    import datetime as _dt

    from mptool.core.report import fixed_timestamp

    if value is not None:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"--today {value!r}: not a date (YYYY-MM-DD)") from None
    pinned = fixed_timestamp()
    return _dt.date.fromisoformat(pinned[:10]) if pinned else _dt.datetime.now(_dt.timezone.utc).date()


def _workspace_inputs(builder: ReportBuilder, ws: Any) -> None:
    if ws.plan_path is not None:
        builder.add_input(read_input(str(ws.plan_path))[1])


def workspace_score_command(target: str, builder: ReportBuilder, fail_on: FailOn, progress: Any, jobs: int | None = None) -> tuple[list[Any], ExitCode]:
    """Score every system of a workspace (records in scores/); exit 4 when a case was skipped."""
    from mptool.assess.portfolio.batch import score_workspace
    from mptool.assess.portfolio.results import outcome_result
    from mptool.assess.portfolio.workspace import load_workspace

    ws = load_workspace(target)
    _workspace_inputs(builder, ws)
    outcomes = score_workspace(ws, builder.clock.now(), progress, jobs)
    builder.parameters.update({"workspace": str(target), "systems": len(ws.systems)})
    builder.extend(outcome_result(o) for o in outcomes)
    broken = [o.system.name for o in outcomes if o.record is None]
    conclusions = [o.record["conclusion"] for o in outcomes if o.record is not None]
    builder.summary_extra["portfolio_score"] = {
        "systems": len(outcomes), "scored": len(outcomes) - len(broken), "skipped": broken,
        "conclusions": {c: conclusions.count(c) for c in ("符合", "基本符合", "不符合")},
    }
    if broken:
        return outcomes, ExitCode.INCOMPLETE
    if fail_on is FailOn.NEVER:
        return outcomes, ExitCode.OK
    failing = ("不符合",) if fail_on is FailOn.ERROR else ("不符合", "基本符合", None)
    return outcomes, ExitCode.FINDINGS if any(c in failing for c in conclusions) else ExitCode.OK


def status_command(target: str, builder: ReportBuilder, today: str | None, progress: Any) -> tuple[Any, ExitCode]:
    """``assess status``: rows, totals, milestones; exit 4 with a broken case, else 1 on a missed milestone."""
    from mptool.assess.portfolio.results import milestone_result, status_result
    from mptool.assess.portfolio.status import workspace_status
    from mptool.assess.portfolio.workspace import load_workspace

    ws = load_workspace(target)
    _workspace_inputs(builder, ws)
    day = parse_today(today)
    status = workspace_status(ws, day, progress)
    builder.parameters.update({"workspace": str(target), "today": day.isoformat()})
    builder.extend(status_result(r) for r in status.rows)
    builder.extend(milestone_result(m) for m in status.milestones)
    builder.summary_extra["portfolio_status"] = status.as_dict()
    code = ExitCode.INCOMPLETE if status.broken else ExitCode.FINDINGS if status.missed else ExitCode.OK
    return status, code


def summary_command(target: str, builder: ReportBuilder, fmt: str, lang: str, today: str | None, progress: Any) -> tuple[bytes | None, dict[str, Any]]:
    """``assess summary``: the annual summary as Word, HTML, or (fmt json) only ``summary.portfolio``."""
    from mptool.assess.portfolio.results import status_result
    from mptool.assess.portfolio.status import workspace_status
    from mptool.assess.portfolio.summary import build_summary, summary_document
    from mptool.assess.portfolio.workspace import load_workspace

    ws = load_workspace(target)
    _workspace_inputs(builder, ws)
    day = parse_today(today)
    status = workspace_status(ws, day, progress)
    portfolio = build_summary(ws, day, status=status)
    builder.parameters.update({"workspace": str(target), "today": day.isoformat(), "lang": lang})
    builder.extend(status_result(r) for r in status.rows)
    builder.summary_extra["portfolio"] = portfolio
    if fmt == "json":
        return None, portfolio
    document = summary_document(portfolio, lang)
    if fmt == "html":
        from mptool.assess.report.html import render_html

        return render_html(document).encode("utf-8"), portfolio
    from mptool.assess.report.docx import render_docx

    return render_docx(document), portfolio


def diff_command(old: str, new: str, builder: ReportBuilder, progress: Any) -> dict[str, Any]:
    """``assess diff OLD NEW``: two cases, or two workspaces (``summary.diff``)."""
    from mptool.assess.portfolio.diff import diff_cases, diff_workspaces
    from mptool.assess.portfolio.workspace import is_workspace as _is_workspace

    kinds = [_is_workspace(x) for x in (old, new)]
    if kinds[0] != kinds[1]:
        raise UsageError(f"diff compares two cases or two workspaces: {old} is {'a workspace' if kinds[0] else 'a case'}, {new} is {'a workspace' if kinds[1] else 'a case'}")
    if not kinds[0]:
        for x in (old, new):
            builder.add_input(read_input(str(case_paths(x)[0]))[1])
    result = diff_workspaces(old, new, progress) if kinds[0] else diff_cases(old, new)
    builder.parameters.update({"old": old, "new": new, "kind": "workspace" if kinds[0] else "case"})
    builder.summary_extra["diff"] = result
    return result
