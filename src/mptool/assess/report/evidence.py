"""What the case's evidence files say, in the words a 结果记录 needs (read as JSON only).

Evidence is mptool's envelope (``schema: mptool.evidence/1``) copied into the case by
``assess add``; the report never imports the producing domains. Each file is summarised once:
the command, the inputs (capture, certificate files with their SM3), the channels seen by
``proto analyze`` (protocol, version, suite, frames, server certificate), the path built by
``cert chain``, the values verified by ``algo verify`` and the verdict of ``rng test``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mptool.core import jsonio
from mptool.assess.api import ScoredAssessment


@dataclass
class Channel:
    """One distinct channel configuration seen in a capture."""

    protocol: str
    version: str
    suite: str
    frames: list[int] = field(default_factory=list)
    connections: int = 0
    certificate: dict[str, Any] | None = None
    #: indicator → (English text, reason code or None) of each distinct reason (proto's ``reason_codes``)
    reasons: dict[str, list[tuple[str, dict[str, Any] | None]]] = field(default_factory=dict)
    verdicts: dict[str, str] = field(default_factory=dict)


@dataclass
class EvidenceSummary:
    """One evidence file of the case."""

    file: str
    sm3: str
    command: str
    tool_version: str
    inputs: list[dict[str, Any]]
    channels: list[Channel] = field(default_factory=list)
    chain: dict[str, Any] | None = None  #: cert chain: valid, leaf, validation_time
    cert_checks: dict[str, str] = field(default_factory=dict)  #: check id → status (cert.* in any evidence)
    verified: list[tuple[str, str, str]] = field(default_factory=list)  #: (check, algorithm, status)
    rng_verdict: str | None = None
    texts: list[str] = field(default_factory=list)  #: algorithm-bearing strings (for the ticks)
    data_status: str = ""


def _leaf(certs: list[dict[str, Any]]) -> dict[str, Any] | None:
    for role in ("sign", "leaf", None):
        for c in certs:
            if role is None or c.get("role") == role:
                return c
    return None


def _names(values: list[Any]) -> str:
    return "/".join(dict.fromkeys(str(v) for v in values if v not in (None, "", "none", "NONE")))


def _configuration(m: dict[str, Any]) -> str:
    """What a channel negotiated, in one line: the TLS/TLCP cipher suite; SSH's key exchange, host
    key, cipher and MAC; the IKE SA's selected transforms (and the ESP algorithms a key log showed)."""
    suite = m.get("cipher_suite")
    if suite:
        return str(suite.get("name") if isinstance(suite, dict) else suite)
    negotiated = m.get("negotiated")
    if isinstance(negotiated, dict):
        return _names([negotiated.get(k) for k in ("kex", "host_key", "cipher_client_to_server", "cipher_server_to_client", "mac_client_to_server", "mac_server_to_client")])
    selected = m.get("selected")
    if isinstance(selected, list) and selected and isinstance(selected[0], dict):
        transforms = [t for t in selected[0].get("transforms") or [] if isinstance(t, dict)]
        if m.get("protocol") == "IKEv1" and transforms:
            values = [a.get("value_name") for a in transforms[0].get("attributes") or [] if isinstance(a, dict) and a.get("type") in (1, 2, 3, 4)]
        else:
            values = [t.get("name") for t in transforms]
        esp = (m.get("decrypted") or {}).get("esp") if isinstance(m.get("decrypted"), dict) else None
        if isinstance(esp, dict):
            values += [f"ESP {esp.get('name')}", esp.get("integrity")]
        return _names(values)
    return ""


def summarise(file: str, sm3: str, data: dict[str, Any]) -> EvidenceSummary:
    """The summary of one evidence document."""
    command = str(data.get("command", ""))
    tool = data.get("tool") or {}
    out = EvidenceSummary(file, sm3, command, str(tool.get("version", "")), list(data.get("inputs") or []))
    out.data_status = str((data.get("summary") or {}).get("status", ""))
    channels: dict[tuple[str, str, str], Channel] = {}
    for result in data.get("results") or []:
        check = str(result.get("check", ""))
        m = result.get("measurements") or {}
        status = str(result.get("status", ""))
        if check.startswith("cert."):
            # the worst status per check id over every certificate of the file
            order = {"pass": 0, "na": 0, "info": 0, "skipped": 0, "warn": 1, "fail": 2, "error": 3}
            if order.get(status, 0) >= order.get(out.cert_checks.get(check, "pass"), 0):
                out.cert_checks[check] = status
        if isinstance(m.get("indicators"), list):
            key = (str(m.get("protocol") or ""), str(m.get("version") or ""), _configuration(m))
            ch = channels.setdefault(key, Channel(*key))
            ch.connections += 1
            frames = [int(f) for f in m.get("frames") or [] if isinstance(f, int)]
            if frames:
                ch.frames.extend(frames[:1] + frames[-1:])
            certs = [c for c in m.get("certificates") or [] if isinstance(c, dict)]
            if ch.certificate is None:
                ch.certificate = _leaf(certs)
            for item in m["indicators"]:
                ind = str(item.get("id"))
                ch.verdicts[ind] = str(item.get("verdict"))
                texts = [str(reason) for reason in item.get("reasons") or []]
                codes = item.get("reason_codes") if isinstance(item.get("reason_codes"), list) else []
                known = ch.reasons.setdefault(ind, [])
                for i, text in enumerate(texts):
                    code = codes[i] if i < len(codes) and isinstance(codes[i], dict) else None  # evidence before reason codes has none
                    if all(text != seen for seen, _ in known):
                        known.append((text, code))
            out.texts += [key[2]] + [f"{c.get('key_type', '')} {c.get('signature_algorithm', '')}" for c in certs]
        if check == "cert.path.build":
            path = m.get("chosen_path") or []
            out.chain = {"valid": bool(m.get("valid")), "status": status, "leaf": path[0] if path else None,
                         "validation_time": m.get("validation_time"), "length": len(path)}
            out.texts.append("SM2 SM3" if "SM2" in json.dumps(m) else "")
        if command.startswith("algo") and status in ("pass", "fail"):
            algorithm = str(m.get("algorithm") or result.get("subject") or check)
            out.verified.append((check, algorithm, status))
            out.texts.append(algorithm)
        if check.startswith("cert.format") or check.startswith("cert.lint"):
            out.texts.append(str(m.get("signature_algorithm") or "") + " " + str(m.get("key_type") or ""))
    out.channels = list(channels.values())
    if command.startswith("rng"):
        verdict = ((data.get("summary") or {}).get("rng") or {}).get("verdict") or out.data_status
        out.rng_verdict = str(verdict)
    return out


def case_evidence(scored: ScoredAssessment) -> dict[str, EvidenceSummary]:
    """The summaries of every evidence file of the case, by SM3."""
    base = scored.case.directory or scored.case.path.parent
    out: dict[str, EvidenceSummary] = {}
    for entry in scored.case.data.evidence:
        try:
            data = jsonio.loads(Path(base / entry.file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # load_case verified the digest; an unreadable file would have failed there
        out[entry.sm3] = summarise(entry.file, entry.sm3, data)
    return out
