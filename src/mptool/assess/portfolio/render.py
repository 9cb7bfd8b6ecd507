"""Text forms of the portfolio commands (rich tables rendered to plain text, CJK-width aware)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from mptool.assess.portfolio.batch import Outcome
from mptool.assess.portfolio.status import WorkspaceStatus

BAR_WIDTH = 30


def _console() -> Any:
    from rich.console import Console

    return Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False, soft_wrap=False, markup=False, highlight=False)


def _text(console: Any) -> str:
    return console.file.getvalue()


def bar(percent: Decimal, width: int = BAR_WIDTH) -> str:
    """A text progress bar: ``[██████░░░░] 62.50 %``."""
    filled = int(min(Decimal(100), max(Decimal(0), percent)) * width / 100)
    return "[" + "█" * filled + "░" * (width - filled) + f"] {percent} %"


def render_status(status: WorkspaceStatus) -> str:
    """The status table, totals, the progress bar and the milestones."""
    from rich.table import Table

    console = _console()
    table = Table(title=f"{status.workspace} — {status.today}", show_lines=False)
    for column in ("系统 system", "班组 team", "等级", "阶段 phase", "判定 judged", "得分 score", "结论", "状态 flags"):
        table.add_column(column)
    for r in status.rows:
        if r.error:
            table.add_row(r.system, r.team or "—", "—", "—", "—", "—", "—", f"ERROR {r.error}")
            continue
        flags = list(r.stale) + [f"expired {x}" for x in r.expired]
        phase = (r.phase or "—") + (" (plan)" if r.phase_source == "plan" else "") + (" ✓报告" if r.issued else "")
        score = "—" if r.score is None else r.score if r.complete else f"{r.score} (暂)"
        table.add_row(f"{r.system}\n{r.name}", r.team or "—", str(r.level), phase, f"{r.judged}/{r.total}", score,
                      r.conclusion or "—", "; ".join(flags) or "current")
    console.print(table)
    t = status.totals()
    console.print("phases: " + ", ".join(f"{k} {v}" for k, v in t["phases"].items()) + f"; reports issued {t['issued']}")
    console.print(f"judged {t['judged']}/{t['indicators']}; scored {t['scored']}, stale {t['stale']}, not scored {t['not_scored']}, broken {t['broken']}")
    console.print("work done " + bar(status.done_percent) + ("; (暂) = provisional score, not every indicator judged" if any(r.score and not r.complete for r in status.rows) else ""))
    for m in status.milestones:
        mark = {"met": "✓ met", "missed": "✗ MISSED", "upcoming": "· upcoming"}[m["state"]]
        console.print(f"milestone {m['date']} {m['percent']} %{(' ' + m['label']) if m['label'] else ''}: {mark}" + (f" (short by {m['short_by']})" if m["state"] == "missed" else ""))
    return _text(console)


def render_batch(outcomes: list[Outcome]) -> str:
    """One line per system of ``assess score WORKSPACE``."""
    from rich.table import Table

    console = _console()
    table = Table(title="assess score WORKSPACE")
    for column in ("系统 system", "得分 total", "结论 conclusion", "高/中/低", "共享 shared"):
        table.add_column(column)
    for o in outcomes:
        if o.record is None:
            table.add_row(o.system.name, "—", "SKIPPED", "—", o.error or "")
            continue
        c = o.record["risk_counts"]
        table.add_row(o.system.name, o.record["total"] or "—", o.record["conclusion"] or "待确认", f"{c['高']}/{c['中']}/{c['低']}",
                      ", ".join(s["ref"] for s in o.record["shared"]) or "—")
    console.print(table)
    broken = [o for o in outcomes if o.record is None]
    console.print(f"scored {len(outcomes) - len(broken)} of {len(outcomes)} systems" + (f"; skipped {len(broken)} (exit 4)" if broken else ""))
    return _text(console)


def _case_diff(console: Any, d: dict[str, Any]) -> None:
    o, n = d["old"], d["new"]
    console.print(f"{o['system']}: total {o['total'] or '—'} → {n['total'] or '—'} ({d['total_delta'] or '—'}), "
                  f"conclusion {o['conclusion'] or '—'} → {n['conclusion'] or '—'}" + (" (changed)" if d["conclusion_changed"] else ""))
    mark = lambda v: "—" if v is None else "√" if v else "×"  # noqa: E731
    for j in d["judgements"]:
        def f(x: dict[str, Any] | None) -> str:
            if x is None:
                return "—"
            return "不适用" if x["na"] else f"D{mark(x['D'])}A{mark(x['A'])}K{mark(x['K'])} {x['score']}"
        console.print(f"  {j['change']:8} {j['object']}/{j['indicator']}: {f(j['old'])} → {f(j['new'])}" + (f" ({j['delta']})" if j["delta"] else ""))
    console.print(f"  unchanged judgements: {d['unchanged_judgements']}")
    for u in d["units"]:
        console.print(f"  unit {u['indicator']}: {u['old'] or '—'} → {u['new'] or '—'}" + (f" ({u['delta']})" if u["delta"] else ""))
    p = d["problems"]
    for label, rows in (("fixed", p["fixed"]), ("new", p["new"]), ("unchanged", p["unchanged"])):
        console.print(f"  problems {label} ({len(rows)}): " + (", ".join(f"{r['indicator']} [{r['level']}]" for r in rows) or "—"))
    for c in p["level_changes"]:
        console.print(f"  risk level {c['indicator']}: {c['old']} → {c['new']}")


def render_diff(d: dict[str, Any]) -> str:
    """The 复测 comparison of two cases or two workspaces."""
    console = _console()
    if "systems" in d:
        console.print(f"{d['old']} → {d['new']}: improved {d['improved']}, worsened {d['worsened']}, added {len(d['added'])}, removed {len(d['removed'])}")
        for c in d["conclusion_changes"]:
            console.print(f"conclusion {c['system']}: {c['old']} → {c['new']}")
        for s in d["systems"]:
            console.print(f"[{s['system']}]", markup=False)
            if "error" in s:
                console.print(f"  ERROR {s['error']}", markup=False)
            else:
                _case_diff(console, s)
    else:
        _case_diff(console, d)
    return _text(console)
