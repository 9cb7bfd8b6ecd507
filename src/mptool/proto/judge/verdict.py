"""Channel verdicts: GM-compliant, strong but not GM, weak, or undetermined.

Each channel is judged per GB/T 39786-2021 network-layer indicator it bears on
(GB/T 39786-2021 §8.2): NET-AUTH 8.2 a) entity authentication, NET-INTEG 8.2 b)
integrity, NET-CONF 8.2 c) confidentiality. The channel verdict is the worst indicator
verdict; "weak" follows the issue's list (export, RC4, 3DES/DES, NULL, MD5, SHA-1
signatures, SSL 3.0, TLS 1.0/1.1, MODP groups under 2048 bits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.core.model import Finding, Severity, Status
from mptool.proto.judge.reasons import Reason, code_of

GM = "gm_compliant"
STRONG = "strong_not_gm"
WEAK = "weak"
UNDETERMINED = "undetermined"

_RANK = {GM: 0, UNDETERMINED: 1, STRONG: 2, WEAK: 3}
RANK = _RANK  #: the order "worst" follows (gm_compliant best, weak worst)

#: Result status per verdict: only weak fails; non-GM strong crypto is a warning for 密评.
STATUS = {GM: Status.PASS, STRONG: Status.WARN, WEAK: Status.FAIL, UNDETERMINED: Status.INFO}
#: Severity of a finding that gives one reason, by the verdict of that reason.
#: What each verdict means as a finding (``<prefix>.<verdict>``, one per reason).
VERDICT_MEANINGS = {
    GM: "the channel (or this indicator) uses SM algorithms as GB/T 39786-2021 expects",
    STRONG: "strong but non-SM cryptography (e.g. RSA/ECDHE with AES): secure, not GM-compliant",
    WEAK: "weak cryptography (export, RC4, DES/3DES, NULL, MD5, SHA-1 signatures, SSL 3.0, TLS 1.0/1.1, small groups)",
    UNDETERMINED: "the capture does not show enough to judge (no hellos, handshake not completed, encrypted certificate)",
}


def verdict_findings(prefix: str) -> dict[str, str]:
    """The declared finding codes ``<prefix>.<verdict>`` of a check that judges channels."""
    return {f"{prefix}.{verdict}": meaning for verdict, meaning in VERDICT_MEANINGS.items()}


SEVERITY = {GM: Severity.INFO, STRONG: Severity.WARN, WEAK: Severity.ERROR, UNDETERMINED: Severity.INFO}

INDICATORS: dict[str, str] = {
    "NET-AUTH": "GB/T 39786-2021 8.2 a) (身份鉴别)",
    "NET-INTEG": "GB/T 39786-2021 8.2 b) (通信数据完整性)",
    "NET-CONF": "GB/T 39786-2021 8.2 c) (通信过程中重要数据的机密性)",
    # device and application layer (level 3 clauses; spec/gbt39786.yaml DEV-AUTH, DEV-RMGT, APP-TCONF)
    "DEV-AUTH": "GB/T 39786-2021 8.3 a) (身份鉴别)",
    "DEV-RMGT": "GB/T 39786-2021 8.3 b) (远程管理通道安全)",
    "APP-TCONF": "GB/T 39786-2021 8.4 d) (重要数据传输机密性)",
}


@dataclass
class Judgement:
    """Accumulates indicator verdicts with reasons."""

    indicators: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    general: list[tuple[str, str]] = field(default_factory=list)

    def add(self, indicator: str | None, verdict: str, reason: str) -> None:
        """Record a verdict with its reason for an indicator (None: the whole channel)."""
        if indicator is None:
            self.general.append((verdict, reason))
        else:
            self.indicators.setdefault(indicator, []).append((verdict, reason))

    def indicator_verdict(self, indicator: str) -> str:
        items = self.indicators.get(indicator, [])
        if not items:
            return UNDETERMINED
        return max((v for v, _ in items), key=_RANK.__getitem__)

    def verdict(self) -> str:
        """Worst verdict over the indicators and the channel-wide reasons.

        Anything weak makes the channel weak (a weak choice stays weak even when the handshake
        then failed); otherwise a channel-wide "undetermined" (no hellos, handshake not
        completed) wins. An indicator that stays undetermined does not lower a channel whose
        other indicators are all GM (e.g. TLS 1.3, whose certificate is encrypted); the reason
        is kept.
        """
        if any(v == WEAK for v, _ in self.entries()):
            return WEAK
        if any(v == UNDETERMINED for v, _ in self.general):
            return UNDETERMINED
        verdicts = [v for v, _ in self.general] + [self.indicator_verdict(i) for i in self.indicators]
        determined = [v for v in verdicts if v != UNDETERMINED]
        if not determined:
            return UNDETERMINED
        return max(determined, key=_RANK.__getitem__)

    def entries(self) -> list[tuple[str, str]]:
        """(verdict, reason text) of every reason, in the order of :meth:`reasons`."""
        out = list(self.general)
        for indicator in sorted(self.indicators):
            out += [(v, f"{indicator}: {reason}") for v, reason in self.indicators[indicator]]
        return out

    def findings(self, prefix: str, location: Any) -> list[Finding]:
        """One finding per reason, with the severity of that reason's own verdict."""
        return [
            Finding(code=f"{prefix}.{verdict}", severity=SEVERITY[verdict], message=text, location=location, data=data)
            for verdict, text, data in self.coded_entries()
        ]

    def coded_entries(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(verdict, reason text, finding data) of every reason, in the order of :meth:`entries`:
        the data holds the reason's code and arguments (``{"reason": {...}}``) when it has them."""
        out = [(verdict, str(reason), reason_data(reason)) for verdict, reason in self.general]
        for indicator in sorted(self.indicators):
            out += [(verdict, f"{indicator}: {reason}", reason_data(reason, indicator)) for verdict, reason in self.indicators[indicator]]
        return out

    def reasons(self) -> list[str]:
        """Every reason's English text: the channel's, then ``<indicator>: <reason>`` by indicator."""
        out = [str(reason) for _, reason in self.general]
        for indicator in sorted(self.indicators):
            out += [f"{indicator}: {reason}" for _, reason in self.indicators[indicator]]
        return out

    def measurements(self) -> dict[str, Any]:
        """``verdict``, ``reasons`` and ``indicators`` for a result's measurements."""
        return {
            "verdict": self.verdict(),
            "reasons": self.reasons(),
            "reason_codes": [code_of(reason) for _, reason in self.general],
            "indicators": [
                {
                    "id": ind,
                    "clause": INDICATORS[ind],
                    "verdict": self.indicator_verdict(ind),
                    "reasons": [str(reason) for _, reason in self.indicators[ind]],
                    "reason_codes": [code_of(reason) for _, reason in self.indicators[ind]],
                }
                for ind in sorted(self.indicators)
            ],
        }


def reason_data(reason: str, indicator: str | None = None) -> dict[str, Any]:
    """A finding's ``data`` for one reason: its code, arguments and indicator, when it has a code."""
    code = code_of(reason)
    if code is None:
        return {}
    return {"reason": code | ({"indicator": indicator} if indicator else {})}


def cipher_verdict(cipher: str) -> tuple[str, Reason]:
    """Verdict of a bulk cipher name (``SM4_GCM``, ``AES_128_CBC``, ``3DES_EDE_CBC``, ``SM4-CBC``)."""
    c = cipher.upper().replace("-", "_")
    if c.startswith(("SM4", "SM1", "ESP_SM4", "ESP_SM1")):
        return GM, Reason("cipher.gm", cipher=cipher)
    for marker, why in (("EXPORT", "export-grade"), ("RC4", "RC4"), ("3DES", "3DES"), ("DES", "single DES"), ("NULL", "no encryption"), ("IDEA", "IDEA"), ("RC2", "RC2")):
        if marker in c:
            return WEAK, Reason("cipher.weak", cipher=cipher, why=why)
    if c in ("UNKNOWN", ""):
        return UNDETERMINED, Reason("cipher.unknown")
    return STRONG, Reason("cipher.not_gm", cipher=cipher)


def mac_verdict(mac: str) -> tuple[str, Reason]:
    """Verdict of a MAC / hash / PRF name (``SM3``, ``SHA256``, ``SHA``, ``MD5``)."""
    m = mac.upper().replace("-", "").replace("_", "")
    if "SM3" in m:
        return GM, Reason("mac.gm", mac=mac)
    if "MD5" in m:
        return WEAK, Reason("mac.md5", mac=mac)
    if m in ("UNKNOWN", ""):
        return UNDETERMINED, Reason("mac.unknown")
    return STRONG, Reason("mac.not_gm", mac=mac)


def aead_verdict(cipher: str) -> tuple[str, Reason]:
    """Verdict of the integrity an AEAD cipher gives (SM4-GCM/CCM: GM; any other: not GM)."""
    if cipher.upper().startswith(("SM4", "ENCR_SM4")):
        return GM, Reason("aead.gm", cipher=cipher)
    return STRONG, Reason("aead.not_gm", cipher=cipher)
