"""Evidence results of the portfolio commands (``assess.portfolio``, ``assess.milestone``)."""

from __future__ import annotations

from typing import Any

from mptool.assess.checks import PORTFOLIO_MILESTONE, PORTFOLIO_SYSTEM
from mptool.assess.portfolio.batch import Outcome
from mptool.assess.portfolio.status import SystemStatus
from mptool.core.model import CheckResult, Finding, Severity, Status


def _broken(system: str, error: str, measurements: dict[str, Any]) -> CheckResult:
    finding = Finding(code="assess.portfolio.broken", severity=Severity.ERROR, message=error)
    return PORTFOLIO_SYSTEM.result(Status.ERROR, subject=system, measurements=measurements, findings=[finding])


def status_result(row: SystemStatus) -> CheckResult:
    """One ``assess.portfolio`` result of ``assess status``."""
    measurements = {k: v for k, v in row.as_dict().items() if k not in ("error",)}
    if row.error:
        return _broken(row.system, row.error, measurements)
    findings = []
    if not row.scored_at:
        findings.append(Finding(code="assess.portfolio.not_scored", severity=Severity.WARN, message="no score record: run mptool assess score WORKSPACE"))
    elif row.stale:
        findings.append(Finding(code="assess.portfolio.stale", severity=Severity.WARN, message="; ".join(row.stale)))
    for ref in row.expired:
        until = next(s["valid_until"] for s in row.shared if s["ref"] == ref)
        findings.append(Finding(code="assess.portfolio.shared_expired", severity=Severity.WARN, message=f"{ref}: valid until {until}"))
    if not findings:
        findings.append(Finding(code="assess.portfolio.current", severity=Severity.INFO, message=f"scored {row.scored_at}: {row.score} {row.conclusion}"))
    status = Status.WARN if any(f.severity is Severity.WARN for f in findings) else Status.PASS
    return PORTFOLIO_SYSTEM.result(status, subject=row.system, measurements=measurements, findings=findings)


def milestone_result(m: dict[str, Any]) -> CheckResult:
    """One ``assess.milestone`` result."""
    state = m["state"]
    message = f"{m['date']}: {m['percent']} % planned, {m['done']} % done"
    if state == "missed":
        finding = Finding(code="assess.milestone.missed", severity=Severity.ERROR, message=f"{message} (short by {m['short_by']})")
        status = Status.FAIL
    elif state == "met":
        finding = Finding(code="assess.milestone.met", severity=Severity.INFO, message=message)
        status = Status.PASS
    else:
        finding = Finding(code="assess.milestone.upcoming", severity=Severity.INFO, message=message)
        status = Status.INFO
    return PORTFOLIO_MILESTONE.result(status, subject=m["label"] or m["date"], measurements=m, findings=[finding])


def outcome_result(outcome: Outcome) -> CheckResult:
    """One ``assess.portfolio`` result of ``assess score WORKSPACE``."""
    if outcome.error is not None or outcome.record is None:
        return _broken(outcome.system.name, outcome.error or "not scored", {"system": outcome.system.name})
    rec = outcome.record
    measurements = {k: rec[k] for k in ("system", "name", "level", "total", "conclusion", "complete", "high_risks", "risk_counts", "not_applicable", "shared")}
    finding = Finding(code="assess.portfolio.current", severity=Severity.INFO, message=f"scored: {rec['total']} {rec['conclusion']}")
    return PORTFOLIO_SYSTEM.result(Status.PASS, subject=outcome.system.name, measurements=measurements, findings=[finding])
