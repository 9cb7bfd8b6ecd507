"""ESP (RFC 4303) with SM4-CBC + HMAC-SM3 or SM4-GCM (RFC 4106 layout), in user space.

Packet: SPI(4) || sequence(4) || IV || ciphertext(payload || padding || pad length || next header) || ICV.
SM4-CBC: 16-byte random IV, ICV = HMAC-SM3 over SPI..ciphertext, full 32 bytes (mptool's reading
of GM/T 0022). SM4-GCM: 8-byte IV, nonce = 4-byte salt || IV, AAD = SPI || sequence, 16-byte ICV.
The receiver checks the ICV before anything else and keeps a 64-packet replay window (RFC 4303 §3.4.3).
"""

from __future__ import annotations

import hmac
import os
import struct
from dataclasses import dataclass, field

from mptool.algo.api import AuthenticationError, decrypt, encrypt, hmac_sm3
from mptool.proto.ipsec.gm.codec import ESP_SM4_CBC, ESP_SM4_GCM

NEXT_HEADER_ECHO = 253  #: RFC 3692 experimental protocol number: the lab's echo payload
WINDOW = 64


class EspError(ValueError):
    """A packet the receiver drops; ``kind`` is bad_icv, replay, malformed or unknown_spi."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def key_lengths(transform: int) -> tuple[int, int]:
    """(encryption key bytes, authentication key bytes) of a transform (GCM: key + salt)."""
    return (20, 0) if transform == ESP_SM4_GCM else (16, 32)


@dataclass
class EspSA:
    """One direction of an ESP SA."""

    spi: bytes
    transform: int
    enc_key: bytes
    auth_key: bytes = b""
    seq: int = 0  #: last sequence number sent
    highest: int = 0  #: receiver: highest sequence number accepted
    window: int = 0  #: receiver: bitmap of the WINDOW numbers below ``highest``
    seen: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Transform name for evidence."""
        return "SM4-GCM" if self.transform == ESP_SM4_GCM else "SM4-CBC/HMAC-SM3"

    def seal(self, payload: bytes, next_header: int = NEXT_HEADER_ECHO, seq: int | None = None) -> bytes:
        """An ESP packet carrying ``payload`` (the next sequence number unless ``seq`` is given)."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        head = self.spi + struct.pack("!I", seq)
        block = 4 if self.transform == ESP_SM4_GCM else 16
        padding = bytes(range(1, 1 + (-(len(payload) + 2) % block)))
        plaintext = payload + padding + bytes([len(padding), next_header])
        if self.transform == ESP_SM4_GCM:
            iv = os.urandom(8)
            ciphertext, tag = encrypt("sm4", "gcm", self.enc_key[:16], plaintext, iv=self.enc_key[16:] + iv, aad=head, tag_len=16)
            return head + iv + ciphertext + tag
        iv = os.urandom(16)
        ciphertext, _ = encrypt("sm4", "cbc", self.enc_key, plaintext, iv=iv)
        body = head + iv + ciphertext
        return body + hmac_sm3(self.auth_key, body)

    def open(self, packet: bytes) -> tuple[int, int, bytes]:
        """(sequence, next header, payload) of a packet for this SA; raises :class:`EspError`."""
        if packet[:4] != self.spi:
            raise EspError("unknown_spi", f"SPI {packet[:4].hex()} is not {self.spi.hex()}")
        seq = struct.unpack("!I", packet[4:8])[0] if len(packet) >= 8 else 0
        if self.transform == ESP_SM4_GCM:
            if len(packet) < 8 + 8 + 16 + 4:
                raise EspError("malformed", f"ESP packet of {len(packet)} bytes is too short")
            iv, ciphertext, tag = packet[8:16], packet[16:-16], packet[-16:]
            try:
                plaintext = decrypt("sm4", "gcm", self.enc_key[:16], ciphertext, iv=self.enc_key[16:] + iv, aad=packet[:8], tag=tag)
            except AuthenticationError:
                raise EspError("bad_icv", f"sequence {seq}: the GCM ICV does not verify") from None
        else:
            if len(packet) < 8 + 16 + 16 + 32 or (len(packet) - 8 - 32) % 16:
                raise EspError("malformed", f"ESP packet of {len(packet)} bytes is not SPI+seq+IV+blocks+ICV")
            body, icv = packet[:-32], packet[-32:]
            if not hmac.compare_digest(hmac_sm3(self.auth_key, body), icv):
                raise EspError("bad_icv", f"sequence {seq}: the HMAC-SM3 ICV does not verify")
            plaintext = decrypt("sm4", "cbc", self.enc_key, body[24:], iv=body[8:24])
        self._check_replay(seq)
        pad_length, next_header = plaintext[-2], plaintext[-1]
        if pad_length + 2 > len(plaintext):
            raise EspError("malformed", f"sequence {seq}: pad length {pad_length} exceeds the payload")
        return seq, next_header, plaintext[: -2 - pad_length]

    def _check_replay(self, seq: int) -> None:
        """RFC 4303 §3.4.3 sliding window, updated only after the ICV verified."""
        if seq == 0:
            raise EspError("replay", "sequence number 0 is never sent")
        if seq > self.highest:
            shift = seq - self.highest
            self.window = ((self.window << shift) | 1) & ((1 << WINDOW) - 1) if shift < WINDOW else 1
            self.highest = seq
            return
        offset = self.highest - seq
        if offset >= WINDOW:
            raise EspError("replay", f"sequence {seq} is left of the replay window (highest {self.highest})")
        if self.window >> offset & 1:
            raise EspError("replay", f"sequence {seq} was already received")
        self.window |= 1 << offset


def make_sa(spi: bytes, transform: int, material: bytes) -> EspSA:
    """An SA from its KEYMAT (encryption key first)."""
    enc_len, auth_len = key_lengths(transform)
    return EspSA(spi, transform, material[:enc_len], material[enc_len : enc_len + auth_len])


__all__ = ["ESP_SM4_CBC", "ESP_SM4_GCM", "EspError", "EspSA", "make_sa"]
