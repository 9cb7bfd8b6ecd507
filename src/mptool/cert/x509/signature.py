"""Verifying a certificate's (or CRL's) signature with its issuer's key.

SM2 (cert-rules §4): the signature value must be a strict DER SEQUENCE{r, s} (CERT-SIG-002)
with 1 ≤ r, s ≤ n−1 (CERT-SIG-003), verified over the TBS bytes as received (CERT-SIG-001)
with e = SM3(ZA ‖ TBS) and ZA over the issuer key and the configured user ID
(CERT-SIG-004..007), using :mod:`mptool.algo.sm2`. When that fails but e = SM3(TBS) verifies,
the certificate was signed without ZA (CERT-SIG-008). RSA (PKCS#1 v1.5, PSS) and ECDSA go
through cryptography.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

from mptool.cert.x509 import oids
from mptool.cert.x509.parse import Cert, PublicKeyInfo
from mptool.cert.x509.strict import walk_signature_value


@dataclass(frozen=True)
class SignatureVerdict:
    """Outcome of one signature verification."""

    ok: bool
    rule: str  #: the cert-rules id that decided (CERT-SIG-00x or CERT-PATH-003)
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


def decode_sm2_signature(bits: bytes, n: int) -> tuple[int, int] | SignatureVerdict:
    """Strict decoding of an SM2 signature BIT STRING content (CERT-SIG-002/003)."""
    if not bits or bits[0] != 0:
        return SignatureVerdict(False, "CERT-SIG-002", "signature BIT STRING has unused bits")
    body = bits[1:]
    if len(body) == 64 and body[:1] != b"\x30":
        return SignatureVerdict(False, "CERT-SIG-002", "signature is a raw 64-byte r||s, not DER SEQUENCE{r, s}")
    walked = walk_signature_value(body)
    if walked is not None:
        r, s = walked
    else:
        from pyasn1.error import PyAsn1Error
        from pyasn1_fasder import decode_der
        from pyasn1_modules import rfc3279

        try:
            decoded, _ = decode_der(body, asn1Spec=rfc3279.ECDSA_Sig_Value())
        except (PyAsn1Error, ValueError, OverflowError) as exc:
            return SignatureVerdict(False, "CERT-SIG-002", f"signature is not a strict DER SEQUENCE{{r, s}}: {exc}")
        r, s = int(decoded["r"]), int(decoded["s"])
    if not (1 <= r <= n - 1 and 1 <= s <= n - 1):
        return SignatureVerdict(False, "CERT-SIG-003", "r or s outside [1, n-1]", {"r": hex(r), "s": hex(s)})
    return r, s


def sm2_point(key: PublicKeyInfo) -> tuple[int, int]:
    """The SM2 public point of an SPKI (raises ``sm2.SM2Error`` when invalid)."""
    from mptool.algo.api import sm2

    return sm2.decode_public_key(key.point)


def verify_sm2(tbs: bytes, signature_bits: bytes, issuer_key: PublicKeyInfo, user_id: bytes) -> SignatureVerdict:
    """SM2 verification of ``tbs`` under ``issuer_key`` with ZA over ``user_id``."""
    from mptool.algo.api import sm2

    try:
        point = sm2_point(issuer_key)
    except sm2.SM2Error as exc:
        return SignatureVerdict(False, "CERT-FMT-010", f"issuer SM2 public key is invalid: {exc}")
    decoded = decode_sm2_signature(signature_bits, sm2.SM2P256V1.n)
    if isinstance(decoded, SignatureVerdict):
        return decoded
    if sm2.verify(point, tbs, decoded, user_id):
        return SignatureVerdict(True, "CERT-SIG-007", "SM2 signature verifies (e = SM3(ZA || TBS))", {"user_id": user_id.hex()})
    digest = hashes.Hash(hashes.SM3())
    digest.update(tbs)
    if sm2.verify_digest(point, digest.finalize(), decoded):
        return SignatureVerdict(False, "CERT-SIG-008", "signed without ZA: verifies only with e = SM3(TBS)", {"user_id": user_id.hex()})
    return SignatureVerdict(False, "CERT-SIG-007", "SM2 signature does not verify with ZA over the configured user ID", {"user_id": user_id.hex()})


def _crypto_public_key(issuer: Cert) -> Any:
    try:
        return issuer.x509.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        return exc


def verify_with_cryptography(
    tbs: bytes, signature: bytes, algorithm_oid: str, hash_algorithm: Any, params: Any, issuer: Cert
) -> SignatureVerdict:
    """RSA (PKCS#1 v1.5 / PSS) or ECDSA verification through cryptography."""
    key = _crypto_public_key(issuer)
    if isinstance(key, Exception):
        return SignatureVerdict(False, "CERT-PATH-003", f"issuer public key not supported: {key}")
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algorithm_oid not in oids.RSA_SIGS and algorithm_oid != oids.SM3_WITH_RSA:
                return SignatureVerdict(False, "CERT-PATH-003", f"RSA issuer key but signature algorithm {algorithm_oid}")
            pad = params if isinstance(params, padding.PSS) else padding.PKCS1v15()
            key.verify(signature, tbs, pad, hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if algorithm_oid not in oids.ECDSA_SIGS:
                return SignatureVerdict(False, "CERT-PATH-003", f"EC issuer key but signature algorithm {algorithm_oid}")
            key.verify(signature, tbs, ec.ECDSA(hash_algorithm))
        elif isinstance(key, dsa.DSAPublicKey):
            if algorithm_oid not in oids.DSA_SIGS:
                return SignatureVerdict(False, "CERT-PATH-003", f"DSA issuer key but signature algorithm {algorithm_oid}")
            key.verify(signature, tbs, hash_algorithm)
        else:
            return SignatureVerdict(False, "CERT-PATH-003", f"issuer key type {type(key).__name__} not supported")
    except InvalidSignature:
        return SignatureVerdict(False, "CERT-PATH-003", "signature does not verify")
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return SignatureVerdict(False, "CERT-PATH-003", f"signature cannot be verified: {exc}")
    return SignatureVerdict(True, "CERT-PATH-003", "signature verifies")


EDDSA_SIGS = {"1.3.101.112": ed25519.Ed25519PublicKey, "1.3.101.113": ed448.Ed448PublicKey}


def _verify_eddsa(tbs: bytes, signature: bytes, algorithm_oid: str, issuer: Cert) -> SignatureVerdict:
    """Ed25519 / Ed448 (RFC 8410) through cryptography."""
    return _verify_message(tbs, signature, algorithm_oid, issuer, lambda key: isinstance(key, EDDSA_SIGS[algorithm_oid]))


def _verify_message(tbs: bytes, signature: bytes, algorithm_oid: str, issuer: Cert, key_matches: Any) -> SignatureVerdict:
    """A signature over the whole message (no separate hash) with the issuer's key, when
    ``key_matches`` says the key is of the algorithm's kind."""
    key = _crypto_public_key(issuer)
    if not key_matches(key):
        return SignatureVerdict(False, "CERT-PATH-003", f"signature algorithm {algorithm_oid} does not match the issuer key")
    try:
        key.verify(signature, tbs)
    except InvalidSignature:
        return SignatureVerdict(False, "CERT-PATH-003", "signature does not verify")
    return SignatureVerdict(True, "CERT-PATH-003", "signature verifies")


#: ML-DSA (FIPS 204) signature algorithms of RFC 9881 §3 -> the cryptography public-key class name
MLDSA_SIGS = {"2.16.840.1.101.3.4.3.17": "MLDSA44PublicKey", "2.16.840.1.101.3.4.3.18": "MLDSA65PublicKey", "2.16.840.1.101.3.4.3.19": "MLDSA87PublicKey"}


def _verify_mldsa(tbs: bytes, signature: bytes, algorithm_oid: str, issuer: Cert) -> SignatureVerdict:
    """ML-DSA (RFC 9881 §3: pure mode, empty context) through cryptography."""
    name = MLDSA_SIGS[algorithm_oid]
    return _verify_message(tbs, signature, algorithm_oid, issuer, lambda key: any(c.__name__ == name for c in type(key).__mro__))


def _hash_and_params(obj: x509.Certificate | x509.CertificateRevocationList) -> tuple[Any, Any]:
    try:
        hash_algorithm = obj.signature_hash_algorithm
    except UnsupportedAlgorithm:
        hash_algorithm = None
    params = getattr(obj, "signature_algorithm_parameters", None)
    return hash_algorithm, params


def verify_signed(
    tbs: bytes, signature_bits: bytes, algorithm_oid: str, signed: Any, issuer: Cert, user_id: bytes
) -> SignatureVerdict:
    """Verify a signed structure (certificate or CRL) against ``issuer``'s key."""
    if issuer.key.kind == "sm2":
        if algorithm_oid != oids.SM2_WITH_SM3:
            name = oids.SM2_SIGS.get(algorithm_oid) or oids.ECDSA_SIGS.get(algorithm_oid) or algorithm_oid
            return SignatureVerdict(False, "CERT-FMT-006", f"SM2 issuer key but signature algorithm {name}, not SM2-with-SM3")
        return verify_sm2(tbs, signature_bits, issuer.key, user_id)
    if algorithm_oid in oids.SM2_SIGS:
        return SignatureVerdict(False, "CERT-PATH-003", f"SM2 signature algorithm but the issuer key is {issuer.key.kind}")
    if not signature_bits or signature_bits[0] != 0:
        return SignatureVerdict(False, "CERT-PATH-003", "signature BIT STRING has unused bits")
    if algorithm_oid in EDDSA_SIGS:
        return _verify_eddsa(tbs, signature_bits[1:], algorithm_oid, issuer)
    if algorithm_oid in MLDSA_SIGS:
        return _verify_mldsa(tbs, signature_bits[1:], algorithm_oid, issuer)
    hash_algorithm, params = _hash_and_params(signed)
    if hash_algorithm is None:
        return SignatureVerdict(False, "CERT-PATH-003", f"signature algorithm {algorithm_oid} not supported")
    verdict = verify_with_cryptography(tbs, signature_bits[1:], algorithm_oid, hash_algorithm, params, issuer)
    return verdict


def verify_certificate(child: Cert, issuer: Cert, user_id: bytes) -> SignatureVerdict:
    """Verify ``child``'s signature with ``issuer``'s key (cached per user ID)."""
    cache_key = f"sig:{issuer.sha256}:{user_id.hex()}"
    cached = child.cache.get(cache_key)
    if cached is None:
        cached = verify_signed(child.slices.tbs, child.slices.signature_bits, child.signature_algorithm, child.x509, issuer, user_id)
        child.cache[cache_key] = cached
    return cached


def now_utc() -> _dt.datetime:
    """The current time in UTC."""
    return _dt.datetime.now(tz=_dt.timezone.utc)
