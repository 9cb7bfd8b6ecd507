"""Wycheproof JSON test files (C2SP/wycheproof, schema v1 and the older v0 layout).

A file has ``algorithm``, ``numberOfTests``, ``notes`` (flag -> bugType/description) and
``testGroups[]`` with group parameters and ``tests[]`` (``tcId``, ``comment``, ``flags``,
inputs, ``result`` in valid/invalid/acceptable). Supported algorithms: AES-GCM, AES-CCM,
SM4-GCM, SM4-CCM, AES-CBC-PKCS5, HMAC (SHA-1/SHA-2/SM3), RSASSA-PKCS1-v1_5 and RSASSA-PSS
verification, RSASSA-PKCS1-v1_5 signature generation (``rsassa_pkcs1_generate_schema_v1``: the
signature is deterministic, so a generated signature is right exactly when it verifies under the
public half of the group's private key), RSAES-OAEP and RSAES-PKCS1-v1_5 decryption. Other
algorithms are reported, never run; a file of a schema mptool does not know whose layout it
cannot read is skipped with the reason, never aborting the other files.
"""

from __future__ import annotations

from typing import Any

from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.model import ACCEPTABLE, INVALID, VALID, Vector, VectorFile

_RESULTS = {"valid": VALID, "invalid": INVALID, "acceptable": ACCEPTABLE}
_AEAD = {"AES-GCM": ("aes", "gcm"), "AES-CCM": ("aes", "ccm"), "SM4-GCM": ("sm4", "gcm"), "SM4-CCM": ("sm4", "ccm")}
#: IndCpaTest files: block cipher modes with PKCS#5/#7 padding (an invalid case has a bad padding)
_PADDED = {"AES-CBC-PKCS5": ("aes", "cbc")}


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is a Wycheproof file."""
    return isinstance(data, dict) and "testGroups" in data and "algorithm" in data and ("numberOfTests" in data or "schema" in data)


def _hex(test: dict[str, Any], key: str, where: str) -> bytes:
    value = test.get(key, "")
    if not isinstance(value, str):
        raise VectorFormatError(f"{where}: {key} must be a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise VectorFormatError(f"{where}: {key} is not hex") from None


def _public_of(private_pkcs8_hex: str, where: str) -> str:
    """The SubjectPublicKeyInfo (hex) of a PKCS#8 RSA private key."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_der_private_key(bytes.fromhex(private_pkcs8_hex), password=None)
    except ValueError as exc:
        raise VectorFormatError(f"{where}: privateKeyPkcs8 cannot be read ({exc})") from None
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo).hex()


def _hash_name(name: str) -> str:
    return name.lower().replace("-", "").replace("/", "_")


#: schemas whose layout mptool reads (with and without the _v1 suffix); a format error in a file
#: of one of these is an input error, in a file of any other schema the file is skipped
KNOWN_SCHEMAS = frozenset(
    {
        "aead_test_schema",
        "ind_cpa_test_schema",
        "mac_test_schema",
        "rsassa_pkcs1_verify_schema",
        "rsassa_pss_verify_schema",
        "rsassa_pkcs1_generate_schema",
        "rsaes_oaep_decrypt_schema",
        "rsaes_pkcs1_decrypt_schema",
    }
)


def _schema(data: dict[str, Any]) -> str:
    name = str(data.get("schema", "")).removesuffix(".json")
    return name.removesuffix("_v1")


def parse(data: dict[str, Any], name: str) -> VectorFile:
    """Turn a Wycheproof file into vectors; unsupported algorithms and unknown schemas are recorded, not run."""
    try:
        return _parse(data, name)
    except VectorFormatError as exc:
        schema = _schema(data)
        if not schema or schema in KNOWN_SCHEMAS:
            raise
        result = VectorFile(name, "wycheproof")
        result.unsupported.append((str(data.get("algorithm", "")).lower(), f"Wycheproof schema {data.get('schema')!r} is not supported by mptool ({exc})"))
        return result


def _parse(data: dict[str, Any], name: str) -> VectorFile:
    algorithm = str(data.get("algorithm", ""))
    groups = data.get("testGroups")
    if not isinstance(groups, list):
        raise VectorFormatError("testGroups must be a list")
    result = VectorFile(name, "wycheproof")
    for g_index, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("tests"), list):
            raise VectorFormatError(f"testGroups[{g_index}]: expected an object with a tests list")
        for test in group["tests"]:
            if not isinstance(test, dict) or "tcId" not in test or not isinstance(test.get("result"), str) or test["result"] not in _RESULTS:
                raise VectorFormatError(f"testGroups[{g_index}]: each test needs tcId and result valid/invalid/acceptable")
            where = f"tcId {test['tcId']}"
            try:
                vector = _vector(algorithm, group, test, where, name)
            except (TypeError, ValueError, AttributeError) as exc:
                if isinstance(exc, VectorFormatError):
                    raise
                raise VectorFormatError(f"{where}: malformed group or test parameters ({exc})") from None
            if vector is None:
                result.unsupported.append((algorithm.lower(), f"Wycheproof algorithm {algorithm!r} is not supported by mptool"))
                return result
            result.vectors.append(vector)
    return result


def _vector(algorithm: str, group: dict[str, Any], test: dict[str, Any], where: str, name: str) -> Vector | None:
    expect = _RESULTS[test["result"]]
    ident = f"{name}: {where}"
    flags = tuple(str(f) for f in test.get("flags", []))
    reason = str(test.get("comment", ""))
    if algorithm in _AEAD:
        cipher, mode = _AEAD[algorithm]
        fields = {k: _hex(test, src, where) for k, src in (("key", "key"), ("iv", "iv"), ("aad", "aad"), ("pt", "msg"), ("ct", "ct"), ("tag", "tag"))}
        fields["tag_size"] = int(group.get("tagSize", 128)) // 8
        return Vector(cipher, mode, "aead-both", fields, ident, expect=expect, flags=flags, reason=reason)
    if algorithm in _PADDED:
        cipher, mode = _PADDED[algorithm]
        fields = {k: _hex(test, src, where) for k, src in (("key", "key"), ("iv", "iv"), ("pt", "msg"), ("ct", "ct"))}
        return Vector(cipher, mode, "padded-both", fields, ident, expect=expect, flags=flags, reason=reason)
    if algorithm.upper().startswith("HMAC"):
        digest = _hash_name(algorithm[4:])
        fields = {"key": _hex(test, "key", where), "msg": _hex(test, "msg", where), "mac": _hex(test, "tag", where), "hash": digest or "sha1"}
        fields["tag_size"] = int(group.get("tagSize", 8 * len(fields["mac"]))) // 8
        return Vector("hmac", digest, "mac", fields, ident, expect=expect, flags=flags, reason=reason)
    if algorithm in ("RSASSA-PKCS1-v1_5", "RSASSA-PSS"):
        der = group.get("publicKeyDer")
        if der is None and algorithm == "RSASSA-PKCS1-v1_5" and isinstance(group.get("privateKeyPkcs8"), str):
            der = _public_of(group["privateKeyPkcs8"], where)  # signature generation (generate schema)
        if not isinstance(der, str):
            raise VectorFormatError(f"{where}: the test group lacks publicKeyDer")
        fields = {"public_der": bytes.fromhex(der), "hash": _hash_name(str(group.get("sha", ""))), "msg": _hex(test, "msg", where), "sig": _hex(test, "sig", where)}
        mode = "pkcs1v15"
        if algorithm == "RSASSA-PSS":
            mode = "pss"
            fields["mgf_hash"] = _hash_name(str(group.get("mgfSha", group.get("sha", ""))))
            fields["salt_len"] = int(group.get("sLen", 0))
        return Vector("rsa", mode, "verify", fields, ident, expect=expect, flags=flags, reason=reason)
    if algorithm in ("RSAES-OAEP", "RSAES-PKCS1-v1_5"):
        der = group.get("privateKeyPkcs8")
        if not isinstance(der, str):
            raise VectorFormatError(f"{where}: the test group lacks privateKeyPkcs8")
        fields = {"private_der": bytes.fromhex(der), "ct": _hex(test, "ct", where), "msg": _hex(test, "msg", where)}
        mode = "pkcs1v15-enc"
        if algorithm == "RSAES-OAEP":
            mode = "oaep"
            fields.update(hash=_hash_name(str(group.get("sha", ""))), mgf_hash=_hash_name(str(group.get("mgfSha", ""))), label=_hex(test, "label", where))
        return Vector("rsa", mode, "decrypt", fields, ident, expect=expect, flags=flags, reason=reason)
    return None
