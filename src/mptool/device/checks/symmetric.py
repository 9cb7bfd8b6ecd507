"""SM3, SM4, MAC and HMAC-SM3 through the device: known answers from the standards' examples."""

from __future__ import annotations

import ctypes
from typing import Any

from mptool.algo.api import compute_za, encrypt, hmac_sm3
from mptool.core.model import CheckResult
from mptool.core.registry import check
from mptool.device.checks.base import Outcome, findings, skip_missing
from mptool.device.checks.context import DeviceContext, example
from mptool.device.sdf.binding import Session, addr
from mptool.device.sdf.constants import SGD_SM3, SGD_SM4_CBC, SGD_SM4_ECB, SGD_SM4_GCM, SGD_SM4_MAC
from mptool.device.sdf.structs import public_key


def _hash(ctx: DeviceContext, s: Session, parts: list[bytes], pub: tuple[int, int] | None = None, uid: bytes = b"") -> bytes:
    key = public_key(*pub) if pub else None
    ident = ctypes.create_string_buffer(uid, len(uid)) if pub else None
    ctx.ok("SDF_HashInit", s.handle, SGD_SM3, addr(key), addr(ident), len(uid))
    for part in parts:
        buf = ctypes.create_string_buffer(part, max(1, len(part)))
        ctx.ok("SDF_HashUpdate", s.handle, addr(buf), len(part))
    out = ctypes.create_string_buffer(64)
    length = ctypes.c_uint(64)
    ctx.ok("SDF_HashFinal", s.handle, addr(out), addr(length))
    return out.raw[: length.value]


@check(
    "device.sdf.sm3_kat",
    "SM3 known answers through SDF_HashInit/Update/Final (with and without the SM2 Z value)",
    "GM/T 0018-2012 6.6 (SDF_HashInit/Update/Final); GB/T 32905-2016 annex A; GB/T 32918.2-2016 5.5 (Z value), GB/T 32918.5-2017 annex A",
    findings=findings("device.sdf.sm3_kat", mismatch="the device's digest differs from the standard's example (expected and actual recorded)"),
)
def sm3_kat(ctx: DeviceContext) -> CheckResult:
    """Hash the GB/T 32905-2016 annex A examples ("abc", and "abcd"×16 in two updates to exercise
    multi-part hashing) and the empty message through SDF_HashInit/Update/Final; then hash
    "message digest" with the SM2 pre-processing (SDF_HashInit with the public key and user ID
    1234567812345678 of the GB/T 32918.5 example): the result must be the example's e = SM3(Z‖M).
    The expected values come from the standards' examples bundled in vectors/algo/gm/."""
    spec = sm3_kat.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_HashInit", "SDF_HashUpdate", "SDF_HashFinal"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    sign = example("sm2_sign", "sign-sm2p256v1")
    pub = (int(sign["px"], 16), int(sign["py"], 16))
    uid = bytes.fromhex(sign["uid"])
    msg = bytes.fromhex(sign["msg"])
    cases: list[tuple[str, list[bytes], str, Any]] = []
    for vector in (example("sm3", "gbt32905-A1"), example("sm3", "gbt32905-A2"), example("sm3", "empty")):
        data = bytes.fromhex(vector["msg"])
        parts = [data[:10], data[10:]] if len(data) > 10 else [data]
        cases.append((vector["id"], parts, vector["digest"], None))
    cases.append(("z-gbt32918.5-e", [msg], sign["e"], (pub, uid)))
    assert compute_za(pub, uid).hex() == sign["za"]  # the example itself, recomputed by mptool
    with ctx.session() as s:
        for name, parts, expected, z in cases:
            actual = _hash(ctx, s, parts, *(z or ())).hex()
            if not out.case(name, actual == expected, expected=expected, actual=actual, parts=len(parts), with_z=z is not None):
                out.error("mismatch", f"{name}: SM3 digest differs from the standard's example", expected=expected, actual=actual)
    return out.result({"algorithm": "SM3"})


def _crypt(ctx: DeviceContext, s: Session, handle: int | None, alg: int, data: bytes, iv: bytes, fn: str) -> bytes:
    src = ctypes.create_string_buffer(data, len(data))
    dst = ctypes.create_string_buffer(len(data) + 64)
    length = ctypes.c_uint(len(data) + 64)
    ivbuf = ctypes.create_string_buffer(iv, 16) if iv else None
    ctx.ok(fn, s.handle, handle, alg, addr(ivbuf), addr(src), len(data), addr(dst), addr(length))
    return dst.raw[: length.value]


def _key_for(ctx: DeviceContext, s: Session, key: bytes) -> tuple[int | None, bytes, str]:
    """(handle, the key mptool computes with, method): the standard's key if importable, else a shared one."""
    handle = ctx.import_known_key(s, key)
    if handle is not None:
        return handle, key, "known-answer (key imported with SDF_ImportKeyWithISK_ECC)"
    shared = ctx.generate_shared_key(s)
    if shared is None:
        raise LookupError("no way to obtain a key mptool knows: needs SDF_ImportKeyWithISK_ECC with --password, or SDF_GenerateKeyWithEPK_ECC")
    return shared[0], shared[1], "cross-check (device-generated key wrapped to mptool with SDF_GenerateKeyWithEPK_ECC)"


@check(
    "device.sdf.sm4_kat",
    "SM4 ECB/CBC (and 2023 GCM) known answers through SDF_Encrypt/SDF_Decrypt",
    "GM/T 0018-2012 6.5 (SDF_Encrypt, SDF_Decrypt), GM/T 0018-2023 (SDF_AuthEnc/AuthDec); GB/T 32907-2016 annex A; GB/T 17964-2021 (modes); RFC 8998 A.1 (SM4-GCM)",
    findings=findings(
        "device.sdf.sm4_kat",
        mismatch="the device's SM4 output differs from the expected value (the standard's example or mptool's SM4 under the same key)",
        cross_check_only="no known key could be imported: a device-generated key, unwrapped by mptool, was cross-checked instead of the standard's key",
        no_key="no key known to mptool can be put into the device (no ImportKeyWithISK with --password, no GenerateKeyWithEPK)",
    ),
)
def sm4_kat(ctx: DeviceContext) -> CheckResult:
    """Put the GB/T 32907-2016 example key into the device (SDF_ImportKeyWithISK_ECC: mptool
    SM2-encrypts it to the device's encryption key of --key-index) and encrypt the annex A
    example block (ECB), the two-block CBC example and, with SDF_AuthEnc (GM/T 0018-2023), the
    RFC 8998 SM4-GCM example; decrypt each back with SDF_Decrypt/SDF_AuthDec. Without the access
    password the device generates the key and wraps it under mptool's SM2 key
    (SDF_GenerateKeyWithEPK_ECC), and mptool's SM4 computes the expected values: a cross-check,
    not a known answer (noted). A wrong round key shows as a mismatch even though decryption
    still inverts encryption."""
    spec = sm4_kat.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_Encrypt", "SDF_Decrypt"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    ecb = example("sm4", "gbt32907-A1")
    cbc = next(v for v in example_list("sm4_modes") if v["id"] == "ribose-cbc-2blk")
    gcm = next(v for v in example_list("sm4_modes") if v["id"] == "rfc8998-gcm")
    std_key = bytes.fromhex(ecb["key"])
    with ctx.session() as s:
        try:
            handle, key, method = _key_for(ctx, s, std_key)
        except LookupError as exc:
            out.error("no_key", str(exc))
            return out.result({"algorithm": "SM4"})
        known = key == std_key
        if not known:
            out.info("cross_check_only", "the standard's key could not be imported (no --password or no SDF_ImportKeyWithISK_ECC): cross-checked with mptool's SM4")
        try:
            for name, mode, alg, vec in (("ecb-" + ecb["id"], "ecb", SGD_SM4_ECB, ecb), ("cbc-" + cbc["id"], "cbc", SGD_SM4_CBC, cbc)):
                pt = bytes.fromhex(vec["plaintext"])
                iv = bytes.fromhex(vec.get("iv", "")) if mode == "cbc" else b""
                expected = bytes.fromhex(vec["ciphertext"]) if known else encrypt("sm4", mode, key, pt, iv=iv)[0]
                actual = _crypt(ctx, s, handle, alg, pt, iv, "SDF_Encrypt")
                if not out.case(f"encrypt-{name}", actual == expected, expected=expected.hex(), actual=actual.hex()):
                    out.error("mismatch", f"SDF_Encrypt SM4-{mode.upper()}: ciphertext differs", expected=expected.hex(), actual=actual.hex())
                back = _crypt(ctx, s, handle, alg, expected, iv, "SDF_Decrypt")
                if not out.case(f"decrypt-{name}", back == pt, expected=pt.hex(), actual=back.hex()):
                    out.error("mismatch", f"SDF_Decrypt SM4-{mode.upper()}: plaintext differs", expected=pt.hex(), actual=back.hex())
            if ctx.lib.has("SDF_AuthEnc") and known:
                _gcm(ctx, s, out, handle, gcm)
        finally:
            ctx.destroy(s, handle)
    return out.result({"algorithm": "SM4", "method": method, "modes": ["ECB", "CBC"] + (["GCM"] if ctx.lib.has("SDF_AuthEnc") and known else [])})


def example_list(section: str) -> list[dict[str, Any]]:
    """A whole section of the bundled examples."""
    from mptool.device.checks.context import gm_examples

    return list(gm_examples()[section])


def _gcm(ctx: DeviceContext, s: Session, out: Outcome, handle: int | None, vec: dict[str, Any]) -> None:
    iv, aad, pt = (bytes.fromhex(vec[k]) for k in ("iv", "aad", "plaintext"))
    ivbuf = ctypes.create_string_buffer(iv, len(iv))
    aadbuf = ctypes.create_string_buffer(aad, len(aad))
    src = ctypes.create_string_buffer(pt, len(pt))
    dst = ctypes.create_string_buffer(len(pt) + 64)
    dlen = ctypes.c_uint(len(pt) + 64)
    tag = ctypes.create_string_buffer(32)
    tlen = ctypes.c_uint(32)
    ctx.ok("SDF_AuthEnc", s.handle, handle, SGD_SM4_GCM, addr(ivbuf), len(iv), addr(aadbuf), len(aad), addr(src), len(pt), addr(dst), addr(dlen), addr(tag), addr(tlen))
    actual_ct, actual_tag = dst.raw[: dlen.value].hex(), tag.raw[: tlen.value].hex()
    ok = actual_ct == vec["ciphertext"] and actual_tag == vec["tag"]
    if not out.case("authenc-" + vec["id"], ok, expected=vec["ciphertext"] + "/" + vec["tag"], actual=actual_ct + "/" + actual_tag):
        out.error("mismatch", "SDF_AuthEnc SM4-GCM: ciphertext or tag differs from RFC 8998 A.1", expected_tag=vec["tag"], actual_tag=actual_tag)


@check(
    "device.sdf.mac",
    "SM4 CBC-MAC known answer through SDF_CalculateMAC",
    "GM/T 0018-2012 6.5 (SDF_CalculateMAC, SGD_SM4_MAC); GB/T 15852.1-2020 MAC algorithm 1 (CBC-MAC); GB/T 32907-2016",
    findings=findings(
        "device.sdf.mac",
        mismatch="the device's MAC differs from the last block of SM4-CBC over the data",
        cross_check_only="the standard's key could not be imported: a device-generated key was cross-checked instead",
        no_key="no key known to mptool can be put into the device",
    ),
)
def mac(ctx: DeviceContext) -> CheckResult:
    """SDF_CalculateMAC with SGD_SM4_MAC over the two-block SM4-CBC example (key and IV of the
    example, imported as for device.sdf.sm4_kat): the MAC must be the last ciphertext block of
    the CBC example (CBC-MAC, no padding: GB/T 15852.1 MAC algorithm 1). Without the password a
    device-generated key is unwrapped by mptool and the expected MAC computed with mptool's SM4."""
    spec = mac.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_CalculateMAC"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    vec = next(v for v in example_list("sm4_modes") if v["id"] == "ribose-cbc-2blk")
    std_key, iv, pt = (bytes.fromhex(vec[k]) for k in ("key", "iv", "plaintext"))
    with ctx.session() as s:
        try:
            handle, key, method = _key_for(ctx, s, std_key)
        except LookupError as exc:
            out.error("no_key", str(exc))
            return out.result({"algorithm": "SM4-MAC"})
        try:
            known = key == std_key
            if not known:
                out.info("cross_check_only", "cross-checked with mptool's SM4 under a device-generated key")
            expected = bytes.fromhex(vec["ciphertext"])[-16:] if known else encrypt("sm4", "cbc", key, pt, iv=iv)[0][-16:]
            src = ctypes.create_string_buffer(pt, len(pt))
            ivbuf = ctypes.create_string_buffer(iv, 16)
            res = ctypes.create_string_buffer(64)
            length = ctypes.c_uint(64)
            ctx.ok("SDF_CalculateMAC", s.handle, handle, SGD_SM4_MAC, addr(ivbuf), addr(src), len(pt), addr(res), addr(length))
            actual = res.raw[: length.value]
            if not out.case("cbc-mac-" + vec["id"], actual == expected, expected=expected.hex(), actual=actual.hex()):
                out.error("mismatch", "SDF_CalculateMAC: MAC differs from the last SM4-CBC block", expected=expected.hex(), actual=actual.hex())
        finally:
            ctx.destroy(s, handle)
    return out.result({"algorithm": "SM4-MAC", "method": method})


@check(
    "device.sdf.hmac",
    "HMAC-SM3 known answers through SDF_HMACInit/Update/Final (GM/T 0018-2023)",
    "GM/T 0018-2023 6.6 (SDF_HMACInit/Update/Final); GM/T 0042-2015 appendix D.3 (HMAC-SM3 examples); GB/T 15852.2-2012",
    findings=findings(
        "device.sdf.hmac",
        mismatch="the device's HMAC-SM3 differs from the expected value",
        cross_check_only="the example keys could not be imported: a device-generated key was cross-checked with mptool's HMAC-SM3",
        no_key="no key known to mptool can be put into the device",
    ),
)
def hmac(ctx: DeviceContext) -> CheckResult:
    """Import each GM/T 0042-2015 appendix D.3 HMAC-SM3 example key (16 to 37 bytes) into the
    device with SDF_ImportKeyWithISK_ECC and compute the example's HMAC through SDF_HMACInit/
    Update/Final (a GM/T 0018-2023 addition; a 2012 device is skipped with the reason). Without
    the access password a device-generated 128-bit key is unwrapped by mptool and the HMAC
    cross-checked with mptool's HMAC-SM3 (``cryptography``)."""
    spec = hmac.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_HMACInit", "SDF_HMACUpdate", "SDF_HMACFinal"], "HMAC is a GM/T 0018-2023 addition")) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    vectors = example_list("hmac_sm3")
    method = ""
    with ctx.session() as s:
        for vec in vectors:
            std_key, msg = bytes.fromhex(vec["key"]), bytes.fromhex(vec["msg"])
            try:
                handle, key, method = _key_for(ctx, s, std_key)
            except LookupError as exc:
                out.error("no_key", str(exc))
                break
            try:
                known = key == std_key
                expected = bytes.fromhex(vec["mac"]) if known else hmac_sm3(key, msg)
                ctx.ok("SDF_HMACInit", s.handle, handle, SGD_SM3)
                for part in (msg[:7], msg[7:]):
                    buf = ctypes.create_string_buffer(part, max(1, len(part)))
                    ctx.ok("SDF_HMACUpdate", s.handle, addr(buf), len(part))
                res = ctypes.create_string_buffer(64)
                length = ctypes.c_uint(64)
                ctx.ok("SDF_HMACFinal", s.handle, addr(res), addr(length))
                actual = res.raw[: length.value]
                if not out.case(vec["id"], actual == expected, expected=expected.hex(), actual=actual.hex(), known_answer=known):
                    out.error("mismatch", f"{vec['id']}: HMAC-SM3 differs", expected=expected.hex(), actual=actual.hex())
            finally:
                ctx.destroy(s, handle)
            if not known:
                out.info("cross_check_only", "cross-checked with mptool's HMAC-SM3 under a device-generated key")
                break
    return out.result({"algorithm": "HMAC-SM3", "method": method})
