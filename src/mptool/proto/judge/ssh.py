"""``proto.ssh.channel``: one SSH connection of a capture — banners, both KEXINIT lists, the
algorithms negotiated per RFC 4253 §7.1, strict kex, the server host key, and the verdict."""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult, Finding, Severity
from mptool.core.registry import check
from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import STATUS, UNDETERMINED, Judgement, verdict_findings
from mptool.proto.registry.ssh import STRICT_KEX_CLIENT
from mptool.proto.ssh.negotiate import negotiate, strict_kex
from mptool.proto.ssh.packet import HostKey, parse_host_key
from mptool.proto.ssh.stream import SSHConnection
from mptool.proto.ssh.verdicts import judge_negotiated, version_reasons
from mptool.proto.wire import DecodeError

#: Findings the probe shares with the analyzer (same meaning, ``proto.probe.ssh.*`` there).
SSH_FINDINGS = {
    "ssh1": "SSH protocol 1.x is spoken or still accepted (1.99): a high-risk candidate (HR-GEN-TECH)",
    "no_strict_kex": "strict kex (kex-strict-*-v00@openssh.com) is not negotiated while ChaCha20-Poly1305 or an encrypt-then-MAC mode is: the Terrapin prefix truncation (CVE-2023-48795) applies",
    "malformed": "SSH bytes that do not follow RFC 4253 (banner, binary packet, KEXINIT or KEX reply)",
}


def _ep(endpoint: tuple[str, int]) -> str:
    host, port = endpoint
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def terrapin_exposed(negotiated: dict[str, str | None]) -> bool:
    """ChaCha20-Poly1305 or an ``-etm`` MAC in either direction (CVE-2023-48795)."""
    values = [v or "" for k, v in negotiated.items() if k.startswith(("cipher_", "mac_"))]
    return any(v.startswith("chacha20-poly1305") or v.endswith("-etm@openssh.com") for v in values)


def describe(conn: SSHConnection) -> tuple[dict[str, Any], Judgement, list[Finding]]:
    """Measurements (without the verdict), the judgement and the extra findings of one connection."""
    si = conn.server_index()
    ci = 1 - si
    server, client = conn.sides[si], conn.sides[ci]
    banners = {"client": client.banner.line if client.banner else None, "server": server.banner.line if server.banner else None}
    versions = [b.proto_version for b in (client.banner, server.banner) if b is not None]
    version = _protocol_version(client.banner.proto_version if client.banner else None, server.banner.proto_version if server.banner else None)
    m: dict[str, Any] = {
        "protocol": "SSH",
        "version": f"SSH-{version}" if version else None,
        "banners": banners,
        "client": _ep(conn.endpoints[ci]),
        "server": _ep(conn.endpoints[si]),
        "frames": [conn.first_frame, conn.last_frame],
        "client_kexinit": client.kexinit.lists if client.kexinit else None,
        "server_kexinit": server.kexinit.lists if server.kexinit else None,
        "negotiated": None,
        "strict_kex": None,
        "host_key": None,
        "gex_group_bits": server.gex_group_bits,
        "established": client.newkeys and server.newkeys,
        "bytes": {"client_to_server": client.bytes, "server_to_client": server.bytes},
        "algorithms": [],
        "problems": list(conn.problems),
    }
    findings: list[Finding] = []
    location = {"frames": m["frames"]}
    for side in (client, server):
        if side.disconnect is not None:
            m["problems"].append(f"SSH_MSG_DISCONNECT reason {side.disconnect[0]}: {side.disconnect[1]}")
    host_key: HostKey | None = None
    if server.reply is not None:
        try:
            host_key = parse_host_key(server.reply.host_key_blob)
            m["host_key"] = host_key.record() | {"signature_algorithm": server.reply.signature_type, "frame": server.reply_frame}
        except DecodeError as exc:
            m["problems"].append(f"server host key: {exc}")
    if any(v.startswith("1.") for v in versions):
        findings.append(Finding(code="proto.ssh.ssh1", severity=Severity.ERROR, message=f"SSH protocol {', '.join('SSH-' + v for v in versions)}: SSH-1 is spoken or accepted", location=location))
    for problem in conn.problems:
        if "missing from the capture" not in problem:
            findings.append(Finding(code="proto.ssh.malformed", severity=Severity.WARN, message=problem, location=location))
    if client.kexinit is None or server.kexinit is None:
        j = Judgement()
        for verdict, reason in version_reasons(version or ""):
            j.add(None, verdict, reason)
        if not (version or "").startswith("1.") or version == "1.99":
            j.add(None, UNDETERMINED, Reason("ssh.kexinit_missing"))
        return m, j, findings
    negotiated = negotiate(client.kexinit, server.kexinit)
    m["negotiated"] = negotiated
    m["strict_kex"] = strict_kex(client.kexinit, server.kexinit)
    m["strict_kex_offered"] = {"client": STRICT_KEX_CLIENT in client.kexinit.names("kex_algorithms"), "server": "kex-strict-s-v00@openssh.com" in server.kexinit.names("kex_algorithms")}
    j, records = judge_negotiated(negotiated, version or "2.0", host_key, server.gex_group_bits)
    m["algorithms"] = records
    if not m["strict_kex"] and terrapin_exposed(negotiated):
        findings.append(Finding(code="proto.ssh.no_strict_kex", severity=Severity.WARN, message="ChaCha20-Poly1305 or an -etm MAC negotiated without strict kex: Terrapin (CVE-2023-48795)", location=location))
    if not m["established"]:
        j.add(None, UNDETERMINED, Reason("ssh.kex_incomplete"))
    return m, j, findings


def _protocol_version(client: str | None, server: str | None) -> str | None:
    """The protocol both speak: 2.0 when one says 2.0 and the other 2.0 or 1.99 (RFC 4253 §5.1)."""
    if client is None or server is None:
        return server or client
    if "2.0" in (client, server) and {client, server} <= {"2.0", "1.99"}:
        return "1.99" if server == "1.99" else "2.0"
    return server if server.startswith("1.") else client


@check(
    "proto.ssh.channel",
    "SSH connection: version, KEXINIT lists, negotiated algorithms, strict kex, server host key",
    "RFC 4253 §4.2, §7.1, §8; RFC 4344; RFC 5656; RFC 8268; RFC 8308; RFC 8709; RFC 8731; RFC 9142; GB/T 39786-2021 8.3 a) b)",
    {
        **verdict_findings("proto.ssh"),
        **{f"proto.ssh.{k}": v for k, v in SSH_FINDINGS.items()},
    },
)
def channel_result(conn: SSHConnection, capture: str, index: int) -> CheckResult:
    """One SSH connection found by its identification line (any port).

    Records both banners, both SSH_MSG_KEXINIT name-lists, the algorithms negotiated by RFC 4253
    §7.1 per direction (the first client algorithm the server also lists), whether strict kex is
    on, the server host key from the KEX reply (type, size, SHA-256 fingerprint; it is sent in
    clear) and the group size of a group exchange. The verdict is the analyzer's: gm_compliant
    (SM algorithms, by vendor name — no SSH names are standardised), strong_not_gm, weak
    (SSH-1, SHA-1 kex or signatures, DH group 1, RC4/3DES/64-bit-block ciphers, MD5, none, RSA
    below 2048) or undetermined (KEXINIT not captured, key exchange incomplete); indicators
    DEV-RMGT 8.3 b) and DEV-AUTH 8.3 a). Fails when weak, warns when strong but not GM.
    """
    spec = channel_result.spec  # type: ignore[attr-defined]
    m, j, extra = describe(conn)
    m.update(j.measurements())
    location = {"capture": capture, "frames": m["frames"]}
    findings = j.findings("proto.ssh", location) + [f.model_copy(update={"location": location}) for f in extra]
    subject = f"{capture} #{index} {m['client']} -> {m['server']} {m['version'] or 'SSH'}"
    return spec.result(STATUS[j.verdict()], subject=subject, measurements=m, findings=findings)
