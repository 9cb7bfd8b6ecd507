"""``proto.cleartext.channel``: a conversation with no cryptography at all, and credentials seen in clear.

GB/T 39786-2021 8.2 a)-c) (the network channel is neither authenticated, integrity-protected nor
encrypted); 8.3 b) remote management (Telnet, FTP, logins in clear: HR-DEV-RMGT "P-NONE" in the
high-risk guide, §8.2 of the 2023 guide as recorded in mptool's spec notes); 8.4 d) (authentication
data in transit, HR-APP-TCONF). A recognised application protocol in clear is ``weak``; bytes that
mptool cannot recognise are ``undetermined`` (a private protocol may still encrypt: it is listed
for the evaluator, not judged).
"""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult, Finding, Severity
from mptool.core.registry import check
from mptool.proto.capture.engine import Conversation
from mptool.proto.cleartext import MANAGEMENT
from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import STATUS, UNDETERMINED, WEAK, Judgement, verdict_findings


def _ep(host: str, port: int | None = None) -> str:
    text = f"[{host}]" if ":" in host else host
    return text if port is None else f"{text}:{port}"


def judge_conversation(conv: Conversation) -> Judgement:
    """Weak (no cryptographic protection) for a recognised protocol, undetermined for raw bytes."""
    j = Judgement()
    name = conv.protocol or "raw"
    if not conv.recognised:
        j.add(None, UNDETERMINED, Reason("clear.unrecognised", transport=conv.transport, name=name))
        return j
    for indicator, code in (("NET-AUTH", "clear.no_authentication"), ("NET-INTEG", "clear.no_integrity"), ("NET-CONF", "clear.no_encryption")):
        j.add(indicator, WEAK, Reason(code, name=name))
    if name in MANAGEMENT:
        j.add("DEV-RMGT", WEAK, Reason("clear.management", name=name))
    if conv.credentials:
        j.add("APP-TCONF", WEAK, Reason("clear.credentials", count=len(conv.credentials)))
        if name not in MANAGEMENT:
            j.add("DEV-RMGT", WEAK, Reason("clear.login", name=name))
    return j


@check(
    "proto.cleartext.channel",
    "Conversation without cryptography: application protocol, traffic, credentials seen in clear",
    "GB/T 39786-2021 8.2 a)-c), 8.3 b), 8.4 d); RFC 7617; RFC 854; RFC 959; PostgreSQL protocol 3.0; MySQL client/server protocol",
    {
        **verdict_findings("proto.cleartext"),
        "proto.cleartext.credential": "authentication data seen in clear (kind, frame and length recorded; never the value)",
        "proto.cleartext.high_risk_candidate": "candidate high-risk finding: management or login traffic, or important data, with no cryptographic protection (HR-DEV-RMGT / HR-NET-CONF)",
    },
)
def conversation_result(conv: Conversation, capture: str, index: int, numbers: dict[str, int]) -> CheckResult:
    """One client host ↔ server port conversation that carried no TLS, TLCP, SSH, IKE or ESP.

    Records the endpoints, transport, the application protocol (by content: HTTP, Telnet, FTP,
    SMTP, POP3, IMAP, LDAP, MySQL, PostgreSQL, Redis; else by well-known port, else ``raw``),
    connections, packets and bytes per direction, and every credential seen in clear by kind,
    frame and length — never its value (``same_secret_as`` numbers equal secrets within this
    report, from an HMAC under a random key that is discarded). Fails (weak) for a recognised
    protocol in clear; informative (undetermined) for traffic that is not recognised.
    """
    spec = conversation_result.spec  # type: ignore[attr-defined]
    j = judge_conversation(conv)
    credentials = [c.record(numbers.setdefault(c.group, len(numbers) + 1)) for c in conv.credentials]
    m: dict[str, Any] = {
        "protocol": conv.protocol or "raw",
        "recognised_by_content": conv.recognised,
        "transport": conv.transport,
        "protection": "none",
        **j.measurements(),
        "client": _ep(conv.client),
        "server": _ep(conv.server, conv.port),
        "frames": [conv.first_frame, conv.last_frame],
        "connections": conv.connections if conv.transport == "TCP" else None,
        "packets": {"client_to_server": conv.packets[0], "server_to_client": conv.packets[1]},
        "bytes": {"client_to_server": conv.bytes[0], "server_to_client": conv.bytes[1]},
        "credentials": credentials,
    }
    location = {"capture": capture, "frames": m["frames"]}
    findings = j.findings("proto.cleartext", location)
    for cred in credentials:
        where = f" (field {cred['field']})" if "field" in cred else ""
        findings.append(Finding(code="proto.cleartext.credential", severity=Severity.ERROR, message=f"{cred['kind']}{where} in clear at frame {cred['frame']}, {cred['length']} bytes (value not recorded)", location=location))
    if conv.recognised and (conv.credentials or (conv.protocol or "") in MANAGEMENT):
        findings.append(Finding(code="proto.cleartext.high_risk_candidate", severity=Severity.ERROR, message=f"{m['protocol']} without cryptographic protection between {m['client']} and {m['server']}: candidate high risk (HR-DEV-RMGT/HR-NET-CONF; mitigated only if an IPSec/SSL VPN covers the whole path)", location=location))
    subject = f"{capture} #{index} {m['client']} -> {m['server']} {conv.transport} {m['protocol']}"
    return spec.result(STATUS[j.verdict()], subject=subject, measurements=m, findings=findings)
