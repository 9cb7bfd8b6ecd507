"""Evidence of one standard IKE exchange (``proto probe --ike --full`` against e.g. strongSwan):
measurements, the analyzer's verdict vocabulary and the status."""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import CheckSpec
from mptool.proto.ipsec.std.session import StdLog
from mptool.proto.judge.ipsec import judge_selected
from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import SEVERITY, STATUS, STRONG, UNDETERMINED, Judgement

#: Problems that mean the responder sent something wrong or refused us (the result fails).
PEER_FAULTS = frozenset({"esp_bad_icv", "esp_replay", "esp_malformed", "esp_echo_mismatch", "malformed", "authentication_failed", "transform_not_offered", "bad_hash", "bad_signature", "bad_auth", "bad_icv", "certificate_missing", "certificate_unreadable", "no_proposal_chosen", "invalid_ke"})
AUTH_NAMES = {"psk": "pre-shared key", "rsa": "RSA signature", "ecdsa": "ECDSA-256 signature (RFC 4754)"}


def esp_summary(proposal: dict[str, Any], v2: bool) -> dict[str, str]:
    """``name`` and ``integrity`` of a chosen ESP proposal (analyzer proposal form)."""
    if v2:
        by_type = {t["type"]: t for t in proposal["transforms"]}
        encr = by_type.get("ENCR", {})
        name = str(encr.get("name", "unknown")).removeprefix("ENCR_") + (f"_{encr['key_length']}" if encr.get("key_length") else "")
        integ = by_type.get("INTEG", {}).get("name", "GCM ICV" if "GCM" in name else "none")
        return {"name": name, "integrity": str(integ)}
    transform = proposal["transforms"][0]
    attrs = {a["type"]: a for a in transform.get("attributes", [])}
    key = attrs.get(6, {}).get("value")
    name = str(transform["name"]).removeprefix("ESP_") + (f"_{key}" if key else "")
    integ = attrs.get(5, {}).get("value_name", "GCM ICV" if "GCM" in name else "none")
    return {"name": name, "integrity": str(integ)}


def judge(log: StdLog, method: str) -> Judgement:
    """The analyzer's judgement (judge/ipsec.judge_selected) of what was negotiated, with what
    the probe knows beyond a capture: the authentication method and (after quick mode / IKE_AUTH) ESP."""
    j = Judgement()
    proposal = log.transforms.get("phase1") or log.transforms.get("ike")
    if not log.phase1_completed or proposal is None:
        j.add(None, UNDETERMINED, Reason("ike.phase1_incomplete" if log.version == "IKEv1" else "ike.ike_sa_incomplete", version=log.version))
        return j
    esp = log.transforms.get("esp")
    judged = judge_selected(Judgement(), log.version, proposal, esp=esp_summary(esp, log.version == "IKEv2") if esp else None)
    for indicator, items in judged.indicators.items():
        for verdict, reason in items:
            if verdict == UNDETERMINED and getattr(reason, "code", "") in ("ike.v2_auth_hidden", "ike.esp_hidden"):
                continue  # the probe knows what a capture cannot see
            j.add(indicator, verdict, reason)
    if log.version == "IKEv2":
        j.add("NET-AUTH", STRONG, Reason("ike.v2_auth_method", method=AUTH_NAMES[method]))
    if not esp:
        j.add("NET-CONF", UNDETERMINED, Reason("ike.no_child_sa"))
    return j


def measurements(log: StdLog, method: str) -> dict[str, Any]:
    """What the exchange negotiated (never a key or the PSK)."""
    m: dict[str, Any] = {
        "protocol": log.version,
        "exchanges": "main mode + quick mode" if log.version == "IKEv1" else "IKE_SA_INIT + IKE_AUTH",
        "authentication": AUTH_NAMES[method],
        "phase1_completed": log.phase1_completed,
        "phase2_completed": log.phase2_completed,
        "transforms": {k: v for k, v in log.transforms.items()},
        "spis": log.spis,
        "peer_id": log.peer_id,
        "peer_notify": log.peer_notify,
        "messages": log.messages,
        "deleted": log.deleted,
        "problems": [{"kind": k, "message": msg} for k, msg in log.problems],
        "handshake_completed": log.phase2_completed,
        "esp": {"sent": log.esp_sent, "answered": log.esp_answered, "dropped": log.esp_dropped},
    }
    if log.version == "IKEv2":
        m["ike_sa_established"] = log.phase1_completed  # the IKEv2 names of the two phases
        m["child_sa_established"] = log.phase2_completed
    if log.peer_certificates:
        import hashlib

        m["peer_certificates_sha256"] = [hashlib.sha256(der).hexdigest() for der in log.peer_certificates]
    return m


def exchange_result(spec: CheckSpec, subject: str, log: StdLog, method: str, extra: dict[str, Any]) -> CheckResult:
    """One result: status from what happened and the verdict."""
    j = judge(log, method)
    m = {**measurements(log, method), **j.measurements(), **extra}
    findings = [Finding(code=f"{spec.id}.{kind}", severity=Severity.ERROR if kind in PEER_FAULTS else Severity.WARN, message=message) for kind, message in log.problems]
    findings += [Finding(code=f"{spec.id}.{verdict}", severity=SEVERITY[verdict], message=text, data=data) for verdict, text, data in j.coded_entries()]
    if any(kind in PEER_FAULTS for kind, _ in log.problems):
        status = Status.FAIL
    elif log.phase2_completed and log.esp_answered == log.esp_sent:
        status = STATUS[j.verdict()]
    else:
        status = Status.WARN
    return spec.result(status, subject=subject, measurements=m, findings=findings)
