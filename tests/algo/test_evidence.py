"""The evidence-judging forms of ``algo verify``: match (exit 0), mismatch (exit 1) and malformed
input (exit 3, one line naming the argument), on standard examples and Wycheproof cases."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from algo_support import VECTORS, gm_entry

from conftest import run_cli
from mptool.algo.checks import crosscheck_pyx

SM3_A1 = gm_entry("sm3", "gbt32905-A1")
HMAC = gm_entry("hmac_sm3", "gmt0042-D3-1")
SIGN = gm_entry("sm2_sign", "sign-sm2p256v1")
SIGN_TEST = gm_entry("sm2_sign", "sign-sm2_test_fp256")
ENC = gm_entry("sm2_encrypt", "enc-sm2p256v1")


#: gmssl always; gmssl-pyx (GmSSL 3) when the optional extra is installed (it is in the test extra).
CROSS_CHECKS = ["algo.crosscheck.gmssl", *(["algo.crosscheck.gmssl_pyx"] if crosscheck_pyx.available() else [])]


def _flip(hex_text: str) -> str:
    return hex_text[:-1] + ("0" if hex_text[-1] != "0" else "1")


def verify(*args: str) -> tuple[int, dict | None, str]:
    result = run_cli(["algo", "verify", *args, "-f", "json"])
    data = result.json() if result.exit_code in (0, 1, 4) else None
    if data is not None:
        assert data["exit_code"] == result.exit_code
    return result.exit_code, data, result.stderr


def assert_input_error(args: list[str], option: str) -> None:
    code, _, stderr = verify(*args)
    lines = stderr.strip().splitlines()
    assert code == 3 and len(lines) == 1 and option in lines[0] and "Traceback" not in stderr, stderr


# ---------------------------------------------------------------- SM3 / HMAC-SM3


def test_sm3_match_mismatch_malformed(tmp_path: Path) -> None:
    code, data, _ = verify("sm3", "--data", SM3_A1["msg"], "--digest", SM3_A1["digest"], "--cross-check")
    assert code == 0 and [r["check"] for r in data["results"]] == ["algo.evidence.sm3", *CROSS_CHECKS]
    assert all(r["status"] == "pass" and r["measurements"].get("cross_check", SM3_A1["digest"]) == SM3_A1["digest"] for r in data["results"])
    assert [i["name"] for i in data["inputs"]] == ["--data", "--digest"]
    code, data, _ = verify("sm3", "--data", "616264", "--digest", SM3_A1["digest"])
    assert code == 1 and data["results"][0]["findings"][0]["code"] == "algo.evidence.sm3.mismatch"
    assert_input_error(["sm3", "--data", "6162g3", "--digest", SM3_A1["digest"]], "--data")
    assert_input_error(["sm3", "--data", "616263", "--digest", SM3_A1["digest"][:-2]], "--digest")


def test_value_forms_file_and_base64(tmp_path: Path) -> None:
    data_file = tmp_path / "record.bin"
    data_file.write_bytes(b"abc")
    b64 = "b64:" + base64.b64encode(bytes.fromhex(SM3_A1["digest"])).decode()
    code, data, _ = verify("sm3", "--data", f"@{data_file}", "--digest", b64)
    assert code == 0 and data["inputs"][0]["name"] == str(data_file)
    assert data_file.read_bytes() == b"abc"
    assert_input_error(["sm3", "--data", f"@{tmp_path / 'missing'}", "--digest", SM3_A1["digest"]], "missing")
    assert_input_error(["sm3", "--data", "616263", "--digest", "b64:!!"], "--digest")


def test_hmac_sm3(tmp_path: Path) -> None:
    args = ["hmac-sm3", "--key", HMAC["key"], "--data", HMAC["msg"]]
    code, data, _ = verify(*args, "--mac", HMAC["mac"], "--cross-check")
    assert code == 0 and all(r["status"] == "pass" for r in data["results"])
    assert verify(*args, "--mac", _flip(HMAC["mac"]))[0] == 1
    assert_input_error([*args, "--mac", HMAC["mac"][:20]], "--mac")


def test_missing_or_foreign_options_are_usage_errors() -> None:
    assert run_cli(["algo", "verify", "sm3", "--data", "61"]).exit_code == 2
    assert run_cli(["algo", "verify", "sm3", "--data", "61", "--digest", SM3_A1["digest"], "--key", "00"]).exit_code == 2
    assert run_cli(["algo", "verify", "nosuch", "--data", "61"]).exit_code == 2


# ---------------------------------------------------------------- block ciphers


def _mode_entry(mode: str) -> dict:
    return next(e for e in json.loads((VECTORS / "gm/gm_standard_examples.json").read_text())["sm4_modes"] if e["mode"] == mode)


@pytest.mark.parametrize("mode", ["CBC", "OFB", "CFB128", "CTR"])
def test_sm4_unauthenticated_modes(mode: str) -> None:
    e = _mode_entry(mode)
    base = ["sm4", "--mode", mode.lower(), "--key", e["key"], "--iv", e["iv"], "--plaintext", e["plaintext"], "--padding", "none"] if mode == "CBC" else ["sm4", "--mode", mode.lower(), "--key", e["key"], "--iv", e["iv"], "--plaintext", e["plaintext"]]
    code, data, _ = verify(*base, "--ciphertext", e["ciphertext"], "--cross-check")
    assert code == 0 and all(r["status"] == "pass" for r in data["results"])
    assert "algo.crosscheck.gmssl" in {r["check"] for r in data["results"]}
    assert verify(*base, "--ciphertext", _flip(e["ciphertext"]))[0] == 1


def test_sm4_gcm_and_ccm_with_tag() -> None:
    for mode in ("GCM", "CCM"):
        e = _mode_entry(mode)
        base = ["sm4", "--mode", mode.lower(), "--key", e["key"], "--iv", e["iv"], "--aad", e["aad"], "--plaintext", e["plaintext"]]
        code, data, _ = verify(*base, "--ciphertext", e["ciphertext"], "--tag", e["tag"], "--cross-check")
        assert code == 0 and data["results"][0]["measurements"]["tag_verifies"] is True
        assert verify(*base, "--ciphertext", e["ciphertext"] + e["tag"])[0] == 0  # tag appended
        code, data, _ = verify(*base, "--ciphertext", e["ciphertext"], "--tag", _flip(e["tag"]))
        assert code == 1 and data["results"][0]["measurements"]["tag_verifies"] is False


def test_sm4_xts_both_standards() -> None:
    gb, ieee = _mode_entry("XTS-GB"), _mode_entry("XTS-IEEE")
    base = ["sm4", "--mode", "xts", "--key", gb["key"], "--iv", gb["iv"], "--plaintext", gb["plaintext"]]
    code, data, _ = verify(*base, "--ciphertext", gb["ciphertext"])
    assert code == 0 and data["parameters"]["xts_standard"] == "gb"
    assert verify(*base, "--ciphertext", ieee["ciphertext"])[0] == 1
    assert verify(*base, "--ciphertext", ieee["ciphertext"], "--xts-standard", "ieee")[0] == 0


def test_aes_and_3des_from_cavp() -> None:
    # AESAVS ECBVarTxt128 COUNT = 0 and TECBinvperm COUNT = 0 ([ENCRYPT]).
    aes = ["aes", "--mode", "ecb", "--key", "00" * 16, "--plaintext", "80" + "00" * 15, "--padding", "none"]
    assert verify(*aes, "--ciphertext", "3ad78e726c1ec02b7ebfe92b23d9ec34")[0] == 0
    assert verify(*aes, "--ciphertext", "3ad78e726c1ec02b7ebfe92b23d9ec35")[0] == 1
    tdes = ["3des", "--mode", "ecb", "--key", "01" * 24, "--plaintext", "95f8a5e5dd31d900", "--padding", "none"]
    assert verify(*tdes, "--ciphertext", "8000000000000000")[0] == 0
    assert verify(*tdes, "--ciphertext", "8000000000000001")[0] == 1
    assert verify("des", "--mode", "ecb", "--key", "01" * 8, "--plaintext", "95f8a5e5dd31d900", "--padding", "none", "--ciphertext", "8000000000000000")[0] == 0
    code, data, _ = verify(*aes, "--ciphertext", "3ad78e726c1ec02b7ebfe92b23d9ec34", "--cross-check")
    assert code == 0 and data["results"][1]["check"] == "algo.crosscheck.pycryptodome" and data["results"][1]["measurements"]["agree"]
    code, data, _ = verify(*tdes, "--ciphertext", "8000000000000000", "--cross-check")  # K1 = K2 = K3: single DES
    assert code == 0 and data["results"][1]["status"] == "pass"
    xts = ["aes", "--mode", "xts", "--key", "11" * 32, "--iv", "00" * 16, "--plaintext", "00" * 16, "--ciphertext", "00" * 16, "--cross-check"]
    code, data, _ = verify(*xts)
    assert code == 1 and data["results"][1]["status"] == "skipped"  # PyCryptodome has no XTS


def test_cipher_malformed_inputs() -> None:
    e = _mode_entry("CBC")
    base = ["sm4", "--mode", "cbc", "--plaintext", e["plaintext"], "--ciphertext", e["ciphertext"]]
    assert_input_error([*base, "--key", e["key"][:-2], "--iv", e["iv"]], "--key")
    assert_input_error([*base, "--key", e["key"], "--iv", e["iv"][:-2]], "--iv")
    assert_input_error([*base, "--key", e["key"], "--iv", e["iv"], "--tag", "00" * 16], "--tag")
    assert_input_error(["sm4", "--mode", "cbc", "--key", e["key"], "--iv", e["iv"], "--plaintext", "0011", "--ciphertext", e["ciphertext"], "--padding", "none"], "--plaintext")
    assert_input_error(["sm4", "--mode", "nosuch", "--key", e["key"], "--plaintext", "00", "--ciphertext", "00"], "--mode")
    assert_input_error(["3des", "--mode", "gcm", "--key", "01" * 24, "--iv", "00" * 12, "--plaintext", "00", "--ciphertext", "00" * 17], "--mode")


def test_pkcs7_padding_default_for_cbc() -> None:
    from mptool.algo.primitives import ciphers

    key, iv, pt = bytes(range(16)), bytes(16), b"a database row"
    ct, _ = ciphers.encrypt("sm4", "cbc", key, ciphers.pad(pt, 16, "pkcs7"), iv=iv)
    code, data, _ = verify("sm4", "--mode", "cbc", "--key", key.hex(), "--iv", iv.hex(), "--plaintext", pt.hex(), "--ciphertext", ct.hex())
    assert code == 0 and data["parameters"]["padding"] == "pkcs7"


# ---------------------------------------------------------------- SM2


def test_sm2_verify_der_and_raw() -> None:
    pub = "04" + SIGN["px"] + SIGN["py"]
    for sig, encoding in ((SIGN["sig_der_gbt35276"], "der"), (SIGN["sig_raw_rs"], "raw")):
        code, data, _ = verify("sm2-verify", "--public-key", pub, "--message", SIGN["msg"], "--signature", sig, "--cross-check")
        assert code == 0, data
        assert data["results"][0]["measurements"]["signature_encoding"] == encoding
        assert data["results"][0]["measurements"]["za"] == SIGN["za"]
        assert [r["check"] for r in data["results"][1:]] == CROSS_CHECKS
        assert all(r["measurements"]["agree"] is True for r in data["results"][1:])
    assert verify("sm2-verify", "--public-key", pub, "--message", SIGN["msg"] + "00", "--signature", SIGN["sig_raw_rs"])[0] == 1
    assert verify("sm2-verify", "--public-key", pub, "--message", SIGN["msg"], "--signature", SIGN["sig_raw_rs"], "--id", "ALICE123@YAHOO.COM")[0] == 1


def test_sm2_verify_compressed_key_custom_id_and_test_curve() -> None:
    from mptool.algo import sm2

    point = (int(SIGN_TEST["px"], 16), int(SIGN_TEST["py"], 16))
    compressed = sm2.encode_public_key(point, sm2.SM2_TEST_CURVE, compressed=True).hex()
    args = ["sm2-verify", "--public-key", compressed, "--message", SIGN_TEST["msg"], "--signature", SIGN_TEST["sig_raw_rs"], "--curve", "sm2-test"]
    assert verify(*args, "--id", SIGN_TEST["uid_ascii"])[0] == 0
    assert verify(*args, "--id-hex", SIGN_TEST["uid"])[0] == 0
    assert verify(*args)[0] == 1  # default ID is not Alice's


def test_sm2_verify_malformed() -> None:
    pub = "04" + SIGN["px"] + SIGN["py"]
    assert_input_error(["sm2-verify", "--public-key", "04" + SIGN["px"] + _flip(SIGN["py"]), "--message", SIGN["msg"], "--signature", SIGN["sig_raw_rs"]], "--public-key")
    assert_input_error(["sm2-verify", "--public-key", pub, "--message", SIGN["msg"], "--signature", SIGN["sig_raw_rs"][:-2]], "--signature")
    assert run_cli(["algo", "verify", "sm2-verify", "--public-key", pub, "--message", "00", "--signature", SIGN["sig_raw_rs"], "--id", "a", "--id-hex", "61"]).exit_code == 2


def test_sm2_decrypt_all_encodings() -> None:
    d = ENC["d"]
    for field, encoding in (("ct_c1c3c2_raw", "c1c3c2"), ("ct_c1c2c3_raw", "c1c2c3"), ("ct_asn1_gbt35276", "asn1")):
        code, data, _ = verify("sm2-decrypt", "--private-key", d, "--ciphertext", ENC[field], "--plaintext", ENC["msg"], "--cross-check")
        assert code == 0 and data["results"][0]["measurements"]["encoding"] == encoding
        assert [r["check"] for r in data["results"][1:]] == CROSS_CHECKS and all(r["status"] == "pass" for r in data["results"])
    no04 = ENC["ct_c1c3c2_raw"][2:]
    code, data, _ = verify("sm2-decrypt", "--private-key", d, "--ciphertext", no04, "--plaintext", ENC["msg"], "--order", "c1c3c2")
    assert code == 0 and data["results"][0]["measurements"]["encoding"] == "c1c3c2-no04"


def test_sm2_decrypt_mismatch_and_malformed() -> None:
    d, ct = ENC["d"], ENC["ct_c1c3c2_raw"]
    code, data, _ = verify("sm2-decrypt", "--private-key", d, "--ciphertext", ct, "--plaintext", ENC["msg"] + "00")
    assert code == 1
    tampered = ct[:132] + _flip(ct[132:196]) + ct[196:]  # C3 altered
    code, data, _ = verify("sm2-decrypt", "--private-key", d, "--ciphertext", tampered, "--plaintext", ENC["msg"], "--cross-check")
    assert code == 1 and "C3" in data["results"][0]["findings"][0]["message"]
    assert all(r["status"] == "pass" and r["measurements"]["cross_check"] is None for r in data["results"][1:])  # both reject C3
    assert_input_error(["sm2-decrypt", "--private-key", d[:-2], "--ciphertext", ct, "--plaintext", ENC["msg"]], "--private-key")
    assert_input_error(["sm2-decrypt", "--private-key", d, "--ciphertext", "0401", "--plaintext", ENC["msg"]], "--ciphertext")


# ---------------------------------------------------------------- RSA


def _wycheproof_case(name: str) -> tuple[str, dict]:
    data = json.loads((VECTORS / "extra/wycheproof" / name).read_text())
    group = data["testGroups"][0]
    return group["publicKeyPem"], next(t for t in group["tests"] if t["result"] == "valid")


@pytest.mark.parametrize(("name", "scheme"), [("rsa_signature_2048_sha256_test.json", "pkcs1v15"), ("rsa_pss_2048_sha256_mgf1_32_test.json", "pss")])
def test_rsa_verify(tmp_path: Path, name: str, scheme: str) -> None:
    pem, case = _wycheproof_case(name)
    key = tmp_path / "key.pem"
    key.write_text(pem)
    args = ["rsa-verify", "--public-key", f"@{key}", "--scheme", scheme, "--hash", "sha256"]
    code, data, _ = verify(*args, "--message", case["msg"] or "", "--signature", case["sig"])
    assert code == 0 and data["results"][0]["measurements"]["key_bits"] == 2048
    assert verify(*args, "--message", (case["msg"] or "") + "00", "--signature", case["sig"])[0] == 1
    for message, expected in ((case["msg"] or "", True), ((case["msg"] or "") + "00", False)):
        _, data, _ = verify(*args, "--message", message, "--signature", case["sig"], "--cross-check")
        cross = data["results"][1]
        assert cross["check"] == "algo.crosscheck.pycryptodome" and cross["measurements"]["cross_check"] is expected and cross["status"] == "pass"
    assert_input_error([*args, "--message", "00", "--signature", case["sig"][:-2]], "--signature")
    assert_input_error(["rsa-verify", "--public-key", "3000", "--message", "00", "--signature", case["sig"]], "--public-key")


def test_sm2_verify_empty_user_id_as_text_and_hex() -> None:
    """An empty user ID (ENTL 0) is valid: --id "" and --id-hex "" both give it. The signature is
    made with gmssl (its own SM3, ZA over ENTL 0x0000 and its own curve arithmetic)."""
    from gmssl import sm2 as gm_sm2
    from gmssl import sm3 as gm_sm3

    a = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    b = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    gx = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    gy = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
    d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
    signer = gm_sm2.CryptSM2(private_key=d, public_key="00")
    xy = signer._kg(int(d, 16), signer.ecc_table["g"])  # noqa: SLF001 - gmssl's scalar multiplication
    message = b"message digest"
    za = bytes.fromhex(gm_sm3.sm3_hash(list(b"\x00\x00" + bytes.fromhex(a + b + gx + gy + xy))))
    e = bytes.fromhex(gm_sm3.sm3_hash(list(za + message)))
    signature = signer.sign(e, "6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F")
    args = ["sm2-verify", "--public-key", "04" + xy, "--message", message.hex(), "--signature", signature]
    code, data, _ = verify(*args, "--id-hex", "")
    assert code == 0 and data["parameters"]["user_id"] == "" and data["parameters"]["user_id_source"] == "--id-hex"
    code, data, _ = verify(*args, "--id", "")
    assert code == 0 and data["parameters"]["user_id_source"] == "--id"
    assert verify(*args)[0] == 1  # the default ID gives another ZA
