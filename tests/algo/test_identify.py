"""``mptool algo identify``: every match with its strength, on standard examples."""

from __future__ import annotations

from algo_support import gm_entry

from conftest import run_cli

SM4_A1 = gm_entry("sm4", "gbt32907-A1")
ENC = gm_entry("sm2_encrypt", "enc-sm2p256v1")


def identify(*args: str) -> dict:
    result = run_cli(["algo", "identify", *args, "-f", "json"])
    data = result.json()
    assert data["exit_code"] == result.exit_code
    return data


def _matches(data: dict) -> dict[str, dict]:
    return {r["subject"]: r["measurements"] for r in data["results"] if r["status"] in ("pass", "warn")}


def _mode(mode: str) -> dict:
    from algo_support import gm

    return next(e for e in gm()["sm4_modes"] if e["mode"] == mode)


def test_single_ecb_block_is_weak_and_ambiguous() -> None:
    data = identify("--key", SM4_A1["key"], "--plaintext", SM4_A1["plaintext"], "--ciphertext", SM4_A1["ciphertext"])
    matches = _matches(data)
    assert matches["SM4-ECB"]["strength"] == "weak"
    assert matches["SM4-CBC"]["iv"] == "all-zero iv"  # CBC with a zero IV gives the same single block
    assert data["exit_code"] == 0 and data["summary"]["matches"] == 2


def test_multi_block_cbc_with_prefixed_iv_is_medium() -> None:
    e = _mode("CBC")
    data = identify("--key", e["key"], "--plaintext", e["plaintext"], "--ciphertext", e["iv"] + e["ciphertext"])
    (match,) = [m for s, m in _matches(data).items() if s == "SM4-CBC"]
    assert match["strength"] == "medium" and match["iv"] == "iv prefixed to the ciphertext" and match["padding"] == "none"


def test_gcm_with_appended_tag_is_strong() -> None:
    e = _mode("GCM")
    data = identify("--key", e["key"], "--iv", e["iv"], "--aad", e["aad"], "--plaintext", e["plaintext"], "--ciphertext", e["ciphertext"] + e["tag"])
    match = _matches(data)["SM4-GCM"]
    assert match["strength"] == "strong" and match["tag_bytes"] == 16 and match["tag"] == "appended"


def test_xts_standard_is_named() -> None:
    e = _mode("XTS-GB")
    data = identify("--key", e["key"], "--iv", e["iv"], "--plaintext", e["plaintext"], "--ciphertext", e["ciphertext"])
    assert _matches(data)["SM4-XTS"]["xts_standard"] == "GB/T 17964-2021"


def test_sm2_ciphertext_is_strong() -> None:
    data = identify("--key", ENC["d"], "--plaintext", ENC["msg"], "--ciphertext", ENC["ct_c1c2c3_raw"])
    match = _matches(data)["SM2"]
    assert match["strength"] == "strong" and match["encoding"] == "c1c2c3"


def test_no_match_is_a_failure_and_bad_hex_an_input_error() -> None:
    data = identify("--key", SM4_A1["key"], "--plaintext", SM4_A1["plaintext"], "--ciphertext", "00" * 16)
    assert data["exit_code"] == 1 and data["results"][0]["findings"][0]["code"] == "algo.identify.no_match"
    result = run_cli(["algo", "identify", "--key", "xyz", "--plaintext", "00", "--ciphertext", "00"])
    assert result.exit_code == 3 and "--key" in result.stderr
