"""ESP (RFC 4303) with SM4-CBC + HMAC-SM3 or SM4-GCM (RFC 4106 layout), in user space.

Packet: SPI(4) || sequence(4) || IV || ciphertext(payload || padding || pad length || next header) || ICV.
SM4-CBC: 16-byte random IV, ICV = HMAC-SM3 over SPI..ciphertext, full 32 bytes (mptool's reading
of GM/T 0022). SM4-GCM: 8-byte IV, nonce = 4-byte salt || IV, AAD = SPI || sequence, 16-byte ICV.
The receiver checks the ICV before anything else and keeps a 64-packet replay window (RFC 4303 §3.4.3;
the trailer and the window are :mod:`mptool.proto.ipsec.esp`, shared with the standard SAs).
"""

from __future__ import annotations

import hmac
import os
import struct
from dataclasses import dataclass, field

from mptool.algo.api import AuthenticationError, decrypt, encrypt, hmac_sm3
from mptool.proto.ipsec.esp import EspError, ReplayWindow, add_trailer, strip_trailer
from mptool.proto.ipsec.gm.codec import ESP_SM4_CBC, ESP_SM4_GCM

NEXT_HEADER_ECHO = 253  #: RFC 3692 experimental protocol number: the lab's echo payload


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
    replay: ReplayWindow = field(default_factory=ReplayWindow)  #: receiver's anti-replay window

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
        plaintext = add_trailer(payload, next_header, 4 if self.transform == ESP_SM4_GCM else 16)
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
        self.replay.accept(seq)
        next_header, payload = strip_trailer(plaintext, seq)
        return seq, next_header, payload


def make_sa(spi: bytes, transform: int, material: bytes) -> EspSA:
    """An SA from its KEYMAT (encryption key first)."""
    enc_len, auth_len = key_lengths(transform)
    return EspSA(spi, transform, material[:enc_len], material[enc_len : enc_len + auth_len])


__all__ = ["ESP_SM4_CBC", "ESP_SM4_GCM", "EspError", "EspSA", "make_sa"]
