"""SM2 signing key and certificate files for ``assess seal`` (PEM or DER).

Keys: PKCS#8 ``PRIVATE KEY`` (RFC 5208/5958, id-ecPublicKey with the SM2 curve, as written by
``openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2``), SEC1 ``EC PRIVATE KEY``
(RFC 5915) and password-protected ``ENCRYPTED PRIVATE KEY`` (PKCS#8 PBES2, RFC 8018: PBKDF2
with HMAC-SHA1/SHA-2/SM3 and AES-128/192/256-CBC or SM4-CBC), all read by the algo domain's one
loader (``mptool.algo.api.load_sm2_private_key``). The key and its password are never written
to any output and never appear in an error message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mptool.algo.api import load_sm2_private_key, load_sm2_public_key
from mptool.core.errors import InputError
from mptool.core.pem import PemError, pem_blocks


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


def _pem_blocks(data: bytes, source: str) -> list[tuple[str, bytes]]:
    try:
        return [(block.label, block.der) for block in pem_blocks(data)]
    except PemError as exc:
        raise InputError(source, str(exc)) from None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def load_private_key(path: str, password: bytes | None = None) -> int:
    """The SM2 private key d of a PEM/DER key file (InputError naming the file, never the key),
    through the algo domain's one loader (:func:`mptool.algo.api.load_sm2_private_key`)."""
    return load_sm2_private_key(_read(path), path, password, password_option="--key-pass-file")


def load_certificate(path: str | None = None, data: bytes | None = None) -> SignerCertificate:
    """The signer certificate (PEM or DER) with its SM2 public key."""
    source = path or "certificate"
    raw = data if data is not None else _read(str(path))
    blocks = [der for kind, der in _pem_blocks(raw, source) if kind == "CERTIFICATE"]
    der = blocks[0] if blocks else raw
    try:
        public = load_sm2_public_key(der, source)
    except InputError:
        raise InputError(source, "not an X.509 certificate with an SM2 public key") from None
    from cryptography import x509

    try:
        parsed = x509.load_der_x509_certificate(der)
        subject, issuer = parsed.subject.rfc4514_string(), parsed.issuer.rfc4514_string()
        serial = format(parsed.serial_number, "X")
        nb, na = parsed.not_valid_before_utc.isoformat(), parsed.not_valid_after_utc.isoformat()
    except (ValueError, x509.InvalidVersion):  # a damaged version field raises InvalidVersion (fuzzing, issue 21)
        raise InputError(source, "not a parseable X.509 certificate") from None
    return SignerCertificate(der, public, subject, issuer, serial, nb, na)
