"""SM2 private keys and certificates for the TLCP endpoint and client authentication.

Keys and public keys are read by the one SM2 key loader of the algo domain
(:func:`mptool.algo.api.load_sm2_private_key`, :func:`~mptool.algo.api.load_sm2_public_key`):
PKCS#8, SEC1 or encrypted PKCS#8, PEM or DER. Certificates: PEM (one or more) or DER.
"""

from __future__ import annotations

from dataclasses import dataclass

from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.pem import PemError, pem_blocks
from mptool.core.model import InputRecord

MAX_FILE = 1 << 20

Point = tuple[int, int]


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
    """The SM2 public key of a DER certificate (the one loader, :func:`mptool.algo.api.load_sm2_public_key`);
    anything else raises :class:`InputError`."""
    from mptool.algo.api import load_sm2_public_key

    if der[:1] != b"\x30":
        raise InputError(source, "not a DER X.509 certificate")
    return load_sm2_public_key(der, source)


@dataclass(frozen=True)
class PrivateKey:
    """An SM2 private key ``d`` and its public point."""

    d: int
    public: Point
    record: InputRecord


def load_private_key(path: str, password: bytes | None = None) -> PrivateKey:
    """Read an SM2 private key (PKCS#8, SEC1 or encrypted PKCS#8, PEM or DER) from ``path``
    through the one loader, :func:`mptool.algo.api.load_sm2_private_key`."""
    from mptool.algo.api import load_sm2_private_key, sm2

    data, record = read_input(path, max_size=MAX_FILE)
    d = load_sm2_private_key(data, path, password)
    return PrivateKey(d, sm2.public_key_from_private(d), record)


def load_key_pair(cert_path: str, key_path: str) -> tuple[CertFile, PrivateKey]:
    """A certificate file and its private key; a key that does not match the first certificate is an input error."""
    cert, key = load_certificates(cert_path), load_private_key(key_path)
    if certificate_public_key(cert.ders[0], cert_path) != key.public:
        raise InputError(key_path, f"this key does not belong to the certificate in {cert_path}")
    return cert, key
