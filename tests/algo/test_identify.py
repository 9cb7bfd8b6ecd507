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


# issue 21: 8 MiB values ran for minutes (CFB8, SM4-CCM and SM4-XTS are composed per block);
# the comparison is bounded to a prefix (and the last block) and says so.


def _large_cases() -> list[tuple[str, str, dict, bytes, bytes]]:
    import os

    from mptool.algo.primitives import ciphers

    key, iv, nonce = os.urandom(16), os.urandom(16), os.urandom(12)
    pt = os.urandom(32 * 1024 + 5)
    padded = ciphers.pad(pt, 16, "pkcs7")
    cases = [
        ("SM4-CBC", "cbc", {"padding": "pkcs7"}, iv + ciphers.encrypt("sm4", "cbc", key, padded, iv=iv)[0], iv),
        ("SM4-ECB", "ecb", {"padding": "zero"}, ciphers.encrypt("sm4", "ecb", key, ciphers.pad(pt, 16, "zero"))[0], b""),
        ("AES-CFB8", "cfb8", {}, ciphers.encrypt("aes", "cfb8", key, pt, iv=iv)[0], iv),
        ("SM4-CTR", "ctr", {}, ciphers.encrypt("sm4", "ctr", key, pt, iv=iv)[0], iv),
        ("SM4-XTS", "xts", {"xts_standard": "GB/T 17964-2021"}, ciphers.encrypt("sm4", "xts", key + key[::-1], pt, iv=iv, xts_convention=ciphers.XTS_GB)[0], iv),
    ]
    for mode in ("gcm", "ccm"):
        ct, tag = ciphers.encrypt("sm4", mode, key, pt, iv=nonce)
        cases.append((f"SM4-{mode.upper()}", mode, {"tag": "appended"}, ct + tag, nonce))
    return [(name, mode, detail, ct, pt, (key + key[::-1]) if mode == "xts" else key, given) for name, mode, detail, ct, given in cases]


def test_long_values_are_compared_on_a_bounded_prefix_and_still_identified() -> None:
    from mptool.algo.checks.identify import PREFIX_BYTES, search

    for name, mode, detail, ct, pt, key, given in _large_cases():
        matches, _ = search(key, pt, ct, given or None)
        found = {m.name: m for m in matches}
        assert name in found, (name, sorted(found))
        assert detail.items() <= found[name].detail.items(), (name, found[name].detail)
        if mode not in ("gcm", "ccm"):
            assert "the comparison is bounded" in found[name].reason and found[name].strength == "medium"
        else:
            assert found[name].strength == "strong"
        if name == "SM4-CBC":  # the last block tells PKCS#7 from zero padding
            assert [m.detail["padding"] for m in matches if m.name == "SM4-CBC"] == ["pkcs7"]
        tampered = ct[:-1] + bytes([ct[-1] ^ 1]) if mode in ("ecb", "cbc", "gcm", "ccm") else ct[:100] + bytes([ct[100] ^ 1]) + ct[101:]
        assert name not in {m.name for m in search(key, pt, tampered, given or None)[0]}, name
    assert PREFIX_BYTES < 32 * 1024


def test_identify_on_8_mib_values_is_bounded_and_says_so(tmp_path) -> None:
    import os
    import time

    (tmp_path / "pt").write_bytes(os.urandom(8 << 20))
    (tmp_path / "ct").write_bytes(os.urandom((8 << 20) + 16))
    for key in ("00" * 16, "11" * 32):
        start = time.perf_counter()
        data = identify("--key", key, "--plaintext", f"@{tmp_path / 'pt'}", "--ciphertext", f"@{tmp_path / 'ct'}")
        assert time.perf_counter() - start < 20
        assert data["exit_code"] == 1 and data["parameters"]["comparison"]["bounded"] is True
