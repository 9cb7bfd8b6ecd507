"""Issue 15: ``algo verify sm2-decrypt --key-password`` and the RSA verbs through the one key loader
(PEM/DER, PKCS#8/PKCS#1, encrypted PKCS#8 by OpenSSL and with GmSSL's PBKDF2-HMAC-SM3 + SM4-CBC)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_keys import OPENSSL, PASSWORD, _openssl, keyset, pbes2_encrypt, pem  # noqa: F401 - keyset is a fixture

from conftest import run_cli

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl not available")


def _json(args: list[str], code: int = 0) -> dict:
    result = run_cli([*args, "-f", "json"])
    assert result.exit_code == code, result.stderr
    return result.json()


def test_verify_sm2_decrypt_with_an_encrypted_key(keyset: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    gm = tmp_path / "gmssl.pem"
    gm.write_text(pem("ENCRYPTED PRIVATE KEY", pbes2_encrypt(keyset["pkcs8.der"].read_bytes(), PASSWORD.encode(), prf="hmacWithSM3", cipher="sm4-cbc")))
    # the ciphertext is made by OpenSSL with the certificate's public key (C1C3C2 ASN.1, GB/T 35276)
    made = _openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", str(keyset["spki.pem"]), input=b"card 6222 0200")
    if made.returncode != 0:
        pytest.skip("openssl cannot SM2-encrypt")
    ct = made.stdout.hex()
    for key, password in ((gm, PASSWORD), (keyset["openssl-aes.pem"], PASSWORD), (keyset["pkcs8.pem"], None)):
        args = ["algo", "verify", "sm2-decrypt", "--private-key", f"@{key}", "--ciphertext", ct, "--plaintext", "text:card 6222 0200"]
        evidence = _json(args + (["--key-password", password] if password else []))
        assert evidence["results"][0]["status"] == "pass"
        raw = json.dumps(evidence, ensure_ascii=False)
        assert PASSWORD not in raw and PASSWORD.encode().hex() not in raw
    missing = run_cli(["algo", "verify", "sm2-decrypt", "--private-key", f"@{gm}", "--ciphertext", ct, "--plaintext", "text:x"])
    assert missing.exit_code == 3 and "give --key-password" in missing.stderr
    wrong = run_cli(["algo", "verify", "sm2-decrypt", "--private-key", f"@{gm}", "--key-password", "nope", "--ciphertext", ct, "--plaintext", "text:x"])
    assert wrong.exit_code == 3 and wrong.stderr.startswith("mptool: error: --key-password:") and "nope" not in wrong.stderr


@pytest.fixture(scope="module")
def rsa_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One RSA key made by OpenSSL in every form."""
    folder = tmp_path_factory.mktemp("rsakeys")
    files = {n: folder / n for n in ("pkcs8.pem", "pkcs8.der", "pkcs1.pem", "pkcs1.der", "pub.pem", "openssl-aes.pem", "openssl-aes.der")}
    steps = [
        ("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", files["pkcs8.pem"]),
        ("pkcs8", "-topk8", "-nocrypt", "-in", files["pkcs8.pem"], "-outform", "DER", "-out", files["pkcs8.der"]),
        ("rsa", "-in", files["pkcs8.pem"], "-traditional", "-out", files["pkcs1.pem"]),
        ("rsa", "-in", files["pkcs8.pem"], "-traditional", "-outform", "DER", "-out", files["pkcs1.der"]),
        ("pkey", "-in", files["pkcs8.pem"], "-pubout", "-out", files["pub.pem"]),
        ("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-in", files["pkcs8.pem"], "-out", files["openssl-aes.pem"], "-passout", f"pass:{PASSWORD}"),
        ("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", files["pkcs8.pem"], "-outform", "DER", "-out", files["openssl-aes.der"], "-passout", f"pass:{PASSWORD}"),
    ]
    for step in steps:
        made = _openssl(*map(str, step))
        assert made.returncode == 0, made.stderr
    gm = folder / "gmssl-sm4.pem"
    gm.write_text(pem("ENCRYPTED PRIVATE KEY", pbes2_encrypt(files["pkcs8.der"].read_bytes(), PASSWORD.encode(), prf="hmacWithSM3", cipher="sm4-cbc")))
    files["gmssl-sm4.pem"] = gm
    return files


def test_rsa_sign_and_decrypt_read_every_key_form(rsa_keys: dict[str, Path]) -> None:
    message = "text:audit log 2026-11-30"
    signatures = set()
    for name in ("pkcs8.pem", "pkcs8.der", "pkcs1.pem", "pkcs1.der", "openssl-aes.pem", "openssl-aes.der", "gmssl-sm4.pem"):
        password = ["--key-password", PASSWORD] if "aes" in name or "sm4" in name else []
        signed = _json(["algo", "sign", "rsa", "--private-key", f"@{rsa_keys[name]}", *password, "--message", message, "--scheme", "pkcs1v15"])
        signature = signed["results"][0]["measurements"]["signature"]
        signatures.add(signature)
        assert PASSWORD not in json.dumps(signed, ensure_ascii=False)
        # checked by OpenSSL, not by mptool
        sig_file = rsa_keys["pub.pem"].parent / f"{name}.sig"
        sig_file.write_bytes(bytes.fromhex(signature))
        checked = _openssl("dgst", "-sha256", "-verify", str(rsa_keys["pub.pem"]), "-signature", str(sig_file), input=b"audit log 2026-11-30")
        assert checked.returncode == 0, (name, checked.stdout, checked.stderr)
    assert len(signatures) == 1  # PKCS#1 v1.5 is deterministic: every form is the same key
    # OpenSSL encrypts (OAEP SHA-256), mptool decrypts with the GmSSL-style encrypted key
    made = _openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", str(rsa_keys["pub.pem"]), "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", input=b"6222 0200")
    assert made.returncode == 0, made.stderr
    result = run_cli(["algo", "decrypt", "rsa", "--private-key", f"@{rsa_keys['gmssl-sm4.pem']}", "--key-password", PASSWORD, "--ciphertext", made.stdout.hex()])
    assert result.exit_code == 0, result.stderr
    assert "6222 0200" in result.stdout  # the plaintext is shown on the screen


def test_rsa_key_errors_are_one_line(rsa_keys: dict[str, Path], keyset: dict[str, Path]) -> None:  # noqa: F811
    base = ["algo", "sign", "rsa", "--message", "00"]
    cases = [
        (["--private-key", f"@{rsa_keys['gmssl-sm4.pem']}"], "--private-key", "give --key-password"),
        (["--private-key", f"@{rsa_keys['gmssl-sm4.pem']}", "--key-password", "nope"], "--key-password", ""),
        (["--private-key", f"@{rsa_keys['pkcs1.pem']}", "--key-password", "x"], "--key-password", "not encrypted"),
        (["--private-key", f"@{keyset['pkcs8.pem']}"], "--private-key", "sm2"),
        (["--private-key", f"@{rsa_keys['pub.pem']}"], "--private-key", "no PEM PRIVATE KEY"),
    ]
    for extra, source, text in cases:
        result = run_cli([*base, *extra])
        assert result.exit_code == 3, (extra, result.stderr)
        assert result.stderr.startswith(f"mptool: error: {source}:") and text in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "nope" not in result.stderr
