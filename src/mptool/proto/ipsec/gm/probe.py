"""``mptool proto probe HOST[:PORT] --ike --full``: one GM/T 0022 exchange as initiator, as evidence."""

from __future__ import annotations

import time
from dataclasses import dataclass

from mptool.core.model import Finding, Severity, Status
from mptool.core.report import ReportBuilder
from mptool.proto.checks import probe as probe_checks
from mptool.proto.ipsec.gm import codec, keylog
from mptool.proto.ipsec.gm.evidence import certificate_results, exchange_result
from mptool.proto.ipsec.gm.initiator import InitiatorOptions, run_initiator
from mptool.proto.ipsec.gm.serve import load_credentials, load_trust
from mptool.proto.ipsec.gm.transport import UdpTransport


@dataclass(frozen=True)
class FullProbeOptions:
    """Resolved options of ``probe --ike --full``."""

    client_files: dict[str, str]  #: sign_cert, sign_key, enc_cert, enc_key
    ca: tuple[str, ...] = ()
    esp_packets: int = 3
    gcm: bool = False
    timeout: float = 5.0
    time_limit: float = 120.0
    keylog: str | None = None
    tamper: frozenset[str] = frozenset()  #: tests only (initiator.TAMPERS)


def probe_full(builder: ReportBuilder, host: str, port: int, options: FullProbeOptions) -> None:
    """Run the initiator once against ``host:port`` and add its results to ``builder``."""
    files = options.client_files
    creds = load_credentials(builder, files["sign_cert"], files["sign_key"], files["enc_cert"], files["enc_key"])
    trust = load_trust(builder, options.ca)
    builder.parameters.update(
        protocol="GM/T 0022 IKE",
        esp_packets=options.esp_packets,
        esp_transform="SM4-GCM" if options.gcm else "SM4-CBC/HMAC-SM3",
        keylog=bool(options.keylog),
        reading=codec.READING,
    )
    spec = probe_checks.PROBE_IKE_FULL
    subject = f"{host}:{port} GM/T 0022 IKE"
    transport = UdpTransport(host, port, time.monotonic() + options.time_limit)
    try:
        log, ike = run_initiator(creds, transport, InitiatorOptions(gcm=options.gcm, esp_packets=options.esp_packets, timeout=options.timeout, tamper=options.tamper))
    finally:
        transport.close()
    if transport.error and not log.phase1_completed:
        log.problem("socket_error", transport.error)
    extra = {"cookies": {"initiator": ike.icookie.hex(), "responder": ike.rcookie.hex()}, "handshake_completed": log.phase2_completed}
    result = exchange_result(spec, spec.id, subject, log, extra, esp_expected=options.esp_packets)
    if not log.messages[1:] and any(kind in ("timeout", "socket_error") for kind, _ in log.problems):
        kind = "refused" if transport.error and "unreachable" in transport.error else "timeout"
        finding = Finding(code=f"proto.probe.{kind}", severity=Severity.ERROR, message=f"no GM/T 0022 IKE answer from {host}:{port}")
        result = result.model_copy(update={"status": Status.ERROR, "findings": [*result.findings, finding]})
    builder.add(result)
    builder.extend(certificate_results(log, "responder", trust, f"{host}:{port} responder certificates", spec, f"{spec.id}.certificate_unreadable"))
    if options.keylog:
        from mptool.core.outputs import write_atomic

        write_atomic(options.keylog, keylog.render([ike]))
