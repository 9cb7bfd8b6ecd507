"""``mptool proto probe``: run the selected protocol probes and turn them into evidence."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.progress import Progress
from mptool.core.registry import CheckSpec
from mptool.core.report import ReportBuilder
from mptool.proto.channels import channel_rows
from mptool.proto.checks import probe as probe_checks
from mptool.proto.probe.hello import Budget
from mptool.proto.probe.report import UNREACHABLE, ProtocolReport

TCP_PROTOCOLS = ("tlcp", "tls", "rfc8998", "ssh")


@dataclass(frozen=True)
class ProbeOptions:
    """Resolved options of ``proto probe``."""

    protocols: tuple[str, ...]
    timeout: float = 5.0
    time_limit: float = 120.0
    max_connections: int = 200
    server_name: str | None = None
    application_data: bytes = b""
    client_files: dict[str, str] = field(default_factory=dict)  #: sign_cert, sign_key, enc_cert, enc_key
    ca: tuple[str, ...] = ()
    tlcp_flavour: str = "gmssl"


def parse_target(target: str, default_port: int | None) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT`` or (with a default port) ``HOST``."""
    host, port_text = target, None
    if target.startswith("["):
        end = target.find("]")
        if end < 0:
            raise InputError("TARGET", f"unbalanced '[' in {target!r}")
        host, rest = target[1:end], target[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise InputError("TARGET", f"expected :PORT after ] in {target!r}")
            port_text = rest[1:]
    elif target.count(":") == 1:
        host, port_text = target.split(":")
    elif target.count(":") > 1:
        try:
            ipaddress.IPv6Address(target)
        except ValueError:
            raise InputError("TARGET", f"cannot read {target!r} as HOST:PORT") from None
    if not host:
        raise InputError("TARGET", f"no host in {target!r}")
    if port_text is None:
        if default_port is None:
            raise InputError("TARGET", f"{target!r} has no port; give HOST:PORT")
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError("TARGET", f"port {port_text!r} is not a number in 1-65535")
    return host, int(port_text)


def _load_client_credentials(builder: ReportBuilder, files: dict[str, str]) -> Any:
    from mptool.proto.probe.keys import load_key_pair
    from mptool.proto.tlcp.channel import Credentials

    if not files:
        return None
    sign_cert, sign_key = load_key_pair(files["sign_cert"], files["sign_key"])
    enc_cert, enc_key = load_key_pair(files["enc_cert"], files["enc_key"])
    for item in (sign_cert, sign_key, enc_cert, enc_key):
        builder.add_input(item.record)
    return Credentials(sign_key.d, enc_key.d, [sign_cert.ders[0], enc_cert.ders[0], *sign_cert.ders[1:], *enc_cert.ders[1:]])


_ORDER = (Status.PASS, Status.INFO, Status.WARN, Status.FAIL, Status.ERROR)


def _status(report: ProtocolReport, completed_means_pass: bool) -> Status:
    """The worse of what the probe saw (findings, handshake) and the analyzer's verdict status."""
    status = _probe_status(report, completed_means_pass)
    judged = report.verdict_status()
    if judged is not None and status in _ORDER and _ORDER.index(judged) > _ORDER.index(status):
        return judged
    return status


def _probe_status(report: ProtocolReport, completed_means_pass: bool) -> Status:
    if report.problem in UNREACHABLE:
        return Status.ERROR
    severities = {f.severity for f in report.findings}
    if Severity.ERROR in severities:
        return Status.FAIL
    if Severity.WARN in severities:
        return Status.WARN
    if not report.versions or not report.accepted_suites:
        return Status.INFO
    if completed_means_pass:
        return Status.PASS if report.handshake_completed else Status.WARN
    return Status.PASS


def _result(spec: CheckSpec, report: ProtocolReport, completed_means_pass: bool) -> CheckResult:
    return spec.result(_status(report, completed_means_pass), subject=f"{report.subject} {report.protocol}", measurements=report.measurements(), findings=report.findings)


def _certificate_results(report: ProtocolReport, trust: Sequence[bytes], peer_name: str | None) -> list[CheckResult]:
    """The cert module's checks on the probed certificate list (and the TLCP pair)."""
    from mptool.proto.probe.certcheck import check_handshake_certificates

    subject = f"{report.subject} {report.protocol} certificates"
    return check_handshake_certificates(report.certificate_ders, tlcp=report.protocol == "TLCP", trust=trust, subject=subject, peer_name=peer_name)


def run_probe(builder: ReportBuilder, target: str, options: ProbeOptions, progress: Progress) -> None:
    """Probe ``target`` for each selected protocol; one result per protocol, then certificate checks."""
    tcp = [p for p in options.protocols if p in TCP_PROTOCOLS]
    host, port = parse_target(target, 500 if not tcp else 22 if options.protocols == ("ssh",) else None)
    credentials = _load_client_credentials(builder, options.client_files)
    from mptool.proto.analyze import load_trust

    trust = load_trust(options.ca, builder)
    builder.parameters.update(
        host=host,
        port=port,
        protocols=list(options.protocols),
        timeout=options.timeout,
        time_limit=options.time_limit,
        max_connections=options.max_connections,
        server_name=options.server_name,
        client_authentication=credentials is not None,
        sm2_user_id=DEFAULT_USER_ID.decode(),
        trust_anchors=len(trust),
        tlcp_flavour=options.tlcp_flavour if "tlcp" in options.protocols else None,
        peer_name=_peer_name(host, options.server_name),
    )
    budget = Budget(options.max_connections, options.time_limit, options.timeout)
    peer_name = _peer_name(host, options.server_name)
    with progress.task("probing", len(options.protocols)) as advance:
        for protocol in options.protocols:
            results = _probe_one(protocol, budget, host, port, options, credentials, trust, peer_name)
            builder.extend(results)
            advance(1)
    builder.summary_extra["connections"] = budget.used
    builder.summary_extra["channels"] = channel_rows(builder.results)


def _peer_name(host: str, server_name: str | None) -> str | None:
    """The name the certificates must match: --server-name, else a DNS-name target; an address
    target is not matched (evaluators often probe by address; give --server-name to check)."""
    if server_name:
        return server_name
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None


def _probe_one(protocol: str, budget: Budget, host: str, port: int, options: ProbeOptions, credentials: Any, trust: list[bytes], peer_name: str | None) -> list[CheckResult]:
    if protocol == "tlcp":
        from mptool.proto.probe.tlcp import TlcpProbeOptions, probe_tlcp

        report = probe_tlcp(budget, host, port, TlcpProbeOptions(options.server_name, credentials, options.application_data, options.tlcp_flavour))
        return [_result(probe_checks.PROBE_TLCP, report, True), *_safe_certificate_results(report, trust, peer_name)]
    if protocol == "tls":
        from mptool.proto.probe.tls import probe_tls

        report = probe_tls(budget, host, port, options.server_name, options.application_data)
        return [_result(probe_checks.PROBE_TLS, report, False), *_safe_certificate_results(report, trust, peer_name)]
    if protocol == "ssh":
        from mptool.proto.probe.ssh import probe_ssh

        try:
            return [probe_ssh(budget, host, port)]
        except Exception as exc:  # noqa: BLE001 - an unforeseen answer is an error result (exit 4), never a traceback
            return [probe_checks.PROBE_SSH.error_result(f"{host}:{port} SSH", exc)]
    if protocol == "rfc8998":
        from mptool.proto.probe.tls import probe_rfc8998

        report = probe_rfc8998(budget, host, port, options.server_name)
        return [_result(probe_checks.PROBE_RFC8998, report, False)]
    from mptool.proto.probe.ike import probe_ike

    return [_result(probe_checks.PROBE_IKE, report, False) for report in probe_ike(host, port, options.timeout, options.time_limit, options.max_connections)]


def _safe_certificate_results(report: ProtocolReport, trust: Sequence[bytes], peer_name: str | None) -> list[CheckResult]:
    try:
        return _certificate_results(report, trust, peer_name)
    except InputError as exc:
        finding = Finding(code="proto.probe.certificate_unreadable", severity=Severity.ERROR, message=str(exc))
        return [_spec_of(report).result(Status.FAIL, subject=f"{report.subject} {report.protocol} certificates", findings=[finding])]


def _spec_of(report: ProtocolReport) -> CheckSpec:
    return probe_checks.PROBE_TLCP if report.protocol == "TLCP" else probe_checks.PROBE_TLS
