"""What a lint rule is: the context it sees, the verdict it returns and the ``rule`` decorator."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mptool.cert.x509.parse import Cert
from mptool.core.model import Severity
from mptool.core.registry import CheckSpec, check


@dataclass
class LintContext:
    """What a rule sees: the certificate, its profile, the SM2 user ID and the time of ``--at``."""

    cert: Cert
    profile: str
    profile_chosen: bool
    sm2_id: bytes
    at: _dt.datetime | None = None  #: ``cert lint --at``: the time the certificate must be valid at


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


def rule(
    id: str, title: str, rule_id: str, source: str, profiles: tuple[str, ...] = ("any",), *, findings: Mapping[str, str]
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a lint rule as a check citing ``source``; ``rule_id`` is mptool's own rule id
    (``CERT-FMT-001``, or several separated by commas), ``findings`` maps each problem code the
    rule records to its meaning (the finding code is ``<check id>.<code>``). The rule is attached
    to the function as ``func.rule``; :mod:`mptool.cert.lint` collects the rules of its modules."""

    def decorate(func: RuleFunc) -> RuleFunc:
        declared = {f"{id}.{code}": meaning for code, meaning in findings.items()}
        rule_ids = tuple(part.split(" ")[0] for part in rule_id.split(", "))
        check(id, title, source, declared, rule_ids)(func)
        func.rule = Rule(func.spec, rule_id, source, profiles, func)  # type: ignore[attr-defined]
        return func

    return decorate
