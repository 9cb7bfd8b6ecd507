"""The TLCP signing/encryption certificate pair check (mptool rule CERT-PATH-012; GM/T 0024-2014 §6.4.5.3)."""

from __future__ import annotations

import datetime as _dt

from mptool.cert.x509.parse import Cert, parse_certificate
from mptool.cert.x509.profiles import ENCIPHER_BITS, key_usage_bits
from mptool.core.errors import InputError
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check


#: problem -> meaning; the finding code is ``cert.pair.tlcp.<problem>``.
PAIR_PROBLEMS = {
    "issuer": "the signing and encryption certificates have different issuers",
    "subject": "the signing and encryption certificates have different subject DNs",
    "same_key": "both certificates carry the same public key",
    "sign_key_usage": "the signing certificate's keyUsage is not digitalSignature/nonRepudiation only (CERT-EXT-005)",
    "enc_key_usage": "the encryption certificate's keyUsage is not keyEncipherment/dataEncipherment/keyAgreement only (CERT-EXT-006)",
    "sign_validity": "the signing certificate is not valid at the validation time",
    "enc_validity": "the encryption certificate is not valid at the validation time",
    "swapped": "the arguments look swapped: the first (SIGN) has an encryption keyUsage and the second (ENC) a signing one",
}
_VALIDITY = {"sign": "sign_validity", "enc": "enc_validity"}


def _problem(problem: str, message: str, **data: object) -> Finding:
    return Finding(code=check_pair.spec.code(problem), severity=Severity.ERROR, message=message, data={"rule_id": "CERT-PATH-012", **data})  # type: ignore[attr-defined]


@check(
    "cert.pair.tlcp",
    "TLCP signing/encryption certificate pair",
    "GM/T 0024-2014 §6.4.5.3 (verify); GM/T 0015-2012 Annex C.3/C.4",
    {f"cert.pair.tlcp.{problem}": meaning for problem, meaning in PAIR_PROBLEMS.items()},
    ("CERT-PATH-012", "CERT-EXT-005", "CERT-EXT-006"),
)
def check_pair(sign: Cert, enc: Cert, at: _dt.datetime, *, subject: str = "") -> CheckResult:
    """A TLCP server (or client) presents a signing and an encryption certificate of one entity:
    both must have the same issuer and the same subject DN, different keys, the signing
    certificate keyUsage digitalSignature/nonRepudiation only, the encryption certificate
    keyEncipherment/dataEncipherment/keyAgreement only, and both must be within their validity at
    the validation time. When the first has an encryption-only and the second a signing-only
    keyUsage, the arguments look swapped, and the finding says so first."""
    spec = check_pair.spec  # type: ignore[attr-defined]
    findings: list[Finding] = []
    if sign.issuer_key != enc.issuer_key:
        findings.append(_problem("issuer", "the two certificates have different issuers", sign=sign.issuer_text, enc=enc.issuer_text))
    if sign.subject_key != enc.subject_key:
        findings.append(_problem("subject", "the two certificates have different subject DNs", sign=sign.subject_text, enc=enc.subject_text))
    if sign.key.point == enc.key.point:
        findings.append(_problem("same_key", "both certificates carry the same public key"))
    sign_bits, enc_bits = key_usage_bits(sign), key_usage_bits(enc)
    allowed_sign = {"digital_signature", "content_commitment"}
    if sign_bits is None or not sign_bits & allowed_sign or sign_bits - allowed_sign:
        findings.append(_problem("sign_key_usage", "signing certificate keyUsage is not digitalSignature/nonRepudiation only (CERT-EXT-005)", observed=sorted(sign_bits) if sign_bits is not None else None))
    allowed_enc = ENCIPHER_BITS | {"encipher_only", "decipher_only"}
    if enc_bits is None or not enc_bits & ENCIPHER_BITS or enc_bits - allowed_enc:
        findings.append(_problem("enc_key_usage", "encryption certificate keyUsage is not keyEncipherment/dataEncipherment/keyAgreement only (CERT-EXT-006)", observed=sorted(enc_bits) if enc_bits is not None else None))
    if _signing_only(enc_bits) and _encryption_only(sign_bits):
        findings.insert(0, _problem("swapped", f"the arguments look swapped: {sign.source} has keyUsage {', '.join(sorted(sign_bits or ()))} (encryption) and {enc.source} has {', '.join(sorted(enc_bits or ()))} (signing): give the signing certificate first", sign_key_usage=sorted(sign_bits or ()), enc_key_usage=sorted(enc_bits or ())))
    for role, cert in (("sign", sign), ("enc", enc)):
        if not (cert.not_before <= at <= cert.not_after):
            findings.append(_problem(_VALIDITY[role], f"{role} certificate is not valid at {at.isoformat()}", not_before=cert.not_before.isoformat(), not_after=cert.not_after.isoformat()))
    measurements = {
        "validation_time": at.isoformat(),
        "sign": sign.describe() | {"key_usage": sorted(sign_bits or ())},
        "enc": enc.describe() | {"key_usage": sorted(enc_bits or ())},
    }
    status = Status.FAIL if findings else Status.PASS
    return spec.result(status, subject=subject or f"{sign.source} + {enc.source}", measurements=measurements, findings=findings)


def _signing_only(bits: set[str] | frozenset[str] | None) -> bool:
    return bool(bits) and bits <= {"digital_signature", "content_commitment"}  # type: ignore[operator]


def _encryption_only(bits: set[str] | frozenset[str] | None) -> bool:
    return bool(bits and bits & ENCIPHER_BITS) and bits <= ENCIPHER_BITS | {"encipher_only", "decipher_only"}  # type: ignore[operator]


def check_pair_der(sign_der: bytes, enc_der: bytes, *, at: _dt.datetime | None = None, subject: str = "tlcp pair") -> list[CheckResult]:
    """:func:`check_pair` on DER bytes (the public API :func:`mptool.cert.api.check_tlcp_pair`)."""
    from mptool.cert.x509.parse import CertParseError
    from mptool.cert.x509.signature import now_utc

    certs = []
    for role, der in (("sign", sign_der), ("enc", enc_der)):
        try:
            certs.append(parse_certificate(der, f"{subject}[{role}]"))
        except CertParseError as exc:
            raise InputError(f"{subject}[{role}]", str(exc)) from None
    return [check_pair(certs[0], certs[1], at or now_utc(), subject=subject)]
