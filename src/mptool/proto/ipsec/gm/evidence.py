"""Evidence of one GM/T 0022 exchange, the same for ``proto serve --ike`` and ``proto probe --ike --full``:
measurements, the analyzer's verdict vocabulary, findings and status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mptool.core.errors import InputError
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import CheckSpec
from mptool.proto.ipsec.gm import codec
from mptool.proto.ipsec.gm.session import ExchangeLog
from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import GM, SEVERITY, STATUS, UNDETERMINED, Judgement

#: Problems that mean the peer sent something wrong (the result fails).
PEER_FAULTS = frozenset(
    {"malformed", "bad_envelope", "bad_signature", "bad_hash", "certificate_role", "certificate_encoding", "certificate_missing", "certificate_unreadable", "transform_not_offered", "esp_bad_icv", "esp_replay", "esp_malformed", "esp_echo_mismatch"}
)
_ATTR_NAMES = {codec.A_ENC: "encryption", codec.A_HASH: "hash", codec.A_AUTH: "authentication", codec.A_ASYM: "asymmetric_algorithm", codec.A_LIFE_TYPE: "life_type", codec.A_LIFE: "life_duration"}
_VALUE_NAMES = {
    (codec.A_ENC, codec.ENC_SM4): "SM4-CBC",
    (codec.A_HASH, codec.HASH_SM3): "SM3",
    (codec.A_AUTH, codec.AUTH_ENVELOPE): "digital envelope (GM/T 0022)",
    (codec.A_ASYM, codec.ASYM_SM2): "SM2",
    (codec.A_LIFE_TYPE, 1): "seconds",
}


def describe_transforms(transforms: dict[str, Any]) -> dict[str, Any]:
    """Phase-1 and ESP transforms with GM/T 0022 names."""
    out: dict[str, Any] = {}
    if "phase1" in transforms:
        out["phase1"] = {_ATTR_NAMES.get(t, str(t)): {"value": v, "name": _VALUE_NAMES.get((t, v), str(v))} for t, v in transforms["phase1"].items()}
    if "esp" in transforms:
        esp = transforms["esp"]
        tid = esp["transform_id"]
        name = {codec.ESP_SM4_CBC: "SM4-CBC", codec.ESP_SM4_GCM: "SM4-GCM"}.get(tid, f"unknown ({tid})")
        auth = esp["attributes"].get(codec.QA_AUTH)
        out["esp"] = {
            "transform_id": tid,
            "name": name,
            "integrity": "HMAC-SM3" if auth == codec.AUTH_HMAC_SM3 else ("GCM ICV" if tid == codec.ESP_SM4_GCM else f"unknown ({auth})"),
            "encapsulation": "UDP-Encapsulated-Tunnel" if esp["attributes"].get(codec.QA_ENCAP) == codec.ENCAP_UDP_TUNNEL else str(esp["attributes"].get(codec.QA_ENCAP)),
        }
    return out


def judge(log: ExchangeLog) -> Judgement:
    """The analyzer's verdict vocabulary over what was negotiated."""
    j = Judgement()
    if not log.phase1_completed:
        j.add(None, UNDETERMINED, Reason("gmipsec.phase1_incomplete"))
        return j
    j.add("NET-AUTH", GM, Reason("gmipsec.envelope"))
    j.add("NET-INTEG", GM, Reason("gmipsec.prf_sm3"))
    if log.phase2_completed:
        esp = describe_transforms(log.transforms).get("esp", {})
        j.add("NET-CONF", GM, Reason("gmipsec.esp", name=esp.get("name")))
        j.add("NET-INTEG", GM, Reason("gmipsec.esp_integrity", integrity=esp.get("integrity")))
    else:
        j.add("NET-CONF", UNDETERMINED, Reason("gmipsec.quick_mode_incomplete"))
    return j


def measurements(log: ExchangeLog) -> dict[str, Any]:
    """The measurements of an exchange (certificates by role and subject, never a key)."""
    certs = {
        who: {"roles": c["roles"], "sign_sha256": _sha256(c["sign"]), "enc_sha256": _sha256(c["enc"])}
        for who, c in log.certificates.items()
    }
    return {
        "protocol": "GM/T 0022 IKE",
        "version": "0x11",
        "phase1_completed": log.phase1_completed,
        "phase2_completed": log.phase2_completed,
        "transforms": describe_transforms(log.transforms),
        "certificates": certs,
        "spis": log.spis,
        "esp": {"sent": log.esp_sent, "received": log.esp_received, "answered": log.esp_answered, "dropped": log.esp_dropped},
        "messages": log.messages,
        "peer_notify": log.peer_notify,
        "problems": [{"kind": k, "message": m} for k, m in log.problems],
        "reading": codec.READING,
        "choices": codec.CHOICES,
    }


def _sha256(der: bytes) -> str:
    import hashlib

    return hashlib.sha256(der).hexdigest()


def exchange_result(spec: CheckSpec, prefix: str, subject: str, log: ExchangeLog, extra: dict[str, Any] | None = None, esp_expected: int = 0) -> CheckResult:
    """One result for one exchange: status from what happened and the verdict."""
    j = judge(log)
    m = {**measurements(log), **j.measurements(), **(extra or {})}
    findings = [Finding(code=f"{prefix}.{kind}", severity=Severity.ERROR if kind in PEER_FAULTS else Severity.WARN, message=message) for kind, message in log.problems]
    findings += [Finding(code=f"{prefix}.{verdict}", severity=SEVERITY[verdict], message=text, data=data) for verdict, text, data in j.coded_entries()]
    if any(kind in PEER_FAULTS for kind, _ in log.problems):
        status = Status.FAIL
    elif log.phase2_completed and (not esp_expected or log.esp_answered == esp_expected):
        status = STATUS[j.verdict()]
    elif log.problems:
        status = Status.WARN
    else:
        status = Status.INFO
    return spec.result(status, subject=subject, measurements=m, findings=findings)


def certificate_results(log: ExchangeLog, who: str, trust: Sequence[bytes], subject: str, fail: CheckSpec, code: str) -> list[CheckResult]:
    """The cert domain's chain and pair checks of a peer's two certificates."""
    from mptool.proto.probe.certcheck import check_handshake_certificates

    certs = log.certificates.get(who)
    if not certs:
        return []
    try:
        return check_handshake_certificates([certs["sign"], certs["enc"]], tlcp=True, trust=trust, subject=subject, purpose="any", lint=False)
    except InputError as exc:
        return [fail.result(Status.FAIL, subject=subject, findings=[Finding(code=code, severity=Severity.ERROR, message=str(exc))])]
