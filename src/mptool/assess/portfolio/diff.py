"""``mptool assess diff OLD NEW``: the 复测 comparison of two cases (or two workspaces).

Per (object, indicator): D/A/K and object score before and after; per indicator the unit
score delta; problems (risk rows, keyed by indicator) fixed, new and unchanged, with their
risk-level changes; total and conclusion change. Both sides are scored afresh by
:func:`mptool.assess.api.score_case` (the numbers are those of ``assess score``). The same
comparison fills section 2.7 (前次测评情况) of ``assess report CASE --previous OLD``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from mptool.assess.api import ScoredAssessment, score_case
from mptool.core.errors import MptoolError
from mptool.core.progress import DISABLED, Progress


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _delta(old: Decimal | None, new: Decimal | None) -> str | None:
    if old is None or new is None:
        return None
    d = new - old
    return f"+{d}" if d > 0 else str(d)


def _factors(scored: ScoredAssessment, key: tuple[str, str]) -> dict[str, Any] | None:
    r = scored.resolved.get(key)
    if r is None:
        return None
    obj = scored.result.objects.get(key)
    return {"na": r.na, "D": r.D, "A": r.A, "K": r.K, "Ra": str(r.Ra), "Rk": str(r.Rk),
            "score": _s(obj.final if obj else None), "source": r.source or None}


def diff_scored(old: ScoredAssessment, new: ScoredAssessment) -> dict[str, Any]:
    """The comparison of two scored cases as plain data (``summary.diff``)."""
    keys = sorted(set(old.resolved) | set(new.resolved))
    judgements, unchanged = [], 0
    for key in keys:
        a, b = _factors(old, key), _factors(new, key)
        if a is not None and b is not None and {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}:
            unchanged += 1
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        judgements.append({"object": key[0], "indicator": key[1], "change": change, "old": a, "new": b,
                           "delta": _delta(Decimal(a["score"]) if a and a["score"] else None, Decimal(b["score"]) if b and b["score"] else None)})
    units = []
    for ind in sorted(set(old.result.units) | set(new.result.units)):
        ua, ub = old.result.units.get(ind), new.result.units.get(ind)
        sa, sb = (ua.score if ua else None), (ub.score if ub else None)
        ra, rb = (ua.result if ua else None), (ub.result if ub else None)
        if (sa, ra) != (sb, rb):
            units.append({"indicator": ind, "old": _s(sa), "new": _s(sb), "old_result": ra, "new_result": rb, "delta": _delta(sa, sb)})
    rows_a = {r.indicator: r for r in old.risks}
    rows_b = {r.indicator: r for r in new.risks}
    label = old.catalogue

    def name(ind: str) -> str:
        i = label.indicators.get(ind)
        return i.label_zh if i else label.general.get(ind, {}).get("name_zh", ind)

    def row(ind: str, r: Any) -> dict[str, Any]:
        return {"indicator": ind, "label": name(ind), "level": r.level, "high_risk": r.high_risk, "result": r.result}

    fixed = [row(i, rows_a[i]) for i in rows_a if i not in rows_b]
    new_rows = [row(i, rows_b[i]) for i in rows_b if i not in rows_a]
    kept = [row(i, rows_b[i]) for i in rows_b if i in rows_a]
    level_changes = [{"indicator": i, "label": name(i), "old": rows_a[i].level, "new": rows_b[i].level}
                     for i in rows_b if i in rows_a and rows_a[i].level != rows_b[i].level]
    ta, tb = old.result.total, new.result.total
    return {
        "old": {"system": old.case.data.system.name, "path": str(old.case.directory or old.case.path), "report_number": old.case.data.report.number,
                "report_date": old.case.data.report.date, "total": _s(ta), "conclusion": old.conclusion, "high_risks": old.high_risks},
        "new": {"system": new.case.data.system.name, "path": str(new.case.directory or new.case.path), "report_number": new.case.data.report.number,
                "report_date": new.case.data.report.date, "total": _s(tb), "conclusion": new.conclusion, "high_risks": new.high_risks},
        "total_delta": _delta(ta, tb),
        "conclusion_changed": old.conclusion != new.conclusion,
        "judgements": judgements,
        "unchanged_judgements": unchanged,
        "units": units,
        "problems": {"fixed": fixed, "new": new_rows, "unchanged": kept, "level_changes": level_changes},
    }


def diff_cases(old: str | Path, new: str | Path) -> dict[str, Any]:
    """Score two cases and compare them."""
    return diff_scored(score_case(old), score_case(new))


def diff_workspaces(old: str | Path, new: str | Path, progress: Progress = DISABLED) -> dict[str, Any]:
    """Compare two workspaces system by system (matched by their path in the workspace)."""
    from mptool.assess.portfolio.workspace import load_workspace

    wa, wb = load_workspace(old), load_workspace(new)
    a = {s.name: s for s in wa.systems}
    b = {s.name: s for s in wb.systems}
    common = sorted(set(a) & set(b))
    systems = []
    with progress.task("comparing systems", len(common)) as advance:
        for name in common:
            try:
                d = diff_cases(a[name].directory, b[name].directory)
            except MptoolError as exc:
                systems.append({"system": name, "error": str(exc)})
            else:
                systems.append({"system": name, **d})
            advance(1)
    ok = [s for s in systems if "error" not in s]
    return {
        "old": str(old), "new": str(new),
        "added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)),
        "improved": sum(1 for s in ok if s["total_delta"] is not None and Decimal(s["total_delta"]) > 0),
        "worsened": sum(1 for s in ok if s["total_delta"] is not None and Decimal(s["total_delta"]) < 0),
        "conclusion_changes": [{"system": s["system"], "old": s["old"]["conclusion"], "new": s["new"]["conclusion"]} for s in ok if s["conclusion_changed"]],
        "broken": [s["system"] for s in systems if "error" in s],
        "systems": systems,
    }


def _names(rows: list[dict[str, Any]]) -> str:
    return "、".join(f"{r['indicator']} {r['label']}" for r in rows)


def previous_paragraph(diff: dict[str, Any], lang: str = "zh") -> str:
    """The text of report section 2.7 (前次测评情况) from a comparison with the previous case."""
    o, n, p = diff["old"], diff["new"], diff["problems"]
    dash = "—"
    if lang != "zh":
        return (f"2.7 Previous assessment: report {o['report_number'] or dash} ({o['report_date'] or dash}), score {o['total'] or dash}, "
                f"conclusion {o['conclusion'] or dash}; now {n['total'] or dash} ({diff['total_delta'] or dash}), {n['conclusion'] or dash}. "
                f"Problems fixed {len(p['fixed'])}, still open {len(p['unchanged'])}, new {len(p['new'])}.")
    text = (f"2.7 前次测评情况：前次测评报告编号{o['report_number'] or dash}（{o['report_date'] or dash}），综合得分{o['total'] or dash}分，"
            f"评估结论{o['conclusion'] or dash}，未缓解高风险{o['high_risks']}项；本次综合得分{n['total'] or dash}分（变化{diff['total_delta'] or dash}），"
            f"评估结论{n['conclusion'] or dash}。前次发现问题{len(p['fixed']) + len(p['unchanged'])}项，已整改{len(p['fixed'])}项")
    text += f"（{_names(p['fixed'])}）" if p["fixed"] else ""
    text += f"，仍存在{len(p['unchanged'])}项" + (f"（{_names(p['unchanged'])}）" if p["unchanged"] else "")
    text += f"；本次新发现问题{len(p['new'])}项" + (f"（{_names(p['new'])}）" if p["new"] else "") + "。"
    if p["level_changes"]:
        text += "风险等级变化：" + "；".join(f"{c['indicator']} {c['label']} {c['old']}→{c['new']}" for c in p["level_changes"]) + "。"
    return text
