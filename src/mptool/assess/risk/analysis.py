"""Risk rows after 信息系统密码应用高风险判定指引 (2021-12) and the 2023 report template chapter 6.

Level 高 comes only from a confirmed high risk that is not mitigated (the guide's veto: such a
risk forces the conclusion 不符合). A mitigated one takes the evaluator's level (default 中) — only
for entries whose mitigation_effect is ``may_lower``. Otherwise the evaluator's ``risks:`` level,
else the indicator's default from the catalogue. Threat codes are those of 表2-12.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mptool.assess.indicators import Catalogue
from mptool.assess.model.file import AssessmentFile
from mptool.assess.rules.engine import Score

LEVEL_RANK = {"低": 0, "中": 1, "高": 2}


@dataclass
class RiskRow:
    """One row of the risk table (表6-1)."""

    indicator: str
    layer: str
    result: str | None  #: the unit result (None for a general requirement)
    level: str
    high_risk: bool  #: a confirmed, unmitigated high risk (counts for the veto)
    entries: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    mitigated: bool = False
    threats: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  #: (finding code, message)
    basis: str = "default"  #: high_risk | mitigated | evaluator | default


def analyse_risks(data: AssessmentFile, result: Score, cat: Catalogue) -> list[RiskRow]:
    """Risk rows in catalogue order (general requirements first)."""
    level = data.system.level
    overrides = {r.indicator: r for r in data.risks}
    by_indicator: dict[str, list[int]] = {}
    for index, h in enumerate(data.high_risks):
        by_indicator.setdefault(h.indicator, []).append(index)
    rows: list[RiskRow] = []
    order = list(cat.general) + [i.id for i in cat.at_level(level)]
    for indicator_id in order:
        unit = result.units.get(indicator_id)
        unit_result = unit.result if unit is not None else None
        confirmed = by_indicator.get(indicator_id, [])
        if unit_result not in ("部分符合", "不符合") and not confirmed:
            continue
        ind = cat.indicators.get(indicator_id)
        row = RiskRow(
            indicator=indicator_id,
            layer=ind.layer if ind is not None else "general",
            result=unit_result,
            level=ind.default_risk if ind is not None else "中",
            high_risk=False,
            threats=list(ind.threats) if ind is not None else ["TK7"],
        )
        if indicator_id in overrides:
            if overrides[indicator_id].level is not None:
                row.level, row.basis = overrides[indicator_id].level, "evaluator"
            if overrides[indicator_id].reason:
                row.reasons.append(overrides[indicator_id].reason)
        levels_after_mitigation: list[str] = []
        for index in confirmed:
            h = data.high_risks[index]
            entries = [cat.high_risks[h.id]] if h.id else cat.high_risks_for(indicator_id, level)
            if h.id and level not in entries[0].levels:
                row.notes.append(("assess.risk.not_in_guide", f"{h.id} applies at levels {list(entries[0].levels)}, not {level}"))
            if not entries:
                row.notes.append(("assess.risk.not_in_guide", f"no high-risk entry of the guide covers {indicator_id} at level {level}: the evaluator's finding is kept"))
            row.entries += [e.id for e in entries if e.id not in row.entries]
            if h.object and h.object not in row.objects:
                row.objects.append(h.object)
            if h.reason:
                row.reasons.append(h.reason)
            if h.mitigated:
                if entries and all(e.mitigation_effect == "none" for e in entries):
                    row.notes.append(("assess.risk.mitigation_not_allowed", f"{', '.join(e.id for e in entries)}: the guide accepts no mitigation; the high risk stands"))
                    row.high_risk = True
                else:
                    levels_after_mitigation.append(h.level or "中")
                    row.mitigated = True
            else:
                row.high_risk = True
        if row.high_risk:
            row.level, row.basis = "高", "high_risk"
        elif levels_after_mitigation:
            row.level, row.basis = max(levels_after_mitigation, key=LEVEL_RANK.__getitem__), "mitigated"
        rows.append(row)
    return rows


def overall_wording(rows: list[RiskRow]) -> str:
    """The report's overall risk wording: the highest row level, or 未发现安全风险."""
    if not rows:
        return "未发现安全风险"
    return max((r.level for r in rows), key=LEVEL_RANK.__getitem__)
