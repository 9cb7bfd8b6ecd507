"""SM2 keys and certificates in every form, through one loader (used by ``algo``, ``assess seal``;
``proto probe/serve`` should switch to it, see :func:`load_sm2_private_key`).

Public keys (:func:`load_sm2_public_key`): a raw point (04||X||Y, 02/03||X, X||Y), an X.509
certificate or a SubjectPublicKeyInfo, PEM or DER. Private keys (:func:`load_sm2_private_key`): the
raw 32-byte d, PKCS#8 ``PRIVATE KEY`` (RFC 5208/5958) and SEC1 ``EC PRIVATE KEY`` (RFC 5915; OpenSSL 3
labels it ``SM2 PRIVATE KEY``), PEM or
DER, and ``ENCRYPTED PRIVATE KEY`` (PKCS#8 PBES2, :mod:`.pbes2`: PBKDF2 with HMAC-SHA1/SHA-2/SM3
and AES-CBC or SM4-CBC, including GmSSL's PBKDF2-HMAC-SM3 + SM4-CBC that OpenSSL refuses).
``cryptography`` cannot load keys on the SM2 curve, so the structures are decoded with pyasn1.
Errors are :class:`InputError` naming the source, never the key or the password.
"""

from __future__ import annotations

from pyasn1.codec.der import decoder as der_decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5280, rfc5915

from mptool.algo.keys.pbes2 import Pbes2Error, decrypt_pkcs8
from mptool.algo.sm2 import SM2P256V1, Curve, Point, SM2Error, decode_public_key
from mptool.core.errors import InputError
from mptool.core.pem import PemError, pem_blocks

__all__ = ["Pbes2Error", "decrypt_pkcs8", "load_rsa_private_key", "load_sm2_private_key", "load_sm2_public_key"]

SM2_CURVE_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
_ASN1_ERRORS = (PyAsn1Error, ValueError, TypeError, IndexError, OverflowError)  # OverflowError: a length beyond sys.maxsize


def _blocks(data: bytes, source: str) -> list[tuple[str, bytes]] | None:
    """The PEM blocks of ``data`` (None when it is not PEM)."""
    if b"-----BEGIN" not in data:
        return None
    try:
        return [(block.label, block.der) for block in pem_blocks(data)]
    except PemError as exc:
        raise InputError(source, str(exc)) from None


def _decode(der: bytes, spec: object) -> object:
    try:
        value, rest = der_decoder.decode(der, asn1Spec=spec)
    except (OverflowError, ValueError) as exc:  # pyasn1 on a length beyond any index (fuzz seal-keys)
        raise PyAsn1Error(f"{type(exc).__name__}: {exc}") from None
    if rest:
        raise PyAsn1Error("trailing bytes")
    return value


def _check_curve(parameters: object, source: str) -> None:
    """InputError unless the AlgorithmIdentifier/ECParameters name the SM2 curve (or nothing)."""
    if not parameters.isValue:  # type: ignore[attr-defined]
        return
    try:
        curve = str(der_decoder.decode(bytes(parameters))[0]) if not hasattr(parameters, "getName") else (str(parameters["namedCurve"]) if parameters.getName() == "namedCurve" else "")  # type: ignore[attr-defined,index]
    except _ASN1_ERRORS:
        curve = ""
    if curve and curve != SM2_CURVE_OID:
        raise InputError(source, f"not an SM2 key (curve {curve}, not SM2 {SM2_CURVE_OID})")


def _spki_point(spki: object, source: str, curve: Curve) -> Point:
    algorithm = str(spki["algorithm"]["algorithm"])  # type: ignore[index]
    if algorithm not in (EC_PUBLIC_KEY_OID, SM2_CURVE_OID):
        raise InputError(source, f"not an SM2 public key (algorithm {algorithm})")
    _check_curve(spki["algorithm"]["parameters"], source)  # type: ignore[index]
    try:
        return decode_public_key(spki["subjectPublicKey"].asOctets(), curve)  # type: ignore[index]
    except SM2Error as exc:
        raise InputError(source, f"bad SM2 public key: {exc}") from None


def load_sm2_public_key(data: bytes, source: str = "--public-key", curve: Curve = SM2P256V1) -> Point:
    """An SM2 public point from a raw point, a certificate or a SubjectPublicKeyInfo (PEM or DER)."""
    blocks = _blocks(data, source)
    if blocks is not None:
        for label, der in blocks:
            if label in ("CERTIFICATE", "X509 CERTIFICATE", "PUBLIC KEY"):
                return _public_from_der(der, source, curve, certificate=label != "PUBLIC KEY")
        raise InputError(source, "no PEM CERTIFICATE or PUBLIC KEY block")
    if data[:1] != b"\x30":
        try:
            return decode_public_key(data, curve)
        except SM2Error as exc:
            raise InputError(source, f"{exc} (or give a certificate or SubjectPublicKeyInfo, PEM or DER)") from None
    return _public_from_der(data, source, curve, certificate=None)


def _public_from_der(der: bytes, source: str, curve: Curve, *, certificate: bool | None) -> Point:
    if certificate is not False:
        try:
            cert = _decode(der, rfc5280.Certificate())
            return _spki_point(cert["tbsCertificate"]["subjectPublicKeyInfo"], source, curve)  # type: ignore[index]
        except _ASN1_ERRORS as exc:
            if isinstance(exc, InputError) or certificate:
                raise InputError(source, f"not a DER X.509 certificate with an SM2 key ({exc})" if not isinstance(exc, InputError) else exc.problem) from None
    try:
        spki = _decode(der, rfc5280.SubjectPublicKeyInfo())
    except _ASN1_ERRORS:
        raise InputError(source, "expected an SM2 public key: a point (04||X||Y, 02/03||X, X||Y), a certificate or a SubjectPublicKeyInfo, PEM or DER") from None
    return _spki_point(spki, source, curve)


def _sec1(der: bytes, source: str) -> int:
    key = _decode(der, rfc5915.ECPrivateKey())
    _check_curve(key["parameters"], source)  # type: ignore[index]
    return int.from_bytes(key["privateKey"].asOctets(), "big")  # type: ignore[index]


def _pkcs8(der: bytes, source: str) -> int:
    from pyasn1_modules import rfc5208  # imported when used: it pulls in rfc2459 (~30 ms)

    info = _decode(der, rfc5208.PrivateKeyInfo())
    algorithm = str(info["privateKeyAlgorithm"]["algorithm"])  # type: ignore[index]
    if algorithm not in (EC_PUBLIC_KEY_OID, SM2_CURVE_OID):
        raise InputError(source, f"not an EC/SM2 private key (algorithm {algorithm})")
    _check_curve(info["privateKeyAlgorithm"]["parameters"], source)  # type: ignore[index]
    return _sec1(info["privateKey"].asOctets(), source)  # type: ignore[index]


def _encrypted(der: bytes, source: str, password: bytes | None, password_option: str) -> int:
    if password is None:
        raise InputError(source, f"the key is encrypted (ENCRYPTED PRIVATE KEY): give {password_option}")
    try:
        inner = decrypt_pkcs8(der, password)
    except Pbes2Error as exc:
        raise InputError(password_option if exc.wrong_password else source, str(exc)) from None
    return _pkcs8(inner, source)


def load_sm2_private_key(data: bytes, source: str = "--private-key", password: bytes | None = None, *, curve: Curve = SM2P256V1, password_option: str = "--key-password") -> int:
    """The SM2 private key d of a raw 32-byte value or a PKCS#8 / SEC1 / encrypted PKCS#8 key, PEM or DER.

    ``password`` decrypts an ``ENCRYPTED PRIVATE KEY``; ``password_option`` names where it comes
    from in messages. ``proto probe``/``proto serve`` read their keys through it too.
    """
    if b"Proc-Type: 4,ENCRYPTED" in data:
        raise InputError(source, "legacy OpenSSL-encrypted PEM (Proc-Type) is not supported: convert it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc'")
    blocks = _blocks(data, source)
    if blocks is None and len(data) == curve.order_bytes:
        d = int.from_bytes(data, "big")
        if password is not None:
            raise InputError(password_option, "the key is given raw, not encrypted")
    else:
        candidates = [(label, der) for label, der in blocks if label in ("PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY", "ENCRYPTED PRIVATE KEY")] if blocks is not None else [("ENCRYPTED PRIVATE KEY", data), ("PRIVATE KEY", data), ("EC PRIVATE KEY", data)]
        if not candidates:
            raise InputError(source, "no PEM PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY block")
        d = _first_private(candidates, source, password, password_option, curve)
    try:
        curve.check_private_key(d)
    except SM2Error as exc:
        raise InputError(source, str(exc)) from None
    return d


def _first_private(candidates: list[tuple[str, bytes]], source: str, password: bytes | None, password_option: str, curve: Curve) -> int:
    from pyasn1_modules import rfc5208

    readers = {"PRIVATE KEY": _pkcs8, "EC PRIVATE KEY": _sec1, "SM2 PRIVATE KEY": _sec1}
    for label, der in candidates:
        try:
            if label == "ENCRYPTED PRIVATE KEY":
                try:
                    _decode(der, rfc5208.EncryptedPrivateKeyInfo())
                except _ASN1_ERRORS:
                    if len(candidates) > 1:
                        continue
                    raise
                return _encrypted(der, source, password, password_option)
            return readers[label](der, source)
        except InputError:
            raise
        except _ASN1_ERRORS:
            continue
    raise InputError(source, f"not a readable SM2 private key: expected {curve.order_bytes} raw bytes, PKCS#8 or SEC1 (PEM or DER), or an encrypted PKCS#8")


from mptool.algo.keys.rsa import load_rsa_private_key  # noqa: E402 - re-exported: the RSA forms of the one loader
