"""ciphers.encrypt_pieces (issue 20: a large match compared piece by piece) gives, joined, exactly
what encrypt() gives for the padded plaintext, for every cipher and mode it takes, and None for
the modes and inputs it leaves to encrypt()."""

from __future__ import annotations

import pytest

from mptool.algo.primitives import ciphers

#: what OpenSSL (through cryptography) does not run: encrypt() uses mptool's own block modes there
BACKEND_LACKS = {("sm4", "cfb8"), ("des", "ctr"), ("3des", "ctr")}
KEYS = {"sm4": bytes(range(16)), "aes": bytes(range(32)), "des": bytes(range(8)), "3des": bytes(range(24))}


@pytest.mark.parametrize("name", sorted(KEYS))
@pytest.mark.parametrize("mode", ["ecb", "cbc", "cfb", "cfb8", "ofb", "ctr"])
@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 3 * ciphers.PIECE_BYTES + 5])
@pytest.mark.parametrize("padding", ["pkcs7", "none"])
def test_pieces_join_to_the_ciphertext(name: str, mode: str, length: int, padding: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ciphers, "PIECE_BYTES", 1 << 16)
    size = ciphers.CIPHERS[name].block_size
    data = bytes((7 * i + 3) % 251 for i in range(length))
    iv = b"" if mode == "ecb" else bytes(range(1, size + 1))
    padded = mode in ("ecb", "cbc")
    pieces = ciphers.encrypt_pieces(name, mode, KEYS[name], data, iv=iv, padding=padding)
    if padded and padding == "none" and length % size:
        assert pieces is None  # encrypt() refuses it with the reason
        with pytest.raises(ValueError):
            ciphers.encrypt(name, mode, KEYS[name], data, iv=iv)
        return
    if (name, mode) in BACKEND_LACKS:
        assert pieces is None
        return
    assert pieces is not None
    expected, _ = ciphers.encrypt(name, mode, KEYS[name], ciphers.pad(data, size, padding) if padded else data, iv=iv)
    assert b"".join(pieces) == expected


@pytest.mark.parametrize(("mode", "iv"), [("gcm", bytes(12)), ("ccm", bytes(12)), ("xts", bytes(16)), ("cbc", bytes(8)), ("bogus", b"")])
def test_other_modes_and_bad_inputs_are_left_to_encrypt(mode: str, iv: bytes) -> None:
    key = bytes(32) if mode == "xts" else bytes(16)
    assert ciphers.encrypt_pieces("sm4", mode, key, bytes(32), iv=iv) is None
