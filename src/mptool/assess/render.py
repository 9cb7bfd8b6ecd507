"""Text report of ``assess score`` (--lang zh|en): score, conclusion and risk rows first."""

from __future__ import annotations

from mptool.assess.api import ScoredAssessment
from mptool.assess.indicators import LAYERS
from mptool.assess.risk.analysis import overall_wording

LABELS = {
    "zh": {
        "title": "密评量化评估", "level": "第{n}级", "rules": "评估规则", "total": "综合得分", "conclusion": "评估结论",
        "none": "无（{why}）", "high": "高风险项", "overall": "整体风险", "risks": "风险分析",
        "cols_risk": ("序号", "安全层面", "测评指标", "结果", "风险等级", "关联威胁", "说明"),
        "layers": "安全层面得分", "units": "测评单元得分", "lost": "失分排序（达到满分可提升的分值）",
        "not_judged": "尚未判定的指标", "no_risk": "未发现安全风险", "points": "分",
    },
    "en": {
        "title": "Cryptography assessment score", "level": "level {n}", "rules": "rule set", "total": "total", "conclusion": "conclusion",
        "none": "none ({why})", "high": "high risks", "overall": "overall risk", "risks": "Risk rows",
        "cols_risk": ("#", "layer", "indicator", "result", "level", "threats", "note"),
        "layers": "Layer scores", "units": "Unit scores", "lost": "Points to gain (if the unit scored 1)",
        "not_judged": "Indicators not judged yet", "no_risk": "no security risk found", "points": "points",
    },
}
CONCLUSION_EN = {"符合": "compliant (符合)", "基本符合": "basically compliant (基本符合)", "不符合": "non-compliant (不符合)"}


GROUPS_ZH = {"technical": "技术层面", "management": "管理层面"}


def total_reason_zh(scored: ScoredAssessment) -> str:
    """Why the total is missing (or a group counts 0), in Chinese: the groups the engine left without
    a score, and what ``all_na_group`` makes of them (the engine's ``total_reason`` in English)."""
    empty = [GROUPS_ZH.get(group, group) for group, value in scored.result.groups.items() if value is None]
    if scored.all_na_group == "zero":
        return "；".join(f"{group}无可计分的层面：该部分计0分（all_na_group: zero）" for group in empty)
    return "；".join(f"{group}无可计分的层面（全部不适用或未判定）：量化评估规则不给出总分（all_na_group: null）" for group in empty)


def layer_value(scored: ScoredAssessment, layer: str, lang: str) -> str:
    """A layer's score; without one, 未判定 when a unit of the layer is not judged, else 不适用."""
    value = scored.result.layers.get(layer)
    if value is not None:
        return str(value)
    pending = any(u.result is None for i, u in scored.result.units.items() if scored.catalogue.indicators[i].layer == layer)
    if pending:
        return "未判定" if lang == "zh" else "not judged"
    return "不适用" if lang == "zh" else "n/a"


def render_text(scored: ScoredAssessment, lang: str = "zh") -> str:
    """The plain-text report."""
    t = LABELS[lang]
    cat = scored.catalogue
    data = scored.case.data
    r = scored.result
    name = lambda layer: cat.layers[layer]["name_zh"] if lang == "zh" else cat.layers[layer]["name_en"]  # noqa: E731
    out = [f"{t['title']} — {data.system.name}（{t['level'].format(n=data.system.level)}） {t['rules']} {scored.rules.id}"]
    total = str(r.total) if r.total is not None else t["none"].format(why=total_reason_zh(scored) if lang == "zh" else r.total_reason)
    if r.total is not None and r.not_judged:  # the rules leave what is not judged out: a total over part of the system
        total += f"（暂定：{len(r.not_judged)}项指标未判定）" if lang == "zh" else f" (provisional: {len(r.not_judged)} indicator(s) not judged)"
    conclusion = scored.conclusion or "—"
    if lang == "en" and scored.conclusion:
        conclusion = CONCLUSION_EN[scored.conclusion]
    overall = overall_wording(scored.risks)
    if overall == "未发现安全风险" and lang == "en":
        overall = t["no_risk"]
    out.append(f"{t['total']}: {total}    {t['conclusion']}: {conclusion}    {t['high']}: {scored.high_risks}    {t['overall']}: {overall}")
    out.append("")
    out.append(f"{t['risks']}:")
    if scored.risks:
        out.append("  " + " | ".join(t["cols_risk"]))
        for n, row in enumerate(scored.risks, 1):
            ind = cat.indicators.get(row.indicator)
            label = ind.label_zh if ind is not None else cat.general[row.indicator]["name_zh"]
            layer = name(row.layer) if row.layer in cat.layers else row.layer
            note = "; ".join(row.entries + row.reasons)
            out.append(f"  {n} | {layer} | {row.indicator} {label} | {row.result or '—'} | {row.level} | {','.join(row.threats)} | {note}")
    else:
        out.append(f"  {t['no_risk']}")
    out.append("")
    out.append(f"{t['layers']}:")
    for layer in LAYERS:
        out.append(f"  {name(layer)}: {layer_value(scored, layer, lang)}")
    out.append("")
    out.append(f"{t['units']}:")
    level = data.system.level
    for ind_id, unit in r.units.items():
        ind = cat.indicators[ind_id]
        score = unit.score if unit.score is not None else "—"
        out.append(f"  {ind_id:<13} {ind.label_zh} [{ind.strength[level]}] w={unit.weight}: {score} {unit.result or ('未判定' if lang == 'zh' else 'not judged')}")
    if r.lost_points:
        out.append("")
        out.append(f"{t['lost']}:")
        for item in r.lost_points[:10]:
            out.append(f"  {item['indicator']:<13} +{item['points']} {t['points']} ({item['unit']})")
    if r.not_judged:
        out.append("")
        out.append(f"{t['not_judged']}: {', '.join(r.not_judged)}")
    return "\n".join(out) + "\n"
