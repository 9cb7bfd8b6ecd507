"""The calculator verbs ``algo encrypt|decrypt|sign|hash|mac`` on known answers from outside the
project (GB/T 32905/32907/32918 examples, GM/T 0042, RFC 8998, NIST CAVP, RFC 4231), SM2
signatures checked by gmssl and by ``algo verify``, and no recovered plaintext in the evidence."""

from __future__ import annotations

import base64
import json

import pytest
from algo_support import VECTORS, gm_entry

from conftest import run_cli
from mptool.algo.sm2 import crosscheck as gmssl_sm2
from mptool.algo import sm2

SM3_A1 = gm_entry("sm3", "gbt32905-A1")
SM3_A2 = gm_entry("sm3", "gbt32905-A2")
SM4_A1 = gm_entry("sm4", "gbt32907-A1")
HMAC = gm_entry("hmac_sm3", "gmt0042-D3-1")
SIGN = gm_entry("sm2_sign", "sign-sm2p256v1")
SIGN_TEST = gm_entry("sm2_sign", "sign-sm2_test_fp256")
ENC = gm_entry("sm2_encrypt", "enc-sm2p256v1")
CBC = gm_entry("sm4_modes", "ribose-cbc-2blk")
GCM = gm_entry("sm4_modes", "rfc8998-gcm")
XTS = gm_entry("sm4_modes", "gbt17964-xts-gb")


def calc(*args: str) -> tuple[int, dict, str]:
    """Run a calculator verb with -f json; (exit code, evidence, raw JSON text)."""
    result = run_cli(["algo", *args, "-f", "json"])
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, result.json(), result.stdout


def measured(data: dict) -> dict:
    (result,) = data["results"]
    return result["measurements"]


def cavp_first(path: str, *, section: str = "") -> dict[str, str]:
    """The first vector (after ``section``) of a bundled CAVP .rsp file as a dict."""
    text = (VECTORS / path).read_text(encoding="utf-8")
    if section:
        text = text[text.index(section):]
    block = text[text.index("COUNT = 0") if "COUNT = 0" in text else text.index("Count = 0"):].split("\n\n")[0]
    return {k.strip().upper(): v.strip() for k, _, v in (line.partition("=") for line in block.splitlines()) if _}


# --- hash and mac -----------------------------------------------------------------------------


@pytest.mark.parametrize("entry", [SM3_A1, SM3_A2], ids=["A1", "A2"])
def test_hash_sm3_standard_examples(entry: dict) -> None:
    code, data, _ = calc("hash", "sm3", "--data", entry["msg"])
    assert code == 0 and data["results"][0]["check"] == "algo.calc.hash" and data["results"][0]["status"] == "info"
    assert measured(data)["digest"] == entry["digest"]


def test_hash_text_form_and_sha256_cavp() -> None:
    _, data, _ = calc("hash", "sm3", "--data", "text:abc")
    assert measured(data)["digest"] == SM3_A1["digest"]
    text = (VECTORS / "sha/SHA256ShortMsg.rsp").read_text()  # NIST CAVP SHAVS, Len = 24
    msg, md = "b4190e", "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2"
    assert f"Msg = {msg}\nMD = {md}" in text
    _, data, _ = calc("hash", "sha256", "--data", msg)
    assert measured(data)["digest"] == md


def test_mac_hmac_sm3_and_hmac_sha256_known_answers() -> None:
    _, data, _ = calc("mac", "hmac-sm3", "--key", HMAC["key"], "--data", HMAC["msg"])
    assert measured(data)["mac"] == HMAC["mac"]
    text = (VECTORS / "hmac/rfc-4231-sha256.txt").read_text()
    assert "Key = 4a656665" in text  # RFC 4231 test case 2
    _, data, _ = calc("mac", "hmac-sha256", "--key", "text:Jefe", "--data", "text:what do ya want for nothing?")
    assert measured(data)["mac"] == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


# --- symmetric ciphers ------------------------------------------------------------------------


def test_sm4_gbt32907_example_both_ways() -> None:
    _, data, _ = calc("encrypt", "sm4", "--mode", "ecb", "--padding", "none", "--key", SM4_A1["key"], "--plaintext", SM4_A1["plaintext"])
    assert measured(data)["ciphertext"]["hex"] == SM4_A1["ciphertext"]
    code, data, raw = calc("decrypt", "sm4", "--mode", "ecb", "--padding", "none", "--key", SM4_A1["key"], "--ciphertext", SM4_A1["ciphertext"])
    m = measured(data)
    assert code == 0 and m["plaintext"]["bytes"] == 16 and m["plaintext"]["fingerprint"].startswith("<secret sm3:")
    assert SM4_A1["plaintext"] not in raw  # the recovered plaintext is a secret: fingerprint only


@pytest.mark.parametrize("entry", [CBC, XTS], ids=["cbc", "xts-gb"])
def test_sm4_modes_standard_examples(entry: dict) -> None:
    mode = entry["mode"].split("-")[0].lower()
    extra = ["--padding", "none"] if mode == "cbc" else ["--xts-standard", "gb"]
    iv = entry.get("iv") or entry.get("tweak")
    _, data, _ = calc("encrypt", "sm4", "--mode", mode, "--key", entry["key"], "--iv", iv, "--plaintext", entry["plaintext"], *extra)
    assert measured(data)["ciphertext"]["hex"] == entry["ciphertext"]


def test_sm4_gcm_rfc8998_encrypt_and_decrypt_with_tag() -> None:
    _, data, _ = calc("encrypt", "sm4", "--mode", "gcm", "--key", GCM["key"], "--iv", GCM["iv"], "--aad", GCM["aad"], "--plaintext", GCM["plaintext"])
    m = measured(data)
    assert m["ciphertext"]["hex"] == GCM["ciphertext"] and m["tag"] == GCM["tag"]
    code, data, _ = calc("decrypt", "sm4", "--mode", "gcm", "--key", GCM["key"], "--iv", GCM["iv"], "--aad", GCM["aad"], "--ciphertext", GCM["ciphertext"] + GCM["tag"])
    assert code == 0 and measured(data)["tag_verifies"] is True
    bad_tag = GCM["tag"][:-2] + ("00" if GCM["tag"][-2:] != "00" else "01")
    code, data, _ = calc("decrypt", "sm4", "--mode", "gcm", "--key", GCM["key"], "--iv", GCM["iv"], "--aad", GCM["aad"], "--ciphertext", GCM["ciphertext"], "--tag", bad_tag)
    assert code == 1 and data["results"][0]["findings"][0]["code"] == "algo.calc.decrypt.not_decryptable"
    assert "plaintext" not in measured(data)


def test_aes_cavp_cbc_and_gcm() -> None:
    v = cavp_first("aes/cavp/CBC/CBCGFSbox128.rsp")
    _, data, _ = calc("encrypt", "aes", "--mode", "cbc", "--padding", "none", "--key", v["KEY"], "--iv", v["IV"], "--plaintext", v["PLAINTEXT"])
    assert measured(data)["ciphertext"]["hex"] == v["CIPHERTEXT"]
    g = cavp_first("aes/cavp/GCM/gcmEncryptExtIV128.rsp", section="[PTlen = 128]\n[AADlen = 0]\n[Taglen = 128]")
    _, data, _ = calc("encrypt", "aes", "--mode", "gcm", "--key", g["KEY"], "--iv", g["IV"], "--plaintext", g["PT"])
    assert measured(data)["ciphertext"]["hex"] == g["CT"] and measured(data)["tag"] == g["TAG"]


def test_3des_cavp_cbc() -> None:
    v = cavp_first("tdes/cavp/CBC/TCBCMMT3.rsp")
    key = v["KEY1"] + v["KEY2"] + v["KEY3"]
    _, data, _ = calc("encrypt", "3des", "--mode", "cbc", "--padding", "none", "--key", key, "--iv", v["IV"], "--plaintext", v["PLAINTEXT"])
    assert measured(data)["ciphertext"]["hex"] == v["CIPHERTEXT"]
    code, data, _ = calc("decrypt", "3des", "--mode", "cbc", "--padding", "none", "--key", key, "--iv", v["IV"], "--ciphertext", v["CIPHERTEXT"])
    assert code == 0 and measured(data)["plaintext"]["bytes"] == len(v["PLAINTEXT"]) // 2


def test_decrypt_database_field_iv_prefixed_padding_valid_and_shown_on_terminal() -> None:
    key, iv = "0123456789abcdeffedcba9876543210", "000102030405060708090a0b0c0d0e0f"
    _, data, _ = calc("encrypt", "sm4", "--mode", "cbc", "--key", key, "--iv", iv, "--plaintext", "text:13800138000")
    stored = base64.b64encode(bytes.fromhex(iv + measured(data)["ciphertext"]["hex"])).decode()
    code, data, raw = calc("decrypt", "sm4", "--mode", "cbc", "--key", key, "--iv", "prefix", "--ciphertext", f"b64:{stored}")
    m = measured(data)
    assert code == 0 and m["padding_valid"] is True and m["iv"] == iv and m["plaintext"]["printable"] is True
    assert "13800138000" not in raw and b"13800138000".hex() not in raw
    text = run_cli(["algo", "decrypt", "sm4", "--mode", "cbc", "--key", key, "--iv", "prefix", "--ciphertext", f"b64:{stored}"])
    assert text.exit_code == 0 and "plaintext (text): 13800138000" in text.stdout and "valid PKCS#7" in text.stdout
    recorded = run_cli(["--record-secrets", "algo", "decrypt", "sm4", "--mode", "cbc", "--key", key, "--iv", "prefix", "--ciphertext", f"b64:{stored}", "-f", "json"])
    assert measured(recorded.json())["plaintext"]["text"] == "13800138000"


def test_decrypt_wrong_key_warns_invalid_padding() -> None:
    _, data, _ = calc("encrypt", "sm4", "--mode", "cbc", "--key", "00" * 16, "--iv", "00" * 16, "--plaintext", "text:secret")
    code, data, _ = calc("decrypt", "sm4", "--mode", "cbc", "--key", "11" * 16, "--iv", "00" * 16, "--ciphertext", measured(data)["ciphertext"]["hex"])
    (result,) = data["results"]
    assert code == 0 and result["status"] == "warn" and result["measurements"]["padding_valid"] is False
    assert result["findings"][0]["code"] == "algo.calc.decrypt.padding_invalid"


def test_calculator_input_errors() -> None:
    for args, needle in [
        (["encrypt", "sm4", "--mode", "cbc", "--key", "00" * 16, "--plaintext", "00"], "--iv"),
        (["encrypt", "sm4", "--mode", "ecb", "--key", "00" * 8, "--plaintext", "00"], "--key"),
        (["decrypt", "sm4", "--mode", "cbc", "--key", "00" * 16, "--iv", "00" * 16, "--ciphertext", "00" * 15], "--ciphertext"),
    ]:
        result = run_cli(["algo", *args])
        assert result.exit_code == 3 and needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert run_cli(["algo", "hash", "md5", "--data", "00"]).exit_code == 2
    assert run_cli(["algo", "encrypt", "sm4", "--plaintext", "00", "--public-key", "00"]).exit_code == 2


# --- SM2 --------------------------------------------------------------------------------------


def test_sm2_decrypt_gbt32918_example_and_secret_kept_out() -> None:
    code, data, raw = calc("decrypt", "sm2", "--private-key", ENC["d"], "--ciphertext", ENC["ct_asn1_gbt35276"])
    m = measured(data)
    assert code == 0 and m["c3_verified"] is True and m["encoding"] == "asn1" and m["plaintext"]["bytes"] == len(ENC["msg"]) // 2
    assert ENC["msg"] not in raw and ENC["msg_ascii"] not in raw and ENC["d"] not in raw
    text = run_cli(["algo", "decrypt", "sm2", "--private-key", ENC["d"], "--ciphertext", ENC["ct_asn1_gbt35276"]])
    assert f"plaintext (text): {ENC['msg_ascii']}" in text.stdout


def test_sm2_encrypt_then_decrypt_and_c3_failure() -> None:
    public = "04" + ENC["px"] + ENC["py"]
    _, data, _ = calc("encrypt", "sm2", "--public-key", public, "--plaintext", "text:hello", "--order", "c1c2c3")
    ct = measured(data)["ciphertext"]["hex"]
    back = sm2.decrypt(int(ENC["d"], 16), bytes.fromhex(ct), order="c1c2c3")
    assert back.plaintext == b"hello"
    code, data, _ = calc("decrypt", "sm2", "--private-key", ENC["d"], "--ciphertext", ct[:-2] + ("00" if ct[-2:] != "00" else "01"))
    assert code == 1 and data["results"][0]["findings"][0]["code"] == "algo.calc.decrypt.not_decryptable"


def test_sm2_sign_verified_by_gmssl_and_algo_verify() -> None:
    _, data, raw = calc("sign", "sm2", "--private-key", SIGN["d"], "--message", "text:message digest")
    m = measured(data)
    assert m["self_verified"] is True and m["public_key"] == "04" + SIGN["px"] + SIGN["py"] and m["za"] == SIGN["za"]
    assert SIGN["d"] not in raw
    rs = sm2.decode_signature(bytes.fromhex(m["signature_raw"]))
    assert gmssl_sm2.verify((int(SIGN["px"], 16), int(SIGN["py"], 16)), b"message digest", rs)
    result = run_cli(["algo", "verify", "sm2-verify", "--public-key", m["public_key"], "--message", "text:message digest", "--signature", m["signature_der"], "-f", "json"])
    assert result.exit_code == 0 and result.json()["results"][0]["status"] == "pass"


def test_sm2_sign_test_curve_with_id() -> None:
    _, data, _ = calc("sign", "sm2", "--curve", "sm2-test", "--private-key", SIGN_TEST["d"], "--id", SIGN_TEST["uid_ascii"], "--message", SIGN_TEST["msg"])
    m = measured(data)
    assert m["za"] == SIGN_TEST["za"] and m["self_verified"] is True
    assert m["public_key"] == "04" + SIGN_TEST["px"] + SIGN_TEST["py"]


# --- RSA --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    folder = tmp_path_factory.mktemp("rsa")
    private, public = folder / "key.pem", folder / "pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return str(private), str(public)


def test_rsa_sign_then_verify_and_encrypt_then_decrypt(rsa_files: tuple[str, str]) -> None:
    private, public = rsa_files
    _, data, raw = calc("sign", "rsa", "--private-key", f"@{private}", "--key-password", "pw", "--message", "text:log record", "--scheme", "pkcs1v15")
    signature = measured(data)["signature"]
    assert "pw" not in json.loads(raw)["arguments"]
    result = run_cli(["algo", "verify", "rsa-verify", "--public-key", f"@{public}", "--message", "text:log record", "--signature", signature, "-f", "json"])
    assert result.exit_code == 0
    _, data, _ = calc("encrypt", "rsa", "--public-key", f"@{public}", "--plaintext", "text:card 6222")
    ct = measured(data)["ciphertext"]["hex"]
    code, data, raw = calc("decrypt", "rsa", "--private-key", f"@{private}", "--key-password", "pw", "--ciphertext", ct)
    assert code == 0 and measured(data)["padding_valid"] is True and "card 6222" not in raw
    code, data, _ = calc("decrypt", "rsa", "--private-key", f"@{private}", "--key-password", "pw", "--ciphertext", ct, "--scheme", "pkcs1v15")
    assert code == 1  # an OAEP ciphertext has no valid PKCS#1 v1.5 padding (checked by mptool, not by OpenSSL's implicit rejection)
    _, data, _ = calc("encrypt", "rsa", "--public-key", f"@{public}", "--plaintext", "text:v15", "--scheme", "pkcs1v15")
    code, data, _ = calc("decrypt", "rsa", "--private-key", f"@{private}", "--key-password", "pw", "--ciphertext", measured(data)["ciphertext"]["hex"], "--scheme", "pkcs1v15")
    assert code == 0 and measured(data)["plaintext"]["bytes"] == 3
    wrong = run_cli(["algo", "decrypt", "rsa", "--private-key", f"@{private}", "--key-password", "nope", "--ciphertext", ct])
    assert wrong.exit_code == 3 and "nope" not in wrong.stderr
