"""Versioned rule sets (``quant-2023``, ``quant-2021``) as data, and the Decimal scoring engine."""

from mptool.assess.rules.engine import Score, UnitScore, score
from mptool.assess.rules.ruleset import RULE_SETS, RuleSet, rule_set

__all__ = ["RULE_SETS", "RuleSet", "Score", "UnitScore", "rule_set", "score"]
