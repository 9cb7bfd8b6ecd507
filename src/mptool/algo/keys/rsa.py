"""RSA private keys through the same forms as SM2 keys: PEM or DER, PKCS#8 ``PRIVATE KEY`` (RFC 5208),
PKCS#1 ``RSA PRIVATE KEY`` (RFC 8017 Appendix A.1.2), and ``ENCRYPTED PRIVATE KEY`` (PKCS#8 PBES2,
RFC 8018) decrypted by :mod:`mptool.algo.keys.pbes2` (so a key encrypted with GmSSL's PBKDF2-HMAC-SM3
and SM4-CBC opens as well as OpenSSL's AES-CBC ones). Errors name the option, never the key or password.
"""

from __future__ import annotations

from typing import Any

from pyasn1.codec.der import decoder as der_decoder

from mptool.algo.keys.pbes2 import Pbes2Error, decrypt_pkcs8
from mptool.core.errors import InputError
from mptool.core.pem import PemError, pem_blocks

_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
_NOT_RSA = "not an RSA private key (for an SM2 key use the sm2 algorithm)"


def _is_encrypted_info(der: bytes) -> bool:
    from pyasn1_modules import rfc5208  # imported when used: it pulls in rfc2459 (~30 ms)

    try:
        der_decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    except Exception:  # noqa: BLE001 - pyasn1 raises several types on other structures
        return False
    return True


def _load_der(der: bytes, source: str) -> Any:
    """PKCS#8 or PKCS#1 DER (unencrypted) through cryptography."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        key = load_der_private_key(der, None)
    except UnsupportedAlgorithm:
        raise InputError(source, _NOT_RSA) from None
    except (ValueError, TypeError):
        raise InputError(source, "not a readable RSA private key (PEM or DER, PKCS#8 or PKCS#1, or an encrypted PKCS#8)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InputError(source, _NOT_RSA)
    return key


def _decrypt(der: bytes, source: str, password: bytes | None, password_option: str) -> bytes:
    if password is None:
        raise InputError(source, f"the key is encrypted (ENCRYPTED PRIVATE KEY): give {password_option}")
    try:
        return decrypt_pkcs8(der, password)
    except Pbes2Error as exc:
        raise InputError(password_option if exc.wrong_password else source, str(exc)) from None
    except Exception:  # noqa: BLE001 - a damaged structure
        raise InputError(source, "the ENCRYPTED PRIVATE KEY structure cannot be read") from None


def load_rsa_private_key(data: bytes, source: str = "--private-key", password: bytes | None = None, *, password_option: str = "--key-password") -> Any:
    """A ``cryptography`` RSA private key from any of the forms above; ``password`` opens an encrypted PKCS#8."""
    if b"Proc-Type: 4,ENCRYPTED" in data:
        raise InputError(source, "legacy OpenSSL-encrypted PEM (Proc-Type) is not supported: convert it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc'")
    if b"-----BEGIN" in data:
        try:
            blocks = [(b.label, b.der) for b in pem_blocks(data) if b.label in _LABELS]
        except PemError as exc:
            raise InputError(source, str(exc)) from None
        if not blocks:
            raise InputError(source, "no PEM PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY block")
        label, der = blocks[0]
        encrypted = label == "ENCRYPTED PRIVATE KEY"
    else:
        der, encrypted = data, _is_encrypted_info(data)
    if encrypted:
        return _load_der(_decrypt(der, source, password, password_option), source)
    if password is not None:
        raise InputError(password_option, "the key is not encrypted")
    return _load_der(der, source)
