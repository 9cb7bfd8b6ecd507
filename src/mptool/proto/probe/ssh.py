"""``proto probe --ssh``: the server's identification line, its KEXINIT lists, and every host
key type it offers (one key exchange per type, far enough to read and check the host key).

Connection 1 sends our banner and a KEXINIT naming every algorithm of the registry and reads
the server's; then one connection per host-key *type* the server lists (``rsa-sha2-512``,
``rsa-sha2-256`` and ``ssh-rsa`` share one RSA key) runs a key exchange mptool implements
(:mod:`mptool.proto.ssh.client`) with only that host-key algorithm on offer, reads the host key
from the reply and verifies its signature over the exchange hash. Every connection counts
against --max-connections and --time-limit. The verdict uses the analyzer's judge
(:mod:`mptool.proto.ssh.verdicts`): each algorithm the server accepts gets the verdict a captured
connection that negotiated it would get, and the endpoint's verdict is the worst of them.
"""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.proto.checks.probe import PROBE_SSH
from mptool.proto.judge.verdict import SEVERITY, STATUS, Judgement
from mptool.proto.probe.hello import Budget
from mptool.proto.probe.report import UNREACHABLE
from mptool.proto.registry import ssh as reg
from mptool.proto.ssh import client as C
from mptool.proto.ssh.packet import KEXINIT_LISTS
from mptool.proto.ssh.verdicts import algorithm_verdict, host_key_reason, version_reasons
from mptool.proto.tls.transport import ConnectionProblem

#: KEXINIT list -> registry table
_KIND = {
    "kex_algorithms": "kex",
    "server_host_key_algorithms": "hostkey",
    "encryption_algorithms_client_to_server": "cipher",
    "encryption_algorithms_server_to_client": "cipher",
    "mac_algorithms_client_to_server": "mac",
    "mac_algorithms_server_to_client": "mac",
}


def _offer_all() -> dict[str, list[str]]:
    """Our first KEXINIT: every name of the registry (the server's list is what we read)."""
    names = {kind: [n for n, a in table.items() if a.cls != reg.PSEUDO] for kind, table in reg.TABLES.items()}
    lists = {key: names[_KIND[key]] for key in _KIND}
    lists["kex_algorithms"] = [*C.CLIENT_KEX, *[n for n in names["kex"] if n not in C.CLIENT_KEX]]
    lists["compression_algorithms_client_to_server"] = lists["compression_algorithms_server_to_client"] = ["none", "zlib@openssh.com", "zlib"]
    return lists


def _finding(findings: list[Finding], code: str, severity: Severity, message: str) -> None:
    findings.append(Finding(code=code, severity=severity, message=message))


def _connect(budget: Budget, host: str, port: int) -> tuple[Any, C.Channel]:
    sock, deadline = budget.open(host, port)
    return sock, C.Channel(sock, deadline)


def probe_ssh(budget: Budget, host: str, port: int) -> CheckResult:
    """Probe one SSH server; one ``proto.probe.ssh`` result."""
    subject = f"{host}:{port} SSH"
    findings: list[Finding] = []
    m: dict[str, Any] = {"protocol": "SSH", "version": None, "banner": None, "server_kexinit": None, "host_keys": [], "strict_kex_offered": None, "algorithms": [], "connections": 0}
    used_before = budget.used
    channel = None
    try:
        sock, channel = _connect(budget, host, port)
        with sock:
            hello = C.hello(channel, _offer_all())
    except (ConnectionProblem, C.SSHProtocolError) as exc:
        m["connections"] = budget.used - used_before
        kind = getattr(exc, "kind", None)
        if kind == "timeout" and channel is not None and channel.buffer and not channel.got_banner:
            kind = None  # it answered, but with lines that are not an SSH identification line
        if kind in UNREACHABLE or kind == "budget_exhausted":
            _finding(findings, f"proto.probe.{kind}", Severity.ERROR if kind in UNREACHABLE else Severity.WARN, str(exc))
            return PROBE_SSH.result(Status.ERROR if kind in UNREACHABLE else Status.INFO, subject=subject, measurements=m, findings=findings)
        if channel is not None and channel.got_banner:
            _finding(findings, "proto.probe.ssh.malformed", Severity.WARN, f"after the identification line: {exc}")
        else:
            _finding(findings, "proto.probe.not_ssh", Severity.WARN, f"not an SSH server (no identification line): {exc}")
        return PROBE_SSH.result(Status.INFO, subject=subject, measurements=m, findings=findings)
    version = hello.banner.proto_version
    m["version"] = f"SSH-{version}"
    m["banner"] = hello.banner.line
    j = Judgement()
    for verdict, reason in version_reasons(version):
        j.add(None, verdict, reason)
    if version.startswith("1."):
        _finding(findings, "proto.probe.ssh.ssh1", Severity.ERROR, f"the server announces SSH-{version}: SSH-1 is spoken or accepted")
    if hello.kexinit is not None:
        lists = hello.kexinit.lists
        m["server_kexinit"] = lists
        m["strict_kex_offered"] = reg.STRICT_KEX_SERVER in lists["kex_algorithms"]
        seen: set[tuple[str, str]] = set()
        for key in KEXINIT_LISTS:
            kind = _KIND.get(key)
            for name in lists[key] if kind else []:
                entry = reg.KEX.get(name)
                if (kind, name) in seen or (entry is not None and entry.cls == reg.PSEUDO):
                    continue
                seen.add((kind, name))
                verdict, reason, record = algorithm_verdict(kind, name)
                m["algorithms"].append(record)
                j.add("DEV-AUTH" if kind == "hostkey" else "DEV-RMGT", verdict, reason)
        if not m["strict_kex_offered"]:
            _finding(findings, "proto.probe.ssh.no_strict_kex", Severity.WARN, "the server does not offer strict kex (kex-strict-s-v00@openssh.com): Terrapin (CVE-2023-48795) applies with ChaCha20-Poly1305 or -etm MACs")
        _host_keys(budget, host, port, lists, m, j, findings)
    m["connections"] = budget.used - used_before
    m.update(j.measurements())
    findings += [Finding(code=f"proto.probe.{verdict}", severity=SEVERITY[verdict], message=text, data=data) for verdict, text, data in j.coded_entries()]
    status = STATUS[j.verdict()]
    if any(f.severity is Severity.ERROR for f in findings) and status is not Status.FAIL:
        status = Status.FAIL
    return PROBE_SSH.result(status, subject=subject, measurements=m, findings=findings)


def _host_keys(budget: Budget, host: str, port: int, lists: dict[str, list[str]], m: dict[str, Any], j: Judgement, findings: list[Finding]) -> None:
    """One key exchange per host-key type the server lists."""
    kex = next((k for k in C.CLIENT_KEX if k in lists["kex_algorithms"]), None)
    types: dict[str, str] = {}
    for alg in lists["server_host_key_algorithms"]:
        types.setdefault(reg.KEY_TYPE.get(alg, alg), alg)
    if kex is None:
        _finding(findings, "proto.probe.ssh.host_key_not_read", Severity.WARN, "the server offers no key exchange mptool implements (curve25519, ECDH NIST, group exchange): host keys not read")
        return
    for key_type, alg in types.items():
        offer = {key: list(lists[key]) for key in KEXINIT_LISTS}
        offer["kex_algorithms"] = [kex]
        offer["server_host_key_algorithms"] = [alg]
        offer["languages_client_to_server"] = offer["languages_server_to_client"] = []
        record: dict[str, Any] = {"algorithm": alg, "kex": kex}
        try:
            sock, channel = _connect(budget, host, port)
            with sock:
                outcome = C.key_exchange(channel, C.hello(channel, offer), kex)
        except ConnectionProblem as exc:
            code = "proto.probe.budget_exhausted" if exc.kind == "budget_exhausted" else "proto.probe.ssh.host_key_not_read"
            _finding(findings, code, Severity.WARN, f"host key {alg}: {exc}")
            if exc.kind == "budget_exhausted":
                return
            continue
        except C.SSHProtocolError as exc:
            _finding(findings, "proto.probe.ssh.malformed", Severity.WARN, f"host key {alg}: {exc}")
            continue
        record.update(outcome.host_key.record(), signature_algorithm=outcome.signature_type, signature_valid=outcome.signature_valid)
        if outcome.gex_group_bits is not None:
            record["gex_group_bits"] = outcome.gex_group_bits
        m["host_keys"].append(record)
        if outcome.signature_valid is False:
            _finding(findings, "proto.probe.ssh.bad_host_key_signature", Severity.ERROR, f"host key {alg} {outcome.host_key.fingerprint_sha256}: the signature over the exchange hash does not verify")
        j.add("DEV-AUTH", *host_key_reason(outcome.host_key))
