"""Optional third opinion for ``--cross-check``: gmssl-pyx, a binding of the GmSSL 3 C library.

Install with ``pip install 'mptool[gmssl-pyx]'``. When it is importable, ``--cross-check`` records
its answer next to gmssl's for SM3, HMAC-SM3, SM4 (CBC with PKCS#7, CTR, GCM with a 16-byte tag
and 12-byte nonce) and SM2 on sm2p256v1 (verification of a DER signature with any ID, decryption
of an ASN.1 C1C3C2 ciphertext, re-encoded from whichever encoding the primary decrypted). GmSSL
prints error traces on stderr when it rejects an input; they are silenced at file-descriptor
level so mptool's one-line error contract holds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from mptool.algo.checks.evidence import CipherCase, split_tag
from mptool.algo.checks.crosscheck import DISAGREEMENT, agreement
from mptool.core.model import CheckResult
from mptool.core.registry import register

BACKEND = "gmssl-pyx"

SPEC = register(
    "algo.crosscheck.gmssl_pyx",
    "Cross-check with GmSSL 3 (gmssl-pyx, optional)",
    "GM/T 0042-2015 §8 (algorithm correctness and consistency)",
    """Recompute the value with GmSSL 3 through the optional gmssl-pyx binding and record both answers.

    Passes when it agrees with mptool's primary implementation, fails when it disagrees, and is
    skipped with the reason for what GmSSL's binding cannot express (other SM4 modes, other
    curves). Present only when gmssl-pyx is installed.""",
    {"algo.crosscheck.disagreement": DISAGREEMENT},
)


def available() -> bool:
    """Whether gmssl-pyx can be imported."""
    try:
        import gmssl_pyx  # noqa: F401
    except ImportError:
        return False
    return True


def backend_version() -> str:
    """``gmssl-pyx <version>``."""
    return f"{BACKEND} {metadata.version('gmssl-pyx')}"


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _call(name: str, *args: Any) -> Any:
    import gmssl_pyx

    with _quiet_stderr():
        return getattr(gmssl_pyx, name)(*args)


class NotExpressible(ValueError):
    """gmssl-pyx has no interface for this case."""


def sm3(data: bytes) -> bytes:
    """SM3 by GmSSL."""
    return bytes(_call("sm3_hash", data))


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 by GmSSL."""
    return bytes(_call("sm3_hmac", key, data))


def sm4_encrypt(case: CipherCase) -> bytes:
    """Ciphertext (with the tag appended for GCM) of the case's plaintext by GmSSL."""
    if case.mode == "cbc" and case.padding == "pkcs7":
        return bytes(_call("sm4_cbc_padding_encrypt", case.key, case.iv, case.plaintext))
    if case.mode == "ctr":
        return bytes(_call("sm4_ctr_encrypt", case.key, case.iv, case.plaintext))
    if case.mode == "gcm" and len(case.iv) == 12 and len(split_tag(case)[1]) == 16:
        ct, tag = _call("sm4_gcm_encrypt", case.key, case.iv, case.aad, case.plaintext)
        return bytes(ct) + bytes(tag)
    raise NotExpressible(f"gmssl-pyx has no SM4-{case.mode.upper()} with these parameters (it offers CBC with PKCS#7, CTR, GCM with a 12-byte nonce and 16-byte tag)")


def sm2_verify(point: tuple[int, int], message: bytes, der_signature: bytes, user_id: bytes) -> bool:
    """SM2 verification (sm2p256v1) by GmSSL; the public key is given as X||Y."""
    try:
        return bool(_call("sm2_verify", point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big"), message, der_signature, user_id))
    except Exception:  # GmSSL raises on malformed signatures: a rejection
        return False


def sm2_decrypt(d: int, asn1_ciphertext: bytes) -> bytes | None:
    """SM2 decryption (sm2p256v1, ASN.1 C1C3C2) by GmSSL; None when it rejects the ciphertext."""
    try:
        return bytes(_call("sm2_decrypt", d.to_bytes(32, "big"), asn1_ciphertext))
    except Exception:  # GmsslInnerError on a C3 mismatch or a bad encoding
        return None


def result(form: str, primary: Any, second: Any, *, subject: str) -> CheckResult:
    """The cross-check result: both answers and whether they agree."""
    return agreement(SPEC, backend_version(), form, primary, second, subject=subject)


def not_expressible(subject: str, reason: str) -> CheckResult:
    """A skipped result: GmSSL's binding cannot express this case."""
    return SPEC.skipped_result(subject, reason, backend=backend_version())
