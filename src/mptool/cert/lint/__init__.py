"""``cert lint``: format and profile checks of single certificates.

Each rule is a registered check ``cert.format.*`` (:mod:`.format`), ``cert.ext.*`` (:mod:`.ext`)
or ``cert.sig.*`` (:mod:`.sig`); every certificate gets one result per rule (``na`` when the rule
does not apply to its profile), and each finding carries mptool's rule id (``CERT-FMT-001``…,
defined in the check catalogue) and the public clauses it is read from.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.cert.lint import ext, sig
from mptool.cert.lint import format as format_rules
from mptool.cert.lint.base import LintContext, Rule, Verdict
from mptool.cert.x509.parse import Cert
from mptool.cert.x509.profiles import detect_profile
from mptool.core.model import CheckResult, Finding, Severity, Status

__all__ = ["RULES", "LintContext", "Rule", "Verdict", "lint_certificate", "lint_certificates"]


def _result(r: Rule, ctx: LintContext, verdict: Verdict | None) -> CheckResult:
    cert = ctx.cert
    spec = r.spec
    measurements: dict[str, Any] = {"profile": ctx.profile, "rule_id": r.rule_id}
    if verdict is None:
        return CheckResult.built(spec.id, spec.title, spec.reference, Status.NA, cert.source, measurements, [])
    measurements.update(verdict.measurements)
    if not verdict.problems:
        return CheckResult.built(spec.id, spec.title, spec.reference, Status.INFO if verdict.info else Status.PASS, cert.source, measurements, [])
    findings = [
        Finding(
            code=spec.code(code),
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
    # every code passed spec.code(), which refuses one the check does not declare
    return CheckResult.built(spec.id, spec.title, spec.reference, status, cert.source, measurements, findings)


def lint_certificate(cert: Cert, *, profile: str | None = None, sm2_id: bytes = DEFAULT_USER_ID, at: _dt.datetime | None = None) -> list[CheckResult]:
    """Every rule on one certificate, in rule order (format, extensions, signature); ``at``: the
    time it must be valid at (``cert lint --at``; None: validity at a time is not judged)."""
    ctx = LintContext(cert, profile or detect_profile(cert), profile is not None, sm2_id, at)
    results = []
    for r in RULES:
        applies = "any" in r.profiles or ctx.profile in r.profiles
        try:
            results.append(_result(r, ctx, r.func(ctx) if applies else None))
        except Exception as exc:  # noqa: BLE001 - a rule that cannot run is recorded, not fatal
            results.append(r.spec.error_result(cert.source, exc))
    return results


def lint_certificates(certs: Iterable[Cert], *, profile: str | None = None, sm2_id: bytes = DEFAULT_USER_ID, at: _dt.datetime | None = None) -> list[CheckResult]:
    """Lint several certificates, in input order."""
    results: list[CheckResult] = []
    for cert in certs:
        results.extend(lint_certificate(cert, profile=profile, sm2_id=sm2_id, at=at))
    return results


_GROUP_ORDER = {"CERT-FMT": 0, "CERT-EXT": 1, "CERT-SIG": 2}

#: Every lint rule, in rule-id order (format, extensions, signature).
RULES: tuple[Rule, ...] = tuple(
    sorted(
        (func.rule for module in (format_rules, ext, sig) for func in vars(module).values() if isinstance(getattr(func, "rule", None), Rule)),
        key=lambda r: (_GROUP_ORDER[r.rule_id[:8]], r.rule_id),
    )
)
