"""TLCP key schedule and record protection (GB/T 38636-2020 §6.4.5.9, §6.3.3).

The PRF is the TLS 1.2 P_hash construction (RFC 5246 §5) with HMAC-SM3; the master secret,
key block and Finished verify_data are derived as in TLS 1.2 with SM3 as the hash.
Record protection: SM4-CBC with HMAC-SM3 (MAC-then-encrypt, explicit per-record IV), or
SM4-GCM with a 4-byte implicit salt and 8-byte explicit nonce (as TLS 1.2 AES-GCM,
RFC 5288; the layout GmSSL and Tongsuo use).
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mptool.protocols.active.suites import TLCP_VERSION, TlcpSuite

MAC_LEN = 32
KEY_LEN = 16
BLOCK = 16
GCM_SALT = 4
GCM_EXPLICIT = 8
GCM_TAG = 16


class RecordProtectionError(ValueError):
    """A protected record does not decrypt or its MAC/tag is wrong (alert bad_record_mac)."""


def sm3(data: bytes) -> bytes:
    """SM3 digest (GB/T 32905-2016) from ``cryptography``."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (RFC 2104 with SM3, GM/T 0042-2015) from ``cryptography``."""
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


def prf(secret: bytes, label: bytes, seed: bytes, length: int) -> bytes:
    """PRF(secret, label, seed) = P_SM3(secret, label + seed), truncated to ``length`` bytes."""
    seed = label + seed
    out = b""
    a = seed
    while len(out) < length:
        a = hmac_sm3(secret, a)
        out += hmac_sm3(secret, a + seed)
    return out[:length]


def master_secret(pre_master: bytes, client_random: bytes, server_random: bytes) -> bytes:
    """The 48-byte master secret."""
    return prf(pre_master, b"master secret", client_random + server_random, 48)


def verify_data(master: bytes, label: bytes, transcript: bytes) -> bytes:
    """Finished.verify_data: PRF(master, label, SM3(handshake messages))[:12]."""
    return prf(master, label, sm3(transcript), 12)


@dataclass(frozen=True)
class KeyBlock:
    """Write keys of both directions."""

    client_mac: bytes
    server_mac: bytes
    client_key: bytes
    server_key: bytes
    client_iv: bytes
    server_iv: bytes


def key_block(master: bytes, client_random: bytes, server_random: bytes, suite: TlcpSuite) -> KeyBlock:
    """Split PRF(master, "key expansion", server_random + client_random) for ``suite``."""
    mac_len = MAC_LEN if suite.mode == "cbc" else 0
    iv_len = BLOCK if suite.mode == "cbc" else GCM_SALT
    total = 2 * (mac_len + KEY_LEN + iv_len)
    block = prf(master, b"key expansion", server_random + client_random, total)
    parts = []
    pos = 0
    for size in (mac_len, mac_len, KEY_LEN, KEY_LEN, iv_len, iv_len):
        parts.append(block[pos : pos + size])
        pos += size
    return KeyBlock(*parts)


class RecordCipher:
    """Protects or opens the records of one direction; keeps the sequence number."""

    def __init__(self, suite: TlcpSuite, mac_key: bytes, key: bytes, iv: bytes, version: int = TLCP_VERSION) -> None:
        self.suite = suite
        self.mac_key = mac_key
        self.key = key
        self.iv = iv
        self.version = version
        self.seq = 0

    def _header(self, content_type: int, length: int) -> bytes:
        return self.seq.to_bytes(8, "big") + bytes([content_type]) + self.version.to_bytes(2, "big") + length.to_bytes(2, "big")

    def seal(self, content_type: int, plaintext: bytes) -> bytes:
        """The protected fragment for ``plaintext``."""
        if self.suite.mode == "gcm":
            explicit = self.seq.to_bytes(8, "big")
            out = explicit + _gcm_encrypt(self.key, self.iv + explicit, plaintext, self._header(content_type, len(plaintext)))
        else:
            mac = hmac_sm3(self.mac_key, self._header(content_type, len(plaintext)) + plaintext)
            data = plaintext + mac
            pad = BLOCK - (len(data) + 1) % BLOCK
            data += bytes([pad]) * (pad + 1)
            iv = os.urandom(BLOCK)
            enc = Cipher(algorithms.SM4(self.key), modes.CBC(iv)).encryptor()
            out = iv + enc.update(data) + enc.finalize()
        self.seq += 1
        return out

    def open(self, content_type: int, fragment: bytes) -> bytes:
        """The plaintext of a protected fragment; wrong MAC/tag/padding raises :class:`RecordProtectionError`."""
        if self.suite.mode == "gcm":
            if len(fragment) < GCM_EXPLICIT + GCM_TAG:
                raise RecordProtectionError("GCM record shorter than nonce and tag")
            explicit, body = fragment[:GCM_EXPLICIT], fragment[GCM_EXPLICIT:]
            plain = _gcm_decrypt(self.key, self.iv + explicit, body, self._header(content_type, len(body) - GCM_TAG))
        else:
            if len(fragment) < 2 * BLOCK + BLOCK or len(fragment) % BLOCK:
                raise RecordProtectionError(f"CBC record of {len(fragment)} bytes is not IV + whole blocks")
            dec = Cipher(algorithms.SM4(self.key), modes.CBC(fragment[:BLOCK])).decryptor()
            data = dec.update(fragment[BLOCK:]) + dec.finalize()
            pad = data[-1]
            if pad + 1 + MAC_LEN > len(data) or data[-pad - 1 :] != bytes([pad]) * (pad + 1):
                raise RecordProtectionError("bad CBC padding")
            data = data[: -pad - 1]
            plain, mac = data[:-MAC_LEN], data[-MAC_LEN:]
            expected = hmac_sm3(self.mac_key, self._header(content_type, len(plain)) + plain)
            if not hmac.compare_digest(mac, expected):
                raise RecordProtectionError("record MAC mismatch")
        self.seq += 1
        return plain


def _gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return enc.update(plaintext) + enc.finalize() + enc.tag


def _gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    body, tag = data[:-GCM_TAG], data[-GCM_TAG:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        return dec.update(body) + dec.finalize()
    except InvalidTag:
        raise RecordProtectionError("GCM tag mismatch") from None
