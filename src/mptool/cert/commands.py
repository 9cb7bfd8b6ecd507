"""The work behind the ``cert`` commands and the public API: inputs in, results into a builder."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mptool.cert.lint import lint_certificates  # (the path engine is imported by the commands that use it)
from mptool.cert.x509.loader import load_files
from mptool.cert.options import parse_at, parse_sm2_id, sm2_id_parameter
from mptool.cert.x509.parse import Cert, CertParseError, parse_certificate
from mptool.core.errors import InputError
from mptool.core.model import CheckResult
from mptool.core.report import ReportBuilder


ANY_POLICY = "2.5.29.32.0"
_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")


@dataclass(frozen=True)
class PolicyInputs:
    """The policy inputs of RFC 5280 §6.1.1 (c), (e), (f), (g) as given on the command line."""

    policies: Sequence[str] = ()
    explicit: bool = False
    inhibit_mapping: bool = False
    inhibit_any: bool = False

    def initial_set(self) -> tuple[str, ...]:
        """The user-initial-policy-set (anyPolicy when none is given); InputError on a bad OID."""
        for oid in self.policies:
            if not _OID.match(oid):
                raise InputError("--policy", f"not an object identifier: {oid!r} (e.g. 2.16.840.1.101.3.2.1.48.1)")
        return tuple(dict.fromkeys(self.policies)) or (ANY_POLICY,)


def _parse_ders(ders: Sequence[bytes], subject: str) -> list[Cert]:
    certs = []
    for index, der in enumerate(ders):
        name = f"{subject}[{index}]"
        try:
            certs.append(parse_certificate(bytes(der), name))
        except CertParseError as exc:
            raise InputError(name, str(exc)) from None
    return certs


def check_der_certificates(
    der_list: Sequence[bytes],
    *,
    sm2_id: bytes,
    at: _dt.datetime | None,
    purpose: str,
    trust: Sequence[bytes],
    peer_name: str | None,
    subject: str,
    lint: bool,
) -> list[CheckResult]:
    """Implementation of :func:`mptool.cert.api.check_certificates`."""
    from mptool.cert.checks.path import path_results
    from mptool.cert.path.build import PathOptions

    if not der_list:
        raise InputError(subject, "no certificate")
    certs = _parse_ders(der_list, subject)
    anchors = _parse_ders(trust, f"{subject}.trust")
    moment = at.astimezone(_dt.timezone.utc) if at is not None else parse_at(None)
    options = PathOptions(at=moment, sm2_id=sm2_id, purpose=purpose, peer_name=peer_name)
    results = lint_certificates(certs, sm2_id=sm2_id) if lint else []
    results += path_results(certs[0], certs[1:], anchors, options, subject=subject, anchor_required=False)
    return results


def run_lint(builder: ReportBuilder, paths: Sequence[str], *, profile: str | None, sm2_id_text: str | None, progress: object = None, at_text: str | None = None) -> None:
    """``cert lint``: every rule on every certificate of every input.

    Each certificate's identity (subject, issuer, serial, validity, key, SM3 and SHA-256) is in
    ``summary.certificates`` and on the screen; stray files of a directory are skipped with the
    reason (exit 4); ``at_text`` (``--at``) makes an expired or not yet valid certificate a warning.
    """
    from mptool.cert.x509.identity import identity, one_line
    from mptool.core.progress import DISABLED, Progress

    sm2_id = parse_sm2_id(sm2_id_text)
    at = parse_at(at_text) if at_text is not None else None
    loaded = load_files(paths, skip_strays=True)
    for record in loaded.records:
        builder.add_input(record)
    for name, reason in loaded.skipped:
        builder.skip_input(name, reason)
    builder.parameters.update({"profile": profile or "detected", "sm2_id": sm2_id_parameter(sm2_id), "certificates": len(loaded.certs)})
    builder.parameters["at"] = at.isoformat() if at is not None else None
    bar = progress if isinstance(progress, Progress) else DISABLED
    identities = []
    with bar.task("cert lint", len(loaded.certs)) as advance:
        for cert in loaded.certs:
            builder.extend(lint_certificates([cert], profile=profile, sm2_id=sm2_id, at=at))
            identities.append(identity(cert))
            builder.shown.append((f"certificate {cert.source}", one_line(identities[-1])))
            advance(1)
    builder.summary_extra["certificates_linted"] = len(loaded.certs)
    builder.summary_extra["certificates"] = identities


def run_chain(
    builder: ReportBuilder,
    leaf_path: str,
    *,
    intermediates: Sequence[str],
    trust: Sequence[str],
    crls: Sequence[str],
    at_text: str | None,
    sm2_id_text: str | None,
    purpose: str,
    name: str | None,
    policy: PolicyInputs = PolicyInputs(),
) -> None:
    """``cert chain``: find and validate a path from the leaf to a trust anchor."""
    from mptool.cert.checks.path import path_results
    from mptool.cert.path.build import PathOptions
    from mptool.cert.x509.crl import load_crls

    at = parse_at(at_text, _pinned_now(builder))
    initial_policies = policy.initial_set()
    sm2_id = parse_sm2_id(sm2_id_text)
    leaf_files = load_files([leaf_path])
    pool_files = load_files(intermediates)
    trust_files = load_files(trust) if trust else None
    crl_list, crl_records = load_crls(crls)
    for record in [*leaf_files.records, *pool_files.records, *(trust_files.records if trust_files else []), *crl_records]:
        builder.add_input(record)
    leaf, *rest = leaf_files.certs
    anchors = trust_files.certs if trust_files else []
    builder.parameters.update(
        {
            "at": at.isoformat(),
            "at_source": "--at" if at_text else "now",
            "sm2_id": sm2_id_parameter(sm2_id),
            "purpose": purpose,
            "name": name,
            "leaf": leaf.describe(),
            "intermediates": len(rest) + len(pool_files.certs),
            "trust_anchors": len(anchors),
            "crls": len(crl_list),
            "max_intermediates": PathOptions.max_intermediates,
            "max_candidates": PathOptions.max_candidates,
            "cn_fallback": True,
            "initial_policy_set": list(initial_policies),
            "initial_explicit_policy": policy.explicit,
            "initial_policy_mapping_inhibit": policy.inhibit_mapping,
            "initial_any_policy_inhibit": policy.inhibit_any,
            "revocation": "every certificate below the anchor must have a determined status" if crl_list else "not checked (no --crl)",
        }
    )
    options = PathOptions(
        at=at,
        sm2_id=sm2_id,
        purpose=purpose,
        peer_name=name,
        crls=crl_list,
        initial_policies=initial_policies,
        explicit_policy=policy.explicit,
        policy_mapping_inhibit=policy.inhibit_mapping,
        any_policy_inhibit=policy.inhibit_any,
    )
    builder.extend(path_results(leaf, [*rest, *pool_files.certs], anchors, options, subject=leaf.source))


def _pinned_now(builder: ReportBuilder) -> _dt.datetime | None:
    """With SOURCE_DATE_EPOCH set the default --at is that time (--deterministic alone keeps now)."""
    from mptool.core.report import fixed_timestamp

    pinned = fixed_timestamp()
    return parse_at(pinned) if pinned else None


def run_pair(builder: ReportBuilder, sign_path: str, enc_path: str, *, at_text: str | None) -> None:
    """``cert pair``: the TLCP signing/encryption pair check."""
    from mptool.cert.checks.pair import check_pair

    at = parse_at(at_text, _pinned_now(builder))
    certs = []
    for path in (sign_path, enc_path):
        loaded = load_files([path])
        for record in loaded.records:
            builder.add_input(record)
        if len(loaded.certs) != 1:
            raise InputError(path, f"holds {len(loaded.certs)} certificates, expected exactly one")
        certs.append(loaded.certs[0])
    builder.parameters.update({"at": at.isoformat(), "at_source": "--at" if at_text else "now"})
    builder.add(check_pair(certs[0], certs[1], at))


def run_limbo(builder: ReportBuilder, suite_path: str, *, sm2_id_text: str | None) -> tuple[bytes, dict[str, int]]:
    """``cert limbo``: run a limbo suite; returns the LimboResult JSON and the totals."""
    from mptool.cert.checks.limbo import case_result, limbo_json, load_suite, run_suite, tally

    sm2_id = parse_sm2_id(sm2_id_text)
    suite, record = load_suite(suite_path)
    builder.add_input(record)
    builder.parameters.update({"sm2_id": sm2_id_parameter(sm2_id), "mode": "webpki", "cn_fallback": False})
    outcomes = run_suite(suite, sm2_id)
    for case, outcome in outcomes:
        builder.add(case_result(case, outcome))
    totals = tally(outcomes)
    builder.summary_extra["limbo"] = totals
    return limbo_json(outcomes), totals
