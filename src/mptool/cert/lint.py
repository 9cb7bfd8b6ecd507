"""``cert lint``: format and profile checks of single certificates (cert-rules.md §2–§4).

Each rule is a registered check ``cert.format.*``, ``cert.ext.*`` or ``cert.sig.*``; every
certificate gets one result per rule (``na`` when the rule does not apply to its profile), and
each finding carries the rule id of cert-rules.md and the editions it is read from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mptool.cert.parse import Cert
from mptool.cert.profiles import detect_profile
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import CheckSpec, check


@dataclass
class LintContext:
    """What a rule sees: the certificate, its profile and the SM2 user ID."""

    cert: Cert
    profile: str
    profile_chosen: bool
    sm2_id: bytes


@dataclass
class Verdict:
    """Problems found by one rule on one certificate (none: the rule passes)."""

    problems: list[tuple[Severity, str, str, dict[str, Any]]] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    info: bool = False  #: a record-only rule: status info instead of pass

    def add(self, severity: Severity, code: str, message: str, **data: Any) -> None:
        """Record one problem (``code`` is appended to the check id)."""
        self.problems.append((severity, code, message, data))

    def error(self, code: str, message: str, **data: Any) -> None:
        self.add(Severity.ERROR, code, message, **data)

    def warn(self, code: str, message: str, **data: Any) -> None:
        self.add(Severity.WARN, code, message, **data)


RuleFunc = Callable[[LintContext], Verdict | None]


@dataclass(frozen=True)
class Rule:
    """A lint rule: its check spec, cert-rules id, source edition and profiles."""

    spec: CheckSpec
    rule_id: str
    source: str
    profiles: tuple[str, ...]
    func: RuleFunc


RULES: list[Rule] = []


def rule(id: str, title: str, rule_id: str, source: str, profiles: tuple[str, ...] = ("any",)) -> Callable[[RuleFunc], RuleFunc]:
    """Register a lint rule as a check whose reference names the rule id and the source clauses."""

    def decorate(func: RuleFunc) -> RuleFunc:
        check(id, title, f"cert-rules {rule_id}; {source}")(func)
        RULES.append(Rule(func.spec, rule_id, source, profiles, func))  # type: ignore[attr-defined]
        return func

    return decorate


def _result(r: Rule, ctx: LintContext, verdict: Verdict | None) -> CheckResult:
    cert = ctx.cert
    measurements: dict[str, Any] = {"profile": ctx.profile, "rule_id": r.rule_id}
    if verdict is None:
        return r.spec.result(Status.NA, subject=cert.source, measurements=measurements)
    measurements.update(verdict.measurements)
    findings = [
        Finding(
            code=f"{r.spec.id}.{code}",
            severity=severity,
            message=message,
            location=cert.source,
            data={"rule_id": r.rule_id, "source": r.source, "cert_sha256": cert.sha256, **data},
        )
        for severity, code, message, data in verdict.problems
    ]
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        status = Status.FAIL
    elif Severity.WARN in severities:
        status = Status.WARN
    else:
        status = Status.INFO if verdict.info else Status.PASS
    return r.spec.result(status, subject=cert.source, measurements=measurements, findings=findings)


def lint_certificate(cert: Cert, *, profile: str | None = None, sm2_id: bytes = b"1234567812345678") -> list[CheckResult]:
    """Every rule on one certificate, in rule order (format, extensions, signature)."""
    _load_rules()
    ctx = LintContext(cert, profile or detect_profile(cert), profile is not None, sm2_id)
    results = []
    for r in RULES:
        applies = "any" in r.profiles or ctx.profile in r.profiles
        try:
            results.append(_result(r, ctx, r.func(ctx) if applies else None))
        except Exception as exc:  # noqa: BLE001 - a rule that cannot run is recorded, not fatal
            results.append(r.spec.error_result(cert.source, exc))
    return results


def lint_certificates(certs: Iterable[Cert], *, profile: str | None = None, sm2_id: bytes = b"1234567812345678") -> list[CheckResult]:
    """Lint several certificates, in input order."""
    results: list[CheckResult] = []
    for cert in certs:
        results.extend(lint_certificate(cert, profile=profile, sm2_id=sm2_id))
    return results


_GROUP_ORDER = {"CERT-FMT": 0, "CERT-EXT": 1, "CERT-SIG": 2}


def _load_rules() -> None:
    from mptool.cert import rules_ext, rules_format, rules_sig  # noqa: F401 - registers the rules

    RULES.sort(key=lambda r: (_GROUP_ORDER[r.rule_id[:8]], r.rule_id))
