"""The evidence model as pydantic models: the schema and the validation of evidence read back.

:mod:`mptool.core.model` holds the classes the commands build evidence with (plain slotted
classes, no pydantic at import: issue 20, start-up); this module mirrors them field for field,
with the same names, docstrings, defaults and constraints. The committed JSON Schema
(``mptool/schemas/evidence-v1.schema.json``) is generated from these models (``python -m
mptool.core.schema``), :meth:`mptool.core.model.Evidence.model_validate` validates through
them, and tests/core/test_model.py checks that the two sets agree (fields, defaults, dumps).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mptool.core.statuses import SCHEMA_ID, Severity, Status


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
