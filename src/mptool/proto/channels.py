"""One summary row per channel for the text report (``summary.channels`` in the evidence).

Built from the results' measurements only (nothing recomputed), so ``proto analyze`` and
``proto probe`` give the same columns: endpoints, protocol/version, suite or algorithms, verdict.
The text renderer prints these rows first; the JSON keeps them under ``summary.channels``.
"""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult

#: at most this many rows (the JSON results hold every channel)
MAX_ROWS = 200


def _ike_algorithms(m: dict[str, Any]) -> str:
    proposals = m.get("selected") or m.get("proposals") or []
    for proposal in proposals[:1]:
        for transform in (proposal.get("transforms") or [])[:1]:
            names = [str(a.get("value_name") or a.get("value")) for a in transform.get("attributes") or [] if a.get("name") in ("Encryption Algorithm", "Key Length", "Hash Algorithm", "Group Description")]
            names += [str(t.get("name")) for t in transform.get("transforms") or []] if not names else []
            if names:
                return "/".join(names)
            return str(transform.get("name") or "")
    return ""


def _ssh_algorithms(m: dict[str, Any]) -> str:
    neg = m.get("negotiated") or {}
    if not neg:
        return "KEXINIT not seen"
    return " ".join(str(neg.get(k) or "-") for k in ("kex", "host_key", "cipher_client_to_server"))


def _row(result: CheckResult) -> dict[str, str] | None:
    m = result.measurements
    verdict = m.get("verdict")
    check = result.check
    if check == "proto.tls.channel":
        suite = (m.get("cipher_suite") or {}).get("name") or "no ServerHello"
        return {"endpoints": f"{m.get('client')} > {m.get('server')}", "protocol": str(m.get("version") or m.get("protocol")), "algorithms": suite, "verdict": str(verdict)}
    if check == "proto.ssh.channel":
        return {"endpoints": f"{m.get('client')} > {m.get('server')}", "protocol": str(m.get("version") or "SSH"), "algorithms": _ssh_algorithms(m), "verdict": str(verdict)}
    if check == "proto.ike.exchange":
        return {"endpoints": f"{m.get('initiator')} > {m.get('responder')}", "protocol": str(m.get("protocol")), "algorithms": _ike_algorithms(m), "verdict": str(verdict)}
    if check == "proto.esp.channel":
        spis = m.get("spis") or []
        return {"endpoints": " <> ".join(m.get("hosts") or []), "protocol": "ESP", "algorithms": f"{len(spis)} SPI(s)", "verdict": str(verdict)}
    if check == "proto.cleartext.channel":
        creds = len(m.get("credentials") or [])
        return {"endpoints": f"{m.get('client')} > {m.get('server')}", "protocol": f"{m.get('protocol')}/{m.get('transport')}", "algorithms": "none (cleartext)" + (f", {creds} credential(s)" if creds else ""), "verdict": str(verdict)}
    if check.startswith("proto.probe.") and "verdict" in m and not result.subject.endswith("certificates"):
        if m.get("protocol") == "SSH":
            lists = m.get("server_kexinit") or {}
            algorithms = f"{len(lists.get('kex_algorithms') or [])} kex, {len(lists.get('encryption_algorithms_client_to_server') or [])} ciphers, {len(m.get('host_keys') or [])} host keys"
            protocol = str(m.get("version") or "SSH")
        else:
            algorithms = f"{len(m.get('accepted_suites') or [])} suites accepted"
            protocol = ", ".join(m.get("versions") or []) or str(m.get("protocol"))
        return {"endpoints": result.subject.rsplit(" ", 1)[0], "protocol": protocol, "algorithms": algorithms, "verdict": str(verdict)}
    return None


def channel_rows(results: list[CheckResult]) -> list[dict[str, str]]:
    """The summary rows of every channel result, in report order."""
    rows = [row for row in map(_row, results) if row is not None]
    return rows[:MAX_ROWS]
