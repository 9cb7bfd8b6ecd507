"""Human-readable report drawn with rich from the evidence model (nothing is recomputed here).

``lang="zh"`` draws the same report in Chinese (:mod:`mptool.core.i18n`): titles, statuses,
finding meanings, verdicts and labels; ids, codes, names and numbers stay as they are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mptool.core.i18n import Translator
from mptool.core.model import CheckResult, Evidence, Status

if TYPE_CHECKING:
    from rich.panel import Panel

STATUS_STYLE: dict[Status, str] = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WARN: "yellow",
    Status.INFO: "cyan",
    Status.NA: "dim",
    Status.SKIPPED: "magenta",
    Status.ERROR: "bold magenta",
}

#: Above this many results the table groups results by check id.
MAX_ROWS = 60
#: At most this many inputs are listed with their digests; the JSON evidence has all.
MAX_INPUTS = 10
#: At most this many failing results are shown in detail; the JSON evidence has all.
MAX_DETAILS = 40


def _status_text(status: Status, tr: Translator) -> Text:
    return Text(tr.status(status), style=STATUS_STYLE[status])


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"  # display only: the JSON evidence keeps the full value
    text = value if isinstance(value, str) else _json_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_text(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)``; json is imported only for containers
    and other types (the common scalars need none: start-up, issue 20)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _measurement_summary(result: CheckResult, tr: Translator) -> str:
    items = [(k, tr.value(v, k)) for k, v in result.measurements.items() if not isinstance(v, (dict, list))]
    return _short(", ".join(f"{tr.key(k) if tr.zh else k}={_short(v, 24)}" for k, v in items[:4]), 100)


def _per_result_table(results: list[CheckResult], tr: Translator) -> Table:
    table = Table(title=tr.label("results", "Results"), show_lines=False, expand=False)
    for key, column in (("check", "Check"), ("subject", "Subject"), ("status", "Status"), ("measured", "Measured")):
        table.add_column(tr.label(key, column), overflow="fold")
    for r in results:
        check = f"{r.check}\n{tr.title(r.check, r.title)}" if tr.zh else r.check
        table.add_row(escape(check), escape(_short(r.subject, 50)), _status_text(r.status, tr), escape(_measurement_summary(r, tr)))
    return table


def _per_check_table(results: list[CheckResult], tr: Translator) -> Table:
    table = Table(title=tr.label("results_grouped", "Results ({count}, grouped by check)", count=len(results)))
    table.add_column(tr.label("check", "Check"), overflow="fold")
    if tr.zh:
        table.add_column(tr.label("title", "Title"), overflow="fold")
    for status in Status:
        table.add_column(tr.status(status) if tr.zh else status.value, justify="right")
    grouped: dict[str, Counter[Status]] = defaultdict(Counter)
    for r in results:
        grouped[r.check][r.status] += 1
    for check_id, counts in grouped.items():
        title = [escape(tr.title(check_id, ""))] if tr.zh else []
        table.add_row(escape(check_id), *title, *(str(counts.get(s, "")) for s in Status))
    return table


def _detail(result: CheckResult, tr: Translator, also: list[str] | None = None) -> "Panel":
    from rich.panel import Panel  # only a report with findings to detail needs it

    lines: list[Any] = [Text.assemble((tr.label("reference", "reference") + ": ", "bold"), result.reference)]
    for finding in result.findings:
        # in Chinese: the code's meaning (and a verdict reason in words); its numbers and names are the data lines below
        reason = finding.data.get("reason") if isinstance(finding.data.get("reason"), dict) else None
        meaning = tr.finding(finding.code) if tr.zh else None
        said = tr.reason_line(reason) if meaning and reason else ""
        message = said or meaning or finding.message
        line = Text.assemble((f"[{tr.severity(finding.severity)}] ", "bold"), (finding.code, "cyan"), " ", message)
        lines.append(line)
        if tr.zh and message != finding.message:
            lines.append(Text(f"    {tr.label('original', 'original')}: {_short(finding.message, 200)}", style="dim"))
        if finding.location:
            lines.append(Text(f"    {tr.label('at', 'at')} {_short(finding.location, 100)}", style="dim"))
        for key, value in [(k, v) for k, v in finding.data.items() if not (k == "reason" and reason)][:6]:
            lines.append(Text(f"    {key}: {_short(tr.value(value, key), 100)}", style="dim"))
    if also:
        shown = ", ".join(_short(a, 100) for a in also[:5]) + (tr.label("also_more", " and {count} more", count=len(also) - 5) if len(also) > 5 else "")
        lines.append(Text(tr.label("also", "same findings also for {count} more: {shown}", count=len(also), shown=shown), style="dim"))
    title = Text.assemble(_status_text(result.status, tr), " ", result.check, " — ", tr.title(result.check, result.title))
    return Panel(Group(*lines), title=title, title_align="left", subtitle=escape(_short(result.subject, 80)))


def _channel_table(rows: list[Any], tr: Translator) -> Table:
    """``summary.channels`` (one row per channel, written by the proto domain): fits 80 columns."""
    table = Table(title=tr.label("channels", "Channels ({count})", count=len(rows)), show_lines=False, expand=False, pad_edge=False, padding=(0, 1))
    for key, column, width in (("endpoints", "Endpoints", 26), ("protocol", "Protocol", 9), ("algorithms", "Algorithms", 22), ("verdict", "Verdict", 13)):
        table.add_column(tr.label("channel." + key, column), overflow="fold", max_width=width)
    for row in rows:
        if isinstance(row, dict):
            verdict = str(row.get("verdict"))
            style = {"gm_compliant": "green", "strong_not_gm": "yellow", "weak": "bold red"}.get(verdict, "cyan")
            table.add_row(*(escape(str(row.get(k, ""))) for k in ("endpoints", "protocol", "algorithms")), Text(tr.label("verdict_short." + verdict, verdict) if tr.zh else verdict, style=style))
    return table


def _grouped(results: list[CheckResult]) -> list[tuple[CheckResult, list[str]]]:
    """Results with the same check, status and findings (the same certificate's path findings on
    every connection that sent it) shown once, with the other subjects named."""
    groups: dict[Any, tuple[CheckResult, list[str]]] = {}
    for r in results:
        key = (r.check, r.status, tuple((f.code, f.message) for f in r.findings))
        if key in groups:
            groups[key][1].append(r.subject)
        else:
            groups[key] = (r, [])
    return list(groups.values())


def render(evidence: Evidence, console: Console, display: list[tuple[str, str]] | None = None, *, lang: str = "en") -> None:
    """Print the summary table, then each failing, warning or erroring check in detail.

    ``display`` holds (label, value) lines the person asked to see that the evidence does not hold
    (a plaintext ``algo decrypt`` recovered); they are printed after the results table.
    """
    tr = Translator(lang)
    results = evidence.results
    header = Text.assemble(
        ("mptool ", "bold"), evidence.tool.version, "  ", (evidence.command, "bold"),
        "  " + tr.label("status", "status") + ": ", _status_text(evidence.summary.status, tr),
        "  " + tr.label("exit_code", "exit code {code}", code=evidence.exit_code),
    )
    console.print(header)
    channels = (evidence.summary.model_extra or {}).get("channels")
    if isinstance(channels, list) and channels:
        console.print(_channel_table(channels, tr))
    shown = evidence.inputs if len(evidence.inputs) <= MAX_INPUTS else evidence.inputs[: MAX_INPUTS - 1]
    for record in shown:
        line = tr.label("input", "input {name} ({size} bytes)", name=record.name, size=record.size)
        console.print(Text(f"{line}\n  SHA-256 {record.sha256}\n  SM3     {record.sm3}", style="dim"), soft_wrap=True)
    if len(shown) < len(evidence.inputs):
        more = len(evidence.inputs) - len(shown)
        console.print(Text(tr.label("more_inputs", "… and {count} more inputs; the JSON evidence lists every digest.", count=more), style="dim"))
    if results:
        console.print(_per_result_table(results, tr) if len(results) <= MAX_ROWS else _per_check_table(results, tr))
    else:
        console.print(tr.label("no_results", "no results"))
    for label, value in display or ():
        console.print(Text.assemble((f"{tr.label('shown.' + label, label)}: ", "bold"), tr.shown(value)), soft_wrap=True)
    bad = _grouped([r for r in results if r.status in (Status.FAIL, Status.ERROR, Status.WARN, Status.SKIPPED)])
    for result, also in bad[:MAX_DETAILS]:
        console.print(_detail(result, tr, also))
    if len(bad) > MAX_DETAILS:
        console.print(tr.label("more_results", "… and {count} more; the JSON evidence lists every result.", count=len(bad) - MAX_DETAILS))
    extra = {k: v for k, v in (evidence.summary.model_extra or {}).items() if k != "channels"}
    skipped = extra.pop("skipped_inputs", None) or []
    for entry in skipped[:MAX_DETAILS]:
        console.print(Text.assemble((tr.label("skipped_input", "skipped "), "bold magenta"), str(entry.get("name", "")), ": ", str(entry.get("reason", ""))), soft_wrap=True)
    if len(skipped) > MAX_DETAILS:
        console.print(tr.label("more_skipped", "… and {count} more skipped inputs; the JSON evidence lists every one.", count=len(skipped) - MAX_DETAILS))
    for note in _notes(extra, tr):
        console.print(Text.assemble((tr.label("note", "note: "), "bold yellow"), str(note)), soft_wrap=True)
    status_word = (lambda k: tr.status(k)) if tr.zh else (lambda k: k)
    counts = ("，" if tr.zh else ", ").join(f"{status_word(k)} {v}" for k, v in evidence.summary.counts.items() if v)
    summary = tr.label("summary", "summary: ") + (counts or tr.label("no_results", "no results"))
    if extra:
        summary += f"；{tr.totals(extra)}" if tr.zh else f"; {_short(extra, 200)}"
    console.print(Text(summary))


def _notes(extra: dict[str, Any], tr: Any) -> list[str]:
    """The summary's notes; in Chinese, the single-sequence and set-decision notes are rebuilt from their figures."""
    notes = [str(n) for n in extra.pop("notes", None) or []]
    single = extra.get("single_sequence")
    verdict = extra.get("rng")
    if tr.zh and isinstance(verdict, dict) and "perfect_source_fails" in verdict:
        zh_set = tr.label("note.set_decision", "", sequences=verdict["sequences"], items=verdict["items"], chance=f"{float(verdict['perfect_source_fails']):.3f}", failed=verdict["items_failed"])
        notes = [zh_set if n.startswith("set of ") else n for n in notes]
    if not (tr.zh and isinstance(single, dict)):
        return notes
    chance = float(single["perfect_source_fails_any_item"])
    zh = tr.label("note.single_sequence", "", items=single["items"], alpha=single["alpha"], chance=f"{chance:.3f}", once=round(1 / chance) if chance else "∞")
    return [zh] + [n for n in notes if not n.startswith("one sequence:")]

