"""TLCP key schedule and record protection against outside oracles.

- PRF: the system OpenSSL's TLS1-PRF KDF with digest SM3 (``openssl kdf ... TLS1-PRF``).
- HMAC-SM3: the GM/T 0042-2015 example in vectors/algo/gm/gm_standard_examples.json.
- Record protection: SM4-CBC+HMAC-SM3 and SM4-GCM records open only with the right keys,
  sequence number and content type; their sizes match the GmSSL capture (80-byte CBC and
  40-byte GCM Finished records, vectors/pcaps/tlcp_gmssl_4suites.pcap).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mptool.proto.tls import messages as m
from mptool.proto.tlcp.suites import ECC_SM4_CBC_SM3, ECC_SM4_GCM_SM3
from mptool.proto.tlcp.crypto import RecordCipher, RecordProtectionError, hmac_sm3, key_block, prf

from conftest import DATA


def _openssl_prf(secret: bytes, label: bytes, seed: bytes, length: int) -> bytes:
    openssl = shutil.which("openssl")
    assert openssl, "openssl is required"
    out = subprocess.run(
        [openssl, "kdf", "-keylen", str(length), "-kdfopt", "digest:SM3", "-kdfopt", f"hexsecret:{secret.hex()}", "-kdfopt", f"hexseed:{(label + seed).hex()}", "TLS1-PRF"],
        check=True, capture_output=True, text=True, timeout=30,
    ).stdout
    return bytes.fromhex(out.strip().replace(":", ""))


@pytest.mark.parametrize(
    ("secret_len", "label", "length"),
    [(48, b"master secret", 48), (48, b"key expansion", 128), (48, b"client finished", 12), (1, b"x", 100)],
)
def test_prf_matches_openssl_tls1_prf_with_sm3(secret_len: int, label: bytes, length: int) -> None:
    secret, seed = os.urandom(secret_len), os.urandom(64)
    assert prf(secret, label, seed, length) == _openssl_prf(secret, label, seed, length)


def test_hmac_sm3_standard_example() -> None:
    examples = json.loads((DATA.algo / "gm" / "gm_standard_examples.json").read_text())["hmac_sm3"]
    assert examples
    for example in examples:
        message = bytes.fromhex(example["msg"]) if "msg" in example else example["msg_ascii"].encode()
        expected = example.get("mac") or example.get("hmac") or example.get("tag")
        assert hmac_sm3(bytes.fromhex(example["key"]), message).hex() == expected


def test_key_block_layout() -> None:
    master, cr, sr = os.urandom(48), os.urandom(32), os.urandom(32)
    cbc = key_block(master, cr, sr, ECC_SM4_CBC_SM3)
    gcm = key_block(master, cr, sr, ECC_SM4_GCM_SM3)
    assert [len(x) for x in (cbc.client_mac, cbc.server_mac, cbc.client_key, cbc.server_key, cbc.client_iv, cbc.server_iv)] == [32, 32, 16, 16, 16, 16]
    assert [len(x) for x in (gcm.client_mac, gcm.client_key, gcm.server_key, gcm.client_iv, gcm.server_iv)] == [0, 16, 16, 4, 4]
    # key_block = PRF(master, "key expansion", server_random + client_random): order matters
    assert cbc.client_mac == prf(master, b"key expansion", sr + cr, 32)
    assert gcm.client_key == prf(master, b"key expansion", sr + cr, 16)


@pytest.mark.parametrize(("suite", "finished_record"), [(ECC_SM4_CBC_SM3, 80), (ECC_SM4_GCM_SM3, 40)])
def test_finished_record_size_matches_gmssl_capture(suite, finished_record: int) -> None:
    kb = key_block(os.urandom(48), os.urandom(32), os.urandom(32), suite)
    sealed = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv).seal(22, m.handshake(m.FINISHED, os.urandom(12)))
    assert len(sealed) == finished_record


@settings(max_examples=25, deadline=None)
@given(payload=st.binary(max_size=600), gcm=st.booleans())
def test_records_roundtrip_and_reject_tampering(payload: bytes, gcm: bool) -> None:
    suite = ECC_SM4_GCM_SM3 if gcm else ECC_SM4_CBC_SM3
    kb = key_block(b"m" * 48, b"c" * 32, b"s" * 32, suite)
    writer = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv)
    first, second = writer.seal(23, payload), writer.seal(23, payload)
    reader = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv)
    assert reader.open(23, first) == payload and reader.open(23, second) == payload
    wrong_seq = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv)
    with pytest.raises(RecordProtectionError):
        wrong_seq.open(23, second)  # sequence number 0 expected 1
    with pytest.raises(RecordProtectionError):
        RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv).open(22, first)  # content type is authenticated
    tampered = bytearray(first)
    tampered[-1] ^= 0x01
    with pytest.raises(RecordProtectionError):
        RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv).open(23, bytes(tampered))
