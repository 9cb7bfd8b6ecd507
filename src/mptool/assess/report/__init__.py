"""The 《商用密码应用安全性评估报告》 (2023 template) of a scored case.

:mod:`.data` builds the report model (``mptool.report-data/1``, the JSON of ``assess export``)
from :func:`mptool.assess.api.score_case`; :mod:`.records` drafts the 结果记录 from evidence;
:mod:`.algorithms` ticks 使用的密码算法; :mod:`.charts` draws the pictures; :mod:`.docx`,
:mod:`.html` and :mod:`.template` render the model.
"""
