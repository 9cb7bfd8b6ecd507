"""TLS / TLCP records over a socket, every read bounded by one deadline (the active side).

:class:`ConnectionProblem` is how the prober and the TLCP endpoint report that a peer did not
answer as a TLS/TLCP endpoint; its ``kind`` is part of finding codes (``proto.probe.<kind>``,
``proto.serve.<kind>``), so every kind is declared in :data:`PROBLEM_KINDS`.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from mptool.proto.tls.record import HEADER_LENGTH, Record, header_fields, looks_like_record_header


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
    "stopped": "the run was stopped (SIGINT/SIGTERM or --duration) before the connection completed",
    "too_much_data": "the peer sent more bytes than the per-connection limit",
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


#: Bytes one connection may send before it is cut off (a handshake is a few KiB; issue 21).
MAX_CONNECTION_BYTES = 1 << 20



def recv_before(sock: socket.socket, deadline: float, size: int) -> bytes:
    """One ``recv`` of at most ``size`` bytes before ``deadline`` (time.monotonic); a timeout, a
    reset, another socket error or the peer closing is a :class:`ConnectionProblem`."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise ConnectionProblem("timeout", "no complete answer before the time limit")
    sock.settimeout(left)
    try:
        chunk = sock.recv(size)
    except socket.timeout:
        raise ConnectionProblem("timeout", "no complete answer before the time limit") from None
    except ConnectionResetError:
        raise ConnectionProblem("reset", "connection reset by the peer") from None
    except OSError as exc:
        raise ConnectionProblem("socket_error", f"socket error: {exc.strerror or exc}") from None
    if not chunk:
        raise ConnectionProblem("closed", "the peer closed the connection")
    return chunk


class RecordStream:
    """Reads and writes records on a connected socket; every read respects one deadline and at
    most ``max_bytes`` are read (``prefix``: bytes already read from the socket)."""

    def __init__(self, sock: socket.socket, deadline: float, prefix: bytes = b"", max_bytes: int = MAX_CONNECTION_BYTES) -> None:
        self.sock = sock
        self.deadline = deadline
        self._buffer = prefix
        self.bytes_read = len(prefix)
        self.max_bytes = max_bytes

    def _recv_exactly(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = recv_before(self.sock, self.deadline, max(n - len(self._buffer), 4096))
            self.bytes_read += len(chunk)
            if self.bytes_read > self.max_bytes:
                raise ConnectionProblem("too_much_data", f"the peer sent more than {self.max_bytes} bytes")
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def read_record(self) -> Record:
        """The next record; a header that is not TLS/TLCP raises ``ConnectionProblem('not_tls')``."""
        header = self._recv_exactly(HEADER_LENGTH)
        if not looks_like_record_header(header):
            raise ConnectionProblem("not_tls", f"the answer is not a TLS/TLCP record (first bytes {header.hex()})")
        content_type, version, length = header_fields(header)
        return Record(content_type, version, self._recv_exactly(length))

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


def resolve(host: str, port: int, timeout: float) -> list[tuple]:
    """``getaddrinfo`` bounded by ``timeout``: it runs in a daemon thread (the C resolver cannot be
    interrupted), so a silent or hostile DNS server costs at most ``timeout`` (issue 21)."""
    try:  # an address literal needs no resolver
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        pass
    answer: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError, ValueError) as exc:
            answer.append(exc)
        done.set()

    threading.Thread(target=lookup, name="mptool-resolve", daemon=True).start()
    if not done.wait(max(timeout, 0.0)):
        raise ConnectionProblem("resolve", f"cannot resolve {host} within {timeout:g} s (the resolver does not answer)")
    result = answer[0]
    if isinstance(result, BaseException):
        reason = getattr(result, "strerror", None) or str(result)
        raise ConnectionProblem("resolve", f"cannot resolve {host}: {reason}")
    if not result:
        raise ConnectionProblem("resolve", f"cannot resolve {host}: no address")
    return result


def connect(host: str, port: int, timeout: float) -> socket.socket:
    """Open a TCP connection (name resolution included in ``timeout``); refused/unreachable/timeout
    become :class:`ConnectionProblem`."""
    ends = time.monotonic() + timeout
    addresses = resolve(host, port, timeout)
    last: ConnectionProblem | None = None
    for family, kind, proto, _, address in addresses:
        left = ends - time.monotonic()
        if left <= 0:
            break
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            sock.connect(address)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except ConnectionRefusedError:
            last = ConnectionProblem("refused", f"connection to {host}:{port} refused")
        except socket.timeout:
            last = ConnectionProblem("timeout", f"no TCP connection to {host}:{port} within {timeout:g} s")
        except OSError as exc:
            last = ConnectionProblem("unreachable", f"cannot connect to {host}:{port}: {exc.strerror or exc}")
        sock.close()
    raise last or ConnectionProblem("timeout", f"no TCP connection to {host}:{port} within {timeout:g} s")
