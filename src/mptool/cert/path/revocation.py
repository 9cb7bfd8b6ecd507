"""Revocation against supplied CRLs: the CRL processing of RFC 5280 §6.3.3.

For each certificate of the path (the trust anchor excepted) and each of its distribution points
(or the implicit one of a certificate without cRLDistributionPoints), every complete CRL is
tried: (a) current at the validation time, (b) issuer and scope (direct or indirect CRL,
issuingDistributionPoint names, onlyContainsUserCerts / CACerts / AttributeCerts), (c)–(d) the
reasons it covers, (f) a CRL issuer whose certificate verifies the CRL signature, carries cRLSign
when keyUsage is present and is valid itself — a certificate of the path above the checked one, or
another certificate (key rollover, a separate CRL-signing key) validated to the same trust
anchor — and (g)–(j) a current delta CRL of the same scope. The status is revoked, good (all
reasons covered) or undetermined; with CRLs given an undetermined status fails the path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography import x509

from mptool.cert.x509 import oids
from mptool.cert.x509.crl import Crl, Entry
from mptool.cert.x509.parse import Cert, normalise_name

ALL_REASONS = frozenset(
    r
    for r in x509.ReasonFlags
    if r not in (x509.ReasonFlags.unspecified, x509.ReasonFlags.remove_from_crl)
)
#: how deep CRL-issuer certificates are validated (a CRL signer whose own CRL has another signer…)
MAX_SIGNER_DEPTH = 3


@dataclass
class Context:
    """What revocation processing may use besides the path: the other certificates and anchors."""

    pool: Sequence[Cert] = ()
    anchors: Sequence[Cert] = ()
    depth: int = 0
    in_progress: frozenset[str] = frozenset()  #: CRL signers being validated up the stack (sha256)
    find: Callable[..., Any] | None = None  #: the path finder (mptool.cert.path.build.find_path)


@dataclass
class Status:
    """Revocation status of one certificate."""

    state: str  #: "good", "revoked" or "undetermined"
    reasons: list[str] = field(default_factory=list)  #: why CRLs were not usable (undetermined)
    crls: list[str] = field(default_factory=list)  #: the CRLs that decided
    entry: Entry | None = None


def _general_names_equal(a: x509.GeneralName, b: x509.GeneralName) -> bool:
    if isinstance(a, x509.DirectoryName) and isinstance(b, x509.DirectoryName):
        return normalise_name(a.value) == normalise_name(b.value)
    return type(a) is type(b) and a.value == b.value


def _dp_names(full: Any, relative: Any, base: x509.Name) -> list[x509.GeneralName]:
    if full:
        return list(full)
    if relative is not None:
        return [x509.DirectoryName(x509.Name([*base.rdns, relative]))]
    return []


def _in_scope(crl: Crl, cert: Cert, dp: x509.DistributionPoint | None) -> str | None:
    """None when ``crl`` covers ``cert`` for ``dp`` (RFC 5280 §6.3.3 (b)), else why not."""
    idp = crl.idp
    if dp is not None and dp.crl_issuer:
        issuers = [n.value for n in dp.crl_issuer if isinstance(n, x509.DirectoryName)]
        if not any(normalise_name(n) == crl.issuer_key for n in issuers):
            return "CRL issuer is not the distribution point's cRLIssuer"
        if idp is None or not idp.indirect_crl:
            return "distribution point names a cRLIssuer but the CRL is not indirect"
    elif crl.issuer_key != cert.issuer_key:
        if idp is None or not idp.indirect_crl:
            return "CRL issuer differs from the certificate issuer"
    if idp is None:
        return None
    idp_names = _dp_names(idp.full_name, idp.relative_name, crl.crl.issuer)
    if idp_names:
        if dp is None:
            return "the CRL is scoped to a distribution point and the certificate names none"
        dp_names = _dp_names(dp.full_name, dp.relative_name, _issuer_name(dp, cert))
        if not dp_names:
            dp_names = list(dp.crl_issuer or [])
        if not any(_general_names_equal(a, b) for a in idp_names for b in dp_names):
            return "issuingDistributionPoint names do not match the certificate's distribution point"
    if idp.only_contains_user_certs and cert.is_ca:
        return "CRL covers end-entity certificates only"
    if idp.only_contains_ca_certs and not cert.is_ca:
        return "CRL covers CA certificates only"
    if idp.only_contains_attribute_certs:
        return "CRL covers attribute certificates only"
    return None


def webpki_cdp_problem(cdp: Any) -> str | None:
    """CA/B Forum BR §7.1.2.11.2: a distributionPoint names its CRL by fullName, and fullName
    holds uniformResourceIdentifier names only (Web-PKI mode)."""
    for dp in cdp or []:
        if dp.relative_name is not None or any(not isinstance(n, x509.UniformResourceIdentifier) for n in dp.full_name or []):
            return "cRLDistributionPoints holds a name other than a URI (CA/B BR 7.1.2.11.2)"
    return None


def webpki_idp_problem(crl: Crl) -> str | None:
    """CA/B Forum BR §7.2.2.1: the issuingDistributionPoint of a partitioned CRL uses fullName
    with URIs only and does not assert indirectCRL (Web-PKI mode)."""
    idp = crl.idp
    if idp is None:
        return None
    if idp.relative_name is not None or any(not isinstance(n, x509.UniformResourceIdentifier) for n in idp.full_name or []):
        return "issuingDistributionPoint names the partition other than by URIs (CA/B BR 7.2.2.1)"
    if idp.indirect_crl:
        return "issuingDistributionPoint asserts indirectCRL (CA/B BR 7.2.2.1)"
    return None


def _issuer_name(dp: x509.DistributionPoint, cert: Cert) -> x509.Name:
    names = [n.value for n in dp.crl_issuer or [] if isinstance(n, x509.DirectoryName)]
    return names[0] if names else cert.x509.issuer


def _reasons(crl: Crl, dp: x509.DistributionPoint | None) -> frozenset[x509.ReasonFlags]:
    idp = crl.idp
    mask = ALL_REASONS
    if idp is not None and idp.only_some_reasons:
        mask = mask & frozenset(idp.only_some_reasons)
    if dp is not None and dp.reasons:
        mask = mask & frozenset(dp.reasons)
    return mask


def _entry_for(crl: Crl, cert: Cert) -> Entry | None:
    entry = crl.entries().get(cert.serial)
    if entry is None:
        return None
    issuer = entry.issuer if entry.issuer is not None else crl.issuer_key
    return entry if issuer == cert.issuer_key else None


class Validator:
    """Revocation status of the certificates of one path (signer validations are cached)."""

    def __init__(self, certs: Sequence[Cert], anchored: bool, options: Any, context: Context) -> None:
        self.certs = certs
        self.anchored = anchored
        self.options = options
        self.context = context
        self.anchor = certs[-1] if anchored else None
        self._signers: dict[tuple[str, int], tuple[Cert | None, str]] = {}

    def status(self, index: int) -> Status:
        cert = self.certs[index]
        cdp = cert.ext_value(oids.EXT_CRLDP)
        points: list[x509.DistributionPoint | None] = list(cdp) if cdp else [None]
        mask: frozenset[x509.ReasonFlags] = frozenset()
        problems: list[str] = []
        used: list[str] = []
        complete = [c for c in self.options.crls if c.delta_base is None]
        webpki = bool(getattr(self.options, "webpki", False))
        if webpki and webpki_cdp_problem(cdp):
            return Status("undetermined", reasons=[webpki_cdp_problem(cdp) or ""])
        for dp in points:
            for crl in complete:
                if mask >= ALL_REASONS:
                    break
                why = _in_scope(crl, cert, dp)
                if why is not None:
                    if crl.issuer_key == cert.issuer_key:
                        problems.append(f"{crl.source}: {why}")
                    continue
                if webpki and webpki_idp_problem(crl):
                    problems.append(f"{crl.source} cannot be used: {webpki_idp_problem(crl)}")
                    continue
                interim = _reasons(crl, dp)
                if interim <= mask:
                    continue
                unusable = crl.problems()
                if unusable:
                    problems.append(f"{crl.source} cannot be used: {'; '.join(unusable)}")
                    continue
                if not crl.current_at(self.options.at):
                    problems.append(f"{crl.source} is not current at {self.options.at.isoformat()}")
                    continue
                signer, why = self._signer(crl, index)
                if signer is None:
                    problems.append(f"{crl.source}: {why}")
                    continue
                delta = self._delta(crl, signer)
                entry = _entry_for(crl, cert)
                decided = [crl.source]
                if delta is not None:
                    decided.append(delta.source)
                    delta_entry = _entry_for(delta, cert)
                    if delta_entry is not None:
                        entry = None if delta_entry.reason == "removeFromCRL" else delta_entry
                if entry is not None and entry.reason != "removeFromCRL":
                    return Status("revoked", crls=decided, entry=entry)
                used += decided
                mask = mask | interim
        if mask >= ALL_REASONS:
            return Status("good", crls=used)
        if not problems:
            problems.append("no supplied CRL covers this certificate")
        elif mask:
            problems.append(f"the usable CRLs cover only the reasons {sorted(r.value for r in mask)}")
        return Status("undetermined", reasons=problems, crls=used)

    def _delta(self, complete: Crl, signer: Cert) -> Crl | None:
        """A current delta CRL of the same issuer and scope whose base the complete CRL covers."""
        for crl in self.options.crls:
            base = crl.delta_base
            if base is None or crl.issuer_key != complete.issuer_key or crl.idp_der != complete.idp_der:
                continue
            if complete.number is None or complete.number < base or crl.problems() or not crl.current_at(self.options.at):
                continue
            if crl.number is not None and crl.number <= complete.number:
                continue
            if crl.verify(signer, self.options.sm2_id).ok:
                return crl
        return None

    def _signer(self, crl: Crl, index: int) -> tuple[Cert | None, str]:
        """The certificate of the CRL issuer (RFC 5280 §6.3.3 (f)), or None and why."""
        key = (crl.source + ":" + str(id(crl)), index)
        if key not in self._signers:
            self._signers[key] = self._find_signer(crl, index)
        return self._signers[key]

    def _find_signer(self, crl: Crl, index: int) -> tuple[Cert | None, str]:
        in_path = list(self.certs[index + 1 :])
        others = [c for c in [*self.context.pool, *self.context.anchors] if all(c.sha256 != p.sha256 for p in self.certs)]
        if self.certs[index].sha256 in self.context.in_progress:
            others.append(self.certs[index])  # a CRL issuer whose own status is on the CRL it signs
        reasons: list[str] = []
        for candidate in [*in_path, *others]:
            if candidate.subject_key != crl.issuer_key:
                continue
            verdict = crl.verify(candidate, self.options.sm2_id)
            if not verdict.ok:
                reasons.append(f"signature does not verify with {candidate.source}: {verdict.reason}")
                continue
            ku = candidate.ext_value(oids.EXT_KU)
            if ku is not None and not ku.crl_sign:
                reasons.append(f"CRL issuer {candidate.source} lacks keyUsage cRLSign")
                continue
            if any(candidate.sha256 == p.sha256 for p in in_path) or any(candidate.sha256 == a.sha256 for a in self.context.anchors):
                return candidate, ""
            ok, why = self._signer_valid(candidate)
            if ok:
                return candidate, ""
            reasons.append(f"CRL issuer certificate {candidate.source} is not valid: {why}")
        return None, "; ".join(reasons) or "no certificate of the CRL issuer was supplied"

    def _signer_valid(self, signer: Cert) -> tuple[bool, str]:
        """Validate a CRL signer outside the path to the same trust anchor (RFC 5280 §6.3.3 (f))."""
        if signer.sha256 in self.context.in_progress:
            return True, ""  # its own CRL is being checked with it further up (self-issued CRL key)
        if self.context.depth >= MAX_SIGNER_DEPTH or self.anchor is None or self.context.find is None:
            return False, "CRL issuer validation too deep" if self.anchor is not None else "no trust anchor"
        options = replace(self.options, purpose="any", peer_name=None, webpki=False, initial_policies=(oids.ANY_POLICY,), explicit_policy=False)
        context = Context(self.context.pool, [self.anchor], self.context.depth + 1, self.context.in_progress | {signer.sha256}, self.context.find)
        chosen, candidates, _ = self.context.find(signer, list(self.context.pool), [self.anchor], options, context)
        if chosen is not None:
            return True, ""
        first = next((i.message for c in candidates for i in c.issues if i.severity == "error"), "no path to the trust anchor")
        return False, first
