"""Cipher modes: the GM standard examples, and differential tests of the modes mptool composes
over ECB against OpenSSL's own implementation and against gmssl (hypothesis)."""

from __future__ import annotations

import pytest
from algo_support import gm
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mptool.algo.primitives import blockmodes, ciphers
from mptool.algo.checks import crosscheck, crosscheck_pycryptodome
from mptool.algo.checks.evidence import CipherCase

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("entry", gm()["sm4_modes"], ids=lambda e: e["id"])
def test_sm4_mode_examples(entry: dict) -> None:
    """draft-ribose-cfrg-sm4, RFC 8998 A.1/A.2 and GB/T 17964-2021 XTS, both tweak conventions."""
    mode = entry["mode"].lower()
    convention = mode.split("-")[1] if mode.startswith("xts") else ciphers.XTS_IEEE
    mode = "xts" if mode.startswith("xts") else mode
    key, iv = bytes.fromhex(entry["key"]), bytes.fromhex(entry["iv"])
    aad, pt = bytes.fromhex(entry.get("aad", "")), bytes.fromhex(entry["plaintext"])
    ct, tag = ciphers.encrypt("sm4", mode, key, pt, iv=iv, aad=aad, xts_convention=convention)
    assert ct.hex() == entry["ciphertext"]
    assert tag.hex() == entry.get("tag", "")
    assert ciphers.decrypt("sm4", mode, key, ct, iv=iv, aad=aad, tag=tag, xts_convention=convention) == pt


def test_xts_conventions_differ_only_after_the_first_block() -> None:
    gb = next(e for e in gm()["sm4_modes"] if e["mode"] == "XTS-GB")["ciphertext"]
    ieee = next(e for e in gm()["sm4_modes"] if e["mode"] == "XTS-IEEE")["ciphertext"]
    assert gb[:32] == ieee[:32] and gb[32:] != ieee[32:]


def test_sm4_million_iterations() -> None:
    """GB/T 32907-2016 Annex A example 2 through the KAT runner."""
    from mptool.algo.vectors import handlers as kat
    from mptool.algo.vectors.gmjson import parse

    vectors = parse({"sm4": gm()["sm4"]}, "gm").vectors
    assert [v.fields.get("iterations") for v in vectors] == [None, 1000000]
    assert all(kat.run_vector(v).status == kat.PASS for v in vectors)


def test_tampered_gcm_tag_is_rejected() -> None:
    entry = next(e for e in gm()["sm4_modes"] if e["mode"] == "GCM")
    tag = bytearray.fromhex(entry["tag"])
    tag[-1] ^= 1
    with pytest.raises(ciphers.AuthenticationError):
        ciphers.decrypt("sm4", "gcm", bytes.fromhex(entry["key"]), bytes.fromhex(entry["ciphertext"]), iv=bytes.fromhex(entry["iv"]), aad=bytes.fromhex(entry["aad"]), tag=bytes(tag))


def _enc(key: bytes, name: str = "aes") -> blockmodes.BlockFn:
    return ciphers.ecb_functions(name, key)[0]


@FAST
@given(key=st.binary(min_size=16, max_size=16), iv=st.binary(min_size=8, max_size=40), aad=st.binary(max_size=40), data=st.binary(max_size=80), name=st.sampled_from(["aes", "sm4"]))
def test_composed_gcm_equals_openssl(key: bytes, iv: bytes, aad: bytes, data: bytes, name: str) -> None:
    """SP 800-38D over ECB (used for IVs OpenSSL refuses) agrees with OpenSSL's GCM."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    algo = algorithms.AES(key) if name == "aes" else algorithms.SM4(key)
    ctx = Cipher(algo, modes.GCM(iv)).encryptor()
    ctx.authenticate_additional_data(aad)
    expected = ctx.update(data) + ctx.finalize()
    assert blockmodes.gcm_encrypt(_enc(key, name), iv, aad, data) == (expected, ctx.tag)


@FAST
@given(key=st.binary(min_size=16, max_size=16), nonce=st.binary(min_size=7, max_size=13), aad=st.binary(max_size=40), data=st.binary(max_size=80), tag_len=st.sampled_from([4, 6, 8, 10, 12, 14, 16]))
def test_composed_ccm_equals_openssl(key: bytes, nonce: bytes, aad: bytes, data: bytes, tag_len: int) -> None:
    """SP 800-38C over ECB (used for SM4-CCM) agrees with OpenSSL's AES-CCM."""
    sealed = AESCCM(key, tag_length=tag_len).encrypt(nonce, data, aad or None)
    ct, tag = blockmodes.ccm_encrypt(_enc(key), nonce, aad, data, tag_len)
    assert ct + tag == sealed
    assert blockmodes.ccm_decrypt(_enc(key), nonce, aad, ct, tag) == data


@FAST
@given(key=st.binary(min_size=32, max_size=32).filter(lambda k: k[:16] != k[16:]), tweak=st.binary(min_size=16, max_size=16), data=st.binary(min_size=16, max_size=100))
def test_composed_xts_ieee_equals_openssl(key: bytes, tweak: bytes, data: bytes) -> None:
    """IEEE 1619 XTS with ciphertext stealing over ECB (used for SM4-XTS) agrees with OpenSSL's AES-XTS."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    ctx = Cipher(algorithms.AES(key), modes.XTS(tweak)).encryptor()
    expected = ctx.update(data) + ctx.finalize()
    enc1, dec1 = ciphers.ecb_functions("aes", key[:16])
    enc2, _ = ciphers.ecb_functions("aes", key[16:])
    assert blockmodes.xts(enc1, dec1, enc2, tweak, data, decrypt=False) == expected
    assert blockmodes.xts(enc1, dec1, enc2, tweak, expected, decrypt=True) == data


@FAST
@given(key=st.binary(min_size=16, max_size=16), iv=st.binary(min_size=16, max_size=16), data=st.binary(max_size=70))
def test_composed_cfb8_and_ctr_equal_openssl(key: bytes, iv: bytes, data: bytes) -> None:
    """CFB8 (used for SM4) and CTR (used for 3DES) over ECB agree with OpenSSL's AES modes."""
    assert blockmodes.cfb8(_enc(key), 16, iv, data, decrypt=False) == ciphers.encrypt("aes", "cfb8", key, data, iv=iv)[0]
    assert blockmodes.ctr(_enc(key), 16, iv, data) == ciphers.encrypt("aes", "ctr", key, data, iv=iv)[0]


@settings(max_examples=15, deadline=None)
@given(data=st.binary(max_size=200))
def test_sm3_agrees_with_gmssl(data: bytes) -> None:
    from cryptography.hazmat.primitives import hashes

    h = hashes.Hash(hashes.SM3())
    h.update(data)
    assert crosscheck.sm3(data) == h.finalize()


@settings(max_examples=15, deadline=None)
@given(key=st.binary(min_size=1, max_size=80), data=st.binary(max_size=100))
def test_hmac_sm3_agrees_with_gmssl(key: bytes, data: bytes) -> None:
    from cryptography.hazmat.primitives import hashes, hmac

    h = hmac.HMAC(key, hashes.SM3())
    h.update(data)
    assert crosscheck.hmac_sm3(key, data) == h.finalize()


@settings(max_examples=15, deadline=None)
@given(key=st.binary(min_size=16, max_size=16), iv=st.binary(min_size=16, max_size=16), blocks=st.integers(1, 3), mode=st.sampled_from(["ecb", "cbc", "cfb", "ofb", "ctr"]), seed=st.binary(min_size=48, max_size=48))
def test_sm4_modes_agree_with_gmssl(key: bytes, iv: bytes, blocks: int, mode: str, seed: bytes) -> None:
    """OpenSSL's SM4 modes against gmssl's SM4 block function with the modes chained in Python."""
    data = seed[: 16 * blocks]
    case = CipherCase("sm4", mode, key, b"" if mode == "ecb" else iv, b"", None, data, b"", "none", "gb")
    assert crosscheck.sm4_encrypt(case, data)[0] == ciphers.encrypt("sm4", mode, key, data, iv=case.iv)[0]


def test_cfb1_bits_roundtrip_on_cavp_example() -> None:
    """AESAVS CFB1MMT128 COUNT = 4 (bit strings)."""
    key, iv = bytes.fromhex("5c113f7f55448f1929241f185c314019"), bytes.fromhex("42613bf61f0bbe30668e69d4d094d171")
    assert ciphers.cfb1_bits("aes", key, iv, "10000", decrypt=False) == "10110"
    assert ciphers.cfb1_bits("aes", key, iv, "10110", decrypt=True) == "10000"


def test_pkcs7_padding_is_strict() -> None:
    assert ciphers.unpad(ciphers.pad(b"abc", 16, "pkcs7"), 16, "pkcs7") == b"abc"
    with pytest.raises(ValueError):
        ciphers.unpad(b"a" * 15 + b"\x02", 16, "pkcs7")


@FAST
@given(x=st.integers(0, (1 << 128) - 1), h=st.integers(0, (1 << 128) - 1))
def test_table_ghash_multiply_equals_bitwise(x: int, h: int) -> None:
    """Shoup's 4-bit table multiply equals SP 800-38D Algorithm 1 bit by bit."""
    assert blockmodes._gf_mult_table(x, blockmodes._h_table(h)) == blockmodes._gf_mult(x, h)


@FAST
@given(
    cipher=st.sampled_from(["aes", "3des"]),
    mode=st.sampled_from(["ecb", "cbc", "cfb", "cfb8", "ofb", "ctr", "gcm", "ccm"]),
    key=st.binary(min_size=32, max_size=32),
    iv=st.binary(min_size=1, max_size=40),
    aad=st.binary(max_size=30),
    blocks=st.integers(0, 4),
    seed=st.binary(min_size=64, max_size=64),
)
def test_modes_agree_with_pycryptodome(cipher: str, mode: str, key: bytes, iv: bytes, aad: bytes, blocks: int, seed: bytes) -> None:
    """OpenSSL (and mptool's composed GCM for 1-7 or > 128-byte nonces) against PyCryptodome's own code."""
    block = ciphers.CIPHERS[cipher].block_size
    if cipher == "3des" and mode in ("gcm", "ccm"):
        return
    key = key[: 16 if cipher == "aes" else 24]
    if mode == "ccm":
        iv = (iv * 13)[:7 + len(iv) % 7]
    elif mode != "gcm":
        iv = (iv * block)[:block]
    data = seed[: block * blocks]
    tag = b"\0" * 16 if mode in ("gcm", "ccm") else None
    case = CipherCase(cipher, mode, key, b"" if mode == "ecb" else iv, aad if tag else b"", tag, data, b"", "none", "ieee")
    ct, t = ciphers.encrypt(cipher, mode, key, data, iv=case.iv, aad=case.aad)
    assert crosscheck_pycryptodome.encrypt(case, data) == ct + t
