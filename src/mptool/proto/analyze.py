"""``mptool proto analyze``: evidence of the TLS, TLCP, IKE and ESP channels in captures."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError
from mptool.core.inputs import open_input, read_input
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.progress import DISABLED, Progress
from mptool.core.registry import check
from mptool.core.report import ReportBuilder
from mptool.proto.capture import LINK_TYPES, CaptureInfo, CaptureReader
from mptool.proto.engine import Analyzer
from mptool.proto.report_ipsec import count_exchanges, esp_result, ike_result, link_ike
from mptool.proto.report_tls import certificate_results, certificate_verify_result, channel_result, ske_result, summaries

PROGRESS_EVERY = 4096  # packets between progress updates


def load_trust(paths: Sequence[str], builder: ReportBuilder) -> list[bytes]:
    """DER trust anchors from PEM or DER files (each recorded as an input)."""
    from cryptography import x509

    anchors: list[bytes] = []
    for path in paths:
        data, record = read_input(path, max_size=1 << 20)
        builder.add_input(record)
        try:
            if b"-----BEGIN" in data:
                certs = x509.load_pem_x509_certificates(data)
                anchors += [c.public_bytes(_der()) for c in certs]
            else:
                x509.load_der_x509_certificate(data)
                anchors.append(data)
        except ValueError as exc:
            raise InputError(path, f"not a PEM or DER certificate: {exc}") from None
    return anchors


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def analyze_captures(builder: ReportBuilder, captures: Sequence[str], *, trust_paths: Sequence[str] = (), cert_checks: bool = True, progress: Progress = DISABLED) -> None:
    """Analyse each capture in turn and add its results to ``builder``."""
    trust = load_trust(trust_paths, builder)
    builder.parameters.update(
        {
            "trust_anchors": list(trust_paths),
            "certificate_checks": cert_checks,
            "certificate_validity_time": "time of the capture's first packet",
            "sm2_user_id": DEFAULT_USER_ID.decode(),
            "esp_randomness_alpha": 0.001,
            "esp_randomness_skipped_iv_bytes": 16,
            "tcp_out_of_order_limit_bytes": 4 << 20,
        }
    )
    totals = {"tls_connections": 0, "ike_exchanges": 0, "esp_channels": 0}
    for name in captures:
        results = analyze_one(builder, name, trust=trust, cert_checks=cert_checks, progress=progress)
        for key in totals:
            totals[key] += results[key]
    builder.summary_extra.update(totals)


def analyze_one(builder: ReportBuilder, name: str, *, trust: Sequence[bytes], cert_checks: bool, progress: Progress) -> dict[str, int]:
    """Read one capture, then add the summary, TLS/TLCP, IKE and ESP results in frame order."""
    analyzer = Analyzer()
    first_time: float | None = None
    with open_input(name) as reader:
        capture = CaptureReader(reader, reader.name)
        total = _size(name)
        with progress.task(f"analyze {name}", total) as advance:
            done = 0
            for frame, ts, link, data in capture:
                if first_time is None:
                    first_time = ts
                analyzer.packet(frame, link, data)
                if frame % PROGRESS_EVERY == 0:
                    advance(reader.size - done)
                    done = reader.size
            reader.drain()
            advance(reader.size - done)
        record = reader.record()
    builder.add_input(record)
    subject = record.name
    flows = analyzer.finish()
    at = _dt.datetime.fromtimestamp(first_time, tz=_dt.timezone.utc) if first_time is not None else None
    counts = {"tls_connections": len(flows), "ike_exchanges": len(analyzer.ike), "esp_channels": len(analyzer.esp)}
    builder.add(capture_summary(capture.info, analyzer, subject, counts, at))
    linted: set[bytes] = set()
    for index, flow in enumerate(flows, 1):
        conn = flow.conn
        assert conn is not None
        label = f"{subject} #{index}"
        certs, client_certs = summaries(conn)
        builder.add(_guarded(channel_result, label, conn, subject, index, certs, client_certs))
        for extra in (_guarded(ske_result, label, conn, subject, index, certs), _guarded(certificate_verify_result, label, conn, subject, index, client_certs)):
            if extra is not None:
                builder.add(extra)
        if cert_checks:
            builder.extend(certificate_results(conn, index, subject, trust, at, linted))
    ike_measurements = []
    for index, exchange in enumerate(sorted(analyzer.ike.values(), key=lambda e: e.messages[0].frame), 1):
        result = _guarded(ike_result, f"{subject} #{index}", exchange, subject, index)
        ike_measurements.append(result.measurements)
        builder.add(result)
    for index, channel in enumerate(sorted(analyzer.esp.values(), key=lambda c: c.first_frame), 1):
        builder.add(_guarded(esp_result, f"{subject} #{index}", channel, subject, index, link_ike(channel, ike_measurements)))
    return counts


def _guarded(func: Any, label: str, *args: Any) -> Any:
    """Run one check function; a bug or an unforeseen input becomes an ``error`` result (exit 4)."""
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - recorded, never swallowed
        return func.spec.error_result(label, exc)


def _size(name: str) -> int | None:
    import os

    try:
        return os.stat(name).st_size if name != "-" else None
    except OSError:
        return None


@check(
    "proto.capture.summary",
    "Capture contents",
    "libpcap and pcapng file formats (IETF draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng); GB/T 39786-2021 8.2 (evidence of the channels assessed)",
    {
        "proto.capture.truncated": "the capture file ends in the middle of a packet; the packets before it were analysed",
        "proto.capture.snaplen": "packets were cut by the snap length; records in them may be incomplete",
        "proto.capture.no_channels": "no TLS, TLCP, IKE or ESP traffic was found in the capture",
        "proto.capture.undecodable_ike": "an IKE message could not be decoded",
    },
)
def capture_summary(info: CaptureInfo, analyzer: Analyzer, subject: str, counts: dict[str, int], at: _dt.datetime | None) -> CheckResult:
    """What a capture holds: format, link types, packets, and how many channels were found.

    Informative; warns when the capture holds no TLS, TLCP, IKE or ESP traffic at all (an
    analysis that found nothing is never a silent success), when it ends inside a packet,
    or when packets were cut by the snap length.
    """
    spec = capture_summary.spec  # type: ignore[attr-defined]
    non_tls = analyzer.other_flows
    m: dict[str, Any] = {
        "format": info.format + (" (gzip)" if info.compressed else ""),
        "link_types": [f"{lt} {LINK_TYPES[lt]}" for lt in info.link_types],
        "packets": info.packets,
        "captured_bytes": info.captured_bytes,
        "first_packet_time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if at else None,
        "tcp_segments": analyzer.tcp_segments,
        "udp_datagrams": analyzer.udp_datagrams,
        "tcp_connections_other": non_tls,
        "non_ip_frames": analyzer.stats.non_ip,
        "ip_fragments": analyzer.stats.ip_fragments,
        "malformed_frames": analyzer.stats.malformed,
        "snaplen_truncated_packets": info.truncated_packets,
        **counts,
    }
    findings: list[Finding] = []
    if info.truncated_end:
        findings.append(Finding(code="proto.capture.truncated", severity=Severity.WARN, message=info.truncated_end + "; the packets before it were analysed", location=subject))
    if info.truncated_packets:
        findings.append(Finding(code="proto.capture.snaplen", severity=Severity.WARN, message=f"{info.truncated_packets} packets were cut by the snap length; records in them may be incomplete", location=subject))
    if not any(counts.values()):
        findings.append(Finding(code="proto.capture.no_channels", severity=Severity.WARN, message="no TLS, TLCP, IKE or ESP traffic found in the capture", location=subject))
    for problem in analyzer.ike_problems[:20]:
        findings.append(Finding(code="proto.capture.undecodable_ike", severity=Severity.WARN, message=problem, location=subject))
    status = Status.WARN if any(f.severity is Severity.WARN for f in findings) else Status.INFO
    return spec.result(status, subject=subject, measurements=m, findings=findings)
