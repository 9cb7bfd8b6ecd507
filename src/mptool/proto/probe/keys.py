"""SM2 private keys and certificates for the TLCP endpoint and client authentication.

Keys: PKCS#8 ``PRIVATE KEY`` (as ``openssl genpkey -algorithm SM2`` writes them) or SEC1
``EC PRIVATE KEY`` (RFC 5915), PEM or DER, unencrypted. ``cryptography`` cannot load keys on
the SM2 curve (OID 1.2.156.10197.1.301), so they are decoded with pyasn1.
Certificates: PEM (one or more) or DER; the public key is read from the SubjectPublicKeyInfo.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5208, rfc5280, rfc5915

from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.pem import PemError, pem_blocks
from mptool.core.model import InputRecord

SM2_CURVE_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
MAX_FILE = 1 << 20

Point = tuple[int, int]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _pem_blocks(name: str, data: bytes) -> list[tuple[str, bytes]]:
    try:
        return [(block.label, block.der) for block in pem_blocks(data)]
    except PemError as exc:
        raise InputError(name, str(exc)) from None


@dataclass(frozen=True)
class CertFile:
    """The DER certificates of one file and its input record."""

    ders: list[bytes]
    record: InputRecord


def load_certificates(path: str) -> CertFile:
    """Read one or more certificates (PEM or DER) from ``path``."""
    data, record = read_input(path, max_size=MAX_FILE)
    if b"-----BEGIN" in data:
        ders = [der for label, der in _pem_blocks(path, data) if label in ("CERTIFICATE", "X509 CERTIFICATE")]
        if not ders:
            raise InputError(path, "no PEM CERTIFICATE block")
    else:
        ders = [data]
    for der in ders:
        certificate_public_key(der, path)
    return CertFile(ders, record)


def certificate_public_key(der: bytes, source: str = "certificate") -> Point:
    """The SM2 public key of a DER certificate; anything else raises :class:`InputError`."""
    from mptool.algo.api import sm2

    try:
        cert, rest = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    except (PyAsn1Error, ValueError, IndexError, TypeError) as exc:
        raise InputError(source, f"not a DER X.509 certificate ({_first_line(exc)})") from None
    if rest:
        raise InputError(source, "trailing bytes after the certificate")
    spki = cert["tbsCertificate"]["subjectPublicKeyInfo"]
    algorithm = str(spki["algorithm"]["algorithm"])
    params = spki["algorithm"]["parameters"]
    curve = ""
    if params.isValue:
        try:
            curve = str(decoder.decode(params.asOctets() if hasattr(params, "asOctets") else bytes(params))[0])
        except (PyAsn1Error, TypeError):
            curve = ""
    if algorithm not in (EC_PUBLIC_KEY_OID, SM2_CURVE_OID) or (curve and curve != SM2_CURVE_OID):
        raise InputError(source, f"the certificate key is not an SM2 key (algorithm {algorithm}, curve {curve or 'none'})")
    try:
        return sm2.decode_public_key(spki["subjectPublicKey"].asOctets())
    except sm2.SM2Error as exc:
        raise InputError(source, f"bad SM2 public key: {exc}") from None


@dataclass(frozen=True)
class PrivateKey:
    """An SM2 private key ``d`` and its public point."""

    d: int
    public: Point
    record: InputRecord


def _decode_ec_private_key(der: bytes) -> int:
    key, rest = decoder.decode(der, asn1Spec=rfc5915.ECPrivateKey())
    if rest:
        raise PyAsn1Error("trailing bytes after ECPrivateKey")
    if key["parameters"].isValue and key["parameters"].getName() == "namedCurve":
        curve = str(key["parameters"]["namedCurve"])
        if curve != SM2_CURVE_OID:
            raise ValueError(f"the key is on curve {curve}, not SM2 ({SM2_CURVE_OID})")
    return int.from_bytes(key["privateKey"].asOctets(), "big")


def _decode_pkcs8(der: bytes) -> int:
    info, rest = decoder.decode(der, asn1Spec=rfc5208.PrivateKeyInfo())
    if rest:
        raise PyAsn1Error("trailing bytes after PrivateKeyInfo")
    algorithm = str(info["privateKeyAlgorithm"]["algorithm"])
    if algorithm not in (EC_PUBLIC_KEY_OID, SM2_CURVE_OID):
        raise ValueError(f"not an EC/SM2 key (algorithm {algorithm})")
    params = info["privateKeyAlgorithm"]["parameters"]
    if params.isValue:
        curve = str(decoder.decode(bytes(params))[0])
        if curve != SM2_CURVE_OID:
            raise ValueError(f"the key is on curve {curve}, not SM2 ({SM2_CURVE_OID})")
    return _decode_ec_private_key(info["privateKey"].asOctets())


def load_private_key(path: str) -> PrivateKey:
    """Read an unencrypted SM2 private key (PKCS#8 or SEC1, PEM or DER) from ``path``."""
    from mptool.algo.api import sm2

    data, record = read_input(path, max_size=MAX_FILE)
    if b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data:
        raise InputError(path, "encrypted private keys are not supported; give an unencrypted SM2 key")
    candidates: list[tuple[str, bytes]]
    if b"-----BEGIN" in data:
        candidates = [(label, der) for label, der in _pem_blocks(path, data) if label in ("PRIVATE KEY", "EC PRIVATE KEY")]
        if not candidates:
            raise InputError(path, "no PEM PRIVATE KEY or EC PRIVATE KEY block")
    else:
        candidates = [("PRIVATE KEY", data), ("EC PRIVATE KEY", data)]
    problem = "not an SM2 private key"
    for label, der in candidates:
        try:
            d = _decode_pkcs8(der) if label == "PRIVATE KEY" else _decode_ec_private_key(der)
        except (PyAsn1Error, IndexError, TypeError) as exc:
            problem = f"not an SM2 private key ({_first_line(exc)})"
            continue
        except ValueError as exc:
            problem = _first_line(exc)
            continue
        if not 1 <= d < sm2.SM2P256V1.n - 1:
            raise InputError(path, "the private key is out of range [1, n-2]")
        return PrivateKey(d, sm2.public_key_from_private(d), record)
    raise InputError(path, problem)


def load_key_pair(cert_path: str, key_path: str) -> tuple[CertFile, PrivateKey]:
    """A certificate file and its private key; a key that does not match the first certificate is an input error."""
    cert, key = load_certificates(cert_path), load_private_key(key_path)
    if certificate_public_key(cert.ders[0], cert_path) != key.public:
        raise InputError(key_path, f"this key does not belong to the certificate in {cert_path}")
    return cert, key
