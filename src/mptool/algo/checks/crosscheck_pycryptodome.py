"""``--cross-check`` for AES, DES, 3DES and RSA: PyCryptodome (``Cryptodome``), its own C code.

PyCryptodome is not an OpenSSL binding, so it is an independent second answer for what gmssl
cannot compute. It is installed with mptool (gmssl depends on ``pycryptodomex``). It has no SM4
and no XTS (reported as skipped). It refuses 3DES keys whose parts repeat (K1 = K2 or K2 = K3);
those keys are single DES, and are cross-checked as such. RSA-PSS is verified with every salt length the modulus allows,
since the captured signature's salt length is not given.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from mptool.algo.checks.evidence import CipherCase, split_tag
from mptool.algo.checks.crosscheck import DISAGREEMENT, agreement
from mptool.core.model import CheckResult
from mptool.core.registry import register

BACKEND = "pycryptodomex"

SPEC = register(
    "algo.crosscheck.pycryptodome",
    "Cross-check with PyCryptodome (AES, DES, 3DES, RSA)",
    "GM/T 0042-2015 §8 (algorithm correctness and consistency); FIPS 197; SP 800-67r2; RFC 8017 §8",
    """Recompute the value with PyCryptodome, an implementation independent of OpenSSL, and record
    both answers. Passes when they agree, fails when they disagree.""",
    {"algo.crosscheck.disagreement": DISAGREEMENT},
)


class NotExpressible(ValueError):
    """PyCryptodome cannot compute this case."""


def backend_version() -> str:
    """``pycryptodomex <version>``."""
    return f"{BACKEND} {metadata.version(BACKEND)}"


def _cipher(case: CipherCase, data_len: int) -> Any:
    from Cryptodome.Cipher import AES, DES, DES3

    module: Any = {"aes": AES, "des": DES, "3des": DES3}.get(case.cipher)
    if module is None:
        raise NotExpressible(f"PyCryptodome has no {case.cipher.upper()}")
    key = case.key
    if case.cipher == "3des":
        module, key = _tdes_or_equivalent_des(key)
    block = 16 if case.cipher == "aes" else 8
    mode = case.mode
    kwargs: dict[str, Any] = {}
    if mode == "ecb":
        pc_mode = module.MODE_ECB
    elif mode == "cbc":
        pc_mode, kwargs = module.MODE_CBC, {"iv": case.iv}
    elif mode in ("cfb", "cfb8"):
        pc_mode, kwargs = module.MODE_CFB, {"iv": case.iv, "segment_size": 8 if mode == "cfb8" else 8 * block}
    elif mode == "ofb":
        pc_mode, kwargs = module.MODE_OFB, {"iv": case.iv}
    elif mode == "ctr":
        pc_mode, kwargs = module.MODE_CTR, {"nonce": b"", "initial_value": case.iv}
    elif mode in ("gcm", "ccm"):
        tag_len = len(split_tag(case)[1])
        pc_mode = module.MODE_GCM if mode == "gcm" else module.MODE_CCM
        kwargs = {"nonce": case.iv, "mac_len": tag_len}
        if mode == "ccm":
            kwargs["msg_len"] = data_len
            kwargs["assoc_len"] = len(case.aad)
    else:
        raise NotExpressible(f"PyCryptodome has no {mode.upper()}")
    try:
        return module.new(key, pc_mode, **kwargs)
    except ValueError as exc:
        raise NotExpressible(f"PyCryptodome refuses these parameters: {exc}") from None


def _tdes_or_equivalent_des(key: bytes) -> tuple[Any, bytes]:
    """PyCryptodome refuses degenerate 3DES keys; E_K3(D_K2(E_K1(x))) is then single DES.

    K1 = K2 (parity bits ignored) leaves E_K3; K2 = K3 leaves E_K1 (SP 800-67r2 §3.1).
    """
    from Cryptodome.Cipher import DES, DES3

    if len(key) == 16:
        key = key + key[:8]
    k1, k2, k3 = key[:8], key[8:16], key[16:]

    def same(a: bytes, b: bytes) -> bool:
        return bytes(x & 0xFE for x in a) == bytes(x & 0xFE for x in b)

    if same(k1, k2):
        return DES, k3
    if same(k2, k3):
        return DES, k1
    return DES3, key


def encrypt(case: CipherCase, data: bytes) -> bytes:
    """Ciphertext (with the tag appended for GCM/CCM) of the already padded ``data``."""
    cipher = _cipher(case, len(data))
    if case.mode in ("gcm", "ccm"):
        cipher.update(case.aad)
        ct, tag = cipher.encrypt_and_digest(data)
        return bytes(ct) + bytes(tag)
    return bytes(cipher.encrypt(data))


def rsa_verify(public_key_der: bytes, message: bytes, signature: bytes, scheme: str, hash_name: str) -> bool:
    """RSA PKCS#1 v1.5 or PSS (MGF1 with the same hash, any salt length) verification."""
    from Cryptodome.Hash import SHA1, SHA224, SHA256, SHA384, SHA512
    from Cryptodome.PublicKey import RSA
    from Cryptodome.Signature import pkcs1_15, pss

    hashes: dict[str, Any] = {"sha1": SHA1, "sha224": SHA224, "sha256": SHA256, "sha384": SHA384, "sha512": SHA512}
    module = hashes.get(hash_name.lower().replace("-", ""))
    if module is None:
        raise NotExpressible(f"no PyCryptodome cross-check for hash {hash_name!r}")
    key = RSA.import_key(public_key_der)
    if scheme == "pkcs1v15":
        try:
            pkcs1_15.new(key).verify(module.new(message), signature)
            return True
        except (ValueError, TypeError):
            return False
    em_len = (key.n.bit_length() - 1 + 7) // 8
    for salt in range(0, max(0, em_len - module.digest_size - 2) + 1):
        try:
            pss.new(key, salt_bytes=salt).verify(module.new(message), signature)
            return True
        except (ValueError, TypeError):
            continue
    return False


def result(form: str, primary: Any, second: Any, *, subject: str) -> CheckResult:
    """The cross-check result: both answers and whether they agree."""
    return agreement(SPEC, backend_version(), form, primary, second, subject=subject)


def not_expressible(subject: str, reason: str) -> CheckResult:
    """A skipped result: PyCryptodome cannot compute this case."""
    return SPEC.skipped_result(subject, reason, backend=backend_version())
