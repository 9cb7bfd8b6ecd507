"""What a probe found about one protocol, in the evidence form scripts depend on.

Every probed protocol's result has ``measurements`` with ``protocol``, ``versions``,
``accepted_suites`` ([{"id": "0xE013", "name": ...}]), ``certificates`` and
``handshake_completed`` (true only after a full handshake with application data).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from mptool.core.model import Finding, Severity, Status
from mptool.proto.judge.verdict import SEVERITY, STATUS, Judgement

#: Connection problems that mean "the endpoint could not be assessed" (status error).
UNREACHABLE = frozenset({"refused", "timeout", "unreachable", "resolve", "socket_error", "reset"})


@dataclass
class ProtocolReport:
    """The probe's findings for one protocol on one endpoint."""

    protocol: str
    subject: str
    versions: list[str] = field(default_factory=list)
    accepted_suites: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    certificate_ders: list[bytes] = field(default_factory=list)
    handshake_completed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None  #: a kind from UNREACHABLE when nothing could be assessed
    connections: int = 0
    judgement: Judgement | None = None  #: the analyzer's judgement over every accepted choice

    def judge(self, choices: list[tuple[dict[str, Any], Judgement]], prefix: str = "proto.probe") -> None:
        """Verdicts in the analyzer's vocabulary: one per accepted choice, and the endpoint's.

        Each accepted suite/proposal gets the verdict ``proto analyze`` gives a connection that
        negotiated it (the same reasons, from the same judge functions); the endpoint's reasons
        are the union over its accepted choices, so its verdict is the worst of what a client can
        be made to negotiate (a weak suite on offer makes the endpoint weak). One finding
        ``<prefix>.<verdict>`` per distinct reason, with that reason's severity.
        """
        merged = Judgement()
        for entry, j in choices:
            entry["verdict"] = j.verdict()
            for verdict, reason in j.general:
                if (verdict, reason) not in merged.general:
                    merged.add(None, verdict, reason)
            for indicator, items in j.indicators.items():
                for item in items:
                    if item not in merged.indicators.get(indicator, []):
                        merged.add(indicator, *item)
        if not choices:
            return
        self.judgement = merged
        for verdict, text, data in merged.coded_entries():
            self.finding(f"{prefix}.{verdict}", SEVERITY[verdict], text, **data)

    def verdict_status(self) -> Status | None:
        """The status the analyzer would give (None when nothing was judged)."""
        return STATUS[self.judgement.verdict()] if self.judgement is not None else None

    def finding(self, code: str, severity: Severity, message: str, **data: Any) -> None:
        """Add a finding."""
        self.findings.append(Finding(code=code, severity=severity, message=message, data=data))

    def measurements(self) -> dict[str, Any]:
        """The measurements of the protocol's result."""
        return {
            "protocol": self.protocol,
            "versions": self.versions,
            "accepted_suites": self.accepted_suites,
            "certificates": self.certificates,
            "handshake_completed": self.handshake_completed,
            "connections": self.connections,
            **(self.judgement.measurements() if self.judgement is not None else {"verdict": None}),
            **self.extra,
        }


def http_get(host: str) -> bytes:
    """The default application data of the probes' full handshakes: an HTTP/1.0 GET."""
    return f"GET / HTTP/1.0\r\nHost: {host}\r\nUser-Agent: mptool-probe\r\n\r\n".encode()


def describe_certificate(der: bytes, index: int, role: str) -> dict[str, Any]:
    """Subject, issuer, serial, validity, key algorithm and SHA-256 of a DER certificate."""
    from cryptography import x509

    info: dict[str, Any] = {"index": index, "role": role, "sha256": hashlib.sha256(der).hexdigest(), "size": len(der)}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        info["parse_error"] = str(exc)
        return info
    info.update(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=f"{cert.serial_number:x}",
        not_before=cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        not_after=cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        signature_algorithm=cert.signature_algorithm_oid.dotted_string,
        key_algorithm=_key_algorithm(cert),
    )
    return info


def _key_algorithm(cert: Any) -> str:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return "SM2" if b"\x06\x08\x2a\x81\x1c\xcf\x55\x01\x82\x2d" in cert.public_bytes(_der()) else "unsupported"
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC-{key.curve.name}"
    return type(key).__name__


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER
