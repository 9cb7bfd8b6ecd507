"""Probing a TLCP endpoint: accepted suites, preference order, certificates, full handshakes.

Suite enumeration offers every TLCP suite of GB/T 38636 and removes the one the server
picks until it refuses (one connection per accepted suite, plus one); the preference order
is then tested by offering the accepted suites in reverse. Full handshakes with application
data are run for each accepted suite this package implements (ECC always, ECDHE when client
keys are given, since TLCP's ECDHE is the SM2 key exchange with both sides' encryption keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from mptool.core.model import Severity
from mptool.proto.judge.tls import certificate_summaries, judge_version_choice
from mptool.proto.registry import tls as ids
from mptool.proto.probe.enumerate import SuiteOffers, enumerate_suites, preference
from mptool.proto.probe.hello import Budget, HelloOutcome, send_hello
from mptool.proto.tls.transport import ConnectionProblem, PeerAlert, RecordStream
from mptool.proto.probe.report import UNREACHABLE, ProtocolReport, describe_certificate, http_get
from mptool.proto.tlcp.suites import IMPLEMENTED, TLCP_VERSION, suite_entry
from mptool.proto.tls.messages import BAD_RECORD_MAC, DECODE_ERROR, DECRYPT_ERROR
from mptool.proto.tlcp.channel import Channel, Credentials
from mptool.proto.tlcp.client import ClientLog, client_handshake, client_hello

ALL_TLCP_SUITES: tuple[int, ...] = tuple(sorted(ids.TLCP_CIPHER_SUITES))
#: Suites that do not use SM2/SM9 or use a non-SM hash (protocols.md §1.3 assessment notes).
NON_SM_SUITES = frozenset(s for s in ALL_TLCP_SUITES if not ids.suite_info(s).gm)


@dataclass(frozen=True)
class TlcpProbeOptions:
    """What the TLCP probe does beyond enumeration."""

    server_name: str | None = None
    credentials: Credentials | None = None
    application_data: bytes = b""
    flavour: str = "gmssl"  #: gmssl or tongsuo ECDHE ClientKeyExchange / CertificateVerify forms


def _hello(budget: Budget, host: str, port: int, suites: list[int], server_name: str | None, want_certificates: bool = False) -> HelloOutcome:
    return send_hello(budget, host, port, client_hello(suites, server_name).encode(), TLCP_VERSION, want_certificates)


def probe_tlcp(budget: Budget, host: str, port: int, options: TlcpProbeOptions) -> ProtocolReport:
    """Enumerate TLCP suites and run full handshakes; never raises for network problems."""
    report = ProtocolReport("TLCP", f"{host}:{port}")
    start_used = budget.used
    accepted = _enumerate(budget, host, port, options.server_name, report)
    if report.problem is None and accepted:
        report.versions = [ids.version_name(TLCP_VERSION)]
        report.accepted_suites = [suite_entry(s) for s in accepted]
        report.extra["preference"] = _preference(budget, host, port, accepted, options.server_name, report)
        _judge_suites(accepted, report)
        certs = certificate_summaries(report.certificate_ders, tlcp=True)
        report.judge([(entry, judge_version_choice("TLCP", TLCP_VERSION, s, None, certs)) for entry, s in zip(report.accepted_suites, accepted)])
        report.extra["handshakes"] = [_full_handshake(budget, host, port, suite, options, report) for suite in accepted if suite in IMPLEMENTED]
        report.handshake_completed = any(h["handshake_completed"] for h in report.extra["handshakes"])
        if not report.handshake_completed:
            report.finding("proto.probe.tlcp.no_full_handshake", Severity.WARN, "no full TLCP handshake with application data completed; see handshakes for why")
    report.connections = budget.used - start_used
    return report


def _enumerate(budget: Budget, host: str, port: int, server_name: str | None, report: ProtocolReport) -> list[int]:
    def first_usable(outcome: HelloOutcome) -> bool:
        report.extra["first_answer"] = outcome.status
        if not _first_answer_usable(outcome, report):
            return False
        if outcome.certificates:
            report.certificate_ders = outcome.certificates
            roles = ["sign", "enc"] + ["ca"] * max(0, len(outcome.certificates) - 2)
            report.certificates = [describe_certificate(der, i, roles[i]) for i, der in enumerate(outcome.certificates)]
        return True

    offers = SuiteOffers(report, "tlcp", "suite enumeration")
    accepted, _ = enumerate_suites(offers, ALL_TLCP_SUITES, lambda suites, first: _hello(budget, host, port, suites, server_name, first), first_usable)
    return accepted


def _first_answer_usable(outcome: HelloOutcome, report: ProtocolReport) -> bool:
    if outcome.status in UNREACHABLE:
        report.problem = outcome.status
        report.finding(f"proto.probe.{outcome.status}", Severity.ERROR, outcome.message)
        return False
    if outcome.status == "not_tls":
        report.finding("proto.probe.not_tls", Severity.WARN, f"the service does not speak TLS or TLCP: {outcome.message}")
        return False
    if outcome.status == "alert" and outcome.alert is not None:
        name = ids.alert_name(outcome.alert[1])
        report.finding("proto.probe.tlcp.not_supported", Severity.INFO, f"the server refused a TLCP ClientHello offering every TLCP suite (alert {name})", alert=name)
        return False
    if outcome.accepted and outcome.server_hello is not None and outcome.server_hello.version != TLCP_VERSION:
        version = ids.version_name(outcome.server_hello.version)
        report.finding("proto.probe.tlcp.wrong_version", Severity.WARN, f"the server answered a TLCP ClientHello with {version}", server_version=version)
        return False
    if not outcome.accepted:
        report.finding("proto.probe.tlcp.not_supported", Severity.INFO, f"no ServerHello for a TLCP ClientHello ({outcome.status}: {outcome.message})")
        return False
    return True


def _preference(budget: Budget, host: str, port: int, accepted: list[int], server_name: str | None, report: ProtocolReport) -> str:
    decided = preference(accepted, lambda suites: _hello(budget, host, port, suites, server_name), SuiteOffers(report, "tlcp", "").suite)
    if decided == "server":
        report.extra["preference_order"] = [ids.hex_id(s) for s in accepted]
    return decided


def _judge_suites(accepted: list[int], report: ProtocolReport) -> None:
    weak = [s for s in accepted if s in NON_SM_SUITES]
    if weak:
        report.finding(
            "proto.probe.tlcp.non_sm_suite",
            Severity.WARN,
            "the server accepts TLCP suites that do not use SM2/SM9 with SM3 (RSA or SHA-1/SHA-256)",
            suites=[ids.hex_id(s) for s in weak],
        )


def _full_handshake(budget: Budget, host: str, port: int, suite: int, options: TlcpProbeOptions, report: ProtocolReport) -> dict[str, object]:
    """One full handshake; for ECDHE, where products differ, up to two more: with the other
    ClientKeyExchange/CertificateVerify form when the server answered decode_error or
    decrypt_error (it could not read our key exchange or verify our CertificateVerify), with the
    other SM2 initiator order when it answered bad_record_mac (our Finished did not open)."""
    ecdhe = IMPLEMENTED[suite].kex == "ecdhe"
    flavour, initiator = options.flavour, "server"
    earlier: list[dict[str, object]] = []
    while True:
        entry, log, error = _attempt(budget, host, port, suite, options, flavour, initiator)
        alert = error.description if isinstance(error, PeerAlert) and ecdhe and log.key_exchange_sent and len(earlier) < 2 else None
        if alert in (DECODE_ERROR, DECRYPT_ERROR) and all(e["flavour"] == options.flavour for e in earlier):
            next_flavour, next_initiator = ("tongsuo" if flavour == "gmssl" else "gmssl"), initiator
        elif alert == BAD_RECORD_MAC and initiator == "server":
            next_flavour, next_initiator = flavour, "client"
        else:
            break
        earlier.append({"flavour": flavour, "ecdhe_initiator": initiator, "error": entry["error"]})
        flavour, initiator = next_flavour, next_initiator
    if earlier:
        entry["earlier_attempts"] = earlier
    if isinstance(error, ConnectionProblem) and not isinstance(error, PeerAlert) and error.kind in ("bad_ske_signature", "bad_finished", "bad_record_mac", "suite_not_offered"):
        report.finding(f"proto.probe.tlcp.{error.kind}", Severity.ERROR, f"{ids.hex_id(suite)}: {error}", suite=ids.hex_id(suite))
    return entry


def _attempt(budget: Budget, host: str, port: int, suite: int, options: TlcpProbeOptions, flavour: str, initiator: str) -> tuple[dict[str, object], ClientLog, ConnectionProblem | None]:
    log = ClientLog([suite])
    entry: dict[str, object] = {}
    error: ConnectionProblem | None = None
    try:
        if IMPLEMENTED[suite].kex == "ecdhe" and options.credentials is None:
            raise ConnectionProblem("needs_client_keys", "ECDHE needs the client's encryption key pair and certificates (--client-* options)")
        sock, deadline = budget.open(host, port)
        try:
            data = options.application_data or http_get(options.server_name or host)
            client_handshake(
                Channel(RecordStream(sock, deadline)), log, server_name=options.server_name, credentials=options.credentials,
                application_data=data, flavour=flavour, ecdhe_initiator=initiator,
            )
        finally:
            sock.close()
    except PeerAlert as exc:
        error = exc
        entry["error"] = {"kind": "alert", "message": f"peer sent alert {ids.alert_name(exc.description)}", "alert": ids.alert_name(exc.description)}
    except ConnectionProblem as exc:
        error = exc
        entry["error"] = {"kind": exc.kind, "message": str(exc)}
    entry.update(log.measurements())
    entry.update(suite=ids.hex_id(suite), suite_name=ids.suite_name(suite))
    if IMPLEMENTED[suite].kex == "ecdhe":
        entry["flavour"] = flavour
    return entry, log, error
