"""RSA and ECDSA (P-256) client keys and certificates for standard IKE signature authentication.

RSA keys go through the algo domain's one RSA loader (:func:`mptool.algo.api.load_rsa_private_key`:
PKCS#8, PKCS#1, encrypted PKCS#8); ECDSA keys (PKCS#8 or SEC1, PEM or DER) through
``cryptography``. Certificates: PEM (one or more) or DER. A key that does not belong to the
first certificate is an input error.
"""

from __future__ import annotations

from typing import Any

from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.model import InputRecord
from mptool.core.pem import PemError, pem_blocks

MAX_FILE = 1 << 20


def load_certificate_chain(path: str) -> tuple[list[bytes], InputRecord]:
    """The DER certificates of ``path`` (PEM or DER)."""
    data, record = read_input(path, max_size=MAX_FILE)
    if b"-----BEGIN" in data:
        try:
            ders = [b.der for b in pem_blocks(data) if b.label in ("CERTIFICATE", "X509 CERTIFICATE")]
        except PemError as exc:
            raise InputError(path, str(exc)) from None
        if not ders:
            raise InputError(path, "no PEM CERTIFICATE block")
    else:
        ders = [data]
    try:
        certificate_key(ders[0])
    except ValueError as exc:
        raise InputError(path, str(exc)) from None
    return ders, record


def certificate_key(der: bytes) -> Any:
    """The RSA or P-256 ECDSA public key of a DER certificate; ValueError for anything else."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        public = x509.load_der_x509_certificate(der).public_key()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a readable X.509 certificate ({exc})") from None
    if isinstance(public, rsa.RSAPublicKey):
        return public
    if isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1":
        return public
    raise ValueError("the certificate's key is neither RSA nor ECDSA P-256 (IKEv1 methods 3 and 9)")


def load_signing_key(path: str) -> tuple[str, Any, InputRecord]:
    """("rsa" | "ecdsa", private key, input record) of ``path``."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_private_key, load_pem_private_key

    data, record = read_input(path, max_size=MAX_FILE)
    try:
        key = (load_pem_private_key if b"-----BEGIN" in data else load_der_private_key)(data, None)
    except (ValueError, TypeError):
        key = None
    except Exception:  # noqa: BLE001 - cryptography's UnsupportedAlgorithm (e.g. an SM2 key)
        key = None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name != "secp256r1":
            raise InputError(path, f"ECDSA key on {key.curve.name}: only P-256 (IKEv1 method 9, RFC 4754) is supported")
        return "ecdsa", key, record
    from mptool.algo.api import load_rsa_private_key

    try:
        return "rsa", load_rsa_private_key(data, path, None, password_option="--client-sign-key"), record
    except InputError:
        raise InputError(path, "not a readable RSA or ECDSA P-256 private key (PEM or DER, PKCS#8, PKCS#1 or SEC1, unencrypted)") from None


def load_client(cert_path: str, key_path: str) -> tuple[str, Any, list[bytes], list[InputRecord]]:
    """(method, key, certificate chain, input records); the key must belong to the first certificate."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    ders, cert_record = load_certificate_chain(cert_path)
    method, key, key_record = load_signing_key(key_path)
    spki = PublicFormat.SubjectPublicKeyInfo
    if certificate_key(ders[0]).public_bytes(Encoding.DER, spki) != key.public_key().public_bytes(Encoding.DER, spki):
        raise InputError(key_path, f"this key does not belong to the certificate in {cert_path}")
    return method, key, ders, [cert_record, key_record]
