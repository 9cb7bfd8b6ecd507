"""Device-management and key-management checks: device info, random numbers, key inventory, error handling."""

from __future__ import annotations

import ctypes
import os
from typing import Any

from mptool.core.model import CheckResult, Status
from mptool.core.registry import check
from mptool.device.checks.base import Outcome, findings, skip_missing
from mptool.device.checks.context import DeviceContext, on_curve
from mptool.device.sdf.binding import addr
from mptool.device.sdf.constants import (
    ASYM_ABILITY,
    FUNCTIONS,
    HASH_ABILITY,
    SDR_KEYNOTEXIST,
    SDR_PARDENY,
    SDR_PRKRERR,
    SGD_SM4_ECB,
    SYM_ABILITY,
    CODE_BY_NAME,
    error_name,
)
from mptool.device.sdf.structs import DeviceInfo, ECCSignature, leading_bytes_zero

#: the index a device is asked about when a wrong index is wanted (far beyond any real key store)
WRONG_INDEX = 10000
#: a password that is never the real one (it is checked to differ from --password)
WRONG_PASSWORD = b"mptool-wrong-password-0"


def _text(raw: Any) -> str:
    return bytes(raw).split(b"\x00", 1)[0].decode("latin-1").strip()


def _abilities(value: int, table: dict[str, int]) -> list[str]:
    return [name for name, bit in table.items() if value & bit == bit]


@check(
    "device.sdf.info",
    "Device information and exported SDF functions",
    "GM/T 0018-2012 / -2023 6.2 (SDF_GetDeviceInfo, DEVICEINFO structure)",
    findings=findings(
        "device.sdf.info",
        standard_version="the StandardVersion the device reports (1 = GM/T 0018-2012, 2 = GM/T 0018-2023) and the functions it lacks",
        no_sm_ability="DEVICEINFO declares no SM2, SM3 or SM4 capability",
    ),
)
def info(ctx: DeviceContext) -> CheckResult:
    """Read DEVICEINFO (issuer/vendor, model, serial, device and standard version, algorithm
    capability bits) through SDF_GetDeviceInfo (GM/T 0018 6.2) and list which functions of the
    GM/T 0018-2012 set, the 2023 additions and common vendor extensions the library exports.
    The result is information for the report's product row (the evaluator still checks the
    commercial cryptography product certificate); it fails only when the call fails."""
    spec = info.spec  # type: ignore[attr-defined]
    out = Outcome(spec, ctx.subject)
    exported = {name: ctx.lib.has(name) for name in FUNCTIONS}
    missing = {ed: sorted(n for n, (_g, e) in FUNCTIONS.items() if e == ed and not exported[n]) for ed in ("2012", "2023", "ext")}
    if (skipped := skip_missing(spec, ctx, ["SDF_GetDeviceInfo"])) is not None:
        return skipped
    value = DeviceInfo()
    with ctx.session() as s:
        ctx.ok("SDF_GetDeviceInfo", s.handle, addr(value))
    asym = _abilities(int(value.AsymAlgAbility[0]), ASYM_ABILITY)
    sym = _abilities(int(value.SymAlgAbility), SYM_ABILITY)
    hashes = _abilities(int(value.HashAlgAbility), HASH_ABILITY)
    data = {
        "vendor": _text(value.IssuerName),
        "model": _text(value.DeviceName),
        "serial": _text(value.DeviceSerial),
        "device_version": f"0x{int(value.DeviceVersion):08X}",
        "standard_version": int(value.StandardVersion),
        "asym_abilities": asym,
        "asym_max_bits": int(value.AsymAlgAbility[1]),
        "sym_abilities": sym,
        "hash_abilities": hashes,
        "buffer_size": int(value.BufferSize),
        "functions_exported": sorted(n for n, present in exported.items() if present),
        "functions_missing": missing,
    }
    out.info(
        "standard_version",
        f"StandardVersion {int(value.StandardVersion)}; missing 2012 functions: {', '.join(missing['2012']) or 'none'}; "
        f"missing 2023 additions: {', '.join(missing['2023']) or 'none'}",
    )
    if not ({"SM2", "SM2-sign", "SM2-encrypt"} & set(asym) or "SM4" in sym or "SM3" in hashes):
        out.warn("no_sm_ability", "DEVICEINFO declares no SM2/SM3/SM4 capability bits")
    return out.result(data, status=Status.WARN if any(f.severity.value == "warn" for f in out.findings) else Status.INFO)


@check(
    "device.sdf.random",
    "Randomness of SDF_GenerateRandom (GM/T 0005-2021 suite)",
    "GM/T 0018-2012 6.2 (SDF_GenerateRandom); GM/T 0005-2021 clauses 5-6; GM/T 0028-2014 (random number generation of crypto modules)",
    findings=findings(
        "device.sdf.random",
        failed="the collected random numbers fail the GM/T 0005-2021 decision (the failing items are listed)",
        short_read="the device returned fewer bytes than asked, or the same block twice",
    ),
)
def random(ctx: DeviceContext) -> CheckResult:
    """Collect ``--random-count`` sequences of ``--random-bits`` bits from SDF_GenerateRandom
    (in calls of at most 64 KiB) and judge them with mptool's GM/T 0005-2021 suite (the 15
    tests, clause 6 pass-rate and uniformity decision for a set). A device's random numbers
    feed its keys (GM/T 0028 requires an approved generator inside the module), so a failure
    is a key-management finding."""
    from mptool.rng.api import failure_caveat, test_bytes

    spec = random.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_GenerateRandom"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    total = (ctx.random_bits * ctx.random_count + 7) // 8
    chunk = 65536
    parts: list[bytes] = []
    with ctx.session() as s:
        buf = ctypes.create_string_buffer(chunk)
        remaining = total
        while remaining:
            n = min(chunk, remaining)
            ctypes.memset(buf, 0, n)
            ctx.ok("SDF_GenerateRandom", s.handle, n, addr(buf))
            parts.append(buf.raw[:n])
            remaining -= n
    data = b"".join(parts)
    if len(parts) > 1 and len(set(parts[:-1])) < len(parts) - 1:
        out.error("short_read", "SDF_GenerateRandom returned the same block more than once")
    results, verdict = test_bytes(data, bits=ctx.random_bits, subject=f"{ctx.subject} SDF_GenerateRandom")
    failed = [r.check for r in results if r.status is Status.FAIL]
    if verdict.get("verdict") != "pass":
        out.error(
            "failed",
            f"GM/T 0005-2021 over {ctx.random_count} × {ctx.random_bits} bits: {failure_caveat(verdict) or f'{len(failed)} item(s) failed, or an item could not be computed'}",
            items_failed=failed,
            perfect_source_fails=verdict.get("perfect_source_fails"),
            least_likely_failure=verdict.get("least_likely_failure"),
        )
    measurements = {
        "bytes": len(data),
        "bits_per_sequence": ctx.random_bits,
        "sequences": ctx.random_count,
        "gmt0005": verdict,
        # mptool's soft device only: a reproducible SM3 counter stream instead of its generator (docs/device.md)
        **({"softsdf_test_seed": True} if os.environ.get("SOFTSDF_TEST_RANDOM_SEED") else {}),
        "items": [{"check": r.check, "status": r.status.value, **{k: v for k, v in r.measurements.items() if k in ("p_value", "q_value", "passed", "threshold", "p_t", "item")}, **_how_low(r)} for r in results],
    }
    return out.result(measurements)


def _how_low(result: CheckResult) -> dict[str, Any]:
    """A failed item's chance that a perfect source passes that few sequences (from its §6.2 finding)."""
    for finding in result.findings:
        if finding.code == "rng.gmt0005.pass_rate" and "perfect_source_this_low" in finding.data:
            return {"perfect_source_this_low": finding.data["perfect_source_this_low"]}
    return {}


@check(
    "device.sdf.key_inventory",
    "Key index inventory: SM2 sign/encryption pairs and KEKs inside the device",
    "GM/T 0018-2012 6.3 (SDF_ExportSignPublicKey_ECC, SDF_ExportEncPublicKey_ECC, SDF_GenerateKeyWithKEK); GB/T 32918.1-2016 6.2 (public key validation)",
    findings=findings(
        "device.sdf.key_inventory",
        no_keys="no key index in 1..--max-index holds an SM2 key pair",
        invalid_public_key="an exported public key is not a valid point of sm2p256v1",
        misaligned="an exported coordinate does not sit right-aligned in its 64-byte field (non-zero leading bytes)",
        same_pair="an index has the same public key for signing and encryption (GM/T 0018 keeps two pairs per index)",
        unexpected_code="an absent index answered a code other than SDR_KEYNOTEXIST",
    ),
)
def key_inventory(ctx: DeviceContext) -> CheckResult:
    """For key indices 1..``--max-index`` export the signing and encryption public keys
    (GM/T 0018 6.3) and validate each as a point of sm2p256v1 (GB/T 32918.1 6.2); probe KEK
    indices with SDF_GenerateKeyWithKEK (the generated session key is destroyed at once). The
    inventory is the evidence that the keys live inside the device and are used by index only:
    no private key ever leaves it through the standard interface."""
    spec = key_inventory.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_ExportSignPublicKey_ECC", "SDF_ExportEncPublicKey_ECC"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    indices: list[dict[str, Any]] = []
    keks: list[int] = []
    codes_absent: set[str] = set()
    from mptool.algo.api import sm3

    with ctx.session() as s:
        for index in range(1, ctx.max_index + 1):
            entry: dict[str, Any] = {"index": index}
            for kind in ("Sign", "Enc"):
                code, point, raw = ctx.export_public(s, kind, index)
                if code != 0:
                    if code != SDR_KEYNOTEXIST:
                        codes_absent.add(error_name(code))
                    continue
                assert point is not None
                x, y = point
                entry[kind.lower()] = {"x": f"{x:064x}", "y": f"{y:064x}", "sm3": sm3(b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")).hex()}
                if not on_curve(point):
                    out.error("invalid_public_key", f"index {index}: the {kind.lower()} public key is not on sm2p256v1", index=index)
                if not (leading_bytes_zero(raw.x) and leading_bytes_zero(raw.y)):
                    out.warn("misaligned", f"index {index}: {kind.lower()} key coordinates not right-aligned in 64 bytes", index=index)
            if "sign" in entry or "enc" in entry:
                if entry.get("sign", {}).get("x") and entry.get("sign") == entry.get("enc"):
                    out.warn("same_pair", f"index {index}: signing and encryption public keys are identical", index=index)
                indices.append(entry)
        if ctx.lib.has("SDF_GenerateKeyWithKEK"):
            for index in range(1, ctx.max_index + 1):
                wrapped = ctypes.create_string_buffer(64)
                length = ctypes.c_uint(64)
                handle = ctypes.c_void_p()
                code = ctx.lib.call("SDF_GenerateKeyWithKEK", s.handle, 128, SGD_SM4_ECB, index, addr(wrapped), addr(length), addr(handle))
                if code == 0:
                    keks.append(index)
                    ctx.destroy(s, handle.value)
    if not indices:
        out.error("no_keys", f"no SM2 key pair at indices 1..{ctx.max_index}")
    if codes_absent:
        out.warn("unexpected_code", f"absent indices answered {', '.join(sorted(codes_absent))} instead of SDR_KEYNOTEXIST", codes=sorted(codes_absent))
    complete = [e["index"] for e in indices if "sign" in e and "enc" in e]
    return out.result({"max_index": ctx.max_index, "key_pairs": indices, "indices_with_both_pairs": complete, "kek_indices": keks})


def _expect(out: Outcome, name: str, code: int, expected: set[int], *, what: str) -> None:
    """Record a negative case: SDR_OK is a failure, an expected code passes, another code warns."""
    documented = sorted(error_name(c) for c in expected)
    out.case(name, code in expected, code=error_name(code), expected=documented)
    if code == 0:
        out.error("accepted", f"{what}: the device answered SDR_OK", case=name)
    elif code not in expected:
        out.warn("undocumented_code", f"{what}: answered {error_name(code)}, expected {' or '.join(documented)}", case=name, code=code)


@check(
    "device.sdf.error_handling",
    "Error handling: wrong password, wrong key index, use without access right",
    "GM/T 0018-2012 6.2 (SDF_GetPrivateKeyAccessRight), 6.3, 6.4, appendix A (error codes); GM/T 0028-2014 (identification and authentication of the operator)",
    findings=findings(
        "device.sdf.error_handling",
        accepted="the device accepted what it must refuse (a wrong password, an absent key index, signing without the access right)",
        undocumented_code="the device refused, but with a code other than the documented SDR_* one",
    ),
)
def error_handling(ctx: DeviceContext) -> CheckResult:
    """Ask the device what it must refuse and record each SDR_* answer: the private-key access
    right with a wrong password (expected SDR_PRKRERR, or SDR_PARDENY), an absent key index for
    the access right and for public-key export (SDR_KEYNOTEXIST), SDF_InternalSign_ECC without
    the access right (SDR_PRKRERR or SDR_PARDENY), SDF_HashUpdate before SDF_HashInit
    (SDR_STEPERR). Accepting any of them fails the check; a refusal with another code warns.
    That the library survives these calls at all is part of the result (a crash is reported
    by the runner)."""
    spec = error_handling.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_GetPrivateKeyAccessRight"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    refused = {SDR_PRKRERR, SDR_PARDENY}
    with ctx.session() as s:
        wrong = WRONG_PASSWORD if ctx.password != WRONG_PASSWORD else WRONG_PASSWORD + b"x"
        buf = ctypes.create_string_buffer(wrong, len(wrong))
        code = ctx.call("SDF_GetPrivateKeyAccessRight", s.handle, ctx.key_index, addr(buf), len(wrong))
        _expect(out, "wrong_password", code, refused, what=f"access right of index {ctx.key_index} with a wrong password")
        if code == 0 and ctx.lib.has("SDF_ReleasePrivateKeyAccessRight"):
            ctx.lib.call("SDF_ReleasePrivateKeyAccessRight", s.handle, ctx.key_index)
        secret = ctx.password or wrong
        buf = ctypes.create_string_buffer(secret, len(secret))
        code = ctx.call("SDF_GetPrivateKeyAccessRight", s.handle, WRONG_INDEX, addr(buf), len(secret))
        _expect(out, "wrong_index_access", code, {SDR_KEYNOTEXIST}, what=f"access right of absent index {WRONG_INDEX}")
        if ctx.lib.has("SDF_ExportSignPublicKey_ECC"):
            code, _point, _raw = ctx.export_public(s, "Sign", WRONG_INDEX)
            _expect(out, "wrong_index_export", code, {SDR_KEYNOTEXIST}, what=f"export of the public key of absent index {WRONG_INDEX}")
    if ctx.lib.has("SDF_InternalSign_ECC"):
        with ctx.session() as s:  # a fresh session holds no access right
            digest = (ctypes.c_ubyte * 32)(*range(1, 33))
            sig = ECCSignature()
            code = ctx.call("SDF_InternalSign_ECC", s.handle, ctx.key_index, addr(digest), 32, addr(sig))
            _expect(out, "sign_without_access_right", code, refused, what=f"SDF_InternalSign_ECC with index {ctx.key_index} without the access right")
    if ctx.lib.has("SDF_HashUpdate"):
        with ctx.session() as s:
            data = ctypes.create_string_buffer(b"abc", 3)
            code = ctx.call("SDF_HashUpdate", s.handle, addr(data), 3)
            _expect(out, "hash_update_before_init", code, {CODE_BY_NAME["SDR_STEPERR"]}, what="SDF_HashUpdate before SDF_HashInit")
    return out.result({"wrong_index": WRONG_INDEX})
