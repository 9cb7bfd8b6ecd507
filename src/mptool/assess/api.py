"""The public API of ``mptool.assess``: the only module other domains (e.g. ``report``) import.

:func:`score_case` loads and validates an assessment and returns a :class:`ScoredAssessment`
— the scored model with objects, units, layers, total, conclusion and risk rows — whose
:meth:`~ScoredAssessment.summary` is the ``summary.assessment`` of ``mptool assess score``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from mptool.assess.indicators import LAYERS, Catalogue, catalogue
from mptool.assess.model.loader import Case, Resolved, load_case
from mptool.assess.risk.analysis import RiskRow, analyse_risks, overall_wording
from mptool.assess.rules.engine import ObjectInput, Score, conclusion, score
from mptool.assess.rules.ruleset import RuleSet, rule_set

__all__ = ["Case", "ObjectInput", "RiskRow", "Score", "ScoredAssessment", "catalogue", "load_case", "rule_set", "score", "score_case"]


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class ScoredAssessment:
    """A loaded case with its score, conclusion and risk rows."""

    case: Case
    rules: RuleSet
    all_na_group: str
    result: Score
    risks: list[RiskRow]
    conclusion: str | None
    high_risks: int
    catalogue: Catalogue = field(repr=False, default_factory=catalogue)

    @property
    def resolved(self) -> dict[tuple[str, str], Resolved]:
        """The judgements by (object, indicator)."""
        return {(r.object, r.indicator): r for r in self.case.resolved}

    def parameters(self) -> dict[str, Any]:
        """The resolved parameters recorded in the evidence."""
        return {
            "rule_set": self.rules.id,
            "level": self.case.data.system.level,
            "all_na_group": self.all_na_group,
            "threshold": str(self.rules.threshold),
            "threshold_source": self.rules.source("conclusion", "threshold"),
        }

    def summary(self) -> dict[str, Any]:
        """``summary.assessment``: Decimal values as strings, keys in English."""
        r = self.result
        return {
            "system": self.case.data.system.name,
            "level": self.case.data.system.level,
            "rule_set": self.rules.id,
            "total": _fmt(r.total),
            "total_reason": r.total_reason or None,
            "conclusion": self.conclusion,
            "threshold": str(self.rules.threshold),
            "layers": {layer: _fmt(r.layers.get(layer)) for layer in LAYERS},
            "units": {ind: _fmt(u.score) for ind, u in r.units.items()},
            "high_risks": self.high_risks,
            "overall_risk": overall_wording(self.risks),
            "risk_rows": len(self.risks),
            "lost_points": r.lost_points,
            "complete": not r.not_judged,
            "not_judged": list(r.not_judged),
        }


def score_case(target: str | Path, *, rule_set_id: str | None = None, all_na_group: str | None = None) -> ScoredAssessment:
    """Load, validate and score an assessment file or case directory."""
    case = load_case(target)
    cat = catalogue()
    rules = rule_set(rule_set_id or case.data.scoring.rule_set)
    na_group = all_na_group or case.data.scoring.all_na_group
    technical = [ObjectInput(r.object, r.indicator, r.na, r.D, r.A, r.K, r.Ra, r.Rk) for r in case.resolved]
    management = {m.indicator: m.result for m in case.data.management}
    compensations = [(c.object, c.indicator, c.by[0], c.by[1]) for c in case.data.compensations]
    result = score(rules, case.data.system.level, technical, management, compensations, all_na_group=na_group, cat=cat)
    risks = analyse_risks(case.data, result, cat)
    unmitigated = sum(1 for row in risks if row.high_risk)
    verdict = conclusion(rules, result.total, unmitigated) if not result.not_judged else None
    if result.not_judged:
        note = f"{len(result.not_judged)} applicable indicators not judged: provisional total, no conclusion"
        result.total_reason = "; ".join(x for x in (result.total_reason, note) if x)
    return ScoredAssessment(case, rules, na_group, result, risks, verdict, unmitigated, cat)
