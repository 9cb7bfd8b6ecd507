"""The check table of ``mptool assess``: every check the domain emits, with its finding codes.

Each entry cites the public clause it implements. No finding code is built at run time: the
code constants below are the only ones results may carry (tests check this).
"""

from __future__ import annotations

from mptool.core.registry import CheckSpec, register

REF_RULES = "商用密码应用安全性评估量化评估规则（2023版）"
REF_39786 = "GB/T 39786-2021"
REF_GUIDE = "信息系统密码应用高风险判定指引（2021-12）"

JUDGEMENT: CheckSpec = register(
    "assess.judgement",
    "Object score S(i,j,k) of one (object, indicator)",
    f"{REF_RULES} table 1 (D/A/K), table 2 (Ra), table 3 (Rk), compensation B'=max(0.5·P_A,P_B); {REF_39786} §6-9",
    """Score one technical test object for one indicator from the evaluator's (or a confirmed
    proposal's) D 密码使用有效性, A 密码算法/技术合规性 and K 密钥管理安全: D no → 0; all yes → 1;
    A no → 0.5·Ra; K no → 0.5·Rk; both → 0.25·Ra·Rk (quant-2021: Ra = Rk = 1), rounded to 4
    decimals half-up. Pass at 1, warn between, fail at 0, na for 不适用.""",
    findings={
        "assess.judgement.partial": "the object scores between 0 and 1 (A or K not met)",
        "assess.judgement.zero": "D is no: cryptography not used or not effective, the object scores 0",
        "assess.judgement.not_applicable": "the evaluator judged the object 不适用 (reason recorded)",
        "assess.judgement.compensated": "another object's measure raised the score: B' = max(0.5·P_A, P_B)",
        "assess.judgement.compensation_ignored": "a compensation was not applied (rule set without it, or a 不适用 side)",
        "assess.judgement.proposal_overridden": "the evaluator's factors differ from the evidence proposal",
        "assess.judgement.override_without_reason": "a proposal was overridden without why:",
    },
)

UNIT: CheckSpec = register(
    "assess.unit",
    "Unit score S(i,j) of one indicator",
    f"{REF_RULES} (unit = mean of applicable objects; management 符合 1 / 部分符合 0.5 / 不符合 0); {REF_39786} §6-9",
    """Score one indicator (测评单元) at the system's level: the mean of its applicable objects
    (technical) or the evaluator's result (management), rounded to 4 decimals; its result
    符合 / 部分符合 / 不符合 / 不适用 and the table-4 weight at the level.""",
    findings={
        "assess.unit.partial": "the unit is 部分符合",
        "assess.unit.noncompliant": "the unit is 不符合",
        "assess.unit.not_judged": "an applicable indicator has no judgement yet: it is left out of the score",
    },
)

LAYER: CheckSpec = register(
    "assess.layer",
    "Layer score S(i)",
    f"{REF_RULES} (layer = Σ w·S / Σ w over applicable units, table-4 weights); {REF_39786} §6-9",
    """Score one of the eight layers (物理和环境, 网络和通信, 设备和计算, 应用和数据, 管理制度, 人员管理,
    建设运行, 应急处置) from its applicable units, rounded to 4 decimals; na when every unit is
    不适用 (or not judged).""",
    findings={"assess.layer.not_applicable": "no applicable, judged unit in the layer: left out of its group"},
)

RISK: CheckSpec = register(
    "assess.risk",
    "Risk row of a 部分符合/不符合 indicator",
    f"{REF_GUIDE}; 商用密码应用安全性评估报告模板（2023版）第6章 表6-1",
    """One risk row per 部分符合/不符合 indicator (and per confirmed high risk): level 高 from a
    confirmed high risk of the guide that is not mitigated (it vetoes the conclusion), a lowered
    level for an accepted mitigation, else the evaluator's or the catalogue's default level;
    the related threat codes of 表2-12.""",
    findings={
        "assess.risk.high": "a confirmed, unmitigated high risk: the conclusion is 不符合 whatever the score",
        "assess.risk.medium": "risk level 中",
        "assess.risk.low": "risk level 低",
        "assess.risk.mitigated": "a confirmed high risk whose mitigation lowered its level (D/A/K unchanged)",
        "assess.risk.mitigation_not_allowed": "mitigated: true, but the guide accepts no mitigation for the entry: the high risk stands",
        "assess.risk.not_in_guide": "no entry of the guide covers the indicator at this level: the evaluator's high risk is kept",
    },
)

TOTAL: CheckSpec = register(
    "assess.total",
    "Total score and conclusion",
    f"{REF_RULES} (70·technical + 30·management, groups renormalised over applicable layers; 量化评估阈值); {REF_GUIDE}",
    """The total (2 decimals, half-up) and the conclusion: 100 → 符合; at or above the threshold
    (60, practitioner-sourced) with no unmitigated high risk → 基本符合; otherwise 不符合. A whole
    group 不适用 gives no total (or 0 for the group with all_na_group: zero).""",
    findings={
        "assess.total.compliant": "conclusion 符合",
        "assess.total.basically_compliant": "conclusion 基本符合",
        "assess.total.noncompliant": "conclusion 不符合 (below the threshold)",
        "assess.total.high_risk_veto": "conclusion 不符合 because of an unmitigated high risk",
        "assess.total.no_total": "no total: a whole group is 不适用 (the rules define none)",
        "assess.total.incomplete": "some applicable indicators are not judged yet: the score leaves them out",
    },
)

COMPLETENESS: CheckSpec = register(
    "assess.completeness",
    "What is still missing in the case",
    f"GM/T 0116-2021 (测评过程: 现场测评 → 分析与报告); {REF_39786} §6-9",
    """``mptool assess check``: indicators without judgement, proposals not confirmed,
    high-risk candidates not decided, evidence files whose SM3 digest changed.""",
    findings={
        "assess.completeness.not_judged": "an applicable indicator has no judgement",
        "assess.completeness.proposal_unconfirmed": "a proposal from evidence is neither confirmed nor overridden",
        "assess.completeness.high_risk_candidate": "a high-risk candidate from evidence is not decided under high_risks:",
        "assess.completeness.evidence_changed": "an evidence file's SM3 digest no longer matches the case",
        "assess.completeness.complete": "every applicable indicator is judged and every proposal decided",
    },
)

PORTFOLIO_SYSTEM: CheckSpec = register(
    "assess.portfolio",
    "One system of a portfolio workspace: scored, current, its shared objects valid",
    "GM/T 0116-2021 (测评过程); 商用密码应用安全性评估管理办法 (经济性和可重用性: reuse of results that still hold)",
    """``mptool assess status`` / ``assess score WORKSPACE``: one result per system. Pass when its
    recorded score is current (neither the case nor any shared object it references changed
    since it was scored) and every inherited object's evidence is still valid (before the
    earliest certificate expiry and the re-test interval); warn when stale, not scored or an
    inherited object expired; error when the case cannot be loaded (skipped, exit 4).""",
    findings={
        "assess.portfolio.current": "the recorded score matches the case and its shared objects",
        "assess.portfolio.not_scored": "no score record yet (run mptool assess score WORKSPACE)",
        "assess.portfolio.stale": "the case or a shared object it references changed since it was scored",
        "assess.portfolio.shared_expired": "an inherited object's evidence is past its validity (certificate expiry or re-test interval)",
        "assess.portfolio.broken": "the case cannot be loaded or scored: skipped",
    },
)

PORTFOLIO_MILESTONE: CheckSpec = register(
    "assess.milestone",
    "Progress of the workspace against a plan.yaml milestone",
    "GM/T 0116-2021 (测评过程: 测评准备, 方案编制, 现场测评, 分析与报告编制)",
    """Work done (the mean of the systems' progress, which follows the phase each reached) against a milestone of
    ``plan.yaml``: fail when its date has passed and the percentage is not reached, pass
    when reached, info when the date is still ahead.""",
    findings={
        "assess.milestone.met": "the milestone's percentage is reached",
        "assess.milestone.missed": "the milestone's date has passed below its percentage",
        "assess.milestone.upcoming": "the milestone's date is ahead and its percentage not yet reached",
    },
)

#: The domain's check table, in emission order.
CHECKS: tuple[CheckSpec, ...] = (JUDGEMENT, UNIT, LAYER, RISK, TOTAL, COMPLETENESS, PORTFOLIO_SYSTEM, PORTFOLIO_MILESTONE)
