"""PKCS#8 ``EncryptedPrivateKeyInfo`` with PBES2 (RFC 8018 §6.2, PBKDF2 §5.2), decrypted here.

PRFs: HMAC-SHA1 (the default), HMAC-SHA-224/256/384/512 and HMAC-SM3 (OID 1.2.156.10197.1.401.2,
as GmSSL writes it); ciphers: AES-128/192/256-CBC and SM4-CBC (1.2.156.10197.1.104.2). OpenSSL
and ``cryptography`` refuse the SM3 PRF, so PBKDF2 and the CBC decryption run over
``cryptography``'s primitives. Nothing here names the password or the key in an error.
"""

from __future__ import annotations

from pyasn1.codec.der import decoder as der_decoder
from pyasn1.type import univ

PBES2_OID = "1.2.840.113549.1.5.13"
PBKDF2_OID = "1.2.840.113549.1.5.12"
#: PRF OID -> hash name (RFC 8018 Appendix B.1; GM/T 0091 / GmSSL for SM3)
PRFS = {
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
    "1.2.156.10197.1.401.2": "sm3",
}
#: cipher OID -> (name, key bytes) (RFC 8018 Appendix B.2; GB/T 32907 SM4-CBC)
CIPHERS = {
    "2.16.840.1.101.3.4.1.2": ("aes", 16),
    "2.16.840.1.101.3.4.1.22": ("aes", 24),
    "2.16.840.1.101.3.4.1.42": ("aes", 32),
    "1.2.156.10197.1.104.2": ("sm4", 16),
}


class Pbes2Error(ValueError):
    """The structure is not a supported PBES2 key, or the password is wrong (``wrong_password``)."""

    def __init__(self, problem: str, *, wrong_password: bool = False) -> None:
        super().__init__(problem)
        self.wrong_password = wrong_password


def pbkdf2(hash_name: str, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    """PBKDF2 (RFC 8018 §5.2) with HMAC over ``hash_name``."""
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    from mptool.algo.vectors.handlers import hash_algorithm

    return PBKDF2HMAC(algorithm=hash_algorithm(hash_name), length=length, salt=salt, iterations=iterations).derive(password)


def decrypt_pkcs8(der: bytes, password: bytes) -> bytes:
    """The DER ``PrivateKeyInfo`` inside an ``EncryptedPrivateKeyInfo`` (PBES2 only)."""
    from pyasn1_modules import rfc5208, rfc8018  # imported when used: rfc5208 pulls in rfc2459 (~30 ms)

    from mptool.algo.primitives import ciphers

    info, _ = der_decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    alg = info["encryptionAlgorithm"]
    if str(alg["algorithm"]) != PBES2_OID:
        raise Pbes2Error(f"unsupported key encryption {alg['algorithm']} (PBES2 only)")
    params, _ = der_decoder.decode(alg["parameters"], asn1Spec=rfc8018.PBES2_params())
    kdf = params["keyDerivationFunc"]
    if str(kdf["algorithm"]) != PBKDF2_OID:
        raise Pbes2Error("unsupported key derivation (PBKDF2 only)")
    kdf_params, _ = der_decoder.decode(kdf["parameters"], asn1Spec=rfc8018.PBKDF2_params())
    salt = bytes(kdf_params["salt"]["specified"])
    iterations = int(kdf_params["iterationCount"])
    prf_oid = str(kdf_params["prf"]["algorithm"]) if kdf_params["prf"].isValue else "1.2.840.113549.2.7"
    scheme = params["encryptionScheme"]
    cipher_oid = str(scheme["algorithm"])
    if prf_oid not in PRFS or cipher_oid not in CIPHERS:
        raise Pbes2Error(f"unsupported PBES2 parameters (prf {prf_oid}, cipher {cipher_oid})")
    iv = bytes(der_decoder.decode(scheme["parameters"], asn1Spec=univ.OctetString())[0])
    name, size = CIPHERS[cipher_oid]
    key = pbkdf2(PRFS[prf_oid], password, salt, iterations, size)
    data = bytes(info["encryptedData"])
    if len(iv) != 16 or not data or len(data) % 16:
        raise Pbes2Error("malformed PBES2 ciphertext (IV or length)")
    try:
        plain = ciphers.unpad(ciphers.decrypt(name, "cbc", key, data, iv=iv), 16, "pkcs7")
    except ValueError:
        raise Pbes2Error("cannot decrypt the key: wrong password", wrong_password=True) from None
    if not _is_private_key_info(plain):  # a wrong key still gives valid padding about once in 256
        raise Pbes2Error("cannot decrypt the key: wrong password", wrong_password=True)
    return plain


def _is_private_key_info(der: bytes) -> bool:
    """Whether ``der`` is one whole DER SEQUENCE, as a right password gives (a ``PrivateKeyInfo``,
    RFC 5208 §5, or its RFC 5958 successor; which one is the loaders' business)."""
    if not der or der[0] != 0x30:
        return False
    try:
        _, rest = der_decoder.decode(der)
    except Exception:  # noqa: BLE001 - pyasn1 raises several types on random bytes
        return False
    return not rest
