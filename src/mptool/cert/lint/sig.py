"""Signature rules of single certificates: CERT-SIG-002/003 (encoding) and CERT-SIG-009 (self-signature)."""

from __future__ import annotations

from mptool.cert.x509 import oids
from mptool.cert.lint.base import LintContext, Verdict, rule
from mptool.cert.x509.signature import SignatureVerdict, decode_sm2_signature, verify_certificate

SIG_SOURCE = "GB/T 32918.2-2016 §7 (verification); GM/T 0009-2012 §8 (ZA, default ID); GM/T 0015-2012 and GM/T 0015-2023"
ERROR_RULES = {"CERT-SIG-002", "CERT-SIG-003", "CERT-SIG-008", "CERT-FMT-006", "CERT-FMT-010"}


@rule("cert.sig.encoding", "SM2 signature value is DER SEQUENCE{r, s} with r, s in [1, n-1]", "CERT-SIG-002, CERT-SIG-003", SIG_SOURCE, findings={'cert_sig_002': 'the signature value is not a strict DER SEQUENCE{r, s} in a BIT STRING without unused bits (CERT-SIG-002)', 'cert_sig_003': 'r or s lies outside [1, n-1] (CERT-SIG-003)'})
def signature_encoding(ctx: LintContext) -> Verdict | None:
    """An SM2-with-SM3 signature value must be a BIT STRING with no unused bits holding a strict
    DER SEQUENCE{r INTEGER, s INTEGER} (no raw r‖s, no non-minimal integers, no trailing bytes),
    with 1 ≤ r, s ≤ n−1."""
    from mptool.algo.api import sm2

    if ctx.cert.signature_algorithm not in oids.SM2_SIGS:
        return None
    v = Verdict()
    decoded = decode_sm2_signature(ctx.cert.slices.signature_bits, sm2.SM2P256V1.n)
    if isinstance(decoded, SignatureVerdict):
        v.error(decoded.rule.lower().replace("-", "_"), decoded.reason, rule=decoded.rule, **decoded.data)
    return v


@rule("cert.sig.self_signature", "Self-signature of a self-signed certificate verifies", "CERT-SIG-009 (with CERT-SIG-001..008)", SIG_SOURCE + "; RFC 5280 §6.1.3", findings={'not_verified': "the self-signature does not verify with the certificate's own key (and the configured SM2 user ID)"})
def self_signature(ctx: LintContext) -> Verdict | None:
    """A self-issued certificate's signature is verified with its own key (OpenSSL skips this
    unless -check_ss_sig): SM2 with ZA over the configured user ID and the TBS bytes as received.
    A signature made without ZA or badly encoded is an error; one that does not verify is a
    warning (the certificate may be a self-issued cross-certificate)."""
    cert = ctx.cert
    if not cert.self_issued:
        return None
    verdict = verify_certificate(cert, cert, ctx.sm2_id)
    v = Verdict(measurements={"rule": verdict.rule, "verified": verdict.ok, **({"sm2_user_id": ctx.sm2_id.hex()} if cert.key.kind == "sm2" else {})})
    if not verdict.ok:
        severity_error = verdict.rule in ERROR_RULES
        (v.error if severity_error else v.warn)("not_verified", verdict.reason, rule=verdict.rule, **verdict.data)
    return v
