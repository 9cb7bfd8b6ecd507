"""On a mismatch, ``algo verify`` says what a person needs: what the captured ciphertext decrypts
to (fingerprinted), length differences, a trailing newline, a key typed as hex that is a text key."""

from __future__ import annotations

from algo_support import gm_entry

from conftest import run_cli
from mptool.algo.primitives import ciphers
from mptool.algo.primitives.ciphers import pad

SM3_A1 = gm_entry("sm3", "gbt32905-A1")
HMAC = gm_entry("hmac_sm3", "gmt0042-D3-1")
ENC = gm_entry("sm2_encrypt", "enc-sm2p256v1")
IV = "0123456789abcdeffedcba9876543210"


def verify(*args: str) -> tuple[int, dict, str]:
    result = run_cli(["algo", "verify", *args, "-f", "json"])
    assert result.exit_code in (0, 1), result.stderr
    (r,) = result.json()["results"]
    return result.exit_code, r, result.stdout


def codes(result: dict) -> list[str]:
    return [f["code"] for f in result["findings"]]


def sm4_cbc(key: bytes, plaintext: bytes) -> str:
    return ciphers.encrypt("sm4", "cbc", key, pad(plaintext, 16, "pkcs7"), iv=bytes.fromhex(IV))[0].hex()


def test_cipher_trailing_newline_and_captured_decryption() -> None:
    key = "00112233445566778899aabbccddeeff"
    ct = sm4_cbc(bytes.fromhex(key), b"622202020011223")
    code, r, raw = verify("sm4", "--mode", "cbc", "--key", key, "--iv", IV, "--plaintext", b"622202020011223\n".hex(), "--ciphertext", ct)
    assert code == 1 and codes(r) == ["algo.evidence.cipher.mismatch", "algo.evidence.cipher.trailing_newline"]
    m = r["measurements"]
    assert m["length_difference"] == -16 and m["captured_bytes"] == 16 and m["computed_bytes"] == 32
    d = m["captured_decryption"]
    assert d["bytes"] == 15 and d["padding_valid"] is True and d["printable"] is True and d["equals_plaintext"] is False
    assert "622202020011223" not in raw and b"622202020011223".hex() not in raw  # fingerprint only


def test_cipher_wrong_key_decryption_has_invalid_padding() -> None:
    ct = sm4_cbc(bytes(16), b"hello")
    code, r, _ = verify("sm4", "--mode", "cbc", "--key", "11" * 16, "--iv", IV, "--plaintext", "text:hello", "--ciphertext", ct)
    assert code == 1 and r["measurements"]["captured_decryption"]["padding_valid"] is False and codes(r) == ["algo.evidence.cipher.mismatch"]


def test_aes256_key_typed_as_hex_that_is_a_32_character_text_key() -> None:
    text_key = "0123456789abcdef0123456789abcdef"
    ct = ciphers.encrypt("aes", "cbc", text_key.encode(), pad(b"record", 16, "pkcs7"), iv=bytes.fromhex(IV))[0].hex()
    code, r, raw = verify("aes", "--mode", "cbc", "--key", text_key, "--iv", IV, "--plaintext", "text:record", "--ciphertext", ct)
    assert code == 1 and "algo.evidence.cipher.text_key" in codes(r)
    message = next(f["message"] for f in r["findings"] if f["code"].endswith("text_key"))
    assert "32-character text key" in message and "<secret sm3:" in message and text_key.encode().hex() not in raw
    code, r, _ = verify("aes", "--mode", "cbc", "--key", f"text:{text_key}", "--iv", IV, "--plaintext", "text:record", "--ciphertext", ct)
    assert code == 0


def test_sm4_key_of_16_digits_read_as_hex_is_one_line_hint() -> None:
    result = run_cli(["algo", "verify", "sm4", "--mode", "ecb", "--key", "1234567890123456", "--plaintext", "00", "--ciphertext", "00"])
    assert result.exit_code == 3 and len(result.stderr.strip().splitlines()) == 1
    assert "16-character text key whose hex is <secret sm3:" in result.stderr and b"1234567890123456".hex() not in result.stderr
    calc = run_cli(["algo", "decrypt", "sm4", "--mode", "ecb", "--key", "1234567890123456", "--ciphertext", "00" * 16])
    assert calc.exit_code == 3 and "16-character text key" in calc.stderr


def test_sm3_and_hmac_trailing_newline() -> None:
    code, r, _ = verify("sm3", "--data", "text:abc\n", "--digest", SM3_A1["digest"])
    assert code == 1 and codes(r) == ["algo.evidence.sm3.mismatch", "algo.evidence.sm3.trailing_newline"]
    code, r, _ = verify("hmac-sm3", "--key", HMAC["key"], "--data", HMAC["msg"] + "0d0a", "--mac", HMAC["mac"])
    assert code == 1 and "algo.evidence.hmac_sm3.trailing_newline" in codes(r)


def test_hmac_text_key() -> None:
    from cryptography.hazmat.primitives import hashes, hmac

    h = hmac.HMAC(b"00112233", hashes.SM3())
    h.update(b"row")
    code, r, _ = verify("hmac-sm3", "--key", "00112233", "--data", "text:row", "--mac", h.finalize().hex())
    assert code == 1 and "algo.evidence.hmac_sm3.text_key" in codes(r)


def test_sm2_decrypt_other_plaintext_is_described_not_shown() -> None:
    code, r, raw = verify("sm2-decrypt", "--private-key", ENC["d"], "--ciphertext", ENC["ct_asn1_gbt35276"], "--plaintext", ENC["msg"] + "0a")
    assert code == 1 and codes(r) == ["algo.evidence.sm2_decrypt.mismatch", "algo.evidence.sm2_decrypt.trailing_newline"]
    d = r["measurements"]["decrypted"]
    assert d["bytes"] == len(ENC["msg"]) // 2 and d["printable"] is True and r["measurements"]["length_difference"] == 1
    assert ENC["msg"] not in raw
