"""Shared machinery of the device checks: declared finding codes, outcomes, skipping."""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import CheckSpec

#: codes any device check may carry: set by the runner (a crash or hang of the library)
RUNNER_FINDINGS: dict[str, str] = {
    "device.sdf.library_crashed": "the vendor library killed the process running this check (signal recorded); mptool survived and ran the other checks",
    "device.sdf.library_timeout": "the vendor library did not return within --timeout; the process was killed",
}


def findings(check_id: str, **specific: str) -> dict[str, str]:
    """The finding table of ``check_id``: its own codes, ``call_failed`` and the runner's codes."""
    table = {f"{check_id}.{suffix}": meaning for suffix, meaning in specific.items()}
    table[f"{check_id}.call_failed"] = "an SDF function returned an error code where GM/T 0018's call sequence must succeed (function and SDR_* code recorded)"
    table.update(RUNNER_FINDINGS)
    return table


class Outcome:
    """Findings and per-case records of one check run; :meth:`result` decides the status."""

    def __init__(self, spec: CheckSpec, subject: str) -> None:
        self.spec = spec
        self.subject = subject
        self.findings: list[Finding] = []
        self.cases: list[dict[str, Any]] = []

    def case(self, name: str, ok: bool, **data: Any) -> bool:
        """Record one known-answer or behaviour case."""
        self.cases.append({"case": name, "ok": bool(ok), **data})
        return ok

    def add(self, suffix: str, severity: Severity, message: str, **data: Any) -> None:
        """Add a finding with the declared code ``<check id>.<suffix>``."""
        self.findings.append(Finding(code=self.spec.code(suffix), severity=severity, message=message, data=data))

    def error(self, suffix: str, message: str, **data: Any) -> None:
        """A failing finding."""
        self.add(suffix, Severity.ERROR, message, **data)

    def warn(self, suffix: str, message: str, **data: Any) -> None:
        """A warning."""
        self.add(suffix, Severity.WARN, message, **data)

    def info(self, suffix: str, message: str, **data: Any) -> None:
        """An informative finding."""
        self.add(suffix, Severity.INFO, message, **data)

    def result(self, measurements: dict[str, Any] | None = None, status: Status | None = None) -> CheckResult:
        """The result: fail on an error finding, warn on a warning, else pass (or ``status``)."""
        if status is None:
            severities = {f.severity for f in self.findings}
            status = Status.FAIL if Severity.ERROR in severities else Status.WARN if Severity.WARN in severities else Status.PASS
        data = dict(measurements or {})
        if self.cases:
            data["cases"] = self.cases
        return self.spec.result(status, subject=self.subject, measurements=data, findings=self.findings)


def skip_missing(spec: CheckSpec, ctx: Any, functions: list[str], why: str = "") -> CheckResult | None:
    """A skipped result when the library lacks one of ``functions`` (None when it has them all)."""
    missing = ctx.lib.missing(functions)
    if not missing:
        return None
    reason = f"the library does not export {', '.join(missing)}" + (f" ({why})" if why else "")
    return spec.skipped_result(ctx.subject, reason, missing=missing)


def skip_no_password(spec: CheckSpec, ctx: Any) -> CheckResult | None:
    """A skipped result when no access password was given."""
    if ctx.password is not None:
        return None
    return spec.skipped_result(
        ctx.subject,
        f"needs the private-key access password of key index {ctx.key_index} (--password or MPTOOL_SDF_PASSWORD): "
        "SDF_GetPrivateKeyAccessRight, GM/T 0018-2012 6.2",
    )
