"""``mptool proto serve --tlcp``: a TLCP test endpoint that records what each client does.

Bounded against hostile clients (issue 21):

- every connection has one deadline, ``handshake_timeout`` from the moment it is accepted;
- a connection waits in a selector (no thread) until its first record has arrived, so idle and
  slowloris sockets do not hold a worker; at most ``max_pending`` connections are open at once
  (beyond that the kernel's listen backlog holds them until a slot frees);
- a connection whose first record is in gets a thread of its own (at most ``max_pending``), but
  it computes only while it holds one of ``workers`` slots, and it holds a slot only while it
  has a complete record to handle: waiting for the client's next bytes or for the client to
  read releases the slot (:class:`_SlotStream`). A client that sends a ClientHello and then
  stalls or trickles holds a blocked thread until its deadline, never a worker, so a real
  client is served while thousands of such clients are connected;
- each connection may send at most :data:`~mptool.proto.tls.transport.MAX_CONNECTION_BYTES`;
- failing to accept (out of file descriptors) is recorded (``proto.serve.listener``) and
  accepting resumes shortly after;
- the server stops after ``max_connections`` connections, after ``duration`` seconds, or on
  SIGINT/SIGTERM (open connections are cut at once), and the evidence (one
  ``proto.serve.tlcp_client`` result per connection, whatever the client sent) is then written.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyasn1.codec.der import decoder, encoder
from pyasn1_modules import rfc5280

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.report import ReportBuilder
from mptool.proto.registry import tls as ids
from mptool.proto.checks import serve as serve_checks
from mptool.proto.probe.keys import load_certificates, load_key_pair
from mptool.proto.tls.record import HEADER_LENGTH, header_fields, looks_like_record_header
from mptool.proto.tls.transport import MAX_CONNECTION_BYTES, ConnectionProblem, PeerAlert, RecordStream
from mptool.proto.wire import DecodeError
from mptool.proto.tlcp.suites import IMPLEMENTED
from mptool.proto.tlcp.channel import ECDHE_INITIATORS, Channel, Credentials, HandshakeFailure
from mptool.proto.tlcp.server import ServerConfig, ServerLog, server_handshake

#: Failures that are the client's fault (its message was wrong): the result fails.
CLIENT_ERRORS = frozenset(
    {"bad_finished", "bad_certificate_verify", "bad_pms", "decode_error", "unexpected_message", "bad_record_mac", "illegal_parameter", "bad_certificate", "no_client_encryption_certificate"}
)
#: The client does not speak what this server serves (a TLS client, no shared suite): a warning.
NOT_SERVED = frozenset({"protocol_version", "no_shared_suite", "no_client_certificate"})


@dataclass(frozen=True)
class ServeOptions:
    """Resolved options of ``proto serve --tlcp``."""

    host: str
    port: int
    sign_cert: str
    sign_key: str
    enc_cert: str
    enc_key: str
    ca: tuple[str, ...] = ()
    client_auth: bool = False
    suites: tuple[int, ...] = tuple(IMPLEMENTED)
    max_connections: int | None = None
    duration: float | None = None
    handshake_timeout: float = 10.0
    workers: int = 4  #: handshakes run at the same time
    max_pending: int = 1024  #: connections open at once (waiting for their first record or served)
    ecdhe_initiator: str = "auto"  #: auto (accept both SM2 key-exchange orders), server or client
    client_format: str = "auto"  #: auto, gmssl or tongsuo: ECDHE ClientKeyExchange / CertificateVerify forms accepted


def load_config(builder: ReportBuilder, options: ServeOptions) -> ServerConfig:
    """Read keys and certificates (recording each input) and check that keys match certificates."""
    sign_cert, sign_key = load_key_pair(options.sign_cert, options.sign_key)
    enc_cert, enc_key = load_key_pair(options.enc_cert, options.enc_key)
    cas = [load_certificates(path) for path in options.ca]
    for record in (sign_cert.record, sign_key.record, enc_cert.record, enc_key.record, *(f.record for f in cas)):
        builder.add_input(record)
    ca_ders = [der for f in cas for der in f.ders]
    chain = [sign_cert.ders[0], enc_cert.ders[0], *sign_cert.ders[1:], *ca_ders]
    return ServerConfig(
        Credentials(sign_key.d, enc_key.d, chain),
        suites=options.suites,
        client_auth=options.client_auth,
        ca_subjects=tuple(_subject_der(der) for der in ca_ders),
        ecdhe_initiators=ECDHE_INITIATORS if options.ecdhe_initiator == "auto" else (options.ecdhe_initiator,),
        client_format=options.client_format,
    )


def _subject_der(der: bytes) -> bytes:
    cert, _ = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    return encoder.encode(cert["tbsCertificate"]["subject"])


def response_for(log: ServerLog) -> bytes:
    """The HTTP/1.0 answer to a client's first application data: what was negotiated."""
    body = f"mptool TLCP test server\nsuite {ids.hex_id(log.suite or 0)} {ids.suite_name(log.suite or 0)}\n".encode()
    return b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body


class WorkerSlot:
    """One connection's share of the worker slots: taken before its deadline, given back while the
    connection waits on the client, and taken again before the same deadline."""

    def __init__(self, slots: threading.Semaphore, deadline: float) -> None:
        self.slots = slots
        self.deadline = deadline
        self.held = False

    def take(self) -> bool:
        """Wait for a free slot until the connection's deadline; False if none came in time."""
        self.held = self.slots.acquire(timeout=max(self.deadline - time.monotonic(), 0.0))
        return self.held

    def give(self) -> None:
        """Give the slot back if this connection holds it."""
        if self.held:
            self.held = False
            self.slots.release()

    @contextlib.contextmanager
    def released(self) -> Iterator[None]:
        """No slot held for the block (a wait on the client); one taken again after it, or the
        connection ends with a timeout when none is free before its deadline."""
        self.give()
        try:
            yield
        finally:
            taken = self.take()
        if not taken:
            raise ConnectionProblem("timeout", "no worker free again before the handshake deadline")


class _SlotStream(RecordStream):
    """A record stream that gives its worker slot back while it waits on the client.

    The handshake code reads and writes as if blocking; whenever the bytes it asks for are not
    already buffered (or it sends), the slot is released for the wait and taken again (before
    the deadline) once the bytes are in, so only connections with work to do hold a slot.
    """

    def __init__(self, sock: socket.socket, deadline: float, prefix: bytes, slot: WorkerSlot) -> None:
        super().__init__(sock, deadline, prefix)
        self.slot = slot

    def _recv_exactly(self, n: int) -> bytes:
        if len(self._buffer) >= n:
            return super()._recv_exactly(n)
        with self.slot.released():
            return super()._recv_exactly(n)

    def write(self, data: bytes) -> None:
        with self.slot.released():
            super().write(data)


def handle_connection(sock: socket.socket, config: ServerConfig, timeout: float, *, deadline: float | None = None, prefix: bytes = b"", slot: WorkerSlot | None = None) -> tuple[ServerLog, ConnectionProblem | None]:
    """Serve one connection (``prefix``: bytes already read, ``deadline``: default ``timeout``
    from now, ``slot``: the caller's worker slot, given back while waiting on the client); returns
    the log and the problem that ended it early, if any."""
    log = ServerLog()
    ends = deadline if deadline is not None else time.monotonic() + timeout
    channel = Channel(RecordStream(sock, ends, prefix) if slot is None else _SlotStream(sock, ends, prefix, slot))
    try:
        server_handshake(channel, config, log, response=response_for)
    except ConnectionProblem as exc:
        if exc.kind not in ("closed", "reset", "timeout", "too_much_data"):
            if slot is not None:
                slot.give()  # lingering is waiting on the client: no slot held, none needed after it
            _linger(sock)  # the peer may still read our alert
        return log, exc
    except DecodeError as exc:  # a message the framing refuses (e.g. an oversized Finished)
        return log, ConnectionProblem("decode_error", f"undecodable message: {exc}")
    return log, None


def _linger(sock: socket.socket, seconds: float = 0.5) -> None:
    """Close our side gracefully and drain the client's data briefly, so it reads our alert
    instead of a connection reset."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(seconds)
        ends = time.monotonic() + seconds
        while time.monotonic() < ends and sock.recv(65536):
            pass
    except OSError:
        pass


def connection_result(number: int, peer: str, log: ServerLog, problem: ConnectionProblem | None) -> CheckResult:
    """The ``proto.serve.tlcp_client`` result of one connection."""
    spec = serve_checks.SERVE_CLIENT
    measurements = {"connection": number, "peer": peer, **log.measurements()}
    findings: list[Finding] = []
    status = Status.PASS if log.completed else Status.INFO
    if problem is not None:
        measurements["ended_by"] = problem.kind
        if isinstance(problem, PeerAlert):
            name = ids.alert_name(problem.description)
            findings.append(Finding(code="proto.serve.client_alert", severity=Severity.WARN, message=f"the client sent alert {name}", data={"alert": name}))
            status = Status.WARN
        elif problem.kind in CLIENT_ERRORS:
            findings.append(Finding(code=f"proto.serve.{problem.kind}", severity=Severity.ERROR, message=str(problem)))
            status = Status.FAIL
        elif isinstance(problem, HandshakeFailure) and problem.kind in NOT_SERVED:
            findings.append(Finding(code=f"proto.serve.{problem.kind}", severity=Severity.WARN, message=str(problem)))
            status = Status.WARN
        else:
            findings.append(Finding(code=f"proto.serve.{problem.kind}", severity=Severity.INFO, message=f"the connection ended before the handshake completed: {problem}"))
    if log.pms_version is not None and log.pms_version != "0101":
        findings.append(Finding(code="proto.serve.pms_version", severity=Severity.WARN, message=f"the pre-master secret starts with {log.pms_version}, not the TLCP version 0101", data={"pms_version": log.pms_version}))
        status = Status.WARN if status is Status.PASS else status
    non_sm = [s for s in log.offered_suites if s in ids.TLCP_CIPHER_SUITES and not ids.suite_info(s).gm]
    if non_sm:
        findings.append(Finding(code="proto.serve.non_sm_suite_offered", severity=Severity.INFO, message="the client offered TLCP suites that are not all-SM", data={"suites": [ids.hex_id(s) for s in non_sm]}))
    return spec.result(status, subject=f"connection {number} from {peer}", measurements=measurements, findings=findings)


def _client_certificate_results(number: int, log: ServerLog, trust: list[bytes]) -> list[CheckResult]:
    """Chain (to --ca) and pair checks of the certificates a client sent (cert domain; no lint)."""
    from mptool.proto.probe.certcheck import check_handshake_certificates

    if not log.client_certificates:
        return []
    try:
        return check_handshake_certificates(
            log.client_certificates, tlcp=True, trust=trust, subject=f"connection {number} client certificates", purpose="client", lint=False
        )
    except InputError as exc:
        finding = Finding(code="proto.serve.client_certificate_unreadable", severity=Severity.ERROR, message=str(exc))
        return [serve_checks.SERVE_CLIENT.result(Status.FAIL, subject=f"connection {number} client certificates", findings=[finding])]


def serve(
    builder: ReportBuilder,
    options: ServeOptions,
    *,
    announce: Callable[[str], None] = lambda text: None,
    stop: threading.Event | None = None,
) -> None:
    """Run the server until a limit or ``stop``; add one result per connection to ``builder``."""
    config = load_config(builder, options)
    trust = [der for path in options.ca for der in load_certificates(path).ders]
    builder.parameters.update(
        protocol="TLCP",
        host=options.host,
        port=options.port,
        suites=[ids.hex_id(s) for s in options.suites],
        client_auth=options.client_auth or "ECDHE suites only",
        max_connections=options.max_connections,
        duration=options.duration,
        handshake_timeout=options.handshake_timeout,
        workers=options.workers,
        ecdhe_initiator=options.ecdhe_initiator,
        client_format=options.client_format,
        sm2_user_id=DEFAULT_USER_ID.decode(),
    )
    builder.parameters["max_pending"] = options.max_pending
    builder.parameters["max_connection_bytes"] = MAX_CONNECTION_BYTES
    stop = stop or threading.Event()
    try:
        family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
        listener = socket.create_server((options.host, options.port), family=family, reuse_port=False, backlog=128)
    except OSError as exc:
        raise InputError("--port", f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
    host, port = listener.getsockname()[:2]
    builder.parameters["bound_port"] = port
    announce(f"TLCP server listening on {host}:{port}")
    loop = _Loop(listener, options, config, trust, announce, stop)
    with listener:
        loop.run()
    for n in sorted(loop.results):  # connection order, whatever order the workers finished in
        builder.extend(loop.results[n])
    if loop.accept_errors:
        builder.add(_listener_result(loop.accept_errors, loop.accept_problem))
    builder.summary_extra["connections"] = loop.number


def _listener_result(count: int, problem: str) -> CheckResult:
    spec = serve_checks.SERVE_LISTENER
    finding = Finding(code="proto.serve.accept_failed", severity=Severity.WARN, message=f"{count} times a connection could not be accepted: {problem}; clients waited in the listen backlog", data={"count": count})
    return spec.result(Status.WARN, subject="listener", measurements={"accept_errors": count, "problem": problem}, findings=[finding])


def _raise_fd_limit(want: int) -> None:
    """Raise the soft limit of open files towards ``want`` (within the hard limit), so
    ``max_pending`` connections can be open; where it cannot, accepting fails with EMFILE, which
    is recorded (``proto.serve.listener``)."""
    try:
        import resource  # POSIX; proto serve is a lab command (README "What runs where")
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (OSError, ValueError):
            pass


@dataclass
class _Waiting:
    """An accepted connection waiting (in the selector) for its first record."""

    number: int
    sock: socket.socket
    peer: str
    deadline: float
    data: bytes = b""

    def complete(self) -> bool:
        """Whether the first record is in (or the bytes are not TLS: the handshake says so)."""
        if len(self.data) < HEADER_LENGTH:
            return False
        if not looks_like_record_header(self.data[:HEADER_LENGTH]):
            return True
        return len(self.data) >= HEADER_LENGTH + header_fields(self.data[:HEADER_LENGTH])[2]


class _Loop:
    """The accept / first-record / dispatch loop of one ``proto serve`` run."""

    def __init__(self, listener: socket.socket, options: ServeOptions, config: ServerConfig, trust: list[bytes], announce: Callable[[str], None], stop: threading.Event) -> None:
        self.listener, self.options, self.config, self.trust = listener, options, config, trust
        self.announce, self.stop = announce, stop
        self.results: dict[int, list[CheckResult]] = {}
        self.number = 0
        self.accept_errors = 0
        self.accept_problem = ""
        self.waiting: dict[int, _Waiting] = {}  # fd -> connection
        self.active: dict[int, socket.socket] = {}  # number -> socket being served
        self.lock = threading.Lock()
        self.open = 0  # accepted and not finished
        self.slots = threading.BoundedSemaphore(options.workers)  # handshakes computing at once (_SlotStream)
        self.stopping = False  # the run is over: cut what is still open

    def _limit_reached(self) -> bool:
        return self.options.max_connections is not None and self.number >= self.options.max_connections

    def run(self) -> None:
        options = self.options
        ends = time.monotonic() + options.duration if options.duration else None
        selector = selectors.DefaultSelector()
        self.listener.setblocking(False)
        listening = False
        paused_until = 0.0
        # a thread per served connection (blocked threads are cheap: 1 MiB of stack reserved, little
        # of it touched); `workers` slots bound the computing
        _raise_fd_limit(options.max_pending + 64)
        stack = threading.stack_size(1 << 20)
        pool = ThreadPoolExecutor(max_workers=options.max_pending, thread_name_prefix="tlcp")
        cut = True
        try:
            while not self.stop.is_set():
                now = time.monotonic()
                if ends is not None and now >= ends:
                    break
                if self._limit_reached() and not self.waiting:
                    break
                want = not self._limit_reached() and self.open < options.max_pending and now >= paused_until
                if want != listening:
                    if want:
                        selector.register(self.listener, selectors.EVENT_READ)
                    else:
                        selector.unregister(self.listener)
                    listening = want
                for key, _ in selector.select(0.1):
                    if key.fileobj is self.listener:
                        paused_until = self._accept(selector)
                        if paused_until and listening:
                            selector.unregister(self.listener)
                            listening = False
                    else:
                        self._read(selector, pool, key.fileobj)  # type: ignore[arg-type]
                self._expire(selector)
                if self._limit_reached() and not self.waiting:
                    break
            cut = self.stop.is_set() or (ends is not None and time.monotonic() >= ends)
        finally:
            if cut:
                self._stop_all(selector)
            while self.open > 0:  # the handshakes still running end by their deadline, or at once on a signal
                if self.stop.is_set() and not self.stopping:
                    self._stop_all(selector)
                time.sleep(0.05)
            pool.shutdown(wait=True)
            threading.stack_size(stack)
            selector.close()

    def _accept(self, selector: selectors.BaseSelector) -> float:
        """Accept every waiting connection; returns the time until which accepting pauses (0: none)."""
        while not self._limit_reached() and self.open < self.options.max_pending:
            try:
                sock, address = self.listener.accept()
            except BlockingIOError:
                return 0.0
            except OSError as exc:  # EMFILE / ENFILE / ENOBUFS: recorded, retried shortly
                self.accept_errors += 1
                self.accept_problem = f"{errno.errorcode.get(exc.errno or 0, 'error')}: {exc.strerror or exc}"
                if self.accept_errors == 1:
                    self.announce(f"cannot accept a connection: {self.accept_problem}")
                return time.monotonic() + 0.2
            self.number += 1
            self.open += 1
            sock.setblocking(False)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            waiting = _Waiting(self.number, sock, f"{address[0]}:{address[1]}", time.monotonic() + self.options.handshake_timeout)
            self.waiting[sock.fileno()] = waiting
            selector.register(sock, selectors.EVENT_READ)
        return 0.0

    def _read(self, selector: selectors.BaseSelector, pool: ThreadPoolExecutor, sock: socket.socket) -> None:
        waiting = self.waiting[sock.fileno()]
        try:
            chunk = sock.recv(HEADER_LENGTH + (1 << 15) - len(waiting.data))
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        waiting.data += chunk
        if chunk and not waiting.complete():
            return
        if not waiting.data:  # closed (or reset) before sending anything: no worker needed
            self._drop(selector, sock.fileno(), ConnectionProblem("closed", "the client closed the connection before sending anything"))
            return
        selector.unregister(sock)
        del self.waiting[sock.fileno()]
        sock.setblocking(True)
        with self.lock:
            self.active[waiting.number] = sock
        pool.submit(self._work, waiting)

    def _expire(self, selector: selectors.BaseSelector) -> None:
        now = time.monotonic()
        for fd, waiting in list(self.waiting.items()):
            if now >= waiting.deadline:
                self._drop(selector, fd, ConnectionProblem("timeout", "no complete first record before the handshake timeout"))

    def _drop(self, selector: selectors.BaseSelector, fd: int, problem: ConnectionProblem) -> None:
        waiting = self.waiting.pop(fd)
        selector.unregister(waiting.sock)
        waiting.sock.close()
        self._record(waiting.number, waiting.peer, ServerLog(), problem)

    def _stop_all(self, selector: selectors.BaseSelector) -> None:
        """End of the run: connections still waiting are recorded as stopped, served ones cut."""
        for fd in list(self.waiting):
            self._drop(selector, fd, ConnectionProblem("stopped", "the server stopped before the client's first record"))
        with self.lock:
            self.stopping = True
            for sock in self.active.values():
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _record(self, number: int, peer: str, log: ServerLog, problem: ConnectionProblem | None) -> None:
        """The results of one connection: always at least one, whatever went wrong."""
        subject = f"connection {number} from {peer}"
        try:
            result = connection_result(number, peer, log, problem)
        except Exception as exc:  # noqa: BLE001 - a bug must end up in the evidence
            result = serve_checks.SERVE_CLIENT.error_result(subject, exc)
        try:
            extra = _client_certificate_results(number, log, self.trust)
        except Exception as exc:  # noqa: BLE001 - e.g. a certificate the cert domain cannot read
            finding = Finding(code="proto.serve.client_certificate_unreadable", severity=Severity.ERROR, message=f"{type(exc).__name__}: {exc}")
            extra = [serve_checks.SERVE_CLIENT.result(Status.FAIL, subject=f"connection {number} client certificates", findings=[finding])]
        with self.lock:
            self.results[number] = [result, *extra]
            self.open -= 1
        state = "completed" if log.completed else (problem.kind if problem else "incomplete")
        self.announce(f"{subject}: {result.status.value} ({state})")

    def _work(self, waiting: _Waiting) -> None:
        sock = waiting.sock
        log, problem = ServerLog(), None
        try:
            with sock:
                if self.stopping:
                    problem = ConnectionProblem("stopped", "the server stopped before the handshake")
                elif not (slot := WorkerSlot(self.slots, waiting.deadline)).take():
                    problem = ConnectionProblem("timeout", "no worker free before the handshake timeout")
                else:
                    try:
                        log, problem = handle_connection(sock, self.config, self.options.handshake_timeout, deadline=waiting.deadline, prefix=waiting.data, slot=slot)
                    finally:
                        slot.give()
                    if self.stopping and problem is not None:
                        problem = ConnectionProblem("stopped", f"the server stopped during the handshake ({problem})")
        except Exception as exc:  # noqa: BLE001 - a bug must end up in the evidence, not in a lost thread
            with self.lock:
                self.results[waiting.number] = [serve_checks.SERVE_CLIENT.error_result(f"connection {waiting.number} from {waiting.peer}", exc)]
                self.open -= 1
                self.active.pop(waiting.number, None)
            return
        with self.lock:
            self.active.pop(waiting.number, None)
        self._record(waiting.number, waiting.peer, log, problem)


def parse_suites(text: str | None) -> tuple[int, ...]:
    """``--suites``: ids (``E013``, ``0xE013``) or names, comma-separated; only implemented suites."""
    if text is None:
        return tuple(IMPLEMENTED)
    chosen: list[int] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        value = ids.suite_id(item)
        if value is None:
            try:
                value = int(item, 16)
            except ValueError:
                raise InputError("--suites", f"unknown suite {item!r}") from None
        if value not in IMPLEMENTED:
            names = ", ".join(f"{s.hex_id} {s.name}" for s in IMPLEMENTED.values())
            raise InputError("--suites", f"{item!r} is not a suite this server implements ({names})")
        chosen.append(value)
    if not chosen:
        raise InputError("--suites", "empty list")
    return tuple(dict.fromkeys(chosen))
