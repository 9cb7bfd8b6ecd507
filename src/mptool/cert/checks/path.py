"""Chain verification as evidence: the verdict, the chosen path and every rejected candidate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mptool.cert.path.build import PATH_CHECKS, Candidate, Issue, PathOptions, find_path, unanchored_candidate, validate
from mptool.cert.x509.parse import Cert
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import CheckSpec, register

RFC = "RFC 5280 §6.1"
_DESCRIPTIONS: dict[str, tuple[str, str, str]] = {
    "chaining": ("Name chaining and AKI/SKI", f"{RFC}.3 (a)(4); RFC 5280 §4.2.1.1", "Each certificate's issuer DN equals the next certificate's subject DN (RFC 5280 §7.1 comparison) and a present authorityKeyIdentifier matches the issuer's subjectKeyIdentifier."),
    "structure": ("Structural rules that affect validation", "RFC 5280 §4.1.1.2, §4.2; CA/B Forum BR 7.1.2 (Web-PKI mode)", "Per certificate of the path: the inner and outer signature algorithms are identical; authorityKeyIdentifier, subjectKeyIdentifier and the access-information extensions are not critical; in Web-PKI mode (limbo) also v3 only, a non-critical subjectAltName when the subject is not empty, and an authorityKeyIdentifier with keyIdentifier only."),
    "anchor": ("Path ends at a trust anchor", f"{RFC}.1 (d)", "The path ends at a configured trust anchor, trusted by name and key (not by its self-signature)."),
    "signature": ("Every link's signature verifies", f"{RFC}.3 (a)(1); GB/T 32918.2-2016 §7; GM/T 0009-2012 §8", "Every certificate's signature verifies with its issuer's key: SM2 with ZA over the configured user ID and the TBS bytes as received, RSA and ECDSA through cryptography; MD5 and SHA-1 signatures are rejected."),
    "validity": ("Validity at the validation time", f"{RFC}.3 (a)(2)", "The validation time (--at, default now) lies within [notBefore, notAfter] of every certificate of the path, trust anchor included."),
    "ca": ("Issuers are CAs", f"{RFC}.4 (k), (n)", "Every issuer (intermediates and the anchor) has basicConstraints cA=TRUE and, when keyUsage is present, keyCertSign."),
    "path_length": ("pathLenConstraint honoured", f"{RFC}.4 (l), (m)", "No CA is followed by more non-self-issued intermediates than its pathLenConstraint allows."),
    "critical_extensions": ("No unrecognised critical extension", f"{RFC}.4 (o); RFC 5280 §4.2", "No certificate of the path carries a critical extension the validator does not process (certificatePolicies, policyMappings, policyConstraints and inhibitAnyPolicy are processed)."),
    "name_constraints": ("Name constraints", f"{RFC}.3 (b), (c); RFC 5280 §4.2.1.10", "Permitted and excluded subtrees of every CA apply to the subject DN, dNSName, rfc822Name (and emailAddress), iPAddress, directoryName, uniformResourceIdentifier (its host) and otherName (same type-id, same value) of the certificates below it; other constraint types fail closed, and so does a path whose name × subtree comparisons exceed a fixed bound (denial-of-service guard)."),
    "policies": ("Certificate policies recorded", f"{RFC}.3 (d)-(f), §6.1.4 (a), (b), (h)-(j), §6.1.5 (a), (b), (g)", "RFC 5280 §6.1 policy processing: the valid_policy_tree with explicit_policy, policy_mapping and inhibit_anyPolicy, from the initial policy set (--policy, default anyPolicy) and the initial-explicit-policy / policy-mapping-inhibit / any-policy-inhibit inputs; the path fails when a policy is required and none is valid. The resulting valid policies are recorded."),
    "revocation": ("Revocation against supplied CRLs", "RFC 5280 §6.3", "RFC 5280 §6.3.3 CRL processing for every certificate below the anchor (the end entity only in the limbo harness): distribution-point and issuingDistributionPoint scope, indirect CRLs, reason masks, delta CRLs, and CRL issuers that are another certificate of the CA (key rollover, a separate CRL-signing key) validated to the same anchor. With CRLs supplied a status that cannot be determined fails the path; without CRLs the status is 'not checked' (warning)."),
    "algorithm_mix": ("SM2 chain uses SM2/SM3 throughout", "GB/T 39786-2021 (密评: SM algorithms)", "A chain containing SM2 keys where any certificate has a non-SM2 key or a signature other than SM2-with-SM3 is flagged."),
    "leaf_usage": ("Leaf usable for the purpose", "RFC 5280 §4.2.1.12; RFC 6125 §6.4", "extKeyUsage of the leaf (and of CAs, when present) allows the purpose; with --name the leaf's subjectAltName (CN only without SAN) matches the peer name."),
    "key_strength": ("Key strength of every certificate", "NIST SP 800-57 Part 1 Rev. 5 §5.6.1; RFC 5480 §2.1.1; CA/B Forum BR §6.1.5 (Web-PKI mode)", "The security strength of every public key of the path (trust anchor included), by the table assess uses for Ra: below 80 bits (e.g. RSA-768) is an error, 80–111 bits (RSA-1024, P-192) a warning, explicit EC parameters and RSA moduli that are not a whole number of bytes warnings; in Web-PKI mode (limbo) all of these are errors and only P-256, P-384 and P-521 are accepted curves."),
}

SPECS: dict[str, CheckSpec] = {
    key: register(
        f"cert.path.{key}",
        title,
        ref,
        text,
        {f"cert.path.{key}": f"{title}: violated by a certificate of the path (error) or not established (warning)"},
        (PATH_CHECKS[key],),
    )
    for key, (title, ref, text) in _DESCRIPTIONS.items()
}
BUILD = register(
    "cert.path.build",
    "A valid certification path exists",
    RFC,
    "Builds every candidate path from the leaf through the supplied intermediates to a trust anchor "
    "(all issuers with the right subject DN are tried) and validates each; passes when one is valid. "
    "The measurements give the chosen path and, for each rejected candidate, which check failed on which certificate.",
    {"cert.path.build.no_valid_path": "no candidate path from the leaf to a trust anchor is valid (or, as a warning, no anchor was given)"},
    tuple(sorted(set(PATH_CHECKS.values()))),
)


def _policy_state(candidate: Candidate) -> dict[str, Any] | None:
    """The outcome of RFC 5280 §6.1 policy processing on a path (valid policies, explicit_policy)."""
    return next((dict(i.data) for i in candidate.issues if i.check == "policies" and "valid_policies" in i.data), None)


def _issue_dict(candidate: Candidate, issue: Issue) -> dict[str, Any]:
    cert = candidate.certs[issue.index] if issue.index >= 0 else None
    return {
        "check": f"cert.path.{issue.check}",
        "rule_id": PATH_CHECKS[issue.check],
        "cert_index": issue.index,
        "certificate": cert.source if cert else None,
        "message": issue.message,
    }


def _per_check_results(candidate: Candidate, subject: str, anchor_severity: str) -> list[CheckResult]:
    results = []
    for key, spec in SPECS.items():
        findings = []
        for issue in candidate.issues:
            if issue.check != key:
                continue
            severity = anchor_severity if key == "anchor" else issue.severity
            cert = candidate.certs[issue.index] if issue.index >= 0 else None
            findings.append(
                Finding(
                    code=spec.id,
                    severity=Severity(severity),
                    message=issue.message,
                    location=f"{cert.source} (path index {issue.index})" if cert else "path",
                    data={"rule_id": PATH_CHECKS[key], **({"cert_index": issue.index, "cert_sha256": cert.sha256} if cert else {}), **issue.data},
                )
            )
        levels = {f.severity for f in findings}
        status = Status.FAIL if Severity.ERROR in levels else Status.WARN if Severity.WARN in levels else Status.INFO if findings else Status.PASS
        results.append(spec.result(status, subject=subject, measurements={"path": [c.source for c in candidate.certs]}, findings=findings))
    return results


def path_results(
    leaf: Cert, pool: Sequence[Cert], anchors: Sequence[Cert], options: PathOptions, *, subject: str, anchor_required: bool = True
) -> list[CheckResult]:
    """``cert.path.build`` then one result per path check on the chosen (or closest) path.

    A validation that raises is recorded as an ``error`` result of ``cert.path.build``.
    """
    try:
        return _path_results(leaf, pool, anchors, options, subject=subject, anchor_required=anchor_required)
    except Exception as exc:  # noqa: BLE001 - recorded as an errored check (exit 4), never a pass
        return [BUILD.error_result(subject, exc)]


def _path_results(
    leaf: Cert, pool: Sequence[Cert], anchors: Sequence[Cert], options: PathOptions, *, subject: str, anchor_required: bool
) -> list[CheckResult]:
    if anchors:
        chosen, candidates, truncated = find_path(leaf, pool, anchors, options)
    else:
        chosen, candidates, truncated = None, [], False
    reported = chosen
    if reported is None:
        rejected_best = min(candidates, key=lambda c: (c.error_count(), len(c.certs)), default=None)
        reported = rejected_best or validate(unanchored_candidate(leaf, [c for c in pool if c.sha256 != leaf.sha256]), options)
    rejected = [
        {"path": [c.source for c in cand.certs], "failures": [_issue_dict(cand, i) for i in cand.issues if i.severity == "error"]}
        for cand in candidates
        if cand is not chosen
    ]
    measurements: dict[str, Any] = {
        "valid": chosen is not None,
        "validation_time": options.at.isoformat(),
        "candidates": len(candidates),
        "search_truncated": truncated,
        "chosen_path": chosen.describe() if chosen else None,
        "policy": _policy_state(reported),
        "rejected_candidates": rejected,
    }
    findings = []
    if chosen is None:
        if not anchors:
            message = "no trust anchor configured: the chain cannot be validated to a root"
        elif not candidates:
            message = f"no path: no supplied certificate has the subject DN {reported.certs[-1].issuer_text!r} (issuer of {reported.certs[-1].source})"
        else:
            first = rejected[0]["failures"][0] if rejected and rejected[0]["failures"] else {"message": "rejected"}
            message = f"all {len(candidates)} candidate paths rejected; the shortest failed: {first['message']}"
        findings.append(Finding(code="cert.path.build.no_valid_path", severity=Severity.ERROR if anchor_required or anchors else Severity.WARN, message=message, location=leaf.source))
    status = Status.PASS if chosen else (Status.FAIL if anchor_required or anchors else Status.WARN)
    build = BUILD.result(status, subject=subject, measurements=measurements, findings=findings)
    anchor_severity = "error" if anchor_required or anchors else "warn"
    return [build, *_per_check_results(reported, subject, anchor_severity)]
