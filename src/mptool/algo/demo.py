"""Demo runs of ``mptool algo`` on bundled sample data (about 2 s in all)."""

from __future__ import annotations

import json

from mptool.core.demo import DemoRun
from mptool.core.bundled import data_path


def demo_runs() -> list[DemoRun]:
    """The algo demo invocations: digests, the GM standard examples, three evidence checks, and the
    calculator verbs (hash, mac, encrypt, decrypt, sign) on the standards' own examples."""
    sample = data_path("SOURCES.md")
    gm_file = data_path("algo", "gm", "gm_standard_examples.json")
    gm = json.loads(gm_file.read_text(encoding="utf-8"))
    sign = next(e for e in gm["sm2_sign"] if e["curve"] == "sm2p256v1")
    enc = next(e for e in gm["sm2_encrypt"] if e["curve"] == "sm2p256v1")
    gcm = next(e for e in gm["sm4_modes"] if e["mode"] == "GCM")
    sm3, hmac, sm4 = gm["sm3"][0], gm["hmac_sm3"][0], gm["sm4"][0]
    cbc = next(e for e in gm["sm4_modes"] if e["mode"] == "CBC")
    return [
        DemoRun("algo-digest", "SM3 and SHA-256 digests of a bundled file", ["algo", "digest", str(sample)]),
        DemoRun("algo-verify-gm", "GM standard examples (SM2/SM3/SM4 incl. 1,000,000 iterations, HMAC-SM3, SM4 modes)", ["algo", "verify", "--vectors", str(gm_file)]),
        DemoRun(
            "algo-sm2-verify",
            "SM2 signature of GB/T 32918.5 Annex A (DER), with gmssl cross-check",
            ["algo", "verify", "sm2-verify", "--public-key", "04" + sign["px"] + sign["py"], "--message", sign["msg"], "--signature", sign["sig_der_gbt35276"], "--cross-check"],
        ),
        DemoRun(
            "algo-sm2-decrypt",
            "SM2 ciphertext of GB/T 32918.5 Annex C (ASN.1), C3 checked",
            ["algo", "verify", "sm2-decrypt", "--private-key", enc["d"], "--ciphertext", enc["ct_asn1_gbt35276"], "--plaintext", enc["msg"]],
        ),
        DemoRun(
            "algo-identify",
            "identify RFC 8998 SM4-GCM ciphertext with appended tag",
            ["algo", "identify", "--key", gcm["key"], "--iv", gcm["iv"], "--aad", gcm["aad"], "--plaintext", gcm["plaintext"], "--ciphertext", gcm["ciphertext"] + gcm["tag"]],
        ),
        DemoRun("algo-hash", "calculator: SM3 of 'abc' (GB/T 32905-2016 Annex A example 1)", ["algo", "hash", "sm3", "--data", "text:" + sm3["msg_ascii"]]),
        DemoRun("algo-mac", "calculator: HMAC-SM3 (GM/T 0042-2015 Appendix D.3)", ["algo", "mac", "hmac-sm3", "--key", hmac["key"], "--data", hmac["msg"]]),
        DemoRun("algo-encrypt", "calculator: SM4-ECB of the GB/T 32907-2016 Annex A block", ["algo", "encrypt", "sm4", "--mode", "ecb", "--padding", "none", "--key", sm4["key"], "--plaintext", sm4["plaintext"]]),
        DemoRun(
            "algo-decrypt",
            "calculator: SM4-CBC decryption of a two-block example (draft-ribose-cfrg-sm4)",
            ["algo", "decrypt", "sm4", "--mode", "cbc", "--padding", "none", "--key", cbc["key"], "--iv", cbc["iv"], "--ciphertext", cbc["ciphertext"]],
        ),
        DemoRun("algo-sign", "calculator: SM2 signature with the GB/T 32918.5 Annex A key (verified before it is shown)", ["algo", "sign", "sm2", "--private-key", sign["d"], "--message", sign["msg"]]),
    ]
