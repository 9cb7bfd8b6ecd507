"""The assessment file format ``mptool.assessment/1``: pydantic model and line-aware loader."""

from mptool.assess.model.file import (
    SCHEMA_ID,
    AssessmentFile,
    Compensation,
    EvidenceEntry,
    HighRisk,
    Judgement,
    ManagementJudgement,
    RiskOverride,
    Scoring,
    System,
    TestObject,
)
from mptool.assess.model.loader import Case, load_case

__all__ = [
    "SCHEMA_ID", "AssessmentFile", "Case", "Compensation", "EvidenceEntry", "HighRisk", "Judgement",
    "ManagementJudgement", "RiskOverride", "Scoring", "System", "TestObject", "load_case",
]
