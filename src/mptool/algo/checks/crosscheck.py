"""``--cross-check``: the same computation by a second, independent implementation (gmssl).

gmssl 3.2.x is pure Python (its own SM3, SM4 block function and SM2 arithmetic). Its known
bugs (spec/algos.md §3) are worked around rather than trusted: SM4 is used only as a raw
block function (``padding_mode=None`` ECB) with the modes composed here or in
:mod:`mptool.algo.primitives.blockmodes`; HMAC-SM3 is RFC 2104 over gmssl's SM3; SM2 goes through
:mod:`mptool.algo.sm2.crosscheck`. Both answers are recorded; disagreement is a failure.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from mptool.algo.primitives.blockmodes import xor
from mptool.algo.primitives import blockmodes
from mptool.algo.checks.evidence import CipherCase, split_tag
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import register

BACKEND = "gmssl"
#: gmssl runs at about 0.1 MB/s; larger inputs are not cross-checked.
MAX_BYTES = 1 << 20

#: The one finding of every algo.crosscheck.* check.
DISAGREEMENT = "mptool's primary implementation and the independent one computed different values"

SPEC = register(
    "algo.crosscheck.gmssl",
    "Cross-check with an independent implementation",
    "GM/T 0042-2015 §8 (algorithm correctness and consistency)",
    """Recompute the value with gmssl (pure-Python SM2/SM3/SM4) and record both answers.

    Passes when both implementations agree, fails when they disagree, and is skipped with the
    reason when gmssl has no such algorithm (AES, DES) or the input is too large for it.""",
    {"algo.crosscheck.disagreement": DISAGREEMENT},
)


def backend_version() -> str:
    """``gmssl <version>``."""
    try:
        return f"{BACKEND} {metadata.version('gmssl')}"
    except metadata.PackageNotFoundError:
        return f"{BACKEND} (not installed)"


def sm3(data: bytes) -> bytes:
    """SM3 by gmssl."""
    from gmssl import sm3 as gsm3

    return bytes.fromhex(gsm3.sm3_hash(list(data)))


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC (RFC 2104, block size 64) over gmssl's SM3."""
    if len(key) > 64:
        key = sm3(key)
    key = key.ljust(64, b"\x00")
    inner = sm3(bytes(b ^ 0x36 for b in key) + data)
    return sm3(bytes(b ^ 0x5C for b in key) + inner)


def _sm4_blocks(key: bytes) -> tuple[blockmodes.BlockFn, blockmodes.BlockFn]:
    from gmssl import sm4 as gsm4

    def run(mode: int, data: bytes) -> bytes:
        c = gsm4.CryptSM4(mode=mode, padding_mode=None)
        c.set_key(key, mode)
        return bytes(c.crypt_ecb(data))

    return (lambda d: run(gsm4.SM4_ENCRYPT, d)), (lambda d: run(gsm4.SM4_DECRYPT, d))


def _chain(enc: blockmodes.BlockFn, mode: str, iv: bytes, data: bytes) -> bytes:
    """CBC/CFB128/OFB/CTR encryption over a block function (SP 800-38A §6)."""
    out, register_ = [], iv
    for i in range(0, len(data), 16):
        block = data[i : i + 16]
        if mode == "cbc":
            register_ = enc(xor(block, register_))
            out.append(register_)
        elif mode == "cfb":
            register_ = xor(block, enc(register_))
            out.append(register_)
        elif mode == "ofb":
            register_ = enc(register_)
            out.append(xor(block, register_))
        else:  # ctr, full 128-bit big-endian counter as OpenSSL
            out.append(xor(block, enc(register_)))
            register_ = ((int.from_bytes(register_, "big") + 1) % (1 << 128)).to_bytes(16, "big")
    return b"".join(out)


def sm4_encrypt(case: CipherCase, data: bytes) -> tuple[bytes, bytes]:
    """SM4 encryption of already padded ``data`` in the case's mode, with gmssl's block function."""
    enc, dec = _sm4_blocks(case.key[:16])
    if case.mode == "ecb":
        return enc(data), b""
    if case.mode in ("cbc", "cfb", "ofb", "ctr"):
        return _chain(enc, case.mode, case.iv, data), b""
    if case.mode == "gcm":
        return blockmodes.gcm_encrypt(enc, case.iv, case.aad, data, len(split_tag(case)[1]))
    if case.mode == "ccm":
        return blockmodes.ccm_encrypt(enc, case.iv, case.aad, data, len(split_tag(case)[1]))
    if case.mode == "xts":
        enc2, _ = _sm4_blocks(case.key[16:])
        return blockmodes.xts(enc, dec, enc2, case.iv, data, decrypt=False, convention=case.xts_standard), b""
    raise ValueError(f"no gmssl cross-check for SM4-{case.mode.upper()}")


def agreement(spec: Any, backend: str, form: str, primary: Any, second: Any, *, subject: str, note: str = "") -> CheckResult:
    """A cross-check result of ``spec``: both answers, whether they agree (a disagreement fails)."""

    def show(v: Any) -> Any:
        return v.hex() if isinstance(v, bytes) else v

    agree = primary == second
    measurements = {"backend": backend, "form": form, "primary": show(primary), "cross_check": show(second), "agree": agree}
    if note:
        measurements["note"] = note
    findings = [] if agree else [Finding(code="algo.crosscheck.disagreement", severity=Severity.ERROR, message=f"mptool's primary implementation and {backend} disagree: the result cannot be trusted", data={"primary": show(primary), "cross_check": show(second)})]
    return spec.result(Status.PASS if agree else Status.FAIL, subject=subject, measurements=measurements, findings=findings)


def result(form: str, primary: Any, second: Any, *, subject: str, note: str = "") -> CheckResult:
    """The gmssl cross-check result."""
    return agreement(SPEC, backend_version(), form, primary, second, subject=subject, note=note)


def not_available(subject: str, reason: str) -> CheckResult:
    """A skipped cross-check with the reason."""
    return SPEC.skipped_result(subject, reason, backend=backend_version())
