"""Pydantic model of the assessment file (``schema: mptool.assessment/1``).

The JSON Schema printed by ``mptool assess schema`` is generated from these classes and
committed as ``mptool/schemas/assessment-v1.schema.json`` (regenerate with
``python -m mptool.assess.model.schema``; a test fails while they differ).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_ID = "mptool.assessment/1"

Layer = Literal["physical", "network", "device", "application"]
ManagementResult = Literal["符合", "部分符合", "不符合", "不适用"]
RiskLevel = Literal["高", "中", "低"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class System(_Strict):
    """The information system under assessment."""

    name: str = Field(min_length=1, description="被测信息系统名称")
    level: int = Field(ge=1, le=4, description="网络安全等级保护 level 1-4: decides which indicators apply")


class Scoring(_Strict):
    """Scoring options."""

    rule_set: Literal["quant-2023", "quant-2021"] = Field(default="quant-2023", description="versioned rule set")
    all_na_group: Literal["null", "zero"] = Field(
        default="null",
        description="a whole group (all technical or all management layers) 不适用: total null (default) or the group counts 0",
    )


class TestObject(_Strict):
    """A technical test object (测评对象) of one layer, or a reference to a shared one.

    ``ref: shared/<case>#<object-id>`` (in a portfolio workspace) inherits the shared case's
    object with its judgements, high risks and evidence; ``id`` defaults to the shared id,
    ``layer`` and ``name`` come from the shared case. A judgement written in this case for the
    same (object, indicator) replaces the inherited one.
    """

    id: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    layer: Layer | None = None
    name: str = ""
    description: str = ""
    ref: str | None = Field(default=None, description="shared/<case>#<object-id>: inherit a shared infrastructure object (portfolio workspace)")
    retest_days: int | None = Field(default=None, ge=1, description="the inherited evidence holds this many days after capture (default: plan.yaml retest_days)")

    @field_validator("ref")
    @classmethod
    def _ref_form(cls, value: str | None) -> str | None:
        """``<dir>/<case>#<object-id>``: a path of at least two parts, then the object id."""
        import re

        if value is not None and not re.fullmatch(r"[^/#\s]+(/[^/#\s]+)+#[A-Za-z0-9_.\-]+", value):
            raise ValueError(f"ref must look like shared/<case>#<object-id>, got {value!r}")
        return value

    @model_validator(mode="after")
    def _id_and_layer(self) -> "TestObject":
        """A plain object needs id and layer; a reference takes them from the shared case."""
        if self.ref is None and (self.id is None or self.layer is None):
            raise ValueError("an object needs id and layer (or ref: shared/<case>#<object-id>)")
        if self.ref is None and self.retest_days is not None:
            raise ValueError("retest_days applies to a ref: object only")
        return self


class Judgement(_Strict):
    """The evaluator's judgement of one (object, indicator): D/A/K, or 不适用.

    ``accept: true`` takes the factors of the proposal for the same (object, indicator) from
    ``proposals.yaml``; factors written here override the proposal's (record ``by`` and ``why``).
    """

    object: str
    indicator: str
    D: bool | None = Field(default=None, description="密码使用有效性")
    A: bool | None = Field(default=None, description="密码算法/技术合规性")
    K: bool | None = Field(default=None, description="密钥管理安全")
    Ra: Decimal | None = Field(default=None, description="table 2 factor when A is no (1, 0.5, 0.2); default 1")
    Rk: Decimal | None = Field(default=None, description="table 3 factor when K is no (1, 1.2, 1.5); default 1")
    result: Literal["不适用"] | None = Field(default=None, description="不适用 instead of D/A/K")
    reason: str = Field(default="", description="why 不适用, or a short reason")
    record: str = Field(default="", description="结果记录 text")
    accept: bool = Field(default=False, description="take the factors of the matching proposal")
    by: str = Field(default="", description="who confirmed or overrode the proposal")
    why: str = Field(default="", description="why a proposal was overridden")


class ManagementJudgement(_Strict):
    """The result of one management indicator."""

    indicator: str
    result: ManagementResult
    reason: str = ""
    record: str = ""


class Compensation(_Strict):
    """Object ``by[0]``'s score for indicator ``by[1]`` compensates (object, indicator): B' = max(0.5·P_A, P_B)."""

    object: str
    indicator: str
    by: tuple[str, str] = Field(description="[object, indicator] of the compensating measure")
    reason: str = ""


class HighRisk(_Strict):
    """A high risk the evaluator confirms (高风险判定指引)."""

    indicator: str = Field(description="indicator or general requirement (GEN-ALG, GEN-TECH, GEN-KEY…)")
    object: str | None = None
    id: str | None = Field(default=None, description="guide entry id, e.g. HR-NET-AUTH (default: the indicator's entry)")
    mitigated: bool = False
    level: RiskLevel | None = Field(default=None, description="risk level after a mitigation (default 中)")
    reason: str = ""


class RiskOverride(_Strict):
    """The evaluator's say on an indicator's risk row: its level and/or its 改进建议."""

    indicator: str
    level: RiskLevel | None = Field(default=None, description="the evaluator's risk level (default: the catalogue's or the high-risk guide's)")
    reason: str = ""
    recommendation: str = Field(default="", description="the evaluator's 改进建议 for the row (default: mptool's, data/recommendations.yaml)")


class EvidenceEntry(_Strict):
    """Evidence copied into the case by ``mptool assess add`` (identity by SM3)."""

    file: str = Field(description="path inside the case directory, e.g. evidence/<sm3>.json")
    sm3: str = Field(pattern="^[0-9a-f]{64}$")
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    objects: list[str] = Field(default_factory=list)
    indicators: list[str] = Field(default_factory=list, description="--indicator given to assess add (empty: every indicator the evidence informs)")
    command: str = ""
    source: str = Field(default="", description="the file name as given to assess add")


class Organisation(_Strict):
    """An organisation of the report's basic-info table (被测单位 / 密评机构)."""

    name: str = ""
    address: str = ""
    postcode: str = ""
    regulator: str = Field(default="", description="所属省部密码管理部门 (被测单位 only)")
    contact: str = Field(default="", description="联系人 (name, phone, e-mail as one line)")


class TeamMember(_Strict):
    """A member of the assessment team (表1-1 测评项目组成员)."""

    role: str = ""
    name: str
    task: str = ""
    qualified: bool | None = Field(default=None, description="是否通过密评人员考核")


class ReportInfo(_Strict):
    """What the report needs beyond the judgements (all optional: blanks stay visibly blank)."""

    number: str = Field(default="", description="报告编号")
    date: str = Field(default="", description="报告时间 (YYYY-MM-DD)")
    assessed: Organisation = Field(default_factory=Organisation, description="被测单位")
    assessor: Organisation = Field(default_factory=Organisation, description="密评机构")
    start: str = Field(default="", description="测评开始日期")
    end: str = Field(default="", description="测评结束日期")
    summary: str = Field(default="", description="系统简介 (评估结论 page, chapter 2)")
    team: list[TeamMember] = Field(default_factory=list)
    algorithms: list[str] = Field(default_factory=list, description="使用的密码算法 as claimed by the owner (SM2, SM3, SM4, RSA2048 …): compared with what the evidence shows")
    author: str = Field(default="", description="编制人")
    reviewer: str = Field(default="", description="审核人")
    approver: str = Field(default="", description="批准人")

    @field_validator("date", "start", "end", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        """An unquoted YAML date (2026-03-01) is kept as its ISO text."""
        import datetime

        return value.isoformat() if isinstance(value, datetime.date) else value


class AssessmentFile(_Strict):
    """A 密评 assessment: the system, its test objects and every judgement."""

    schema_: Literal["mptool.assessment/1"] = Field(alias="schema")
    system: System
    scoring: Scoring = Field(default_factory=Scoring)
    objects: list[TestObject] = Field(default_factory=list)
    judgements: list[Judgement] = Field(default_factory=list)
    management: list[ManagementJudgement] = Field(default_factory=list)
    compensations: list[Compensation] = Field(default_factory=list)
    high_risks: list[HighRisk] = Field(default_factory=list)
    risks: list[RiskOverride] = Field(default_factory=list)
    evidence: list[EvidenceEntry] = Field(default_factory=list, description="written by assess add")
    report: ReportInfo = Field(default_factory=ReportInfo, description="cover, basic-info table and team of the report (optional)")

    @field_validator("objects", "judgements", "management", "compensations", "high_risks", "risks", "evidence", mode="before")
    @classmethod
    def _empty_list(cls, value: object) -> object:
        """A key with only comments under it (YAML null) is an empty list."""
        return [] if value is None else value
