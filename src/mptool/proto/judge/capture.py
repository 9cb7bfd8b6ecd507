"""``proto.capture.summary``: what a capture holds and whether anything was found in it."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check
from mptool.proto.capture.engine import Analyzer
from mptool.proto.capture.reader import LINK_TYPES, CaptureInfo


@check(
    "proto.capture.summary",
    "Capture contents",
    "libpcap and pcapng file formats (IETF draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng); GB/T 39786-2021 8.2 (evidence of the channels assessed)",
    {
        "proto.capture.truncated": "the capture file ends in the middle of a packet; the packets before it were analysed",
        "proto.capture.snaplen": "packets were cut by the snap length; records in them may be incomplete",
        "proto.capture.no_channels": "no TLS, TLCP, IKE or ESP traffic was found in the capture",
        "proto.capture.undecodable_ike": "an IKE message could not be decoded",
        "proto.capture.malformed": "a malformed block or packet record after the first good packet; reading stopped there and the packets before it were analysed",
    },
)
def capture_summary(info: CaptureInfo, analyzer: Analyzer, subject: str, counts: dict[str, int], at: _dt.datetime | None) -> CheckResult:
    """What a capture holds: format, link types, packets, and how many channels were found.

    Informative; warns when the capture holds no TLS, TLCP, IKE or ESP traffic at all (an
    analysis that found nothing is never a silent success), when it ends inside a packet or
    stops at a malformed block after good packets (frame number in the message),
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
    if info.malformed:
        findings.append(Finding(code="proto.capture.malformed", severity=Severity.WARN, message=info.malformed + "; the packets before it were analysed", location=subject))
    if info.truncated_packets:
        findings.append(Finding(code="proto.capture.snaplen", severity=Severity.WARN, message=f"{info.truncated_packets} packets were cut by the snap length; records in them may be incomplete", location=subject))
    if not any(counts.values()):
        findings.append(Finding(code="proto.capture.no_channels", severity=Severity.WARN, message="no TLS, TLCP, SSH, IKE or ESP traffic found in the capture", location=subject))
    for problem in analyzer.ike_problems[:20]:
        findings.append(Finding(code="proto.capture.undecodable_ike", severity=Severity.WARN, message=problem, location=subject))
    status = Status.WARN if any(f.severity is Severity.WARN for f in findings) else Status.INFO
    return spec.result(status, subject=subject, measurements=m, findings=findings)
