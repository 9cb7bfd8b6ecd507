"""``mptool assess summary WORKSPACE``: the annual summary of a portfolio (年度密评工作总结).

Built from the score records of ``assess score WORKSPACE`` (stale records are flagged, never
silently used as current): per system level, report number, score, conclusion, 高/中/低 risk
rows and 不适用 units; conclusion counts; the score distribution (a chart); the most frequent
problems (indicator × number of systems with a risk row on it); the open remediation items
(every risk row); the systems due for re-assessment (``plan.yaml`` ``reassess_months`` per
level after the report date, within ``due_within_days``; or an inherited object's evidence
past its validity). The mean score and the distribution count complete cases only (a
provisional total of a case still in 现场测评 is no result). Rendered through the report machinery (Word, HTML) or as JSON
(``summary.portfolio``).
"""

from __future__ import annotations

import calendar
import datetime as _dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mptool.assess.indicators import catalogue
from mptool.assess.portfolio.status import WorkspaceStatus, workspace_status
from mptool.assess.portfolio.workspace import Workspace, read_record
from mptool.core.progress import DISABLED, Progress

CONCLUSIONS = ("符合", "基本符合", "不符合")
BANDS = (("0–60", Decimal(0), Decimal(60)), ("60–70", Decimal(60), Decimal(70)), ("70–80", Decimal(70), Decimal(80)),
         ("80–90", Decimal(80), Decimal(90)), ("90–100", Decimal(90), Decimal(101)))
TOP_PROBLEMS = 10


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months (the day clamped to the month's last)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _band(total: Decimal) -> str:
    return next(name for name, low, high in BANDS if low <= total < high)


def _advice(indicator: str, lang: str) -> str:
    """mptool's default 改进建议 for the indicator (data/recommendations.yaml), '—' for an unknown id."""
    cat = catalogue()
    return cat.recommendation(indicator, lang) if indicator in cat.recommendations else "—"


def _label(indicator: str) -> str:
    cat = catalogue()
    ind = cat.indicators.get(indicator)
    if ind is not None:
        return ind.label_zh
    general = cat.general.get(indicator)
    return general["name_zh"] if general else indicator


def _due(ws: Workspace, record: dict[str, Any] | None, row: Any, today: _dt.date) -> list[dict[str, Any]]:
    out = []
    horizon = today + _dt.timedelta(days=ws.plan.due_within_days)
    report = (record or {}).get("report") or {}
    months = ws.plan.reassess_months.get(row.level) if row.level else None
    if months and report.get("date"):
        try:
            due = add_months(_dt.date.fromisoformat(str(report["date"])[:10]), months)
        except ValueError:
            due = None
        if due is not None and due <= horizon:
            out.append({"system": row.system, "name": row.name, "due": due.isoformat(),
                        "reason": f"level {row.level}: re-assessment {months} months after the report of {report['date']}"})
    for s in row.shared:
        if s["ref"] in row.expired:
            out.append({"system": row.system, "name": row.name, "due": s["valid_until"],
                        "reason": f"inherited {s['ref']} past its validity ({s['valid_basis']})"})
    return out


def build_summary(ws: Workspace, today: _dt.date, progress: Progress = DISABLED, status: WorkspaceStatus | None = None) -> dict[str, Any]:
    """``summary.portfolio``: the annual summary as plain data (Decimal values as strings)."""
    status = status or workspace_status(ws, today, progress)
    systems, totals, problems, remediation, due = [], [], {}, [], []
    conclusions = dict.fromkeys(CONCLUSIONS, 0)
    risks = {"高": 0, "中": 0, "低": 0}
    high_risks = 0
    for row in status.rows:
        record = read_record(ws.record_path(row.system)) if row.scored_at else None
        entry: dict[str, Any] = {"system": row.system, "name": row.name, "team": row.team, "level": row.level,
                                 "report_number": "", "score": None, "conclusion": None, "high": 0, "medium": 0, "low": 0,
                                 "not_applicable": None, "high_risks": 0, "scored": record is not None, "stale": list(row.stale) if record else [],
                                 "error": row.error}
        if record is not None:
            counts = record.get("risk_counts") or {}
            entry.update(report_number=(record.get("report") or {}).get("number", ""), score=record.get("total"),
                         conclusion=record.get("conclusion"), high=counts.get("高", 0), medium=counts.get("中", 0), low=counts.get("低", 0),
                         not_applicable=record.get("not_applicable"), high_risks=record.get("high_risks", 0))
            if entry["conclusion"] in conclusions:
                conclusions[entry["conclusion"]] += 1
            if entry["score"] is not None and record.get("complete"):  # a provisional total is no result
                totals.append(Decimal(entry["score"]))
            for level in risks:
                risks[level] += counts.get(level, 0)
            high_risks += entry["high_risks"]
            seen: set[str] = set()
            for r in record.get("risks") or []:
                if r["indicator"] not in seen:
                    seen.add(r["indicator"])
                    problems[r["indicator"]] = problems.get(r["indicator"], 0) + 1
                remediation.append({"system": row.system, "name": row.name, "indicator": r["indicator"], "label": _label(r["indicator"]),
                                    "level": r["level"], "result": r.get("result"), "objects": r.get("objects") or []})
        due += _due(ws, record, row, today)
        systems.append(entry)
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP) if totals else None
    distribution = {name: 0 for name, _, _ in BANDS}
    for total in totals:
        distribution[_band(total)] += 1
    frequent = sorted(problems.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PROBLEMS]
    return {
        "workspace": ws.name,
        "today": today.isoformat(),
        "systems": len(systems),
        "scored": sum(1 for s in systems if s["scored"]),
        "stale": [s["system"] for s in systems if s["stale"]],
        "not_scored": [s["system"] for s in systems if not s["scored"]],
        "conclusions": conclusions,
        "mean_score": None if mean is None else str(mean),
        "high_risks": high_risks,
        "risk_rows": risks,
        "score_distribution": distribution,
        "frequent_problems": [{"indicator": i, "label": _label(i), "systems": n} for i, n in frequent],
        "open_remediation": remediation,
        "due_reassessment": sorted(due, key=lambda d: (d["due"] or "", d["system"])),
        "per_system": systems,
    }


def summary_document(portfolio: dict[str, Any], lang: str = "zh", charts: bool = True) -> dict[str, Any]:
    """A report model (sections, tables, figures) of the summary for the docx/HTML renderers."""
    zh = lang == "zh"

    def t(a: str, b: str) -> str:
        return a if zh else b

    def P(text: str, warning: bool = False) -> dict[str, Any]:
        return {"type": "paragraph", "text": text, "warning": warning}

    def T(tid: str) -> dict[str, Any]:
        return {"type": "table", "table": tid}

    def table(tid: str, number: str, caption: str, columns: list[str], rows: list[list[str]]) -> dict[str, Any]:
        return {"id": tid, "number": number, "caption": caption, "columns": columns, "rows": rows, "footer": []}

    p = portfolio
    dash = "—"
    c = p["conclusions"]
    tables = {
        "systems": table("systems", "表1", t("各系统测评结果", "Results per system"),
                         [t("系统", "system"), t("班组", "team"), t("等级", "level"), t("报告编号", "report"), t("得分", "score"), t("结论", "conclusion"),
                          t("高", "high"), t("中", "medium"), t("低", "low"), t("不适用", "n/a"), t("备注", "note")],
                         [[s["name"] or s["system"], s["team"] or dash, str(s["level"] or dash), s["report_number"] or dash, s["score"] or dash,
                           s["conclusion"] or t("待确认", "pending"), str(s["high"]), str(s["medium"]), str(s["low"]),
                           dash if s["not_applicable"] is None else str(s["not_applicable"]),
                           s["error"] and t("无法读取", "broken") or ("；".join(s["stale"]) if s["stale"] else "")] for s in p["per_system"]]),
        "problems": table("problems", "表2", t("最常见问题", "Most frequent problems"), [t("指标", "indicator"), t("名称", "name"), t("系统数", "systems"), t("通常的改进建议", "usual remediation")],
                          [[x["indicator"], x["label"], str(x["systems"]), _advice(x["indicator"], lang)] for x in p["frequent_problems"]]),
        "remediation": table("remediation", "表3", t("待整改事项", "Open remediation items"), [t("系统", "system"), t("指标", "indicator"), t("名称", "name"), t("风险等级", "risk"), t("对象", "objects")],
                             [[x["name"] or x["system"], x["indicator"], x["label"], x["level"], "、".join(x["objects"]) or dash] for x in p["open_remediation"]]),
        "due": table("due", "表4", t("应开展复评的系统", "Systems due for re-assessment"), [t("系统", "system"), t("到期", "due"), t("原因", "reason")],
                     [[x["name"] or x["system"], x["due"] or dash, x["reason"]] for x in p["due_reassessment"]]),
    }
    figures = {}
    if charts:
        from mptool.assess.report.charts import distribution_chart

        figures["distribution"] = distribution_chart(p["score_distribution"], lang)
    overview = t(
        f"本年度共{p['systems']}个被测信息系统，已评分{p['scored']}个：符合{c['符合']}个，基本符合{c['基本符合']}个，不符合{c['不符合']}个；"
        f"平均得分{p['mean_score'] or dash}；未缓解高风险{p['high_risks']}项，风险项 高{p['risk_rows']['高']}/中{p['risk_rows']['中']}/低{p['risk_rows']['低']}。",
        f"{p['systems']} systems, {p['scored']} scored: compliant {c['符合']}, basically compliant {c['基本符合']}, non-compliant {c['不符合']}; "
        f"mean score {p['mean_score'] or dash}; {p['high_risks']} unmitigated high risks.")
    warnings = []
    if p["stale"]:
        warnings.append(P(t(f"以下系统的得分已过时（用例或共享对象在评分后有变更），须重新评分：{'、'.join(p['stale'])}",
                            f"Stale scores (case or shared object changed since scored): {', '.join(p['stale'])}"), True))
    if p["not_scored"]:
        warnings.append(P(t(f"未评分：{'、'.join(p['not_scored'])}", f"Not scored: {', '.join(p['not_scored'])}"), True))
    title = t("商用密码应用安全性评估年度工作总结", "Annual summary of the commercial cryptography assessments")
    sections = [
        {"id": "cover", "title": title, "level": 0, "blocks": [P(f"{p['workspace']}　{p['today']}")]},
        {"id": "overview", "title": t("1 总体情况", "1 Overview"), "level": 1, "blocks": [P(overview), *warnings, T("systems"), {"type": "figure", "figure": "distribution"}]},
        {"id": "problems", "title": t("2 主要问题", "2 Main problems"), "level": 1, "blocks": [T("problems")]},
        {"id": "remediation", "title": t("3 整改跟踪", "3 Remediation"), "level": 1, "blocks": [T("remediation")]},
        {"id": "due", "title": t("4 复评计划", "4 Re-assessment"), "level": 1, "blocks": [T("due")]},
    ]
    return {"schema": "mptool.portfolio-summary/1", "template": title, "lang": lang, "system": {"name": p["workspace"]},
            "sections": sections, "tables": tables, "figures": figures, "portfolio": p}
