"""TLS/TLCP record framing over a socket, bounded by a deadline, and handshake reassembly.

The record header is the same in SSL 3.0, TLS 1.0-1.3 and TLCP (GB/T 38636-2020 §6.3):
content type (1 byte), protocol version (2 bytes), length (2 bytes).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

from mptool.proto.wire import DecodeError

CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23
CONTENT_TYPES = frozenset({CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA})

#: TLS allows 2^14 plaintext + 2048 expansion; anything above is not TLS.
MAX_RECORD = (1 << 14) + 2048


#: Every kind of :class:`ConnectionProblem` (a stable short code, part of finding codes) and its meaning.
PROBLEM_KINDS: dict[str, str] = {
    "refused": "the connection was refused",
    "timeout": "no complete answer before the timeout or the time limit",
    "unreachable": "the network or host is unreachable",
    "resolve": "the host name cannot be resolved",
    "socket_error": "another socket error",
    "reset": "the peer reset the connection",
    "closed": "the peer closed the connection",
    "not_tls": "the peer does not speak TLS or TLCP (its first bytes are not a TLS record header)",
    "alert": "the peer sent an alert",
    "budget_exhausted": "the probe reached its connection or time limit",
    "needs_client_keys": "the server asks for a client certificate and no client keys were given",
    "bad_certificate": "the peer's certificate cannot be used (unreadable, wrong key type)",
    "bad_certificate_verify": "the client's CertificateVerify signature does not verify",
    "bad_finished": "the peer's Finished message does not verify",
    "bad_pms": "the pre-master secret cannot be decrypted or has the wrong form",
    "bad_record_mac": "a record's MAC (or AEAD tag) does not verify",
    "bad_ske_signature": "the ServerKeyExchange signature does not verify with the server's signing certificate",
    "decode_error": "a message cannot be decoded",
    "ecdhe_needs_client_keys": "an ECDHE suite needs client keys, which were not given",
    "illegal_parameter": "a message carries an illegal parameter",
    "no_client_certificate": "the client sent no certificate although one was requested",
    "no_client_encryption_certificate": "the client sent no encryption certificate for an ECDHE suite",
    "no_shared_suite": "no offered suite is enabled on this server",
    "protocol_version": "the peer speaks another protocol version",
    "suite_not_offered": "the peer chose a cipher suite that was not offered",
    "unexpected_message": "a handshake message arrived out of order",
}


class ConnectionProblem(Exception):
    """The peer did not answer as a TLS/TLCP endpoint; ``kind`` is a stable short code of :data:`PROBLEM_KINDS`."""

    def __init__(self, kind: str, message: str) -> None:
        if kind not in PROBLEM_KINDS:
            raise ValueError(f"undeclared connection problem kind {kind!r}")
        super().__init__(message)
        self.kind = kind


class PeerAlert(ConnectionProblem):
    """The peer sent an alert (``level``, ``description``)."""

    def __init__(self, level: int, description: int) -> None:
        super().__init__("alert", f"peer sent alert level {level} description {description}")
        self.level = level
        self.description = description


@dataclass(frozen=True)
class Record:
    """One record: content type, protocol version and the (possibly protected) fragment."""

    content_type: int
    version: int
    fragment: bytes

    def encode(self) -> bytes:
        """The record on the wire."""
        return bytes([self.content_type]) + self.version.to_bytes(2, "big") + len(self.fragment).to_bytes(2, "big") + self.fragment


def parse_records(data: bytes) -> tuple[list[Record], bytes]:
    """Split a byte stream into complete records; returns them and the incomplete tail."""
    records: list[Record] = []
    pos = 0
    while len(data) - pos >= 5:
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        if len(data) - pos < 5 + length:
            break
        records.append(Record(data[pos], int.from_bytes(data[pos + 1 : pos + 3], "big"), data[pos + 5 : pos + 5 + length]))
        pos += 5 + length
    return records, data[pos:]


def looks_like_record_header(header: bytes) -> bool:
    """Whether 5 bytes can start a TLS/TLCP record (known type, version 1.x or 3.x, sane length)."""
    if len(header) < 5:
        return False
    length = int.from_bytes(header[3:5], "big")
    return header[0] in CONTENT_TYPES and header[1] in (1, 3) and length <= MAX_RECORD


class RecordStream:
    """Reads and writes records on a connected socket; every read respects one deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self._buffer = b""
        self.bytes_read = 0

    def _recv_exactly(self, n: int) -> bytes:
        while len(self._buffer) < n:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise ConnectionProblem("timeout", "no complete answer before the time limit")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(max(n - len(self._buffer), 4096))
            except socket.timeout:
                raise ConnectionProblem("timeout", "no complete answer before the time limit") from None
            except ConnectionResetError:
                raise ConnectionProblem("reset", "connection reset by the peer") from None
            except OSError as exc:
                raise ConnectionProblem("socket_error", f"socket error: {exc.strerror or exc}") from None
            if not chunk:
                raise ConnectionProblem("closed", "the peer closed the connection")
            self.bytes_read += len(chunk)
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def read_record(self) -> Record:
        """The next record; a header that is not TLS/TLCP raises ``ConnectionProblem('not_tls')``."""
        header = self._recv_exactly(5)
        if not looks_like_record_header(header):
            raise ConnectionProblem("not_tls", f"the answer is not a TLS/TLCP record (first bytes {header.hex()})")
        length = int.from_bytes(header[3:5], "big")
        return Record(header[0], int.from_bytes(header[1:3], "big"), self._recv_exactly(length))

    def write(self, data: bytes) -> None:
        """Send bytes (one or more encoded records)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ConnectionProblem("timeout", "time limit reached before sending")
        self.sock.settimeout(left)
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise ConnectionProblem("timeout", "the peer does not accept data") from None
        except OSError as exc:
            raise ConnectionProblem("socket_error", f"cannot send: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class HandshakeMessage:
    """One handshake message: type, body, and the full encoding (type, uint24 length, body)."""

    msg_type: int
    body: bytes

    @property
    def raw(self) -> bytes:
        """The message as hashed into the transcript."""
        return bytes([self.msg_type]) + len(self.body).to_bytes(3, "big") + self.body


class HandshakeReassembler:
    """Collects handshake-record fragments and yields whole handshake messages."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, fragment: bytes) -> Iterator[HandshakeMessage]:
        """Add a fragment; yield every message completed by it."""
        self._buffer += fragment
        while len(self._buffer) >= 4:
            length = int.from_bytes(self._buffer[1:4], "big")
            if length > (1 << 18):
                raise DecodeError(f"handshake message of {length} bytes is implausibly long")
            if len(self._buffer) < 4 + length:
                return
            yield HandshakeMessage(self._buffer[0], self._buffer[4 : 4 + length])
            self._buffer = self._buffer[4 + length :]

    @property
    def pending(self) -> bool:
        """Whether part of a message is still buffered."""
        return bool(self._buffer)


def connect(host: str, port: int, timeout: float) -> socket.socket:
    """Open a TCP connection; refused/unreachable/timeout become :class:`ConnectionProblem`."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    except ConnectionRefusedError:
        raise ConnectionProblem("refused", f"connection to {host}:{port} refused") from None
    except socket.timeout:
        raise ConnectionProblem("timeout", f"no TCP connection to {host}:{port} within {timeout:g} s") from None
    except socket.gaierror as exc:
        raise ConnectionProblem("resolve", f"cannot resolve {host}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise ConnectionProblem("unreachable", f"cannot connect to {host}:{port}: {exc.strerror or exc}") from None
