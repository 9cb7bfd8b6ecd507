"""Risk analysis: one row per 部分符合/不符合 indicator, the high-risk veto, the overall wording."""

from mptool.assess.risk.analysis import RiskRow, analyse_risks, overall_wording

__all__ = ["RiskRow", "analyse_risks", "overall_wording"]
