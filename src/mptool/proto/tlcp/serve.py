"""``mptool proto serve --tlcp``: a TLCP test endpoint that records what each client does.

Up to ``workers`` connections at a time, each bounded by a handshake time limit; the server stops after
``max_connections`` connections, after ``duration`` seconds, or on SIGINT/SIGTERM, and the
evidence (one ``proto.serve.tlcp_client`` result per connection) is then written.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
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
from mptool.proto.tls.transport import ConnectionProblem, PeerAlert, RecordStream
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
    workers: int = 4  #: connections served at the same time
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


def handle_connection(sock: socket.socket, config: ServerConfig, timeout: float) -> tuple[ServerLog, ConnectionProblem | None]:
    """Serve one connection; returns the log and the problem that ended it early, if any."""
    log = ServerLog()
    channel = Channel(RecordStream(sock, time.monotonic() + timeout))
    try:
        server_handshake(channel, config, log, response=response_for)
    except ConnectionProblem as exc:
        _linger(sock)
        return log, exc
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
    stop = stop or threading.Event()
    try:
        family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
        listener = socket.create_server((options.host, options.port), family=family, reuse_port=False)
    except OSError as exc:
        raise InputError("--port", f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
    listener.settimeout(0.2)
    host, port = listener.getsockname()[:2]
    builder.parameters["bound_port"] = port
    announce(f"TLCP server listening on {host}:{port}")
    ends = time.monotonic() + options.duration if options.duration else None
    results: dict[int, list[CheckResult]] = {}

    def work(number: int, sock: socket.socket, peer: str) -> None:
        try:
            with sock:
                log, problem = handle_connection(sock, config, options.handshake_timeout)
        except Exception as exc:  # noqa: BLE001 - a bug must end up in the evidence, not in a lost thread
            results[number] = [serve_checks.SERVE_CLIENT.error_result(f"connection {number} from {peer}", exc)]
            announce(f"connection {number} from {peer}: error ({type(exc).__name__})")
            return
        result = connection_result(number, peer, log, problem)
        results[number] = [result, *_client_certificate_results(number, log, trust)]
        announce(f"connection {number} from {peer}: {result.status.value} ({'completed' if log.completed else (problem.kind if problem else 'incomplete')})")

    number = 0
    with listener, ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="tlcp") as pool:
        while not stop.is_set() and (options.max_connections is None or number < options.max_connections):
            if ends is not None and time.monotonic() >= ends:
                break
            try:
                sock, address = listener.accept()
            except socket.timeout:
                continue
            number += 1
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pool.submit(work, number, sock, f"{address[0]}:{address[1]}")
    for n in sorted(results):  # connection order, whatever order the workers finished in
        builder.extend(results[n])
    builder.summary_extra["connections"] = number


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
