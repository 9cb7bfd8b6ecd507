"""The evidence model: one set of pydantic models, serialised once by ``mptool.render.json``.

The committed JSON Schema (``mptool/schemas/evidence-v1.schema.json``) is generated from
these models (``python -m mptool.core.schema``); a test fails when the two drift apart.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID = "mptool.evidence/1"


class Status(str, enum.Enum):
    """Outcome of one check on one subject."""

    PASS = "pass"  #: the check ran and the subject meets the requirement
    FAIL = "fail"  #: the check ran and the subject violates the requirement
    WARN = "warn"  #: a SHOULD-level problem or a weak but permitted choice
    INFO = "info"  #: a fact recorded as evidence, no judgement
    NA = "na"  #: the check does not apply to this subject
    SKIPPED = "skipped"  #: not run: the backend lacks the feature (reason in findings)
    ERROR = "error"  #: the check itself failed to run (bug or unexpected input)


class Severity(str, enum.Enum):
    """Severity of one finding."""

    ERROR = "error"  #: violates a MUST; makes the result fail
    WARN = "warn"  #: violates a SHOULD or is weak
    INFO = "info"  #: informative


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Finding(_Frozen):
    """One problem or fact found by a check."""

    code: str = Field(description="stable dotted finding code, e.g. algo.sm3.digest_mismatch")
    severity: Severity
    message: str
    location: dict[str, Any] | str | None = Field(
        default=None, description="where: a vector file and count, a certificate node path, a frame"
    )
    data: dict[str, Any] = Field(default_factory=dict, description="expected/actual values and more")
    message_zh: str | None = Field(
        default=None, description="the message in Chinese: the code's meaning and the details (only with --lang zh)"
    )


class CheckResult(_Frozen):
    """The outcome of one registered check on one subject."""

    check: str = Field(description="registered check id, e.g. rng.gmt0005.poker")
    title: str
    reference: str = Field(description="the clause the check implements")
    status: Status
    subject: str = Field(default="", description="what was checked: an input, a vector set, a connection")
    measurements: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    title_zh: str | None = Field(default=None, description="the title in Chinese (only with --lang zh)")


class InputRecord(_Frozen):
    """Identity of one input: the name as given, its size and two digests."""

    name: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    sm3: str = Field(pattern="^[0-9a-f]{64}$")


class ToolInfo(_Frozen):
    """The tool and the versions of the backends that computed the results."""

    name: str
    version: str
    backends: dict[str, str]


class Summary(BaseModel):
    """Totals of a run. Domains may add totals of their own (e.g. ``vectors_run``)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    status: Status = Field(description="worst status over all results (pass when there are none)")
    counts: dict[str, int] = Field(description="number of results per status")
    domains: dict[str, dict[str, int]] = Field(description="per-domain counts of results per status")


class Evidence(_Frozen):
    """The evidence document one mptool command emits."""

    schema_: str = Field(alias="schema", default=SCHEMA_ID, pattern=r"^mptool\.evidence/1$")
    tool: ToolInfo
    command: str
    arguments: list[str]
    started_at: str
    finished_at: str
    inputs: list[InputRecord]
    parameters: dict[str, Any]
    results: list[CheckResult]
    summary: Summary
    exit_code: int

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


#: Keys the serializer leaves out while they are None, so that evidence without ``--lang zh`` is unchanged.
OPTIONAL_KEYS: frozenset[str] = frozenset({"title_zh", "message_zh"})


#: Order of statuses from best to worst, used to compute the summary status.
STATUS_RANK: dict[Status, int] = {
    Status.NA: 0,
    Status.INFO: 1,
    Status.PASS: 2,
    Status.SKIPPED: 3,
    Status.WARN: 4,
    Status.ERROR: 5,
    Status.FAIL: 6,
}
