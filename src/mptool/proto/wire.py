"""A byte cursor and builders for the TLS presentation language (uint8/16/24, vectors).

Shared by the TLS/TLCP codec (:mod:`mptool.proto.tls`), the IKE decoder
(:mod:`mptool.proto.ipsec.ike`) and the IKE probe (:mod:`mptool.proto.probe.ike`).
"""

from __future__ import annotations


class DecodeError(ValueError):
    """Bytes that do not have the expected structure; the message says what was expected."""


class Reader:
    """Reads big-endian integers and length-prefixed vectors from ``data[pos:end]``.

    ``what`` names the structure in error messages (``ClientHello: truncated (needed 2 bytes at
    offset 40, have 1)``, the active side's wording); without it the messages are the analyzer's
    (``needs 2 more bytes at offset 40, only 1 left``). Both wordings are kept because evidence
    quotes them.
    """

    __slots__ = ("data", "pos", "end", "what")

    def __init__(self, data: bytes, what: str | None = None, pos: int = 0, end: int | None = None) -> None:
        self.data = bytes(data)
        self.pos = pos
        self.end = len(self.data) if end is None else end
        self.what = what

    @property
    def remaining(self) -> int:
        """Bytes not read yet."""
        return self.end - self.pos

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes."""
        if n < 0 or self.pos + n > self.end:
            if self.what is None:
                raise DecodeError(f"needs {n} more bytes at offset {self.pos}, only {self.remaining} left")
            raise DecodeError(f"{self.what}: truncated (needed {n} bytes at offset {self.pos}, have {self.remaining})")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uint(self, size: int) -> int:
        """An unsigned big-endian integer of ``size`` bytes."""
        return int.from_bytes(self.take(size), "big")

    def u8(self) -> int:
        """uint8."""
        return self.uint(1)

    def u16(self) -> int:
        """uint16."""
        return self.uint(2)

    def u24(self) -> int:
        """uint24."""
        return self.uint(3)

    def vector(self, length_size: int) -> bytes:
        """A vector with a ``length_size``-byte length prefix."""
        return self.take(self.uint(length_size))

    def rest(self) -> bytes:
        """Everything not read yet."""
        return self.take(self.remaining)

    def expect_end(self) -> None:
        """Fail when bytes are left over."""
        if self.remaining:
            if self.what is None:
                raise DecodeError(f"{self.remaining} unexpected bytes at the end of the message")
            raise DecodeError(f"{self.what}: {self.remaining} unexpected trailing bytes")


def u8(value: int) -> bytes:
    """uint8 encoding."""
    return value.to_bytes(1, "big")


def u16(value: int) -> bytes:
    """uint16 encoding."""
    return value.to_bytes(2, "big")


def u24(value: int) -> bytes:
    """uint24 encoding."""
    return value.to_bytes(3, "big")


def vec(data: bytes, length_size: int) -> bytes:
    """A vector: length prefix of ``length_size`` bytes, then the data."""
    return len(data).to_bytes(length_size, "big") + data
