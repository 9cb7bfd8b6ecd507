"""TLS / TLCP handshake message framing (RFC 5246 §7.4, RFC 8446 §4, GB/T 38636-2020 §6.4.5):
message types, the 4-byte header, and reassembly of messages fragmented over records or
coalesced in one record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mptool.proto.wire import DecodeError, u8, u24

HELLO_REQUEST = 0
CLIENT_HELLO = 1
SERVER_HELLO = 2
CERTIFICATE = 11
SERVER_KEY_EXCHANGE = 12
CERTIFICATE_REQUEST = 13
SERVER_HELLO_DONE = 14
CERTIFICATE_VERIFY = 15
CLIENT_KEY_EXCHANGE = 16
FINISHED = 20
#: Messages only a server sends (a capture's first such message tells the roles).
SERVER_MESSAGES = frozenset((SERVER_HELLO, 4, SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST, SERVER_HELLO_DONE))

HEADER_LENGTH = 4
#: The uint24 length allows 16 MiB; a longer message than this is refused (OpenSSL's limit on a
#: certificate list is 100 KiB, GmSSL's smaller), so a corrupt length cannot make us buffer megabytes.
MAX_HANDSHAKE = 1 << 18


def handshake(msg_type: int, body: bytes) -> bytes:
    """A handshake message: type, uint24 length, body."""
    return u8(msg_type) + u24(len(body)) + body


@dataclass(frozen=True)
class HandshakeMessage:
    """One handshake message: type, body, and the full encoding (type, uint24 length, body)."""

    msg_type: int
    body: bytes

    @property
    def raw(self) -> bytes:
        """The message as hashed into the transcript."""
        return handshake(self.msg_type, self.body)


class HandshakeReassembler:
    """Collects handshake-record fragments and yields whole handshake messages."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, fragment: bytes) -> Iterator[HandshakeMessage]:
        """Add a fragment; yield every message completed by it (a refused length raises DecodeError)."""
        self._buffer += fragment
        while len(self._buffer) >= HEADER_LENGTH:
            length = int.from_bytes(self._buffer[1:4], "big")
            if length > MAX_HANDSHAKE:
                self._buffer = b""
                raise DecodeError(f"handshake message of {length} bytes is implausibly long")
            if len(self._buffer) < HEADER_LENGTH + length:
                return
            message = HandshakeMessage(self._buffer[0], self._buffer[HEADER_LENGTH : HEADER_LENGTH + length])
            self._buffer = self._buffer[HEADER_LENGTH + length :]
            yield message

    @property
    def pending(self) -> bool:
        """Whether part of a message is still buffered."""
        return bool(self._buffer)
