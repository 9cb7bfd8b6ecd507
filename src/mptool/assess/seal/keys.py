"""SM2 signing key and certificate files for ``assess seal`` (PEM or DER).

Keys: PKCS#8 ``PRIVATE KEY`` (RFC 5208/5958, id-ecPublicKey with the SM2 curve, as written by
``openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2``), SEC1 ``EC PRIVATE KEY``
(RFC 5915) and password-protected ``ENCRYPTED PRIVATE KEY`` (PKCS#8 PBES2, RFC 8018: PBKDF2
with HMAC-SHA1/SHA-256/SM3 and AES-128/192/256-CBC or SM4-CBC). The key and its password are
never written to any output and never appear in an error message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyasn1.codec.der import decoder as der_decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5208, rfc5280, rfc5915, rfc8018

from mptool.core.pem import pem_blocks
from mptool.algo.api import sm2
from mptool.core.errors import InputError

SM2_CURVE_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
PBES2_OID = "1.2.840.113549.1.5.13"
PBKDF2_OID = "1.2.840.113549.1.5.12"
PRFS = {"1.2.840.113549.2.7": "sha1", "1.2.840.113549.2.9": "sha256", "1.2.156.10197.1.401.2": "sm3"}
CIPHERS = {"2.16.840.1.101.3.4.1.2": ("AES", 16), "2.16.840.1.101.3.4.1.22": ("AES", 24), "2.16.840.1.101.3.4.1.42": ("AES", 32), "1.2.156.10197.1.104.2": ("SM4", 16)}


@dataclass(frozen=True)
class SignerCertificate:
    """The signer's certificate: DER, its SM2 public key and the names shown in the manifest."""

    der: bytes
    public_key: tuple[int, int]
    subject: str
    issuer: str
    serial: str
    not_before: str
    not_after: str


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    return [(block.label, block.der) for block in pem_blocks(data)]


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def _decrypt_pkcs8(path: str, der: bytes, password: bytes | None) -> bytes:
    if password is None:
        raise InputError(path, "the key is encrypted (ENCRYPTED PRIVATE KEY): give --key-pass-file")
    info, _ = der_decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    alg = info["encryptionAlgorithm"]
    if str(alg["algorithm"]) != PBES2_OID:
        raise InputError(path, f"unsupported key encryption {alg['algorithm']} (PBES2 only)")
    params, _ = der_decoder.decode(alg["parameters"], asn1Spec=rfc8018.PBES2_params())
    kdf = params["keyDerivationFunc"]
    if str(kdf["algorithm"]) != PBKDF2_OID:
        raise InputError(path, "unsupported key derivation (PBKDF2 only)")
    kdf_params, _ = der_decoder.decode(kdf["parameters"], asn1Spec=rfc8018.PBKDF2_params())
    salt = bytes(kdf_params["salt"]["specified"])
    iterations = int(kdf_params["iterationCount"])
    prf_oid = str(kdf_params["prf"]["algorithm"]) if kdf_params["prf"].isValue else "1.2.840.113549.2.7"
    scheme = params["encryptionScheme"]
    cipher_oid = str(scheme["algorithm"])
    if prf_oid not in PRFS or cipher_oid not in CIPHERS:
        raise InputError(path, f"unsupported PBES2 parameters (prf {prf_oid}, cipher {cipher_oid})")
    iv_der = scheme["parameters"]
    from pyasn1.type import univ

    iv = bytes(der_decoder.decode(iv_der, asn1Spec=univ.OctetString())[0])
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    name, size = CIPHERS[cipher_oid]
    digest = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(), "sm3": hashes.SM3()}[PRFS[prf_oid]]
    key = PBKDF2HMAC(algorithm=digest, length=size, salt=salt, iterations=iterations).derive(password)
    algorithm = algorithms.AES(key) if name == "AES" else algorithms.SM4(key)
    decryptor = Cipher(algorithm, modes.CBC(iv)).decryptor()
    padded = decryptor.update(bytes(info["encryptedData"])) + decryptor.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise InputError(path, "cannot decrypt the key: wrong password") from None


def _ec_private(path: str, der: bytes) -> int:
    key, _ = der_decoder.decode(der, asn1Spec=rfc5915.ECPrivateKey())
    params = key["parameters"]
    if params.isValue and params.getName() == "namedCurve" and str(params["namedCurve"]) != SM2_CURVE_OID:
        raise InputError(path, f"not an SM2 key (curve {params['namedCurve']})")
    return int.from_bytes(bytes(key["privateKey"]), "big")


def load_private_key(path: str, password: bytes | None = None) -> int:
    """The SM2 private key d of a PEM/DER key file (InputError naming the file, never the key)."""
    data = _read(path)
    try:
        blocks = _pem_blocks(data) or [("PRIVATE KEY", data)]
        for kind, der in blocks:
            if kind == "EC PARAMETERS":
                continue
            if kind == "ENCRYPTED PRIVATE KEY":
                der, kind = _decrypt_pkcs8(path, der, password), "PRIVATE KEY"
            if kind == "EC PRIVATE KEY":
                return _ec_private(path, der)
            if kind == "PRIVATE KEY":
                info, _ = der_decoder.decode(der, asn1Spec=rfc5208.PrivateKeyInfo())
                alg = info["privateKeyAlgorithm"]
                if str(alg["algorithm"]) != EC_PUBLIC_KEY_OID:
                    raise InputError(path, f"not an EC/SM2 key (algorithm {alg['algorithm']})")
                curve = der_decoder.decode(alg["parameters"])[0] if alg["parameters"].isValue else None
                if curve is not None and str(curve) != SM2_CURVE_OID:
                    raise InputError(path, f"not an SM2 key (curve {curve})")
                return _ec_private(path, bytes(info["privateKey"]))
    except (PyAsn1Error, ValueError, TypeError, AttributeError, OverflowError):  # PemError is a ValueError
        raise InputError(path, "not a readable SM2 private key (PKCS#8 or SEC1, PEM or DER)") from None
    raise InputError(path, "no private key in the file")


def load_certificate(path: str | None = None, data: bytes | None = None) -> SignerCertificate:
    """The signer certificate (PEM or DER) with its SM2 public key."""
    source = path or "certificate"
    raw = data if data is not None else _read(str(path))
    try:
        blocks = [der for kind, der in _pem_blocks(raw) if kind == "CERTIFICATE"]
        der = blocks[0] if blocks else raw
        cert, rest = der_decoder.decode(der, asn1Spec=rfc5280.Certificate())
        spki = cert["tbsCertificate"]["subjectPublicKeyInfo"]
        point = spki["subjectPublicKey"].asOctets()
        public = sm2.decode_public_key(point)
    except (PyAsn1Error, ValueError, TypeError, AttributeError, OverflowError, sm2.SM2Error):  # PemError is a ValueError
        raise InputError(source, "not an X.509 certificate with an SM2 public key") from None
    from cryptography import x509

    try:
        parsed = x509.load_der_x509_certificate(der)
        subject, issuer = parsed.subject.rfc4514_string(), parsed.issuer.rfc4514_string()
        serial = format(parsed.serial_number, "X")
        nb, na = parsed.not_valid_before_utc.isoformat(), parsed.not_valid_after_utc.isoformat()
    except Exception:  # noqa: BLE001 - ValueError, InvalidVersion, … (issue 21)
        raise InputError(source, "not a parseable X.509 certificate") from None
    return SignerCertificate(der, public, subject, issuer, serial, nb, na)
