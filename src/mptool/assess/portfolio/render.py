"""Text forms of the portfolio commands (rich tables rendered to plain text, CJK-width aware)."""

from __future__ import annotations

import io
from decimal import Decimal
from collections.abc import Callable
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


def _tr(lang: str) -> Callable[[str, str], str]:
    """``t(zh, en)``: the text in the report language (Chinese unless ``lang`` is en)."""
    return (lambda zh, en: en) if lang == "en" else (lambda zh, en: zh)


def render_status(status: WorkspaceStatus, lang: str = "zh") -> str:
    """The status table, totals, the progress bar and the milestones."""
    from rich.table import Table

    t = _tr(lang)
    console = _console()
    table = Table(title=f"{status.workspace} — {status.today}", show_lines=False)
    for zh, en in (("系统", "system"), ("班组", "team"), ("等级", "level"), ("阶段", "phase"), ("判定", "judged"), ("得分", "score"), ("结论", "conclusion"), ("状态", "flags")):
        table.add_column(t(zh, en))
    for r in status.rows:
        if r.error:
            table.add_row(r.system, r.team or "—", "—", "—", "—", "—", "—", t("无法读取：", "ERROR ") + r.error)
            continue
        flags = list(r.stale) + [t(f"已过期 {x}", f"expired {x}") for x in r.expired]
        phase = (r.phase or "—") + (t("（计划）", " (plan)") if r.phase_source == "plan" else "") + (t(" ✓报告", " ✓report") if r.issued else "")
        score = "—" if r.score is None else r.score if r.complete else f"{r.score} " + t("(暂)", "(prov.)")
        table.add_row(f"{r.system}\n{r.name}", r.team or "—", str(r.level), phase, f"{r.judged}/{r.total}", score,
                      r.conclusion or "—", "; ".join(flags) or t("最新", "current"))
    console.print(table)
    n = status.totals()
    phases = ", ".join(f"{k} {v}" for k, v in n["phases"].items())
    console.print(t(f"阶段：{phases}；已出具报告 {n['issued']}", f"phases: {phases}; reports issued {n['issued']}"))
    console.print(t(f"已判定 {n['judged']}/{n['indicators']}；已评分 {n['scored']}，得分过时 {n['stale']}，未评分 {n['not_scored']}，无法读取 {n['broken']}",
                    f"judged {n['judged']}/{n['indicators']}; scored {n['scored']}, stale {n['stale']}, not scored {n['not_scored']}, broken {n['broken']}"))
    provisional = any(r.score and not r.complete for r in status.rows)
    console.print(t("完成进度 ", "work done ") + bar(status.done_percent)
                  + (t("；(暂) = 暂定得分，尚有指标未判定", "; (prov.) = provisional score, not every indicator judged") if provisional else ""))
    for m in status.milestones:
        mark = {"met": t("✓ 已达成", "✓ met"), "missed": t("✗ 未达成", "✗ MISSED"), "upcoming": t("· 未到期", "· upcoming")}[m["state"]]
        label = (" " + m["label"]) if m["label"] else ""
        short = t(f"（差 {m['short_by']}）", f" (short by {m['short_by']})") if m["state"] == "missed" else ""
        console.print(t(f"里程碑 {m['date']} {m['percent']} %{label}：{mark}", f"milestone {m['date']} {m['percent']} %{label}: {mark}") + short)
    return _text(console)


def render_batch(outcomes: list[Outcome], lang: str = "zh") -> str:
    """One line per system of ``assess score WORKSPACE``."""
    from rich.table import Table

    t = _tr(lang)
    console = _console()
    table = Table(title=t("工作区评分", "assess score WORKSPACE"))
    for zh, en in (("系统", "system"), ("综合得分", "total"), ("评估结论", "conclusion"), ("高/中/低风险", "high/medium/low"), ("共享对象", "shared")):
        table.add_column(t(zh, en))
    for o in outcomes:
        if o.record is None:
            table.add_row(o.system.name, "—", t("已跳过", "SKIPPED"), "—", o.error or "")
            continue
        c = o.record["risk_counts"]
        table.add_row(o.system.name, o.record["total"] or "—", o.record["conclusion"] or "待确认", f"{c['高']}/{c['中']}/{c['低']}",
                      ", ".join(s["ref"] for s in o.record["shared"]) or "—")
    console.print(table)
    broken = [o for o in outcomes if o.record is None]
    scored = len(outcomes) - len(broken)
    console.print(t(f"已评分 {scored}/{len(outcomes)} 个系统", f"scored {scored} of {len(outcomes)} systems")
                  + (t(f"；跳过 {len(broken)} 个（退出码 4）", f"; skipped {len(broken)} (exit 4)") if broken else ""))
    return _text(console)


#: the problems of a 复测 comparison, and the change of one judgement
_CHANGES = {"fixed": ("已整改", "fixed"), "new": ("新增", "new"), "unchanged": ("未变", "unchanged")}
_JUDGEMENT_CHANGES = {"added": ("新增", "added"), "removed": ("删除", "removed"), "changed": ("变化", "changed")}


def _case_diff(console: Any, d: dict[str, Any], t: Callable[[str, str], str]) -> None:
    o, n = d["old"], d["new"]
    changed = t("（有变化）", " (changed)") if d["conclusion_changed"] else ""
    console.print(t(f"{o['system']}：综合得分 {o['total'] or '—'} → {n['total'] or '—'}（{d['total_delta'] or '—'}），评估结论 {o['conclusion'] or '—'} → {n['conclusion'] or '—'}{changed}",
                    f"{o['system']}: total {o['total'] or '—'} → {n['total'] or '—'} ({d['total_delta'] or '—'}), conclusion {o['conclusion'] or '—'} → {n['conclusion'] or '—'}{changed}"))
    mark = lambda v: "—" if v is None else "√" if v else "×"  # noqa: E731
    for j in d["judgements"]:
        def f(x: dict[str, Any] | None) -> str:
            if x is None:
                return "—"
            return "不适用" if x["na"] else f"D{mark(x['D'])}A{mark(x['A'])}K{mark(x['K'])} {x['score']}"
        from rich.cells import cell_len

        change = t(*_JUDGEMENT_CHANGES[j["change"]]) if j["change"] in _JUDGEMENT_CHANGES else j["change"]
        console.print(f"  {change}{' ' * max(1, 9 - cell_len(change))}{j['object']}/{j['indicator']}: {f(j['old'])} → {f(j['new'])}" + (f" ({j['delta']})" if j["delta"] else ""))
    console.print(t(f"  未变化的判定：{d['unchanged_judgements']}", f"  unchanged judgements: {d['unchanged_judgements']}"))
    for u in d["units"]:
        console.print(t("  测评单元 ", "  unit ") + f"{u['indicator']}: {u['old'] or '—'} → {u['new'] or '—'}" + (f" ({u['delta']})" if u["delta"] else ""))
    p = d["problems"]
    for key in ("fixed", "new", "unchanged"):
        rows = p[key]
        listed = ", ".join(f"{r['indicator']} [{r['level']}]" for r in rows) or "—"
        zh, en = _CHANGES[key]
        console.print(t(f"  问题{zh}（{len(rows)}）：{listed}", f"  problems {en} ({len(rows)}): {listed}"))
    for c in p["level_changes"]:
        console.print(t("  风险等级 ", "  risk level ") + f"{c['indicator']}: {c['old']} → {c['new']}")


def render_diff(d: dict[str, Any], lang: str = "zh") -> str:
    """The 复测 comparison of two cases or two workspaces."""
    t = _tr(lang)
    console = _console()
    if "systems" in d:
        added, removed = len(d["added"]), len(d["removed"])
        console.print(t(f"{d['old']} → {d['new']}：改善 {d['improved']}，变差 {d['worsened']}，新增 {added}，移除 {removed}",
                        f"{d['old']} → {d['new']}: improved {d['improved']}, worsened {d['worsened']}, added {added}, removed {removed}"))
        for c in d["conclusion_changes"]:
            console.print(t("评估结论 ", "conclusion ") + f"{c['system']}: {c['old']} → {c['new']}")
        for s in d["systems"]:
            console.print(f"[{s['system']}]", markup=False)
            if "error" in s:
                console.print(t("  无法评分：", "  ERROR ") + s["error"], markup=False)
            else:
                _case_diff(console, s, t)
    else:
        _case_diff(console, d, t)
    return _text(console)
