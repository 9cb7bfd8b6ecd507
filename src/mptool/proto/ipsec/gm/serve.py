"""``mptool proto serve --ike``: the GM/T 0022 responder on one UDP port (RFC 3948 framing; IKE
without the non-ESP marker, as on port 500, is answered in the same form).

One datagram at a time (the exchange is cheap; SM2 dominates). The server stops after
``max_connections`` IKE SAs have ended (deleted, rejected, failed or idle past the session
timeout), after ``duration`` seconds, or on ``stop``; then one ``proto.serve.ike_peer`` result
per IKE SA (plus the cert domain's checks of the initiator's certificates) is added.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mptool.core.errors import InputError
from mptool.core.model import CheckResult
from mptool.core.report import ReportBuilder
from mptool.proto.checks import serve as serve_checks
from mptool.proto.ipsec.gm import codec, keylog
from mptool.proto.ipsec.gm.evidence import certificate_results, exchange_result
from mptool.proto.ipsec.gm.responder import Responder, Session
from mptool.proto.ipsec.gm.session import Credentials
from mptool.proto.ipsec.gm.transport import DEFAULT_PORT, classify_served, frame_ike


@dataclass(frozen=True)
class IkeServeOptions:
    """Resolved options of ``proto serve --ike``."""

    host: str
    port: int
    sign_cert: str
    sign_key: str
    enc_cert: str
    enc_key: str
    ca: tuple[str, ...] = ()
    max_connections: int | None = None
    duration: float | None = None
    session_timeout: float = 10.0  #: an IKE SA silent this long is over
    keylog: str | None = None
    tamper: frozenset[str] = frozenset()  #: tests only (Responder.tamper)


def load_credentials(builder: ReportBuilder, sign_cert: str, sign_key: str, enc_cert: str, enc_key: str) -> Credentials:
    """Keys and certificates through the one SM2 loader; each file recorded as an input."""
    from mptool.proto.probe.keys import load_key_pair

    scert, skey = load_key_pair(sign_cert, sign_key)
    ecert, ekey = load_key_pair(enc_cert, enc_key)
    for record in (scert.record, skey.record, ecert.record, ekey.record):
        builder.add_input(record)
    return Credentials(skey.d, ekey.d, scert.ders[0], ecert.ders[0])


def load_trust(builder: ReportBuilder, paths: tuple[str, ...]) -> list[bytes]:
    """The --ca certificates (DER)."""
    from mptool.proto.probe.keys import load_certificates

    files = [load_certificates(path) for path in paths]
    for f in files:
        builder.add_input(f.record)
    return [der for f in files for der in f.ders]


def _ended(session: Session, now: float, timeout: float) -> bool:
    return session.done or now - session.last_seen >= timeout


def serve_ike(builder: ReportBuilder, options: IkeServeOptions, *, announce: Callable[[str], None] = lambda text: None, stop: threading.Event | None = None) -> None:
    """Run the responder until a limit or ``stop``; add the results to ``builder``."""
    creds = load_credentials(builder, options.sign_cert, options.sign_key, options.enc_cert, options.enc_key)
    trust = load_trust(builder, options.ca)
    builder.parameters.update(
        protocol="GM/T 0022 IKE",
        host=options.host,
        port=options.port,
        encapsulation="RFC 3948 (non-ESP marker before IKE, ESP on the same port); plain IKE accepted too",
        max_connections=options.max_connections,
        duration=options.duration,
        session_timeout=options.session_timeout,
        keylog=bool(options.keylog),
        reading=codec.READING,
    )
    stop = stop or threading.Event()
    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind((options.host, options.port))
    except OSError as exc:
        sock.close()
        raise InputError("--port", f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
    sock.settimeout(0.2)
    port = sock.getsockname()[1]
    builder.parameters["bound_port"] = port
    announce(f"GM/T 0022 IKE responder listening on {options.host}:{port} (UDP)")
    responder = Responder(creds, tamper=options.tamper)
    ends = time.monotonic() + options.duration if options.duration else None
    with sock:
        while not stop.is_set():
            now = time.monotonic()
            if ends is not None and now >= ends:
                break
            if options.max_connections is not None and responder.count >= options.max_connections:
                if all(_ended(s, now, options.session_timeout) for s in responder.sessions.values()):
                    break
            try:
                data, peer = sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                continue
            _answer(sock, responder, data, peer, options.max_connections)
    _record(builder, responder, trust, options, announce)


def _answer(sock: socket.socket, responder: Responder, data: bytes, peer: tuple, limit: int | None) -> None:
    got = classify_served(data, responder.by_spi)
    if got is None:
        return
    kind, body, framed = got
    who = f"{peer[0]}:{peer[1]}"
    if kind == "ike" and limit is not None and responder.count >= limit and body[:8] not in responder.sessions:
        return  # no new IKE SA past --max-connections
    try:
        answers = responder.handle_ike(body, who) if kind == "ike" else responder.handle_esp(body, who)
    except Exception as exc:  # noqa: BLE001 - a bug must end up in the evidence, not stop the server
        responder.stray.append(f"{who}: internal error {type(exc).__name__}: {exc}")
        return
    for answer in answers:
        try:
            sock.sendto(frame_ike(answer) if kind == "ike" and framed else answer, peer)
        except OSError as exc:
            responder.stray.append(f"{who}: cannot answer: {exc.strerror or exc}")


def _record(builder: ReportBuilder, responder: Responder, trust: list[bytes], options: IkeServeOptions, announce: Callable[[str], None]) -> None:
    spec = serve_checks.SERVE_IKE
    results: list[CheckResult] = []
    for session in sorted(responder.sessions.values(), key=lambda s: s.number):
        subject = f"IKE SA {session.number} from {session.peer}"
        extra = {"connection": session.number, "peer": session.peer, "cookies": {"initiator": session.ike.icookie.hex(), "responder": session.ike.rcookie.hex()}}
        result = exchange_result(spec, spec.id, subject, session.log, extra)
        results.append(result)
        results += certificate_results(session.log, "initiator", trust, f"{subject} initiator certificates", spec, f"{spec.id}.certificate_unreadable")
        announce(f"{subject}: {result.status.value} (phase 1 {'done' if session.log.phase1_completed else 'not done'}, quick mode {'done' if session.log.phase2_completed else 'not done'}, ESP {session.log.esp_answered}/{session.log.esp_received})")
    builder.extend(results)
    builder.summary_extra["connections"] = responder.count
    if responder.stray:
        builder.summary_extra["stray_datagrams"] = responder.stray[:100]
    if options.keylog:
        from mptool.core.outputs import write_atomic

        write_atomic(options.keylog, keylog.render([s.ike for s in responder.sessions.values()]))


__all__ = ["DEFAULT_PORT", "IkeServeOptions", "serve_ike"]
