"""TLCP key schedule and record protection (GB/T 38636-2020 §6.4.5.9, §6.3.3).

The PRF is the TLS 1.2 P_hash construction (RFC 5246 §5) with HMAC-SM3; the master secret,
key block and Finished verify_data are derived as in TLS 1.2 with SM3 as the hash.
Record protection: SM4-CBC with HMAC-SM3 (MAC-then-encrypt, explicit per-record IV), or
SM4-GCM with a 4-byte implicit salt and 8-byte explicit nonce (as TLS 1.2 AES-GCM,
RFC 5288; the layout GmSSL and Tongsuo use).

The construction is written once over a :class:`RecordParams` (hash, block cipher, sizes):
TLCP uses SM3/SM4, and the same code with SHA-256/AES is what TLS 1.2 does, which is how the
tests check it against OpenSSL's TLS 1.2 records.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mptool.algo.api import sm3
from mptool.proto.tlcp.suites import TLCP_VERSION, TlcpSuite

GCM_EXPLICIT = 8
GCM_TAG = 16


class RecordProtectionError(ValueError):
    """A protected record does not decrypt or its MAC/tag is wrong (alert bad_record_mac)."""


@dataclass(frozen=True)
class RecordParams:
    """How one suite protects records and derives keys."""

    mode: str  #: "cbc" (MAC-then-encrypt, explicit IV) or "gcm" (AEAD, salt + explicit nonce)
    cipher: Any  #: block cipher class of ``cryptography`` (algorithms.SM4, algorithms.AES)
    key_len: int
    fixed_iv_len: int  #: IV bytes per direction in the key block (GCM salt; TLCP CBC 16; TLS 1.2 CBC 0)
    mac_hash: Any = None  #: CBC record MAC hash class (hashes.SM3, hashes.SHA256)
    prf_hash: Any = hashes.SM3  #: hash of the PRF and of the Finished transcript
    block: int = 16

    @property
    def mac_len(self) -> int:
        """Record MAC length (0 for AEAD)."""
        return self.mac_hash.digest_size if self.mac_hash is not None else 0


SM4_CBC_SM3 = RecordParams("cbc", algorithms.SM4, 16, 16, hashes.SM3)
SM4_GCM_SM3 = RecordParams("gcm", algorithms.SM4, 16, 4)


def record_params(suite: TlcpSuite) -> RecordParams:
    """The record parameters of a TLCP suite."""
    return SM4_GCM_SM3 if suite.mode == "gcm" else SM4_CBC_SM3


def digest(data: bytes, algorithm: Any = hashes.SM3) -> bytes:
    """A hash from ``cryptography`` (SM3 by default)."""
    h = hashes.Hash(algorithm())
    h.update(data)
    return h.finalize()


def hmac_digest(key: bytes, data: bytes, algorithm: Any = hashes.SM3) -> bytes:
    """HMAC (RFC 2104) from ``cryptography``; HMAC-SM3 (GM/T 0042-2015) by default."""
    h = crypto_hmac.HMAC(key, algorithm())
    h.update(data)
    return h.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3."""
    return hmac_digest(key, data, hashes.SM3)


def prf(secret: bytes, label: bytes, seed: bytes, length: int, algorithm: Any = hashes.SM3) -> bytes:
    """PRF(secret, label, seed) = P_hash(secret, label + seed) truncated to ``length`` bytes."""
    seed = label + seed
    out = b""
    a = seed
    while len(out) < length:
        a = hmac_digest(secret, a, algorithm)
        out += hmac_digest(secret, a + seed, algorithm)
    return out[:length]


def master_secret(pre_master: bytes, client_random: bytes, server_random: bytes, algorithm: Any = hashes.SM3) -> bytes:
    """The 48-byte master secret."""
    return prf(pre_master, b"master secret", client_random + server_random, 48, algorithm)


def verify_data(master: bytes, label: bytes, transcript: bytes, algorithm: Any = hashes.SM3) -> bytes:
    """Finished.verify_data: PRF(master, label, Hash(handshake messages))[:12]."""
    return prf(master, label, digest(transcript, algorithm), 12, algorithm)


@dataclass(frozen=True)
class KeyBlock:
    """Write keys of both directions."""

    client_mac: bytes
    server_mac: bytes
    client_key: bytes
    server_key: bytes
    client_iv: bytes
    server_iv: bytes


def key_block(master: bytes, client_random: bytes, server_random: bytes, params: RecordParams | TlcpSuite) -> KeyBlock:
    """Split PRF(master, "key expansion", server_random + client_random): MAC keys, keys, IVs."""
    p = params if isinstance(params, RecordParams) else record_params(params)
    sizes = (p.mac_len, p.mac_len, p.key_len, p.key_len, p.fixed_iv_len, p.fixed_iv_len)
    block = prf(master, b"key expansion", server_random + client_random, sum(sizes), p.prf_hash)
    parts = []
    pos = 0
    for size in sizes:
        parts.append(block[pos : pos + size])
        pos += size
    return KeyBlock(*parts)


class RecordCipher:
    """Protects or opens the records of one direction; keeps the sequence number."""

    def __init__(self, params: RecordParams | TlcpSuite, mac_key: bytes, key: bytes, iv: bytes, version: int = TLCP_VERSION) -> None:
        self.params = params if isinstance(params, RecordParams) else record_params(params)
        self.mac_key = mac_key
        self.key = key
        self.iv = iv
        self.version = version
        self.seq = 0

    def _header(self, content_type: int, length: int) -> bytes:
        return self.seq.to_bytes(8, "big") + bytes([content_type]) + self.version.to_bytes(2, "big") + length.to_bytes(2, "big")

    def _mac(self, content_type: int, plaintext: bytes) -> bytes:
        return hmac_digest(self.mac_key, self._header(content_type, len(plaintext)) + plaintext, self.params.mac_hash)

    def seal(self, content_type: int, plaintext: bytes) -> bytes:
        """The protected fragment for ``plaintext``."""
        p = self.params
        if p.mode == "gcm":
            explicit = self.seq.to_bytes(GCM_EXPLICIT, "big")
            enc = Cipher(p.cipher(self.key), modes.GCM(self.iv + explicit)).encryptor()
            enc.authenticate_additional_data(self._header(content_type, len(plaintext)))
            out = explicit + enc.update(plaintext) + enc.finalize() + enc.tag
        else:
            data = plaintext + self._mac(content_type, plaintext)
            pad = p.block - (len(data) + 1) % p.block
            data += bytes([pad]) * (pad + 1)
            iv = os.urandom(p.block)
            enc = Cipher(p.cipher(self.key), modes.CBC(iv)).encryptor()
            out = iv + enc.update(data) + enc.finalize()
        self.seq += 1
        return out

    def open(self, content_type: int, fragment: bytes) -> bytes:
        """The plaintext of a protected fragment; wrong MAC/tag/padding raises :class:`RecordProtectionError`."""
        p = self.params
        if p.mode == "gcm":
            if len(fragment) < GCM_EXPLICIT + GCM_TAG:
                raise RecordProtectionError("GCM record shorter than nonce and tag")
            explicit, body, tag = fragment[:GCM_EXPLICIT], fragment[GCM_EXPLICIT:-GCM_TAG], fragment[-GCM_TAG:]
            dec = Cipher(p.cipher(self.key), modes.GCM(self.iv + explicit, tag)).decryptor()
            dec.authenticate_additional_data(self._header(content_type, len(body)))
            try:
                plain = dec.update(body) + dec.finalize()
            except InvalidTag:
                raise RecordProtectionError("GCM tag mismatch") from None
        else:
            if len(fragment) < 2 * p.block + p.block or len(fragment) % p.block:
                raise RecordProtectionError(f"CBC record of {len(fragment)} bytes is not IV + whole blocks")
            dec = Cipher(p.cipher(self.key), modes.CBC(fragment[: p.block])).decryptor()
            data = dec.update(fragment[p.block :]) + dec.finalize()
            pad = data[-1]
            if pad + 1 + p.mac_len > len(data) or data[-pad - 1 :] != bytes([pad]) * (pad + 1):
                raise RecordProtectionError("bad CBC padding")
            data = data[: -pad - 1]
            plain, mac = data[: -p.mac_len], data[-p.mac_len :]
            if not hmac.compare_digest(mac, self._mac(content_type, plain)):
                raise RecordProtectionError("record MAC mismatch")
        self.seq += 1
        return plain
