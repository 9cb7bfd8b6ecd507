"""The data of path validation: options, candidate paths and the issues found on them."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.cert.x509.crl import Crl
from mptool.cert.x509.parse import Cert

#: the path checks, in the order they are reported (check id suffix -> cert-rules id)
PATH_CHECKS: dict[str, str] = {
    "chaining": "CERT-PATH-001",
    "structure": "CERT-FMT-004, CERT-FMT-015",
    "anchor": "CERT-PATH-002",
    "signature": "CERT-PATH-003",
    "validity": "CERT-PATH-004",
    "ca": "CERT-PATH-005",
    "path_length": "CERT-PATH-006",
    "critical_extensions": "CERT-PATH-007",
    "name_constraints": "CERT-PATH-008",
    "policies": "CERT-PATH-009",
    "revocation": "CERT-PATH-010",
    "algorithm_mix": "CERT-PATH-011",
    "leaf_usage": "CERT-PATH-013",
    "key_strength": "CERT-PATH-014",
}


@dataclass
class PathOptions:
    """Everything a validation depends on (all recorded in the evidence parameters)."""

    at: _dt.datetime
    sm2_id: bytes = DEFAULT_USER_ID
    purpose: str = "any"
    peer_name: str | None = None
    cn_fallback: bool = True
    crls: list[Crl] = field(default_factory=list)
    max_intermediates: int = 8
    max_candidates: int = 64
    max_steps: int = 4096  #: bound on path-building steps (pathological inputs)
    webpki: bool = False  #: also apply Web-PKI leaf rules (leaf not a CA for server/client)
    initial_policies: tuple[str, ...] = ("2.5.29.32.0",)  #: user-initial-policy-set (RFC 5280 §6.1.1 (c))
    explicit_policy: bool = False  #: initial-explicit-policy
    policy_mapping_inhibit: bool = False  #: initial-policy-mapping-inhibit
    any_policy_inhibit: bool = False  #: initial-any-policy-inhibit
    revocation_scope: str = "chain"  #: "chain": every certificate below the anchor; "leaf": the end entity, and a CA whose issuer published a supplied CRL
    max_name_checks: int = 1 << 16  #: bound on name-constraint comparisons per path (denial of service)


@dataclass(frozen=True)
class Issue:
    """A problem (or a recorded fact) found by one path check on one certificate of a path."""

    check: str  #: key of PATH_CHECKS
    severity: str  #: "error", "warn" or "info"
    index: int  #: position in the path (0 = leaf), -1 for the whole path
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidate:
    """One candidate path (leaf first; the last certificate is the anchor when ``anchored``)."""

    certs: list[Cert]
    anchored: bool
    issues: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def error_count(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    def describe(self) -> list[dict[str, Any]]:
        return [{"index": n, **c.describe(), "role": self.role(n)} for n, c in enumerate(self.certs)]

    def role(self, index: int) -> str:
        if index == 0:
            return "leaf"
        if index == len(self.certs) - 1 and self.anchored:
            return "trust anchor"
        return "intermediate"
