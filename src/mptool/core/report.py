"""Building an evidence document: inputs, parameters, results, summary and exit code."""

from __future__ import annotations

import datetime as _dt
import enum
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from mptool.core.errors import ExitCode, UsageError
from mptool.core.gbt39786 import DEFAULT_LEVEL, cites_gbt39786, results_at_level
from mptool.core.model import (
    STATUS_RANK,
    CheckResult,
    Evidence,
    InputRecord,
    Severity,
    Status,
    Summary,
    ToolInfo,
)
from mptool.core.versions import backend_versions, tool_version


class FailOn(str, enum.Enum):
    """Which results make the exit code 1 (``--fail-on``)."""

    ERROR = "error"  #: results with status fail (findings of severity error)
    WARN = "warn"  #: also results with status warn (findings of severity warn)
    NEVER = "never"  #: never exit 1 because of findings


def fixed_timestamp() -> str | None:
    """The timestamp pinned by ``SOURCE_DATE_EPOCH``, or None when it is not set."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    try:
        seconds = int(value)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH: not an integer: {value!r}") from None
    return _format_time(_dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc))


def _format_time(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """Timestamps for evidence; pinned under ``--deterministic`` or ``SOURCE_DATE_EPOCH``."""

    def __init__(self, deterministic: bool = False) -> None:
        pinned = fixed_timestamp()
        if pinned is None and deterministic:
            pinned = _format_time(_dt.datetime.fromtimestamp(0, tz=_dt.timezone.utc))
        self.pinned = pinned

    def now(self) -> str:
        """The current time (UTC, ISO 8601), or the pinned time."""
        return self.pinned or _format_time(_dt.datetime.now(tz=_dt.timezone.utc))


def _is_failing(result: CheckResult, fail_on: FailOn) -> bool:
    if fail_on is FailOn.NEVER:
        return False
    levels = {Severity.ERROR} if fail_on is FailOn.ERROR else {Severity.ERROR, Severity.WARN}
    statuses = {Status.FAIL} if fail_on is FailOn.ERROR else {Status.FAIL, Status.WARN}
    if result.status in statuses:
        return True
    if result.status in (Status.ERROR, Status.SKIPPED):
        return False
    return any(f.severity in levels for f in result.findings)


def exit_code_for(results: Iterable[CheckResult], fail_on: FailOn) -> ExitCode:
    """The exit code of a completed run.

    1 when a result reaches ``--fail-on``; otherwise 4 when a check errored or was
    skipped because the backend lacks a feature; otherwise 0.
    """
    results = list(results)
    if any(_is_failing(r, fail_on) for r in results):
        return ExitCode.FINDINGS
    if any(r.status in (Status.ERROR, Status.SKIPPED) for r in results):
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def summarise(results: Iterable[CheckResult], extra: Mapping[str, Any] | None = None) -> Summary:
    """Counts per status overall and per domain, the worst status, and domain totals."""
    results = list(results)
    by_check = Counter((r.check, r.status) for r in results)  # few distinct pairs: each split once
    counts: Counter[str] = Counter()
    domains: dict[str, Counter[str]] = {}
    for (check, status), count in by_check.items():
        domain = check.split(".", 1)[0]
        if domain not in domains:
            domains[domain] = Counter()
        domains[domain][status.value] += count
        counts[status.value] += count
    worst = max({status for _check, status in by_check}, key=STATUS_RANK.__getitem__, default=Status.PASS)
    return Summary(
        status=worst,
        counts={s.value: counts.get(s.value, 0) for s in Status},
        domains={d: dict(sorted(c.items())) for d, c in sorted(domains.items())},
        **dict(extra or {}),
    )


class ReportBuilder:
    """Collects what one command did and builds its :class:`Evidence`.

    Results keep the order in which they are added; domain code adds them in a
    deterministic order (input order, then the order of the standard's clauses).
    """

    def __init__(self, command: str, arguments: list[str], *, deterministic: bool = False, level: int | None = None) -> None:
        self.command = command
        #: the GB/T 39786 level the citations are for (``--level``; None: the default, level 3)
        self.level = level
        self.arguments = list(arguments)
        self.clock = Clock(deterministic)
        self.started_at = self.clock.now()
        self.inputs: list[InputRecord] = []
        self.parameters: dict[str, Any] = {}
        self.results: list[CheckResult] = []
        self.summary_extra: dict[str, Any] = {}
        #: (label, value) lines the text report shows the person and the evidence never holds
        #: (e.g. the plaintext ``algo decrypt`` recovered); see :func:`mptool.render.text.render`
        self.shown: list[tuple[str, str]] = []
        #: inputs found in a directory and left out, each {"name", "reason"} (issue 15: a folder with
        #: stray files is not aborted; the run records them and exits 4 when nothing fails)
        self.skipped: list[dict[str, str]] = []

    def skip_input(self, name: str, reason: str) -> None:
        """Record a file that was left out of the run (e.g. a stray file in a directory) and why."""
        self.skipped.append({"name": name, "reason": reason})

    def add_input(self, record: InputRecord) -> None:
        """Record an input's identity (name, size, SHA-256, SM3)."""
        self.inputs.append(record)

    def add(self, result: CheckResult) -> None:
        """Append one result."""
        self.results.append(result)

    def extend(self, results: Iterable[CheckResult]) -> None:
        """Append several results in order."""
        self.results.extend(results)

    def _cited(self) -> tuple[list[CheckResult], dict[str, Any], dict[str, Any]]:
        """Results cited for the level, with ``parameters.gbt39786_level`` recorded when they cite
        GB/T 39786 (or a level was asked for) and ``summary.gbt39786_not_at_level`` listing the cited
        indicators that the level does not have."""
        level = DEFAULT_LEVEL if self.level is None else self.level
        if self.level is None and not cites_gbt39786(self.results):
            return self.results, self.parameters, self.summary_extra
        results, absent = results_at_level(self.results, level)
        parameters = {**self.parameters, "gbt39786_level": level}
        extra = dict(self.summary_extra)
        if absent:
            extra["gbt39786_not_at_level"] = absent
        return results, parameters, extra

    def build(self, fail_on: FailOn = FailOn.ERROR, *, exit_code: ExitCode | None = None) -> Evidence:
        """Finish the run: compute the summary and exit code and return the evidence."""
        code = exit_code if exit_code is not None else exit_code_for(self.results, fail_on)
        results, parameters, summary_extra = self._cited()
        extra = dict(summary_extra)
        if self.skipped:
            extra["skipped_inputs"] = list(self.skipped)
            if code is ExitCode.OK:
                code = ExitCode.INCOMPLETE  # the run did not cover every file it was given
        return Evidence(
            tool=ToolInfo(name="mptool", version=tool_version(), backends=backend_versions),  # read when written
            command=self.command,
            arguments=self.arguments,
            started_at=self.started_at,
            finished_at=self.clock.now(),
            inputs=self.inputs,
            parameters=parameters,
            results=results,
            summary=summarise(results, extra),
            exit_code=int(code),
        )
