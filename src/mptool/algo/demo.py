"""Demo runs of ``mptool algo`` on bundled sample data (about 2 s in all)."""

from __future__ import annotations

import json

from mptool.core.demo import DemoRun
from mptool.core.bundled import data_path


def demo_runs() -> list[DemoRun]:
    """The algo demo invocations: digests, the GM standard examples, and three evidence checks."""
    sample = data_path("SOURCES.md")
    gm_file = data_path("algo", "gm", "gm_standard_examples.json")
    gm = json.loads(gm_file.read_text(encoding="utf-8"))
    sign = next(e for e in gm["sm2_sign"] if e["curve"] == "sm2p256v1")
    enc = next(e for e in gm["sm2_encrypt"] if e["curve"] == "sm2p256v1")
    gcm = next(e for e in gm["sm4_modes"] if e["mode"] == "GCM")
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
    ]
