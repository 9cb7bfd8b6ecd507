"""SM2 through the device: internal signing checked by mptool, external verification, encryption."""

from __future__ import annotations

import ctypes

from mptool.algo.api import sm2
from mptool.core.model import CheckResult
from mptool.core.registry import check
from mptool.device.checks.base import Outcome, findings, skip_missing, skip_no_password
from mptool.device.checks.context import DeviceContext, example
from mptool.device.sdf.binding import SDFCallError, addr
from mptool.device.sdf.constants import SDR_VERIFYERR, SGD_SM2_1, SGD_SM2_3, error_name
from mptool.device.sdf.structs import ECCrefPrivateKey, ECCSignature, get_field, public_key, put_field

MESSAGES = (b"message digest", b"mptool device test: SM2 internal signature")


def _signature(r: int, s: int) -> ECCSignature:
    sig = ECCSignature()
    put_field(sig.r, r.to_bytes(32, "big"))
    put_field(sig.s, s.to_bytes(32, "big"))
    return sig


@check(
    "device.sdf.sm2_sign",
    "SM2 signature with an internal key, verified by mptool",
    "GM/T 0018-2012 6.4 (SDF_InternalSign_ECC, SDF_InternalVerify_ECC), 6.3 (SDF_ExportSignPublicKey_ECC); GB/T 32918.2-2016 6-7",
    findings=findings(
        "device.sdf.sm2_sign",
        invalid_signature="mptool's independent SM2 rejects the device's signature under the exported signing public key",
        internal_verify_rejected="SDF_InternalVerify_ECC rejects the device's own signature",
    ),
)
def sm2_sign(ctx: DeviceContext) -> CheckResult:
    """With the access right of --key-index, sign e = SM3(Z‖M) (computed by mptool with the
    default user ID 1234567812345678 and the exported signing public key, GB/T 32918.2 6.1
    A1-A2) with SDF_InternalSign_ECC for two messages, and verify each (r, s) with mptool's own
    SM2 (GB/T 32918.2 7.1) and, when exported, SDF_InternalVerify_ECC. SM2 signatures are
    randomised, so no fixed answer exists: verification by an independent implementation is the
    test."""
    spec = sm2_sign.spec  # type: ignore[attr-defined]
    for skipped in (skip_missing(spec, ctx, ["SDF_InternalSign_ECC", "SDF_ExportSignPublicKey_ECC", "SDF_GetPrivateKeyAccessRight"]), skip_no_password(spec, ctx)):
        if skipped is not None:
            return skipped
    out = Outcome(spec, ctx.subject)
    with ctx.session() as s:
        code, point, _raw = ctx.export_public(s, "Sign", ctx.key_index)
        if code != 0 or point is None:
            raise SDFCallError("SDF_ExportSignPublicKey_ECC", code)
        ctx.access(s)
        for message in MESSAGES:
            e = sm2.message_digest(point, message)
            digest = ctypes.create_string_buffer(e, 32)
            sig = ECCSignature()
            ctx.ok("SDF_InternalSign_ECC", s.handle, ctx.key_index, addr(digest), 32, addr(sig))
            r, s_ = int.from_bytes(get_field(sig.r), "big"), int.from_bytes(get_field(sig.s), "big")
            valid = sm2.verify_digest(point, e, (r, s_))
            if not out.case(f"sign:{message.decode()}", valid, e=e.hex(), r=f"{r:064x}", s=f"{s_:064x}"):
                out.error("invalid_signature", f"the device's signature over {message!r} does not verify with mptool's SM2", e=e.hex(), r=f"{r:064x}", s=f"{s_:064x}")
            if ctx.lib.has("SDF_InternalVerify_ECC"):
                code = ctx.call("SDF_InternalVerify_ECC", s.handle, ctx.key_index, addr(digest), 32, addr(sig))
                if not out.case(f"internal-verify:{message.decode()}", code == 0 if valid else code != 0, code=error_name(code)) and valid:
                    out.error("internal_verify_rejected", f"SDF_InternalVerify_ECC answered {error_name(code)} for a valid signature")
    return out.result({"algorithm": "SM2", "key_index": ctx.key_index, "user_id": sm2.DEFAULT_USER_ID.decode()})


@check(
    "device.sdf.sm2_verify",
    "SM2 external verification of the standard's and mptool's signatures",
    "GM/T 0018-2012 6.4 (SDF_ExternalVerify_ECC); GB/T 32918.2-2016 7; GB/T 32918.5-2017 annex A (example)",
    findings=findings(
        "device.sdf.sm2_verify",
        rejected_valid="the device rejects a valid signature (the standard's example or one made by mptool)",
        accepted_invalid="the device accepts a signature with a modified s",
        unexpected_code="the device rejects an invalid signature with a code other than SDR_VERIFYERR",
    ),
)
def sm2_verify(ctx: DeviceContext) -> CheckResult:
    """SDF_ExternalVerify_ECC (GM/T 0018 6.4) with the GB/T 32918.5-2017 example (public key,
    e and (r, s) of the example) and with a fresh signature mptool makes under its own key: both
    must give SDR_OK; the same signatures with s + 1 must be refused with SDR_VERIFYERR."""
    spec = sm2_verify.spec  # type: ignore[attr-defined]
    if (skipped := skip_missing(spec, ctx, ["SDF_ExternalVerify_ECC"])) is not None:
        return skipped
    out = Outcome(spec, ctx.subject)
    vec = example("sm2_sign", "sign-sm2p256v1")
    d = sm2.generate_private_key()
    own = sm2.public_key_from_private(d)
    own_msg = b"mptool device test: external verification"
    own_e = sm2.message_digest(own, own_msg)
    cases = [
        ("gbt32918.5-example", (int(vec["px"], 16), int(vec["py"], 16)), bytes.fromhex(vec["e"]), (int(vec["r"], 16), int(vec["s"], 16))),
        ("mptool-signature", own, own_e, sm2.sign_digest(d, own_e)),
    ]
    with ctx.session() as s:
        for name, point, e, (r, sv) in cases:
            for tampered in (False, True):
                sig = _signature(r, (sv + 1) % sm2.SM2P256V1.n if tampered else sv)
                digest = ctypes.create_string_buffer(e, 32)
                key = public_key(*point)
                code = ctx.call("SDF_ExternalVerify_ECC", s.handle, SGD_SM2_1, addr(key), addr(digest), 32, addr(sig))
                label = f"{name}{'-tampered' if tampered else ''}"
                if not tampered:
                    if not out.case(label, code == 0, code=error_name(code)):
                        out.error("rejected_valid", f"{name}: a valid signature was refused with {error_name(code)}")
                elif code == 0:
                    out.case(label, False, code=error_name(code))
                    out.error("accepted_invalid", f"{name}: a signature with s+1 was accepted")
                else:
                    out.case(label, True, code=error_name(code))
                    if code != SDR_VERIFYERR:
                        out.warn("unexpected_code", f"{name}: invalid signature refused with {error_name(code)}, expected SDR_VERIFYERR")
    return out.result({"algorithm": "SM2"})


@check(
    "device.sdf.sm2_encrypt",
    "SM2 encryption by the device decrypted by mptool, and decryption of the standard's ciphertext",
    "GM/T 0018-2012 6.4 (SDF_ExternalEncrypt_ECC, SDF_ExternalDecrypt_ECC), 6.3 (SDF_ImportKeyWithISK_ECC); GB/T 32918.4-2016 6-7; GB/T 32918.5-2017 annex C",
    findings=findings(
        "device.sdf.sm2_encrypt",
        decrypt_mismatch="a decryption gave another plaintext than was encrypted (or the standard's example plaintext)",
        ciphertext_invalid="mptool's independent SM2 cannot decrypt the device's ciphertext (C3 mismatch or C1 not on the curve)",
    ),
)
def sm2_encrypt(ctx: DeviceContext) -> CheckResult:
    """SDF_ExternalEncrypt_ECC of the GB/T 32918.5 annex C message to the example public key,
    decrypted by mptool with the example private key (ECCCipher = C1 ‖ C3 ‖ C2); with
    SDF_ExternalDecrypt_ECC (2012; a 2023 debug function) the device decrypts the example
    ciphertext with the example private key; with the access password and SDF_InternalDecrypt_ECC
    (a vendor extension) the device decrypts what mptool encrypted to its encryption key of
    --key-index. Decryption with the internal key through the standard function set is also
    exercised by SDF_ImportKeyWithISK_ECC in device.sdf.sm4_kat."""
    spec = sm2_encrypt.spec  # type: ignore[attr-defined]
    have = [f for f in ("SDF_ExternalEncrypt_ECC", "SDF_ExternalDecrypt_ECC", "SDF_InternalDecrypt_ECC") if ctx.lib.has(f)]
    if not have:
        return spec.skipped_result(ctx.subject, "the library exports none of SDF_ExternalEncrypt_ECC, SDF_ExternalDecrypt_ECC, SDF_InternalDecrypt_ECC")
    out = Outcome(spec, ctx.subject)
    vec = example("sm2_encrypt", "enc-sm2p256v1")
    d = int(vec["d"], 16)
    point = (int(vec["px"], 16), int(vec["py"], 16))
    msg = bytes.fromhex(vec["msg"])
    with ctx.session() as s:
        if ctx.lib.has("SDF_ExternalEncrypt_ECC"):
            buf = ctypes.create_string_buffer(msg, len(msg))
            cipher = ctx.empty_cipher()
            key = public_key(*point)
            ctx.ok("SDF_ExternalEncrypt_ECC", s.handle, SGD_SM2_3, addr(key), addr(buf), len(msg), addr(cipher))
            raw = ctx.cipher_bytes(cipher)
            try:
                plain = sm2.decrypt(d, raw, order="c1c3c2").plaintext
            except Exception as exc:
                out.case("external-encrypt", False, problem=str(exc))
                out.error("ciphertext_invalid", f"mptool cannot decrypt the device's ciphertext: {exc}", ciphertext=raw.hex())
            else:
                if not out.case("external-encrypt", plain == msg, expected=msg.hex(), actual=plain.hex()):
                    out.error("decrypt_mismatch", "the device's ciphertext decrypts to another message")
        if ctx.lib.has("SDF_ExternalDecrypt_ECC"):
            cipher = ctx.cipher((int(vec["c1x"], 16), int(vec["c1y"], 16)), bytes.fromhex(vec["c3"]), bytes.fromhex(vec["c2"]))
            priv = ECCrefPrivateKey()
            priv.bits = 256
            put_field(priv.K, d.to_bytes(32, "big"))
            res = ctypes.create_string_buffer(len(msg) + 64)
            length = ctypes.c_uint(len(msg) + 64)
            code = ctx.call("SDF_ExternalDecrypt_ECC", s.handle, SGD_SM2_3, addr(priv), addr(cipher), addr(res), addr(length))
            actual = res.raw[: length.value] if code == 0 else b""
            if not out.case("external-decrypt-gbt32918.5", code == 0 and actual == msg, code=error_name(code), expected=msg.hex(), actual=actual.hex()):
                out.error("decrypt_mismatch", f"SDF_ExternalDecrypt_ECC of the GB/T 32918.5 example: {error_name(code)}, plaintext {actual.hex() or '-'}")
        if ctx.lib.has("SDF_InternalDecrypt_ECC") and ctx.password is not None and ctx.lib.has("SDF_ExportEncPublicKey_ECC"):
            secret = b"mptool internal decryption test"
            ctx.access(s)
            cipher = ctx.encrypt_to_device(s, secret)
            res = ctypes.create_string_buffer(len(secret) + 64)
            length = ctypes.c_uint(len(secret) + 64)
            code = ctx.call("SDF_InternalDecrypt_ECC", s.handle, ctx.key_index, SGD_SM2_3, addr(cipher), addr(res), addr(length))
            actual = res.raw[: length.value] if code == 0 else b""
            if not out.case("internal-decrypt", code == 0 and actual == secret, code=error_name(code)):
                out.error("decrypt_mismatch", f"SDF_InternalDecrypt_ECC of mptool's ciphertext: {error_name(code)}")
    return out.result({"algorithm": "SM2", "functions": have})
