"""x509-limbo harness (C2SP/x509-limbo): a limbo test suite in, LimboResult JSON out.

Each test case is validated with mptool's own path validation (:mod:`mptool.cert.path.build`) in
its Web-PKI mode (CA/Browser Forum Baseline Requirements on top of RFC 5280 §6.1: no CN fallback,
a server/client leaf must not be a CA, …), plus the checks of :mod:`limbo_profile` (required
keyUsage, client peer names, the S/MIME BR when emailProtection is required). Where the suite
contradicts itself the Web-PKI profile is followed: a case that ``conflicts_with`` a runnable
``webpki::`` case is SKIPPED, as are cases using a feature mptool does not implement — never guessed.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any

from mptool.core import jsonio
from mptool.cert.x509 import oids
from mptool.cert.x509.crl import Crl, parse_crl
from mptool.cert.x509.loader import _pem_blocks
from mptool.cert.x509.parse import Cert, CertParseError, parse_certificate
from mptool.cert.checks.limbo_profile import EKU_EMAIL, KEY_USAGE_ATTRS, extra_problems
from mptool.cert.path.build import PathOptions, find_path
from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.model import CheckResult, Finding, InputRecord, Severity, Status
from mptool.core.registry import register

#: limbo features whose semantics mptool does not implement: such cases are SKIPPED
UNSUPPORTED_FEATURES: dict[str, str] = {}
#: pedantic profiles this harness implements (the other pedantic-* features are skipped)
PEDANTIC_SUPPORTED = frozenset({
    "pedantic-webpki-eku", "pedantic-webpki-subscriber-key", "pedantic-public-suffix-wildcard", "pedantic-serial-number", "pedantic-rfc5280",
    "pedantic-smime-eku", "pedantic-smime-subscriber-key",
})
#: cases that contradict another case of the suite under the profile this harness selects
CONTRADICTIONS: dict[str, str] = {
    "smime::ku::ee-key-usage-not-critical": "keyUsage criticality is a SHOULD in the S/MIME BR (7.1.2.3 (e)) and smime::valid-smime-chain expects a non-critical keyUsage to pass",
}
EKU_NAMES = {"serverAuth": oids.EKU_SERVER, "clientAuth": oids.EKU_CLIENT, "codeSigning": oids.EKU_CODESIGN, "emailProtection": EKU_EMAIL, "anyExtendedKeyUsage": oids.EKU_ANY}
PURPOSE_BY_EKU = {oids.EKU_SERVER: "server", oids.EKU_CLIENT: "client", oids.EKU_CODESIGN: "codesign"}

CASE = register(
    "cert.limbo.case",
    "x509-limbo test case",
    "C2SP x509-limbo test suite format (version 1); RFC 5280 §6.1; CA/B Forum Baseline Requirements (Web-PKI)",
    "One x509-limbo test case run through mptool's path validation: passes when the actual result equals the "
    "expected result, fails otherwise (an unexpected SUCCESS is the dangerous kind); not applicable when the "
    "case needs a feature mptool does not implement (reported SKIPPED in the LimboResult).",
    {
        "cert.limbo.unexpected_success": "the path was accepted where the case expects a rejection (the dangerous kind)",
        "cert.limbo.unexpected_failure": "the path was rejected where the case expects it to be accepted",
    },
)


@dataclass
class Outcome:
    """One case's LimboResult entry."""

    id: str
    actual: str  #: SUCCESS, FAILURE or SKIPPED
    context: str


def _certs(pems: list[str], label: str) -> list[Cert]:
    certs = []
    for n, pem in enumerate(pems):
        for der in _pem_blocks(label, pem.encode("ascii")):
            certs.append(parse_certificate(der, f"{label}[{n}]"))
    return certs


def _crls(pems: list[str]) -> list[Crl]:
    from mptool.core.pem import pem_blocks

    out = []
    for n, pem in enumerate(pems):
        for block in pem_blocks(pem.encode("ascii", "replace"), frozenset({"X509 CRL"})):
            out.append(parse_crl(block.der, f"crl[{n}]"))
    return out


def _skip_reason(case: dict[str, Any]) -> str | None:
    for feature in case.get("features") or []:
        if feature in UNSUPPORTED_FEATURES:
            return f"feature {feature}: {UNSUPPORTED_FEATURES[feature]}"
        if feature.startswith("pedantic-") and feature not in PEDANTIC_SUPPORTED:
            return f"feature {feature}: pedantic profile rules are not implemented"
    if case.get("id") in CONTRADICTIONS:
        return f"contradiction: {CONTRADICTIONS[str(case.get('id'))]}"
    for peer in _peer_names(case):
        if peer.get("kind") not in ("DNS", "IP", "RFC822"):
            return f"peer name kind {peer.get('kind')} is not implemented"
    for eku in case.get("extended_key_usage") or []:
        if eku not in EKU_NAMES:
            return f"extended key usage {eku} is not implemented"
    if len([e for e in case.get("extended_key_usage") or [] if EKU_NAMES[e] in PURPOSE_BY_EKU]) > 1:
        return "several required extended key usages are not implemented"
    for usage in case.get("key_usage") or []:
        if usage not in KEY_USAGE_ATTRS:
            return f"key usage {usage} is not implemented"
    if case.get("signature_algorithms"):
        return "restricting signature algorithms is not implemented"
    return None


def _peer_names(case: dict[str, Any]) -> list[dict[str, str]]:
    """The names the peer must carry: ``expected_peer_names`` for client validation,
    ``expected_peer_name`` for server validation (the limbo harness contract)."""
    if case.get("validation_kind") == "CLIENT":
        return list(case.get("expected_peer_names") or [])
    peer = case.get("expected_peer_name")
    return [peer] if peer else []


def _purpose(case: dict[str, Any]) -> str:
    """The purpose from the required EKUs; without one, server validation means serverAuth
    and client validation imposes none."""
    for eku in case.get("extended_key_usage") or []:
        purpose = PURPOSE_BY_EKU.get(EKU_NAMES[eku])
        if purpose:
            return purpose
    return "server" if case.get("validation_kind") != "CLIENT" else "any"


def _conflict_reason(case: dict[str, Any], runnable: set[str]) -> str | None:
    """A case that contradicts a Web-PKI case of the same suite follows RFC 5280 where this
    harness follows the Web-PKI profile (CA/B Forum BR): it is skipped when that case runs."""
    if str(case.get("id", "")).startswith("webpki::"):
        return None
    for other in case.get("conflicts_with") or []:
        if other.startswith("webpki::") and other in runnable:
            return f"contradicts {other}; this harness runs the Web-PKI profile"
    return None


def _time(case: dict[str, Any]) -> _dt.datetime:
    value = case.get("validation_time")
    if not value:
        return _dt.datetime.now(tz=_dt.timezone.utc)
    moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def run_case(case: dict[str, Any], sm2_id: bytes, runnable: set[str] | None = None) -> Outcome:
    """Validate one limbo test case (a case whose validation raises is a FAILURE, never a SUCCESS).

    ``runnable``: the ids of the suite's cases that are not skipped for a feature (conflicts)."""
    try:
        reason = _conflict_reason(case, runnable or set())
        if reason:
            return Outcome(str(case.get("id", "?")), "SKIPPED", reason)
        return _run_case(case, sm2_id)
    except Exception as exc:  # noqa: BLE001 - fail closed and say why
        return Outcome(str(case.get("id", "?")), "FAILURE", f"validation error: {type(exc).__name__}: {exc}")


def _run_case(case: dict[str, Any], sm2_id: bytes) -> Outcome:
    case_id = str(case.get("id", "?"))
    reason = _skip_reason(case)
    if reason:
        return Outcome(case_id, "SKIPPED", reason)
    try:
        anchors = _certs(case.get("trusted_certs") or [], "trusted")
        pool = _certs(case.get("untrusted_intermediates") or [], "intermediate")
        leaves = _certs([case["peer_certificate"]], "peer")
        crls = _crls(case.get("crls") or [])
    except (CertParseError, InputError, ValueError) as exc:
        return Outcome(case_id, "FAILURE", f"input rejected: {exc}")
    names = _peer_names(case)
    dns_ip = [p["value"] for p in names if p.get("kind") in ("DNS", "IP")]
    options = PathOptions(
        at=_time(case), sm2_id=sm2_id, purpose=_purpose(case), peer_name=dns_ip[0] if dns_ip else None, cn_fallback=False, crls=crls, webpki=True,
        revocation_scope="leaf",
    )
    depth = case.get("max_chain_depth")
    if isinstance(depth, int) and depth >= 0:
        options.max_intermediates = min(options.max_intermediates, depth)
    chosen, candidates, _truncated = find_path(leaves[0], pool, anchors, options)
    if chosen is not None:
        problems = extra_problems(case, [c for c in candidates if c.valid], names)
        if problems is not None:
            return Outcome(case_id, "FAILURE", problems)
        return Outcome(case_id, "SUCCESS", "valid path: " + " -> ".join(c.source for c in chosen.certs))
    if not candidates:
        return Outcome(case_id, "FAILURE", "no candidate path to a trust anchor")
    first = next((i for i in candidates[0].issues if i.severity == "error"), None)
    return Outcome(case_id, "FAILURE", f"{len(candidates)} candidate(s) rejected; first: cert.path.{first.check}: {first.message}" if first else "rejected")


def load_suite(path: str) -> tuple[dict[str, Any], InputRecord]:
    """Read and check the top level of a limbo suite (InputError on anything else)."""
    data, record = read_input(path, max_size=256 << 20)
    try:
        suite = jsonio.loads(data)
    except jsonio.JSONInputError as exc:
        raise InputError(record.name, exc.problem) from None
    if not isinstance(suite, dict) or not isinstance(suite.get("testcases"), list):
        raise InputError(record.name, "not a limbo suite: expected an object with a 'testcases' list")
    if suite.get("version") != 1:
        raise InputError(record.name, f"limbo suite version {suite.get('version')!r}, expected 1")
    for n, case in enumerate(suite["testcases"]):
        if not isinstance(case, dict) or "id" not in case or "peer_certificate" not in case:
            raise InputError(record.name, f"test case {n} lacks 'id' or 'peer_certificate'")
    return suite, record


def case_result(case: dict[str, Any], outcome: Outcome) -> CheckResult:
    """Evidence for one case: pass when actual == expected, fail otherwise, na when skipped."""
    expected = case.get("expected_result")
    measurements = {"expected": expected, "actual": outcome.actual, "context": outcome.context}
    if outcome.actual == "SKIPPED":
        return CASE.result(Status.NA, subject=outcome.id, measurements=measurements)
    if outcome.actual == expected:
        return CASE.result(Status.PASS, subject=outcome.id, measurements=measurements)
    danger = outcome.actual == "SUCCESS"
    finding = Finding(
        code="cert.limbo.unexpected_success" if danger else "cert.limbo.unexpected_failure",
        severity=Severity.ERROR if danger else Severity.WARN,
        message=f"expected {expected}, got {outcome.actual}: {outcome.context}",
        data={"importance": case.get("importance")},
    )
    return CASE.result(Status.FAIL if danger else Status.WARN, subject=outcome.id, measurements=measurements, findings=[finding])


def run_suite(suite: dict[str, Any], sm2_id: bytes) -> list[tuple[dict[str, Any], Outcome]]:
    """Every case of the suite, in suite order."""
    runnable = {str(c.get("id")) for c in suite["testcases"] if _skip_reason(c) is None}
    return [(case, run_case(case, sm2_id, runnable)) for case in suite["testcases"]]


def limbo_json(outcomes: list[tuple[dict[str, Any], Outcome]]) -> bytes:
    """The LimboResult document."""
    from mptool import __version__

    doc = {
        "version": 1,
        "harness": f"mptool-{__version__}",
        "results": [{"id": o.id, "actual_result": o.actual, "context": o.context} for _case, o in outcomes],
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def tally(outcomes: list[tuple[dict[str, Any], Outcome]]) -> dict[str, int]:
    """Counts: ran, passed, skipped, unexpected successes and failures."""
    ran = [(c, o) for c, o in outcomes if o.actual != "SKIPPED"]
    return {
        "cases": len(outcomes),
        "ran": len(ran),
        "skipped": len(outcomes) - len(ran),
        "passed": sum(1 for c, o in ran if o.actual == c.get("expected_result")),
        "unexpected_success": sum(1 for c, o in ran if o.actual == "SUCCESS" and c.get("expected_result") == "FAILURE"),
        "unexpected_failure": sum(1 for c, o in ran if o.actual == "FAILURE" and c.get("expected_result") == "SUCCESS"),
    }
