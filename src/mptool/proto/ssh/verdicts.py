"""The SSH verdict in the analyzer's vocabulary (:mod:`mptool.proto.judge.verdict`), shared by
``proto analyze`` (negotiated algorithms of a captured connection) and ``proto probe --ssh``
(each algorithm the server accepts).

Indicators (GB/T 39786-2021): SSH is the remote-management channel, 8.3 b) **DEV-RMGT** (key
exchange, encryption and MAC of the channel); the server host key authenticates the device,
8.3 a) **DEV-AUTH**. SSH-1.x (protocol 1.x, and 1.99: a server that still accepts it) is weak
and a high-risk candidate (HR-GEN-TECH, the high-risk guide's "SSH 1.0" example).
"""

from __future__ import annotations

from typing import Any

from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import GM, STRONG, UNDETERMINED, WEAK, Judgement
from mptool.proto.registry import ssh as reg
from mptool.proto.ssh.negotiate import IMPLICIT
from mptool.proto.ssh.packet import HostKey

_CLASS = {reg.GM: GM, reg.STRONG: STRONG, reg.WEAK: WEAK}
_ROLE = {"kex": ("DEV-RMGT", "key exchange"), "hostkey": ("DEV-AUTH", "host key"), "cipher": ("DEV-RMGT", "cipher"), "mac": ("DEV-RMGT", "MAC")}


def algorithm_verdict(kind: str, name: str) -> tuple[str, Reason, dict[str, Any]]:
    """(verdict, reason, record) of one algorithm name of table ``kind``."""
    entry = reg.classify(kind, name)
    what = _ROLE[kind][1]
    record: dict[str, Any] = {"name": name, "kind": kind}
    if entry is None:
        record.update(verdict=UNDETERMINED, strength_bits=None, reference=None)
        return UNDETERMINED, Reason("ssh.unknown", role=what, name=name), record
    verdict = _CLASS.get(entry.cls, UNDETERMINED)
    record.update(verdict=verdict, strength_bits=entry.bits, reference=entry.reference)
    detail = f" ({entry.note})" if entry.note else ""
    if verdict == GM:
        return GM, Reason("ssh.gm", role=what, name=name, detail=detail), record
    if verdict == WEAK:
        return WEAK, Reason("ssh.weak", role=what, name=name, detail=detail), record
    return STRONG, Reason("ssh.not_gm", role=what, name=name, detail=detail), record


def version_reasons(version: str) -> list[tuple[str, Reason]]:
    """SSH-1.x and 1.99 are weak (RFC 4253 §5.1 compatibility; high-risk guide: SSH 1.0)."""
    if version == "1.99":
        return [(WEAK, Reason("ssh.v1_99"))]
    if version.startswith("1."):
        return [(WEAK, Reason("ssh.v1", version=version))]
    return []


def host_key_reason(key: HostKey) -> tuple[str, Reason]:
    """Verdict of the server host key itself: its size (RSA/DSA) and type."""
    base = key.type.replace("-cert-v01@openssh.com", "")
    if base == "ssh-rsa" and key.bits is not None:
        verdict = WEAK if key.bits < 2048 else STRONG
        return verdict, Reason("ssh.host_key_rsa_short" if verdict == WEAK else "ssh.host_key_rsa", bits=key.bits, fingerprint=key.fingerprint_sha256)
    if base == "ssh-dss":
        return WEAK, Reason("ssh.host_key_dsa", bits=key.bits, fingerprint=key.fingerprint_sha256)
    if key.bits is None:
        return UNDETERMINED, Reason("ssh.host_key_size_unknown", type=key.type, fingerprint=key.fingerprint_sha256)
    return algorithm_verdict("hostkey", base)[0], Reason("ssh.host_key", type=key.type, size=key.detail or key.bits, fingerprint=key.fingerprint_sha256)


def judge_negotiated(negotiated: dict[str, str | None], version: str, host_key: HostKey | None, gex_bits: int | None = None) -> tuple[Judgement, list[dict[str, Any]]]:
    """The judgement of a connection that negotiated these algorithms, and one record per algorithm."""
    j = Judgement()
    records: list[dict[str, Any]] = []
    for verdict, reason in version_reasons(version):
        j.add(None, verdict, reason)
    if version.startswith("1.") and version != "1.99":
        return j, records
    roles = [("kex", "kex", None), ("hostkey", "host_key", None)]
    for direction in ("client_to_server", "server_to_client"):
        roles += [("cipher", f"cipher_{direction}", direction), ("mac", f"mac_{direction}", direction)]
    seen: set[tuple[str, str]] = set()
    for kind, key, direction in roles:
        name = negotiated.get(key)
        if name is None:
            j.add(None, UNDETERMINED, Reason("ssh.no_common_direction", role=_ROLE[kind][1], direction=direction.replace("_", " ")) if direction else Reason("ssh.no_common", role=_ROLE[kind][1]))
            continue
        if name == IMPLICIT:
            continue
        verdict, reason, record = algorithm_verdict(kind, name)
        record["role"] = key
        records.append(record)
        if (kind, name) in seen:
            continue
        seen.add((kind, name))
        j.add(_ROLE[kind][0], verdict, reason)
    if gex_bits is not None:
        j.add("DEV-RMGT", WEAK if gex_bits < 2048 else STRONG, Reason("ssh.gex_group_small" if gex_bits < 2048 else "ssh.gex_group", bits=gex_bits))
    if host_key is not None:
        j.add("DEV-AUTH", *host_key_reason(host_key))
    return j, records
