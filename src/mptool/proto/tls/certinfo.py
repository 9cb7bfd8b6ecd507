"""What evidence records about each certificate seen in a handshake, and its public key.

Names, serial and signature algorithm come from ``cryptography``; the SubjectPublicKeyInfo is
decoded with pyasn1 because ``cryptography`` refuses SM2 keys (curve 1.2.156.10197.1.301).
The full certificate checks (lint, chain, TLCP pair) are the cert domain's
(:mod:`mptool.cert.api`).
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pyasn1_modules import rfc5280

OID_EC = "1.2.840.10045.2.1"
OID_RSA = "1.2.840.113549.1.1.1"
OID_SM2_CURVE = "1.2.156.10197.1.301"

SIGNATURE_ALGORITHMS: dict[str, str] = {
    "1.2.156.10197.1.501": "SM2-with-SM3",
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
    "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
    "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
    "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
    "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
}

CURVES: dict[str, str] = {
    OID_SM2_CURVE: "sm2p256v1",
    "1.2.840.10045.3.1.7": "secp256r1",
    "1.3.132.0.34": "secp384r1",
    "1.3.132.0.35": "secp521r1",
}

WEAK_SIGNATURE_HASHES = ("md5", "sha1", "SHA1")


@dataclass(frozen=True)
class CertSummary:
    """The facts recorded per certificate, plus the raw public key for signature checks."""

    der: bytes
    record: dict[str, Any]
    key_kind: str  #: sm2, ec, rsa, other, unparsed
    public_key: bytes  #: subjectPublicKey bits (EC point or RSA key DER)
    curve: str | None


def _spki(der: bytes) -> tuple[str, str | None, bytes]:
    cert, _ = der_decoder.decode(der, asn1Spec=rfc5280.Certificate())
    spki = cert["tbsCertificate"]["subjectPublicKeyInfo"]
    alg = str(spki["algorithm"]["algorithm"])
    curve = None
    params = spki["algorithm"]["parameters"]
    if alg == OID_EC and params.isValue:
        try:
            oid, _ = der_decoder.decode(params.asOctets() if hasattr(params, "asOctets") else bytes(params), asn1Spec=univ.ObjectIdentifier())
            curve = str(oid)
        except (PyAsn1Error, OverflowError):
            curve = "explicit"
    return alg, curve, spki["subjectPublicKey"].asOctets()


def summarize(der: bytes, role: str) -> CertSummary:
    """Subject, issuer, serial, key type, signature algorithm and SHA-256 fingerprint of ``der``.

    Servers send the same certificates on every connection: each is decoded once.
    """
    cached = _summarize_cached(der, role)
    return CertSummary(cached.der, dict(cached.record), cached.key_kind, cached.public_key, cached.curve)


@functools.lru_cache(maxsize=256)
def _summarize_cached(der: bytes, role: str) -> CertSummary:
    record: dict[str, Any] = {"role": role, "sha256": hashlib.sha256(der).hexdigest(), "size": len(der)}
    try:
        with warnings.catch_warnings():  # cryptography warns on RFC 5280 violations; the cert checks report them
            warnings.simplefilter("ignore")
            return _summarize(der, record)
    except Exception as exc:  # noqa: BLE001 - cryptography parses fields lazily and raises its own types (InvalidVersion)
        bare = {k: record[k] for k in ("role", "sha256", "size")}
        bare["error"] = f"not a parsable X.509 certificate: {exc}"
        return CertSummary(der, bare, "unparsed", b"", None)


def _summarize(der: bytes, record: dict[str, Any]) -> CertSummary:
    cert = x509.load_der_x509_certificate(der)
    alg, curve, key = _spki(der)
    sig_oid = cert.signature_algorithm_oid.dotted_string
    if alg == OID_EC:
        kind = "sm2" if curve == OID_SM2_CURVE else "ec"
        key_type = f"EC {CURVES.get(curve or '', curve)}" if kind == "ec" else "SM2"
    elif alg == OID_RSA:
        kind = "rsa"
        try:
            bits = cert.public_key().key_size  # type: ignore[union-attr]
            record["key_bits"] = bits
            key_type = f"RSA-{bits}"
        except Exception:  # noqa: BLE001 - any key problem leaves the type generic
            key_type = "RSA"
    else:
        kind, key_type = "other", alg
    record.update(
        {
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "serial": format(cert.serial_number, "X"),
            "key_type": key_type,
            "signature_algorithm": SIGNATURE_ALGORITHMS.get(sig_oid, sig_oid),
            "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        usages = [n for n in ("digital_signature", "key_encipherment", "key_agreement", "data_encipherment", "key_cert_sign") if getattr(ku, n)]
        record["key_usage"] = usages
    except (x509.ExtensionNotFound, ValueError):
        pass
    return CertSummary(der, record, kind, key, curve)


def weak_signature(record: dict[str, Any]) -> bool:
    """Whether the certificate is signed with MD5 or SHA-1."""
    name = str(record.get("signature_algorithm", "")).lower()
    return "md5" in name or "sha1" in name
