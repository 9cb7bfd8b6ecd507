"""Human-readable report drawn with rich from the evidence model (nothing is recomputed here)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mptool.core.model import CheckResult, Evidence, Status

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


def _status_text(status: Status) -> Text:
    return Text(status.value.upper(), style=STATUS_STYLE[status])


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"  # display only: the JSON evidence keeps the full value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _measurement_summary(result: CheckResult) -> str:
    items = [(k, v) for k, v in result.measurements.items() if not isinstance(v, (dict, list))]
    return _short(", ".join(f"{k}={_short(v, 24)}" for k, v in items[:4]), 100)


def _per_result_table(results: list[CheckResult]) -> Table:
    table = Table(title="Results", show_lines=False, expand=False)
    for column in ("Check", "Subject", "Status", "Measured"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(escape(r.check), escape(_short(r.subject, 50)), _status_text(r.status), escape(_measurement_summary(r)))
    return table


def _per_check_table(results: list[CheckResult]) -> Table:
    table = Table(title=f"Results ({len(results)}, grouped by check)")
    table.add_column("Check", overflow="fold")
    for status in Status:
        table.add_column(status.value, justify="right")
    grouped: dict[str, Counter[Status]] = defaultdict(Counter)
    for r in results:
        grouped[r.check][r.status] += 1
    for check_id, counts in grouped.items():
        table.add_row(escape(check_id), *(str(counts.get(s, "")) for s in Status))
    return table


def _detail(result: CheckResult, also: list[str] | None = None) -> Panel:
    lines: list[Any] = [Text.assemble(("reference: ", "bold"), result.reference)]
    for finding in result.findings:
        line = Text.assemble((f"[{finding.severity.value}] ", "bold"), (finding.code, "cyan"), " ", finding.message)
        lines.append(line)
        if finding.location:
            lines.append(Text(f"    at {_short(finding.location, 100)}", style="dim"))
        for key, value in list(finding.data.items())[:6]:
            lines.append(Text(f"    {key}: {_short(value, 100)}", style="dim"))
    if also:
        shown = ", ".join(_short(a, 100) for a in also[:5]) + (f" and {len(also) - 5} more" if len(also) > 5 else "")
        lines.append(Text(f"same findings also for {len(also)} more: {shown}", style="dim"))
    title = Text.assemble(_status_text(result.status), " ", result.check, " — ", result.title)
    return Panel(Group(*lines), title=title, title_align="left", subtitle=escape(_short(result.subject, 80)))


def _channel_table(rows: list[Any]) -> Table:
    """``summary.channels`` (one row per channel, written by the proto domain): fits 80 columns."""
    table = Table(title=f"Channels ({len(rows)})", show_lines=False, expand=False, pad_edge=False, padding=(0, 1))
    for column, width in (("Endpoints", 26), ("Protocol", 9), ("Algorithms", 22), ("Verdict", 13)):
        table.add_column(column, overflow="fold", max_width=width)
    for row in rows:
        if isinstance(row, dict):
            verdict = str(row.get("verdict"))
            style = {"gm_compliant": "green", "strong_not_gm": "yellow", "weak": "bold red"}.get(verdict, "cyan")
            table.add_row(*(escape(str(row.get(k, ""))) for k in ("endpoints", "protocol", "algorithms")), Text(verdict, style=style))
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


def render(evidence: Evidence, console: Console, display: list[tuple[str, str]] | None = None) -> None:
    """Print the summary table, then each failing, warning or erroring check in detail.

    ``display`` holds (label, value) lines the person asked to see that the evidence does not hold
    (a plaintext ``algo decrypt`` recovered); they are printed after the results table.
    """
    results = evidence.results
    header = Text.assemble(
        ("mptool ", "bold"), evidence.tool.version, "  ", (evidence.command, "bold"),
        "  status: ", _status_text(evidence.summary.status), f"  exit code {evidence.exit_code}",
    )
    console.print(header)
    channels = (evidence.summary.model_extra or {}).get("channels")
    if isinstance(channels, list) and channels:
        console.print(_channel_table(channels))
    shown = evidence.inputs if len(evidence.inputs) <= MAX_INPUTS else evidence.inputs[: MAX_INPUTS - 1]
    for record in shown:
        console.print(Text(f"input {record.name} ({record.size} bytes)\n  SHA-256 {record.sha256}\n  SM3     {record.sm3}", style="dim"), soft_wrap=True)
    if len(shown) < len(evidence.inputs):
        console.print(Text(f"… and {len(evidence.inputs) - len(shown)} more inputs; the JSON evidence lists every digest.", style="dim"))
    if results:
        console.print(_per_result_table(results) if len(results) <= MAX_ROWS else _per_check_table(results))
    else:
        console.print("no results")
    for label, value in display or ():
        console.print(Text.assemble((f"{label}: ", "bold"), value), soft_wrap=True)
    bad = _grouped([r for r in results if r.status in (Status.FAIL, Status.ERROR, Status.WARN, Status.SKIPPED)])
    for result, also in bad[:MAX_DETAILS]:
        console.print(_detail(result, also))
    if len(bad) > MAX_DETAILS:
        console.print(f"… and {len(bad) - MAX_DETAILS} more; the JSON evidence lists every result.")
    counts = ", ".join(f"{k} {v}" for k, v in evidence.summary.counts.items() if v)
    extra = {k: v for k, v in (evidence.summary.model_extra or {}).items() if k != "channels"}
    console.print(Text(f"summary: {counts or 'no results'}" + (f"; {_short(extra, 200)}" if extra else "")))
