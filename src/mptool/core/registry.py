"""The check registry: every check has an id, a title, the clause it cites and a docstring.

Checks are declared with the :func:`check` decorator on the function that implements them (its
docstring becomes the catalogue text) or with :func:`register` for checks driven by data tables,
each with every finding code it can emit. Each domain lists its checks in one table, ``CHECKS`` in
``mptool.<domain>.checks``; ``mptool checks`` and the committed catalogue
(:mod:`mptool.core.catalogue`) are read from those tables.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mptool.core.errors import debug_enabled
from mptool.core.model import CheckResult, Finding, Severity, Status

#: The domains, each a package ``mptool.<domain>`` whose ``checks`` package holds its ``CHECKS`` table.
DOMAINS: tuple[str, ...] = ("algo", "rng", "cert", "proto", "assess", "data", "device")


def common_findings(domain: str) -> dict[str, str]:
    """The finding codes every check of ``domain`` may emit (made by :class:`CheckSpec` itself)."""
    return {
        f"{domain}.check_error": "the check itself could not run (a bug or an unexpected input); the exception is recorded",
        f"{domain}.backend_unsupported": "the backend lacks the feature this check needs; the check was skipped with the reason",
    }


@dataclass(frozen=True)
class CheckSpec:
    """Metadata of one registered check."""

    id: str
    title: str
    reference: str
    description: str = ""
    #: finding code -> what it means: every code this check can emit, declared up front
    findings: Mapping[str, str] = field(default_factory=dict)
    #: mptool's own rule ids this check implements (e.g. ``CERT-FMT-001``); the catalogue defines them
    rule_ids: tuple[str, ...] = ()

    @property
    def title_zh(self) -> str | None:
        """The title in Chinese (``core/i18n/zh.yaml``; None when it has no entry)."""
        from mptool.core.i18n import table

        return table("zh")["checks"].get(self.id)

    @property
    def finding_codes_zh(self) -> dict[str, str]:
        """The Chinese meaning of each of :attr:`finding_codes` that ``core/i18n/zh.yaml`` has."""
        from mptool.core.i18n import table

        meanings = table("zh")["findings"]
        return {code: meanings[code] for code in self.finding_codes if code in meanings}

    @property
    def finding_codes(self) -> dict[str, str]:
        """Every code a result of this check may carry: its own and the domain's common ones."""
        return {**self.findings, **common_findings(self.domain)}

    def declared(self, code: str) -> str:
        """``code`` itself, once checked to be one this check declares (UndeclaredFinding otherwise)."""
        if code not in self.finding_codes:
            raise UndeclaredFinding(f"check {self.id!r} does not declare the finding code {code!r}")
        return code

    def code(self, suffix: str) -> str:
        """The declared finding code ``<check id>.<suffix>`` (KeyError when the check does not declare it)."""
        code = f"{self.id}.{suffix}"
        if code not in self.findings:
            raise UndeclaredFinding(f"check {self.id!r} does not declare the finding code {code!r}")
        return code

    @property
    def domain(self) -> str:
        """The command group the check belongs to: the first component of its id."""
        return self.id.split(".", 1)[0]

    def result(
        self,
        status: Status,
        *,
        subject: str = "",
        measurements: Mapping[str, Any] | None = None,
        findings: Iterable[Finding] = (),
    ) -> CheckResult:
        """Build a :class:`CheckResult` for this check.

        Every finding's code must be declared by the check (:attr:`finding_codes`): a code that
        nothing declares is a bug, raised here so that the catalogue lists every code evidence holds.
        """
        findings = list(findings)
        if findings:  # (most results have none: the merged table of codes is built only when needed)
            undeclared = sorted({f.code for f in findings} - self.finding_codes.keys())
            if undeclared:
                raise UndeclaredFinding(f"check {self.id!r} emitted undeclared finding codes {undeclared}")
        return CheckResult(check=self.id, title=self.title, reference=self.reference, status=status, subject=subject, measurements=measurements, findings=findings)

    def error_result(self, subject: str, exc: BaseException, *, debug: bool | None = None) -> CheckResult:
        """A result with status ``error`` recording that the check itself raised ``exc``.

        The traceback is recorded under ``--debug`` (``debug=None`` follows it).
        """
        data: dict[str, Any] = {"exception": type(exc).__name__}
        if debug if debug is not None else debug_enabled():
            import traceback

            data["traceback"] = "".join(traceback.format_exception(exc))
        finding = Finding(
            code=f"{self.domain}.check_error",
            severity=Severity.ERROR,
            message=f"the check could not run: {type(exc).__name__}: {exc}",
            data=data,
        )
        return self.result(Status.ERROR, subject=subject, findings=[finding])

    def skipped_result(self, subject: str, reason: str, **data: Any) -> CheckResult:
        """A result with status ``skipped``: the backend cannot run this check (reason recorded)."""
        finding = Finding(
            code=f"{self.domain}.backend_unsupported",
            severity=Severity.INFO,
            message=reason,
            data=data,
        )
        return self.result(Status.SKIPPED, subject=subject, findings=[finding])


class UndeclaredFinding(ValueError):
    """A check emitted a finding code it does not declare (a bug in mptool)."""


_REGISTRY: dict[str, CheckSpec] = {}

F = TypeVar("F", bound=Callable[..., Any])


def register(
    id: str,
    title: str,
    reference: str,
    description: str,
    findings: Mapping[str, str] | None = None,
    rule_ids: tuple[str, ...] = (),
) -> CheckSpec:
    """Register a check and return its spec. Registering the same id twice identically is allowed.

    ``findings`` maps every finding code the check can emit to its meaning; ``rule_ids`` names
    mptool's own rule ids the check implements (``reference`` cites public clauses only).
    """
    if not description.strip():
        raise ValueError(f"check {id!r} needs a description (its docstring): the catalogue is generated from it")
    spec = CheckSpec(id=id, title=title, reference=reference, description=inspect.cleandoc(description), findings=dict(findings or {}), rule_ids=tuple(rule_ids))
    existing = _REGISTRY.get(id)
    if existing is not None and existing != spec:
        raise ValueError(f"check id {id!r} registered twice with different metadata")
    if spec.domain not in DOMAINS:
        raise ValueError(f"check id {id!r} does not start with a known domain {DOMAINS}")
    _REGISTRY[id] = spec
    return spec


def check(
    id: str, title: str, reference: str, findings: Mapping[str, str] | None = None, rule_ids: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Decorator: register the decorated function as the implementation of check ``id``.

    The function's docstring is the catalogue description; the spec is available as
    ``function.spec``.
    """

    def decorate(func: F) -> F:
        if not func.__doc__:
            raise ValueError(f"check {id!r}: the implementing function needs a docstring")
        func.spec = register(id, title, reference, func.__doc__, findings, rule_ids)  # type: ignore[attr-defined]
        return func

    return decorate


def get(id: str) -> CheckSpec:
    """The spec registered under ``id`` (KeyError when unknown)."""
    return _REGISTRY[id]


def domain_checks(domain: str) -> tuple[CheckSpec, ...]:
    """The ``CHECKS`` table of one domain (``mptool.<domain>.checks``)."""
    return tuple(importlib.import_module(f"mptool.{domain}.checks").CHECKS)


def load_all() -> list[CheckSpec]:
    """Every domain's check table: the whole catalogue, sorted by id."""
    return sorted((spec for domain in DOMAINS for spec in domain_checks(domain)), key=lambda spec: spec.id)
