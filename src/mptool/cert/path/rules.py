"""The checks run on one candidate path (RFC 5280 §6.1, cert-rules §5); see :func:`validate`."""

from __future__ import annotations

import re
from typing import Any

from cryptography import x509

from mptool.cert.x509 import oids
from mptool.cert.x509.names import cert_names, constraint_violations, peer_name_matches
from mptool.cert.x509.parse import Cert
from mptool.cert.path.model import Candidate, Issue, PathOptions
from mptool.cert.path.policy import process_policies
from mptool.cert.path.revocation import Context, Validator
from mptool.cert.x509.signature import verify_certificate
from mptool.cert.x509.strength import key_strength, strength_problems


def validate(candidate: Candidate, options: PathOptions, context: Context | None = None) -> Candidate:
    """Run every path check on ``candidate``; its ``issues`` are filled in. ``context`` holds the
    other supplied certificates and anchors (CRL issuers outside the path)."""
    certs = candidate.certs
    add = candidate.issues.append
    last = len(certs) - 1
    _check_links(certs, options, add)
    for index, cert in enumerate(certs):
        _check_validity(index, cert, options, add)
        _check_critical(index, cert, add)
        _check_structure(index, cert, index == last and candidate.anchored, options, add)
        _check_key_strength(index, cert, options, add)
    for index in range(1, len(certs)):
        _check_ca(index, certs, options, add)
    _check_name_constraints(certs, options, add)
    _check_policies(certs, candidate.anchored, options, add)
    _check_revocation(certs, candidate.anchored, options, context or Context(), add)
    _check_algorithm_mix(certs, add)
    _check_leaf(certs[0], options, add)
    if not candidate.anchored:
        add(Issue("anchor", "error", last, "the path does not end at a configured trust anchor", {"last": certs[last].subject_text}))
    return candidate


def _check_links(certs: list[Cert], options: PathOptions, add: Any) -> None:
    for index in range(len(certs) - 1):
        child, issuer = certs[index], certs[index + 1]
        if child.issuer_key != issuer.subject_key:
            add(Issue("chaining", "error", index, "issuer DN does not equal the next certificate's subject DN", {"issuer": child.issuer_text, "next_subject": issuer.subject_text}))
        aki = child.ext_value(oids.EXT_AKI)
        ski = issuer.ext_value(oids.EXT_SKI)
        if aki is not None and aki.key_identifier is not None and ski is not None and aki.key_identifier != ski.digest:
            add(Issue("chaining", "error", index, "authorityKeyIdentifier does not match the issuer's subjectKeyIdentifier", {"aki": aki.key_identifier.hex(), "ski": ski.digest.hex()}))
        verdict = verify_certificate(child, issuer, options.sm2_id)
        if not verdict.ok:
            add(Issue("signature", "error", index, f"{verdict.reason} (issuer: {issuer.source})", {"rule": verdict.rule, **verdict.data}))
        elif child.signature_algorithm in oids.WEAK_SIGS:
            add(Issue("signature", "error", index, f"signature uses a broken digest ({child.signature_algorithm})", {"rule": "CERT-PATH-003", "algorithm": child.signature_algorithm}))


def _check_validity(index: int, cert: Cert, options: PathOptions, add: Any) -> None:
    at = options.at.replace(microsecond=0)  # validity has one-second granularity (RFC 5280 §4.1.2.5)
    if not (cert.not_before <= at <= cert.not_after):
        state = "not yet valid" if at < cert.not_before else "expired"
        add(Issue("validity", "error", index, f"{state} at {options.at.isoformat()}", {"not_before": cert.not_before.isoformat(), "not_after": cert.not_after.isoformat()}))


def _check_critical(index: int, cert: Cert, add: Any) -> None:
    if cert.extension_error:
        add(Issue("critical_extensions", "error", index, f"extensions cannot be processed: {cert.extension_error}"))
    for oid, critical, _value in cert.raw_extensions:
        if not critical or oid in oids.PROCESSED_EXTENSIONS:
            continue
        add(Issue("critical_extensions", "error", index, f"unrecognised critical extension {oid}", {"oid": oid}))


#: extensions RFC 5280 says conforming CAs MUST mark non-critical
MUST_BE_NON_CRITICAL = {oids.EXT_AKI: "authorityKeyIdentifier", oids.EXT_SKI: "subjectKeyIdentifier", oids.EXT_AIA: "authorityInfoAccess", oids.EXT_SIA: "subjectInfoAccess"}


def _check_structure(index: int, cert: Cert, is_anchor: bool, options: PathOptions, add: Any) -> None:
    if cert.slices.tbs_signature_algorithm != cert.slices.signature_algorithm:
        add(Issue("structure", "error", index, "tbsCertificate.signature differs from signatureAlgorithm (CERT-FMT-004)"))
    for oid, critical, _value in cert.raw_extensions:
        if critical and oid in MUST_BE_NON_CRITICAL:
            add(Issue("structure", "error", index, f"{MUST_BE_NON_CRITICAL[oid]} is marked critical (RFC 5280 requires non-critical)", {"oid": oid}))
    if not cert.x509.subject.rdns:
        san_ext = cert.extensions.get(oids.EXT_SAN)
        if san_ext is None or not san_ext.critical:
            add(Issue("structure", "error", index, "empty subject without a critical subjectAltName (RFC 5280 §4.2.1.6)"))
    ku = cert.ext_value(oids.EXT_KU)
    if ku is not None and not _any_key_usage(ku):
        add(Issue("structure", "error", index, "keyUsage present with no bit set (RFC 5280 §4.2.1.3)"))
    if ku is not None and cert.key.algorithm in MLDSA_KEYS and (ku.key_encipherment or ku.data_encipherment or ku.key_agreement):
        add(Issue("structure", "error", index, "ML-DSA key with an encryption or key-agreement keyUsage (RFC 9881 §5: MUST NOT)"))
    if oids.EXT_NC in cert.extensions and not cert.is_ca:
        add(Issue("structure", "error", index, "nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10)"))
    aki = cert.ext_value(oids.EXT_AKI)
    if not cert.self_issued and not is_anchor and (aki is None or aki.key_identifier is None):
        # A profile MUST (RFC 5280 §4.2.1.1; CERT-EXT-007, reported by the lint) that §6 path
        # validation does not use: it fails the path only in Web-PKI mode.
        severity = "error" if options.webpki else "warn"
        add(Issue("chaining", severity, index, "authorityKeyIdentifier keyIdentifier is missing (RFC 5280 §4.2.1.1 MUST)"))
    if not options.webpki:
        return
    if is_anchor and not cert.self_issued and (aki is None or aki.key_identifier is None):
        add(Issue("structure", "error", index, "trust anchor issued by another CA lacks authorityKeyIdentifier (RFC 5280 §4.2.1.1: only self-signed certificates may omit it)"))
    serial = cert.serial
    if serial <= 0 or (serial.bit_length() + 8) // 8 > 20:
        add(Issue("structure", "error", index, f"serialNumber {'is not positive' if serial <= 0 else 'is longer than 20 octets'} (RFC 5280 §4.1.2.2)"))
    if is_anchor and oids.EXT_EKU in cert.extensions:
        add(Issue("structure", "error", index, "root CA certificate carries extKeyUsage (CA/B BR 7.1.2.1.2: MUST NOT; S/MIME BR 7.1.2.1 (d))"))
    if cert.version != 2:
        add(Issue("structure", "error", index, f"version v{cert.version + 1}, Web-PKI requires v3"))
    san = cert.extensions.get(oids.EXT_SAN)
    if san is not None and san.critical and cert.x509.subject.rdns:
        add(Issue("structure", "error", index, "subjectAltName is critical although the subject is not empty"))
    pc = cert.extensions.get(oids.EXT_PC)
    if pc is not None and not pc.critical:
        add(Issue("structure", "error", index, "policyConstraints is not critical (RFC 5280 §4.2.1.11: conforming CAs MUST mark it critical)"))
    if aki is not None and (aki.key_identifier is None or aki.authority_cert_issuer is not None or aki.authority_cert_serial_number is not None):
        add(Issue("structure", "error", index, "authorityKeyIdentifier must carry keyIdentifier only (CA/B BR 7.1.2)"))
    ski = cert.ext_value(oids.EXT_SKI)
    if is_anchor and cert.self_issued and aki is not None and aki.key_identifier is not None and ski is not None and aki.key_identifier != ski.digest:
        add(Issue("structure", "error", index, "self-signed anchor: authorityKeyIdentifier differs from its subjectKeyIdentifier"))


#: ML-DSA subjectPublicKeyInfo algorithms (RFC 9881 §4)
MLDSA_KEYS = frozenset({"2.16.840.1.101.3.4.3.17", "2.16.840.1.101.3.4.3.18", "2.16.840.1.101.3.4.3.19"})


def _any_key_usage(ku: Any) -> bool:
    bits = [ku.digital_signature, ku.content_commitment, ku.key_encipherment, ku.data_encipherment, ku.key_agreement, ku.key_cert_sign, ku.crl_sign]
    return any(bits)


_HEX_NUMBER = re.compile(r"^0[xX][0-9a-fA-F]+$")


def _webpki_common_name(leaf: Cert, add: Any) -> None:
    """CA/B BR 7.1.4.3: a subscriber CN that names a host (has a dot or colon, or is a 0x number)
    must be a character-for-character copy of a SAN dNSName or of a SAN iPAddress in RFC 3986 /
    RFC 5952 text; at most one CN."""
    cns = [a.value for a in leaf.x509.subject if a.oid.dotted_string == "2.5.4.3"]
    if not cns:
        return
    san = leaf.ext_value(oids.EXT_SAN)
    allowed: set[str] = set()
    if san is not None:
        allowed |= set(san.get_values_for_type(x509.DNSName))
        allowed |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    host_like = [c for c in cns if isinstance(c, str) and ("." in c or ":" in c or _HEX_NUMBER.match(c))]
    if len(cns) > 1 or (host_like and host_like[0] not in allowed):
        add(Issue("leaf_usage", "error", 0, "subject CN is not a character-for-character copy of a subjectAltName value (CA/B BR 7.1.4.3)", {"cn": [str(c) for c in cns]}))


#: extKeyUsage purposes a TLS server certificate must not carry (CA/B BR 7.1.2.7.10)
FORBIDDEN_SERVER_EKUS = {
    oids.EKU_ANY: "anyExtendedKeyUsage",
    oids.EKU_CODESIGN: "id-kp-codeSigning",
    "1.3.6.1.5.5.7.3.4": "id-kp-emailProtection",
    "1.3.6.1.5.5.7.3.8": "id-kp-timeStamping",
    "1.3.6.1.5.5.7.3.9": "id-kp-OCSPSigning",
    "1.3.6.1.4.1.11129.2.4.4": "the Precertificate Signing Certificate OID",
}


def _webpki_server_eku(leaf: Cert, add: Any) -> None:
    """CA/B BR 7.1.2.7.10 (subscriber extKeyUsage): present, not critical, with id-kp-serverAuth
    and none of the purposes the BR forbid beside it."""
    ext = leaf.extensions.get(oids.EXT_EKU)
    if ext is None:
        add(Issue("leaf_usage", "error", 0, "server certificate lacks extKeyUsage (CA/B BR 7.1.2.7.10: MUST be present)"))
        return
    if ext.critical:
        add(Issue("leaf_usage", "error", 0, "extKeyUsage is critical (CA/B BR 7.1.2.7.10: MUST NOT be critical)"))
    purposes = {p.dotted_string for p in ext.value}
    if oids.EKU_SERVER not in purposes:
        add(Issue("leaf_usage", "error", 0, "extKeyUsage lacks id-kp-serverAuth (CA/B BR 7.1.2.7.10)"))
    for oid in sorted(purposes & set(FORBIDDEN_SERVER_EKUS)):
        add(Issue("leaf_usage", "error", 0, f"extKeyUsage carries {FORBIDDEN_SERVER_EKUS[oid]} (CA/B BR 7.1.2.7.10: MUST NOT)", {"eku": oid}))


def _webpki_wildcards(leaf: Cert, add: Any) -> None:
    """CA/B BR 3.2.2.6: no wildcard over a registry-controlled label. Without a public-suffix
    list mptool refuses the certain cases only: a wildcard over a single label (``*.com``)."""
    san = leaf.ext_value(oids.EXT_SAN)
    for value in san.get_values_for_type(x509.DNSName) if san is not None else []:
        if value.startswith("*.") and "." not in value[2:].strip("."):
            add(Issue("leaf_usage", "error", 0, f"wildcard {value!r} spans a top-level domain (CA/B BR 3.2.2.6)"))


def _check_ca(index: int, certs: list[Cert], options: PathOptions, add: Any) -> None:
    cert = certs[index]
    bc = cert.ext_value(oids.EXT_BC)
    if bc is None or not bc.ca:
        add(Issue("ca", "error", index, "issuer is not a CA: basicConstraints cA=TRUE missing", {"version": cert.version + 1}))
    elif not cert.extensions[oids.EXT_BC].critical:
        severity = "error" if options.webpki else "warn"
        add(Issue("ca", severity, index, "basicConstraints of a CA is not critical (RFC 5280 §4.2.1.9 MUST; real CFCA/NRCAC SM2 roots do this)"))
    if not cert.x509.subject.rdns:
        add(Issue("ca", "error", index, "CA certificate has an empty subject DN"))
    if oids.EXT_SKI not in cert.extensions:
        severity = "error" if options.webpki else "warn"
        add(Issue("ca", severity, index, "CA certificate lacks subjectKeyIdentifier (RFC 5280 §4.2.1.2 MUST; some SM2 test CAs omit it)"))
    ku = cert.ext_value(oids.EXT_KU)
    if ku is not None and not ku.key_cert_sign:
        add(Issue("ca", "error", index, "issuer keyUsage lacks keyCertSign"))
    if bc is not None and bc.ca and bc.path_length is not None:
        below = sum(1 for c in certs[1:index] if not c.self_issued)
        if below > bc.path_length:
            add(Issue("path_length", "error", index, f"pathLenConstraint {bc.path_length} but {below} non-self-issued intermediates follow", {"path_length": bc.path_length, "following": below}))
    wanted = oids.PURPOSE_EKU.get(options.purpose)
    eku = cert.ext_value(oids.EXT_EKU)
    if wanted and eku is not None:
        purposes = {p.dotted_string for p in eku}
        if wanted not in purposes and oids.EKU_ANY not in purposes:
            add(Issue("leaf_usage", "error", index, f"CA extKeyUsage does not allow {options.purpose}", {"eku": sorted(purposes)}))


def _check_key_strength(index: int, cert: Cert, options: PathOptions, add: Any) -> None:
    """Key strength (NIST SP 800-57 levels); in Web-PKI mode also the key types of CA/B Forum
    BR §6.1.5 / §7.1.3.1: DSA keys are not permitted (RSA and ECDSA are; mptool also keeps
    EdDSA and SM2 keys, which the BR do not list, to the strength rules)."""
    strength = key_strength(cert)
    data = {"key": strength.algorithm, "bits": strength.bits, "level": strength.level}
    for _code, severity, message in strength_problems(strength, webpki=options.webpki):
        add(Issue("key_strength", severity, index, message, data))
    if options.webpki and strength.algorithm.upper().startswith("DSA"):
        add(Issue("key_strength", "error", index, f"{strength.algorithm} key: DSA is not permitted in the Web-PKI (CA/B BR 6.1.5)", data))


def _check_name_constraints(certs: list[Cert], options: PathOptions, add: Any) -> None:
    budget = [options.max_name_checks]
    for ca_index in range(1, len(certs)):
        nc = certs[ca_index].ext_value(oids.EXT_NC)
        if nc is None:
            continue
        for index in range(ca_index):
            cert = certs[index]
            if index > 0 and cert.self_issued:
                continue  # RFC 5280 §6.1.3 (b): self-issued intermediates are not constrained
            for problem in constraint_violations(nc, cert_names(cert), budget):
                add(Issue("name_constraints", "error", index, f"{problem} (constraints of {certs[ca_index].source})", {"constrained_by": ca_index}))
            if budget[0] < 0:
                return


def _check_policies(certs: list[Cert], anchored: bool, options: PathOptions, add: Any) -> None:
    """RFC 5280 §6.1 policy processing on the path below the anchor; the result is recorded."""
    path = list(reversed(certs[:-1] if anchored else certs))
    outcome = process_policies(
        path, options.initial_policies, explicit=options.explicit_policy, mapping_inhibit=options.policy_mapping_inhibit, any_inhibit=options.any_policy_inhibit
    )
    n = len(path)
    for position, message in outcome.problems:
        add(Issue("policies", "error", n - position, message, outcome.describe()))
    if not outcome.problems:
        add(Issue("policies", "info", -1, f"policy processing passed; valid policies {outcome.policies if outcome.policies is not None else 'none (tree NULL)'}", outcome.describe()))


def _check_revocation(certs: list[Cert], anchored: bool, options: PathOptions, context: Context, add: Any) -> None:
    """RFC 5280 §6.3: with CRLs given, every certificate below the anchor must have a determined status."""
    if not options.crls:
        add(Issue("revocation", "warn", -1, "revocation not checked: no CRL supplied (offline mode)"))
        return
    checked = len(certs) - 1 if anchored else len(certs)
    indexes = list(range(checked))
    if options.revocation_scope == "leaf":
        # the end entity always; a CA below the anchor when a supplied CRL comes from its issuer
        issuers = {crl.issuer_key for crl in options.crls}
        indexes = [i for i in indexes if i == 0 or certs[i].issuer_key in issuers]
    validator = Validator(certs, anchored, options, context)
    for index in indexes:
        status = validator.status(index)
        if status.state == "revoked":
            entry = status.entry
            add(Issue("revocation", "error", index, f"revoked (CRL {', '.join(status.crls)}; reason {entry.reason if entry else None})", {"serial": str(certs[index].serial), "crls": status.crls}))
        elif status.state == "undetermined":
            add(Issue("revocation", "error", index, "revocation status cannot be determined from the supplied CRLs: " + "; ".join(status.reasons), {"crls": status.crls}))


def _check_algorithm_mix(certs: list[Cert], add: Any) -> None:
    kinds = {c.key.kind for c in certs}
    if "sm2" in kinds:
        others = [i for i, c in enumerate(certs) if c.key.kind != "sm2" or (i < len(certs) - 1 and c.signature_algorithm != oids.SM2_WITH_SM3)]
        for index in others:
            add(Issue("algorithm_mix", "warn", index, "SM2 chain with a non-SM2/SM3 key or signature", {"key": certs[index].key.kind, "signature": certs[index].signature_algorithm}))


def _check_leaf(leaf: Cert, options: PathOptions, add: Any) -> None:
    wanted = oids.PURPOSE_EKU.get(options.purpose)
    eku = leaf.ext_value(oids.EXT_EKU)
    if wanted and eku is not None:
        purposes = {p.dotted_string for p in eku}
        if wanted not in purposes and oids.EKU_ANY not in purposes:
            add(Issue("leaf_usage", "error", 0, f"extKeyUsage does not allow {options.purpose}", {"eku": sorted(purposes), "wanted": wanted}))
    ku = leaf.ext_value(oids.EXT_KU)
    if ku is not None and ku.key_cert_sign and not leaf.is_ca:
        add(Issue("leaf_usage", "error", 0, "keyUsage keyCertSign without basicConstraints cA=TRUE (RFC 5280 §4.2.1.9)"))
    if options.purpose == "codesign" and ku is not None and not (ku.digital_signature or ku.content_commitment):
        add(Issue("leaf_usage", "error", 0, "keyUsage lacks digitalSignature for code signing"))
    if leaf.is_ca and ku is not None and not ku.key_cert_sign:
        add(Issue("leaf_usage", "error", 0, "basicConstraints cA=TRUE but keyUsage lacks keyCertSign (inconsistent, RFC 5280 §4.2.1.3/§4.2.1.9)"))
    if options.webpki and options.purpose == "server" and not leaf.is_ca:
        _webpki_common_name(leaf, add)
        _webpki_server_eku(leaf, add)
        _webpki_wildcards(leaf, add)
    if options.webpki and options.purpose in ("server", "client") and leaf.is_ca:
        add(Issue("leaf_usage", "error", 0, "leaf certificate is a CA (basicConstraints cA=TRUE)"))
    if options.peer_name is not None:
        ok, observed = peer_name_matches(leaf, options.peer_name, cn_fallback=options.cn_fallback)
        if not ok:
            add(Issue("leaf_usage", "error", 0, f"peer name {options.peer_name!r} does not match the certificate", observed))
