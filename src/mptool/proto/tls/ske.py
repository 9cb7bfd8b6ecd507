"""Passive verification of the ServerKeyExchange signature against the server certificate.

What is signed (client_random ‖ server_random ‖ X):

* TLCP ECC/RSA/IBC suites: X = the encryption certificate with a 3-byte length prefix
  (GB/T 38636; protocols.md §1.5, read in GmSSL ``tlcp.c`` and Tongsuo ``ntls_statem_srvr.c``).
* TLCP ECDHE and TLS 1.0-1.2 (EC)DHE: X = the ServerECDHParams / ServerDHParams bytes
  (RFC 8422 §5.4, RFC 5246 §7.4.3).

SM2 signatures (TLCP, and sm2sig_sm3 in TLS 1.2) are checked with :mod:`mptool.algo.sm2`
and the default user ID of GB/T 35276 (``mptool.algo.DEFAULT_SM2_USER_ID``); RSA and ECDSA with ``cryptography``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from mptool.proto.registry import tls as ids
from mptool.proto.tls.certinfo import CertSummary

_HASHES = {1: hashes.MD5, 2: hashes.SHA1, 3: hashes.SHA224, 4: hashes.SHA256, 5: hashes.SHA384, 6: hashes.SHA512}
_PSS = {0x0804: hashes.SHA256, 0x0805: hashes.SHA384, 0x0806: hashes.SHA512, 0x0809: hashes.SHA256, 0x080A: hashes.SHA384, 0x080B: hashes.SHA512}


@dataclass(frozen=True)
class SkeVerdict:
    """Outcome: ``verified``, ``invalid`` or ``not_verifiable`` (with the reason)."""

    outcome: str
    reason: str
    details: dict[str, Any]


def signed_bytes(client_random: bytes, server_random: bytes, form: str, params: bytes, certs: list[bytes]) -> bytes | None:
    """The bytes the server signed, or None when they cannot be rebuilt from the capture."""
    if form in ("tlcp_ecc", "tlcp_rsa", "tlcp_ibc"):
        if len(certs) < 2:
            return None
        enc = certs[1]
        return client_random + server_random + len(enc).to_bytes(3, "big") + enc
    return client_random + server_random + params


def verify(form: str, sigalg: int | None, signature: bytes, message: bytes, signer: CertSummary) -> SkeVerdict:
    """Verify ``signature`` over ``message`` with the signing certificate's key."""
    details: dict[str, Any] = {"signature_length": len(signature)}
    if sigalg is not None:
        details["signature_algorithm"] = {"id": ids.hex_id(sigalg), "name": ids.signature_scheme_name(sigalg)}
    if signer.key_kind == "sm2" and (form.startswith("tlcp") or sigalg == ids.SM2SIG_SM3):
        return _verify_sm2(signature, message, signer, details)
    if sigalg is None:
        return SkeVerdict("not_verifiable", "TLS 1.0/1.1 signatures (MD5+SHA-1 concatenation) are not verified", details)
    try:
        key = _public_key(signer)
    except Exception as exc:  # noqa: BLE001 - any key decoding problem makes it unverifiable
        return SkeVerdict("not_verifiable", f"the certificate key cannot be used: {exc}", details)
    try:
        if isinstance(key, rsa.RSAPublicKey) and sigalg in _PSS:
            h = _PSS[sigalg]()
            key.verify(signature, message, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
        elif isinstance(key, rsa.RSAPublicKey) and (sigalg & 0xFF) == 1 and (sigalg >> 8) in _HASHES:
            key.verify(signature, message, padding.PKCS1v15(), _HASHES[sigalg >> 8]())
        elif isinstance(key, ec.EllipticCurvePublicKey) and (sigalg & 0xFF) == 3 and (sigalg >> 8) in _HASHES:
            key.verify(signature, message, ec.ECDSA(_HASHES[sigalg >> 8]()))
        else:
            return SkeVerdict("not_verifiable", f"signature algorithm {ids.signature_scheme_name(sigalg)} with a {signer.key_kind} key is not verified", details)
    except InvalidSignature:
        return SkeVerdict("invalid", "the signature does not verify with the server certificate's key", details)
    return SkeVerdict("verified", "the signature verifies with the server certificate's key", details)


def _public_key(signer: CertSummary) -> Any:
    from cryptography import x509

    return x509.load_der_x509_certificate(signer.der).public_key()


def _verify_sm2(signature: bytes, message: bytes, signer: CertSummary, details: dict[str, Any]) -> SkeVerdict:
    from mptool.algo.api import sm2

    details["user_id"] = sm2.DEFAULT_USER_ID.decode()
    try:
        public = sm2.decode_public_key(signer.public_key)
        rs = sm2.decode_signature(signature)
    except sm2.SM2Error as exc:
        return SkeVerdict("invalid", f"SM2 key or signature encoding rejected: {exc}", details)
    if sm2.verify(public, message, rs):
        return SkeVerdict("verified", "the SM2 signature verifies with the signing certificate's key (SM3, default ID)", details)
    return SkeVerdict("invalid", "the SM2 signature does not verify with the signing certificate's key", details)
