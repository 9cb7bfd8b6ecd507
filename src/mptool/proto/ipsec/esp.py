"""What both ESP ends share (RFC 4303), whatever the cipher: the receiver's drop reasons, the
payload trailer (padding, pad length, next header; §2.4–2.6) and the anti-replay window (§3.4.3).

Used by the GM/T 0022 SAs (:mod:`mptool.proto.ipsec.gm.esp`, SM4) and the standard ones
(:mod:`mptool.proto.ipsec.std.esp`, AES).
"""

from __future__ import annotations

from dataclasses import dataclass

WINDOW = 64  #: replay window size, the RFC 4303 §3.4.3 minimum of 32 rounded up to a word


class EspError(ValueError):
    """A packet the receiver drops; ``kind`` is bad_icv, replay, malformed or unknown_spi."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def add_trailer(payload: bytes, next_header: int, block: int) -> bytes:
    """``payload`` || padding 1, 2, 3… || pad length || next header, a multiple of ``block`` bytes (§2.4)."""
    padding = bytes(range(1, 1 + (-(len(payload) + 2) % block)))
    return payload + padding + bytes([len(padding), next_header])


def strip_trailer(plaintext: bytes, seq: int) -> tuple[int, bytes]:
    """(next header, payload) of a decrypted ESP payload; raises :class:`EspError` on a bad pad length."""
    if len(plaintext) < 2 or plaintext[-2] + 2 > len(plaintext):
        pad = plaintext[-2] if len(plaintext) >= 2 else 0
        raise EspError("malformed", f"sequence {seq}: pad length {pad} exceeds the payload")
    return plaintext[-1], plaintext[: -2 - plaintext[-2]]


@dataclass
class ReplayWindow:
    """RFC 4303 §3.4.3 sliding window of one inbound SA; call :meth:`accept` only after the ICV verified."""

    highest: int = 0  #: highest sequence number accepted
    bitmap: int = 0  #: bit i: ``highest - i`` was received

    def accept(self, seq: int) -> None:
        """Record ``seq`` as received, or raise :class:`EspError` ``replay``."""
        if seq == 0:
            raise EspError("replay", "sequence number 0 is never sent")
        if seq > self.highest:
            shift = seq - self.highest
            self.bitmap = ((self.bitmap << shift) | 1) & ((1 << WINDOW) - 1) if shift < WINDOW else 1
            self.highest = seq
            return
        offset = self.highest - seq
        if offset >= WINDOW:
            raise EspError("replay", f"sequence {seq} is left of the replay window (highest {self.highest})")
        if self.bitmap >> offset & 1:
            raise EspError("replay", f"sequence {seq} was already received")
        self.bitmap |= 1 << offset
