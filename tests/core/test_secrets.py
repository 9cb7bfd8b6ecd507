"""Secrets given on the command line never appear verbatim in evidence (issue 15, and the standards).

Each run passes a key, a private key or a plaintext; the evidence bytes (JSON and text) are
searched for the secret in every form it was given (hex as typed, lower and upper case).
"""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from conftest import run_cli
from mptool.algo.api import sm2
from mptool.core.secrets import fingerprint, mask_arguments

KEY = os.urandom(16)
PLAINTEXT = os.urandom(32)


def _sm4_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _forms(secret: bytes) -> list[bytes]:
    return [secret.hex().encode(), secret.hex().upper().encode()]


def _assert_absent(output: str, *secrets: bytes) -> None:
    data = output.encode()
    for secret in secrets:
        for form in _forms(secret):
            assert form not in data, f"secret {form[:12]!r}… found in the evidence"


@pytest.mark.parametrize("match", [True, False])
def test_cipher_key_and_plaintext_stay_out(match: bool) -> None:
    iv = os.urandom(16)
    ciphertext = _sm4_cbc(KEY, iv, PLAINTEXT) if match else os.urandom(32)
    args = ["algo", "verify", "sm4", "--mode", "cbc", "--padding", "none", "--key", KEY.hex(), "--iv", iv.hex(),
            "--plaintext", PLAINTEXT.hex(), "--ciphertext", ciphertext.hex()]
    for fmt in ("json", "text"):
        result = run_cli([*args, "-f", fmt])
        assert result.exit_code == (0 if match else 1), result.stderr
        _assert_absent(result.stdout + result.stderr, KEY, PLAINTEXT)
    evidence = run_cli([*args, "-f", "json"]).json()
    assert evidence["arguments"][evidence["arguments"].index("--key") + 1] == fingerprint(KEY.hex())


def test_hmac_key_stays_out() -> None:
    result = run_cli(["algo", "verify", "hmac-sm3", "--key", KEY.hex(), "--data", "616263", "--mac", "00" * 32, "-f", "json"])
    assert result.exit_code == 1
    _assert_absent(result.stdout, KEY)


@pytest.mark.parametrize("match", [True, False])
def test_sm2_private_key_and_plaintext_stay_out(match: bool) -> None:
    d = sm2.generate_private_key()
    ciphertext = sm2.encrypt(sm2.public_key_from_private(d), PLAINTEXT if match else b"another plaintext")
    private = d.to_bytes(32, "big")
    result = run_cli(["algo", "verify", "sm2-decrypt", "--private-key", private.hex(), "--ciphertext", ciphertext.hex(),
                      "--plaintext", PLAINTEXT.hex(), "-f", "json"])
    assert result.exit_code == (0 if match else 1), result.stderr
    _assert_absent(result.stdout, private, PLAINTEXT, b"another plaintext".hex().encode())


def test_record_secrets_keeps_them_for_lab_use() -> None:
    result = run_cli(["--record-secrets", "algo", "verify", "hmac-sm3", "--key", KEY.hex(), "--data", "616263", "--mac", "00" * 32, "-f", "json"])
    assert KEY.hex() in result.json()["arguments"]


def test_mask_arguments_forms() -> None:
    masked = mask_arguments(["--key", "0011", "--key=0011", "--key", "@key.bin", "--data", "0011", "--password=pw"])
    assert masked == ["--key", fingerprint("0011"), f"--key={fingerprint('0011')}", "--key", "@key.bin", "--data", "0011", f"--password={fingerprint('pw')}"]
    assert fingerprint("0011") != fingerprint("0012") and fingerprint(b"ab").endswith("2 bytes>")
