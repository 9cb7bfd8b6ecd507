"""``mptool assess``: from mptool evidence to a scored 密评 assessment.

GB/T 39786-2021 indicators per level, D/A/K judgements per test object, the 2023 (or 2021)
quantitative scoring rules in Decimal, the high-risk veto of 信息系统密码应用高风险判定指引, the
conclusion and the risk rows. Other domains import only :mod:`mptool.assess.api`; the CLI calls
only :mod:`mptool.assess.commands`.
"""
