"""Extension rules by profile, CERT-EXT-001..013 (cert-rules.md §3, our reading of GM/T 0015 Annex C)."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from mptool.cert.x509 import oids
from mptool.cert.x509.extensions import is_gmt0015_private
from mptool.cert.lint.base import LintContext, Verdict, rule
from mptool.cert.x509.profiles import ENCIPHER_BITS, EDITIONS, key_usage_bits

CA = ("root", "subca")
EE = ("ee-sign", "ee-enc")
NOT_ROOT = ("subca", "ee-sign", "ee-enc")


@rule("cert.ext.basic_constraints_ca", "CA: basicConstraints present, cA=TRUE, critical", "CERT-EXT-001", "RFC 5280 §4.2.1.9; " + EDITIONS + " (C.1, C.2)", profiles=CA, findings={'absent': 'basicConstraints is absent', 'not_ca': 'basicConstraints cA is FALSE in a CA certificate', 'not_critical': 'basicConstraints is not marked critical'})
def basic_constraints_ca(ctx: LintContext) -> Verdict:
    """A CA certificate must carry basicConstraints with cA=TRUE (error); it should be critical
    (warning only: real CFCA and NRCAC roots mark it non-critical, as deployed)."""
    v = Verdict()
    ext = ctx.cert.extensions.get(oids.EXT_BC)
    if ext is None:
        v.error("absent", "basicConstraints is absent", expected="cA=TRUE")
        return v
    v.measurements = {"ca": ext.value.ca, "path_length": ext.value.path_length, "critical": ext.critical}
    if not ext.value.ca:
        v.error("not_ca", "basicConstraints cA is FALSE in a CA certificate", observed=False, expected=True)
    if not ext.critical:
        v.warn("not_critical", "basicConstraints is not marked critical", observed=False, expected=True)
    return v


@rule("cert.ext.basic_constraints_ee", "End entity: basicConstraints absent or cA=FALSE", "CERT-EXT-002", "RFC 5280 §4.2.1.9; " + EDITIONS + " (C.3, C.4)", profiles=EE, findings={'is_ca': 'end-entity certificate asserts cA=TRUE'})
def basic_constraints_ee(ctx: LintContext) -> Verdict:
    """An end-entity certificate must not assert cA=TRUE."""
    v = Verdict()
    bc = ctx.cert.ext_value(oids.EXT_BC)
    if bc is not None and bc.ca:
        v.error("is_ca", "end-entity certificate asserts cA=TRUE", observed=True, expected=False)
    return v


@rule("cert.ext.key_usage_present", "keyUsage present and critical", "CERT-EXT-003", "RFC 5280 §4.2.1.3; " + EDITIONS, findings={'absent': 'keyUsage is absent', 'not_critical': 'keyUsage is not marked critical'})
def key_usage_present(ctx: LintContext) -> Verdict:
    """keyUsage must be present (error); RFC 5280 says it SHOULD be critical (warning when not)."""
    v = Verdict()
    ext = ctx.cert.extensions.get(oids.EXT_KU)
    if ext is None:
        v.error("absent", "keyUsage is absent")
        return v
    v.measurements = {"key_usage": sorted(key_usage_bits(ctx.cert) or ()), "critical": ext.critical}
    if not ext.critical:
        v.warn("not_critical", "keyUsage is not marked critical", observed=False, expected=True)
    return v


@rule("cert.ext.key_usage_ca", "CA keyUsage: keyCertSign (+cRLSign), no encipherment", "CERT-EXT-004", "RFC 5280 §4.2.1.3; " + EDITIONS + " (C.1, C.2)", profiles=CA, findings={'no_key_cert_sign': 'keyCertSign is not set', 'no_crl_sign': 'cRLSign is not set', 'encipherment': 'CA key usage includes …'})
def key_usage_ca(ctx: LintContext) -> Verdict | None:
    """A CA's keyUsage must set keyCertSign, should set cRLSign, and must not set
    keyEncipherment, dataEncipherment or keyAgreement."""
    bits = key_usage_bits(ctx.cert)
    if bits is None:
        return None
    v = Verdict(measurements={"key_usage": sorted(bits)})
    if "key_cert_sign" not in bits:
        v.error("no_key_cert_sign", "keyCertSign is not set", observed=sorted(bits))
    if "crl_sign" not in bits:
        v.warn("no_crl_sign", "cRLSign is not set", observed=sorted(bits))
    if bits & ENCIPHER_BITS:
        v.error("encipherment", f"CA key usage includes {sorted(bits & ENCIPHER_BITS)}", observed=sorted(bits))
    return v


@rule("cert.ext.key_usage_sign", "Signing certificate: digitalSignature/nonRepudiation only", "CERT-EXT-005", "RFC 5280 §4.2.1.3; " + EDITIONS + " (C.3)", profiles=("ee-sign",), findings={'no_signature_bit': 'neither digitalSignature nor nonRepudiation is set', 'extra_bits': 'signing certificate also sets …'})
def key_usage_sign(ctx: LintContext) -> Verdict | None:
    """A signing end-entity certificate must set digitalSignature and/or nonRepudiation and
    nothing else."""
    bits = key_usage_bits(ctx.cert)
    if bits is None:
        return None
    v = Verdict(measurements={"key_usage": sorted(bits)})
    allowed = {"digital_signature", "content_commitment"}
    if not bits & allowed:
        v.error("no_signature_bit", "neither digitalSignature nor nonRepudiation is set", observed=sorted(bits))
    if bits - allowed:
        v.error("extra_bits", f"signing certificate also sets {sorted(bits - allowed)}", observed=sorted(bits))
    return v


@rule("cert.ext.key_usage_enc", "Encryption certificate: encipherment/keyAgreement only", "CERT-EXT-006", "RFC 5280 §4.2.1.3; " + EDITIONS + " (C.4)", profiles=("ee-enc",), findings={'no_encipherment': 'no encipherment or keyAgreement bit is set', 'extra_bits': 'encryption certificate also sets …'})
def key_usage_enc(ctx: LintContext) -> Verdict | None:
    """An encryption end-entity certificate must set only keyEncipherment, dataEncipherment or
    keyAgreement (with encipherOnly/decipherOnly), never digitalSignature."""
    bits = key_usage_bits(ctx.cert)
    if bits is None:
        return None
    v = Verdict(measurements={"key_usage": sorted(bits)})
    allowed = ENCIPHER_BITS | {"encipher_only", "decipher_only"}
    if not bits & ENCIPHER_BITS:
        v.error("no_encipherment", "no encipherment or keyAgreement bit is set", observed=sorted(bits))
    if bits - allowed:
        v.error("extra_bits", f"encryption certificate also sets {sorted(bits - allowed)}", observed=sorted(bits))
    return v


@rule("cert.ext.aki", "authorityKeyIdentifier with keyIdentifier, non-critical", "CERT-EXT-007", "RFC 5280 §4.2.1.1; " + EDITIONS, profiles=NOT_ROOT, findings={'absent': 'authorityKeyIdentifier is absent', 'no_key_identifier': 'authorityKeyIdentifier has no keyIdentifier', 'critical': 'authorityKeyIdentifier is marked critical'})
def aki(ctx: LintContext) -> Verdict:
    """A certificate that is not self-signed must carry authorityKeyIdentifier with a
    keyIdentifier, marked non-critical."""
    v = Verdict()
    ext = ctx.cert.extensions.get(oids.EXT_AKI)
    if ext is None:
        v.error("absent", "authorityKeyIdentifier is absent")
        return v
    if ext.value.key_identifier is None:
        v.error("no_key_identifier", "authorityKeyIdentifier has no keyIdentifier")
    else:
        v.measurements = {"key_identifier": ext.value.key_identifier.hex()}
    if ext.critical:
        v.error("critical", "authorityKeyIdentifier is marked critical")
    return v


def _ski_method(cert_key_bits: bytes, ski: bytes) -> str:
    sm3 = hashes.Hash(hashes.SM3())
    sm3.update(cert_key_bits)
    if ski == hashlib.sha1(cert_key_bits).digest():  # noqa: S324 - RFC 5280 §4.2.1.2 method (1)
        return "sha1"
    if ski == sm3.finalize():
        return "sm3"
    if len(ski) == 8 and ski[0] >> 4 == 4 and ski[1:] == hashlib.sha1(cert_key_bits).digest()[-7:]:
        return "sha1-method-2"
    return "other"


@rule("cert.ext.ski", "subjectKeyIdentifier present, non-critical (method recorded)", "CERT-EXT-008", "RFC 5280 §4.2.1.2; " + EDITIONS, findings={'absent': 'subjectKeyIdentifier is absent', 'critical': 'subjectKeyIdentifier is marked critical'})
def ski(ctx: LintContext) -> Verdict:
    """subjectKeyIdentifier should be present and non-critical; the way it was derived (SHA-1 or
    SM3 of the public key bits, or other) is recorded."""
    v = Verdict()
    ext = ctx.cert.extensions.get(oids.EXT_SKI)
    if ext is None:
        v.warn("absent", "subjectKeyIdentifier is absent")
        return v
    value = ext.value.digest
    v.measurements = {"key_identifier": value.hex(), "method": _ski_method(ctx.cert.key.point, value)}
    if ext.critical:
        v.warn("critical", "subjectKeyIdentifier is marked critical")
    return v


@rule("cert.ext.crl_dp", "cRLDistributionPoints present", "CERT-EXT-009", "RFC 5280 §4.2.1.13; " + EDITIONS, profiles=NOT_ROOT, findings={'absent': 'cRLDistributionPoints is absent'})
def crl_dp(ctx: LintContext) -> Verdict:
    """Sub-CA and end-entity certificates should carry cRLDistributionPoints (HTTP, LDAP or a
    directoryName); the URIs are recorded."""
    v = Verdict()
    cdp = ctx.cert.ext_value(oids.EXT_CRLDP)
    if cdp is None:
        v.warn("absent", "cRLDistributionPoints is absent")
        return v
    names = [str(n.value) for dp in cdp for n in (dp.full_name or [])]
    v.measurements = {"distribution_points": names}
    return v


@rule("cert.ext.policies", "certificatePolicies recorded", "CERT-EXT-010", "RFC 5280 §4.2.1.4; " + EDITIONS, profiles=NOT_ROOT, findings={})
def policies(ctx: LintContext) -> Verdict:
    """certificatePolicies of sub-CA and end-entity certificates are recorded (informative)."""
    cp = ctx.cert.ext_value(oids.EXT_CP)
    v = Verdict(info=True, measurements={"policies": [p.policy_identifier.dotted_string for p in cp] if cp is not None else None})
    return v


@rule("cert.ext.san", "subjectAltName of end-entity certificates", "CERT-EXT-011", "RFC 5280 §4.2.1.6; " + EDITIONS, profiles=EE, findings={'absent': 'subjectAltName is absent (a server certificate should carry dNSName/iPAddress)'})
def san(ctx: LintContext) -> Verdict:
    """Server certificates should carry dNSName/iPAddress entries in subjectAltName (matched
    against the service by ``cert chain --name``); they are recorded, absence is a warning."""
    v = Verdict()
    value = ctx.cert.ext_value(oids.EXT_SAN)
    if value is None:
        v.warn("absent", "subjectAltName is absent (a server certificate should carry dNSName/iPAddress)")
        return v
    v.measurements = {
        "dns_names": value.get_values_for_type(x509.DNSName),
        "ip_addresses": [str(ip) for ip in value.get_values_for_type(x509.IPAddress)],
    }
    return v


EKU_NEEDS = {
    oids.EKU_SERVER: {"digital_signature", "key_encipherment", "key_agreement"},
    oids.EKU_CLIENT: {"digital_signature", "key_agreement"},
    oids.EKU_CODESIGN: {"digital_signature", "content_commitment"},
    "1.3.6.1.5.5.7.3.4": {"digital_signature", "content_commitment", "key_encipherment", "key_agreement"},
    "1.3.6.1.5.5.7.3.8": {"digital_signature", "content_commitment"},
    "1.3.6.1.5.5.7.3.9": {"digital_signature", "content_commitment"},
}


@rule("cert.ext.eku_consistency", "extKeyUsage consistent with keyUsage", "CERT-EXT-012", "RFC 5280 §4.2.1.12; " + EDITIONS, profiles=EE, findings={'inconsistent': 'extKeyUsage … needs one of … in keyUsage'})
def eku_consistency(ctx: LintContext) -> Verdict | None:
    """When extKeyUsage is present, each purpose must be possible with the keyUsage bits (e.g.
    serverAuth needs digitalSignature, keyEncipherment or keyAgreement)."""
    eku = ctx.cert.ext_value(oids.EXT_EKU)
    if eku is None:
        return None
    bits = key_usage_bits(ctx.cert)
    purposes = [p.dotted_string for p in eku]
    v = Verdict(measurements={"extended_key_usage": purposes})
    if bits is None:
        return v
    for purpose in purposes:
        needed = EKU_NEEDS.get(purpose)
        if needed and not bits & needed:
            v.warn("inconsistent", f"extKeyUsage {purpose} needs one of {sorted(needed)} in keyUsage", observed=sorted(bits))
    return v


@rule("cert.ext.gmt0015_private", "GM/T 0015 private extensions recognised and non-critical", "CERT-EXT-013", EDITIONS + " (private extensions 1.2.156.10260.4.1.*, verify)", profiles=EE, findings={'critical': 'private extension … is marked critical'})
def gmt0015_private(ctx: LintContext) -> Verdict:
    """China-specific extensions (identity code, insurance number, IC registration, organisation
    code, taxation number; arc 1.2.156.10260.4.1, OIDs marked verify) are recorded; they should
    not be critical."""
    found = [(oid, critical) for oid, critical, _v in ctx.cert.raw_extensions if is_gmt0015_private(oid)]
    v = Verdict(info=True, measurements={"private_extensions": [oid for oid, _c in found]})
    for oid, critical in found:
        if critical:
            v.warn("critical", f"private extension {oid} is marked critical", oid=oid)
    return v
