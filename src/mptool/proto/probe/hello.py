"""One probe connection: send a ClientHello, read the server's first flight, close.

Every connection is counted and bounded by a :class:`Budget` (number of connections and
an overall deadline), so a probe can never hang or open an unbounded number of connections.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

from mptool.proto.registry import tls as ids
from mptool.proto.tls import messages as m
from mptool.proto.tls.handshake import HandshakeReassembler
from mptool.proto.tls.record import ALERT, HANDSHAKE, Record
from mptool.proto.tls.transport import ConnectionProblem, RecordStream, connect
from mptool.proto.wire import DecodeError


class BudgetExhausted(ConnectionProblem):
    """The probe reached its connection or time limit."""

    def __init__(self, message: str) -> None:
        super().__init__("budget_exhausted", message)


@dataclass
class Budget:
    """Limits of one probe run: connections opened and wall time."""

    max_connections: int
    time_limit: float
    timeout: float
    used: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def deadline(self) -> float:
        """When the whole probe must end (monotonic clock)."""
        return self.started + self.time_limit

    def open(self, host: str, port: int) -> tuple[socket.socket, float]:
        """Open one counted connection; returns it and its own deadline."""
        now = time.monotonic()
        if self.used >= self.max_connections:
            raise BudgetExhausted(f"connection limit of {self.max_connections} reached")
        if now >= self.deadline:
            raise BudgetExhausted(f"time limit of {self.time_limit:g} s reached")
        self.used += 1
        per_connection = min(self.timeout, self.deadline - now)
        sock = connect(host, port, per_connection)
        return sock, now + per_connection


@dataclass
class HelloOutcome:
    """What the server answered to one ClientHello."""

    status: str  #: server_hello, alert, or a ConnectionProblem kind (refused, timeout, not_tls, closed, ...)
    message: str = ""
    server_hello: m.ServerHello | None = None
    record_version: int | None = None
    certificates: list[bytes] = field(default_factory=list)
    alert: tuple[int, int] | None = None

    @property
    def accepted(self) -> bool:
        """Whether the server answered with a ServerHello (or HelloRetryRequest)."""
        return self.server_hello is not None


def send_hello(budget: Budget, host: str, port: int, hello: bytes, record_version: int, want_certificates: bool = False) -> HelloOutcome:
    """Send ``hello`` (a handshake message) in one record and classify the answer."""
    try:
        sock, deadline = budget.open(host, port)
    except ConnectionProblem as exc:
        return HelloOutcome(exc.kind, str(exc))
    try:
        stream = RecordStream(sock, deadline)
        stream.write(Record(HANDSHAKE, record_version, hello).encode())
        return _read_flight(stream, want_certificates)
    except ConnectionProblem as exc:
        return HelloOutcome(exc.kind, str(exc))
    finally:
        sock.close()


def _read_flight(stream: RecordStream, want_certificates: bool) -> HelloOutcome:
    reassembler = HandshakeReassembler()
    outcome: HelloOutcome | None = None
    while True:
        try:
            record = stream.read_record()
        except ConnectionProblem as exc:
            if outcome is not None:  # the ServerHello came; missing certificates are not fatal
                return outcome
            raise
        if record.content_type == ALERT and outcome is None:
            try:
                level, description = m.parse_alerts(record.fragment)[0]
            except DecodeError as exc:
                return HelloOutcome("decode_error", str(exc), record_version=record.version)
            return HelloOutcome("alert", f"alert {description}", record_version=record.version, alert=(level, description))
        if record.content_type != HANDSHAKE:
            if outcome is not None:
                return outcome
            return HelloOutcome("unexpected_record", f"record type {record.content_type} before ServerHello", record_version=record.version)
        try:
            for msg in reassembler.feed(record.fragment):
                if msg.msg_type == m.SERVER_HELLO and outcome is None:
                    sh = m.ServerHello.parse(msg.body)
                    outcome = HelloOutcome("server_hello", "", sh, record.version)
                    if not want_certificates or sh.negotiated_version == ids.TLS13:
                        return outcome
                elif outcome is None:
                    return HelloOutcome("unexpected_message", f"handshake message {msg.msg_type} before ServerHello", record_version=record.version)
                elif msg.msg_type == m.CERTIFICATE:
                    outcome.certificates = m.parse_certificate(msg.body)
                    return outcome
                elif msg.msg_type == m.SERVER_HELLO_DONE:
                    return outcome
        except DecodeError as exc:
            if outcome is not None:
                return outcome
            return HelloOutcome("decode_error", str(exc), record_version=record.version)
