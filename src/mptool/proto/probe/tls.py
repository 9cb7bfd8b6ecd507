"""Probing a TLS endpoint: versions, suites per version, preference order, certificates.

One ClientHello per version offers every registered suite of that version; the suite the
server picks is removed and the hello repeated until the server refuses, so the accepted
suites come out in the order the server picks them. SSL 3.0-TLS 1.2 are selected by
``client_version`` (RFC 5246 §7.4.1.2, Appendix E), TLS 1.3 by ``supported_versions``
(RFC 8446 §4.2.1). RFC 8998 (TLS 1.3 with SM) is probed with a curveSM2 key share.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mptool.algo.api import sm2
from mptool.core.model import Severity
from mptool.proto.registry import tls as ids
from mptool.proto.tls import messages as m
from mptool.proto.probe.enumerate import SuiteOffers, enumerate_suites, preference
from mptool.proto.probe.hello import Budget, HelloOutcome, send_hello
from mptool.proto.tls.transport import ConnectionProblem
from mptool.proto.probe.report import UNREACHABLE, ProtocolReport, describe_certificate, http_get
from mptool.proto.tlcp.suites import suite_entry
from mptool.proto.judge.tls import certificate_summaries, judge_version_choice
from mptool.proto.judge.verdict import RANK
from mptool.proto.wire import u16, vec

SSL3, TLS10, TLS11, TLS12, TLS13 = ids.SSL3, ids.TLS10, ids.TLS11, ids.TLS12, ids.TLS13
LEGACY_VERSIONS = (SSL3, TLS10, TLS11, TLS12)
TLS13_SUITES = (0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x00C6, 0x00C7)
SIGNALLING = frozenset({0x00FF, 0x5600})
#: Every suite a TLS 1.2-or-older server could pick (IANA + the 0xE0xx SM suites GmSSL runs over TLS 1.2).
LEGACY_SUITES = tuple(s for s in sorted(ids.CIPHER_SUITES) if s not in SIGNALLING and s not in TLS13_SUITES and s != 0x0000)
GROUPS = (29, 23, 24, 25, 30, 41, 256, 257, 258)  # x25519, P-256/384/521, x448, curveSM2, ffdhe2048-4096
SIG_ALGS = (0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0808, 0x0708, 0x0201, 0x0203, 0x0303)
DEPRECATED = {SSL3: "SSL 3.0 (RFC 7568)", TLS10: "TLS 1.0 (RFC 8996)", TLS11: "TLS 1.1 (RFC 8996)"}


def _sni(host: str | None) -> list[tuple[int, bytes]]:
    if not host:
        return []
    try:
        ipaddress.ip_address(host)
        return []  # RFC 6066 §3: literal addresses are not sent
    except ValueError:
        pass
    return [m.server_name_extension(host)]


def legacy_hello(version: int, suites: list[int], server_name: str | None) -> bytes:
    """A ClientHello for SSL 3.0-TLS 1.2 (no extensions for SSL 3.0)."""
    extensions = None
    if version >= TLS10:
        extensions = [*_sni(server_name), (m.EXT_SUPPORTED_GROUPS, m.encode_u16_list(GROUPS)), (m.EXT_EC_POINT_FORMATS, vec(b"\x00", 1)), (m.EXT_RENEGOTIATION_INFO, b"\x00")]
        if version == TLS12:
            extensions.append((m.EXT_SIGNATURE_ALGORITHMS, m.encode_u16_list(SIG_ALGS)))
    return m.ClientHello(version, _random(), suites, extensions=extensions).encode()


def tls13_hello(suites: list[int], server_name: str | None, sm: bool = False) -> bytes:
    """A TLS 1.3 ClientHello; ``sm`` uses a curveSM2 key share and sm2sig_sm3 only (RFC 8998)."""
    groups: tuple[int, ...]
    sig_algs: tuple[int, ...]
    if sm:
        _, point = sm2.ephemeral_key()
        share, groups, sig_algs = u16(m.CURVE_SM2) + vec(sm2.encode_public_key(point), 2), (m.CURVE_SM2,), (ids.SM2SIG_SM3,)
    else:
        public = x25519.X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        share, groups, sig_algs = u16(29) + vec(public, 2), GROUPS, SIG_ALGS
    extensions = [
        *_sni(server_name),
        (m.EXT_SUPPORTED_VERSIONS, vec(u16(TLS13), 1)),
        (m.EXT_SUPPORTED_GROUPS, m.encode_u16_list(groups)),
        (m.EXT_SIGNATURE_ALGORITHMS, m.encode_u16_list(sig_algs)),
        (m.EXT_KEY_SHARE, vec(share, 2)),
        (45, vec(b"\x01", 1)),  # psk_key_exchange_modes: psk_dhe_ke (some servers insist)
    ]
    return m.ClientHello(TLS12, _random(), suites, session_id=_random(), extensions=extensions).encode()


def _random() -> bytes:
    return os.urandom(32)


HelloBuilder = Callable[[list[int]], bytes]


def _accepts(outcome: HelloOutcome, version: int) -> bool:
    return outcome.server_hello is not None and outcome.server_hello.negotiated_version == version


def _offers(version: int, report: ProtocolReport) -> SuiteOffers:
    name = ids.version_name(version)
    return SuiteOffers(report, "tls", f"{name} enumeration", f"{name}: ", lambda outcome: _accepts(outcome, version))


def _record_version(version: int) -> int:
    return TLS10 if version >= TLS10 else SSL3


def enumerate_version(budget: Budget, host: str, port: int, version: int, build: HelloBuilder, offered: list[int], report: ProtocolReport) -> tuple[list[int], HelloOutcome]:
    """Accepted suites of one version in the order the server picks them, and the first answer."""
    accepted, answers = enumerate_suites(_offers(version, report), offered, lambda suites, first: send_hello(budget, host, port, build(suites), _record_version(version), want_certificates=first))
    return accepted, answers[0]


def _preference(budget: Budget, host: str, port: int, version: int, build: HelloBuilder, accepted: list[int]) -> str:
    offers = _offers(version, ProtocolReport("TLS", ""))
    return preference(accepted, lambda suites: send_hello(budget, host, port, build(suites), _record_version(version)), offers.suite)


def _legacy_builder(version: int, server_name: str) -> HelloBuilder:
    return lambda suites: legacy_hello(version, suites, server_name)


def probe_tls(budget: Budget, host: str, port: int, server_name: str | None, application_data: bytes = b"") -> ProtocolReport:
    """Versions, suites per version, preference, certificates and one full handshake of a TLS server."""
    report = ProtocolReport("TLS", f"{host}:{port}")
    start = budget.used
    name = server_name or host
    per_version: dict[str, dict[str, object]] = {}
    all_accepted: dict[int, list[str]] = {}
    answers: dict[str, str] = {}
    groups: dict[str, tuple[int, str | None]] = {}
    plans: list[tuple[int, HelloBuilder, list[int]]] = [(v, _legacy_builder(v, name), list(LEGACY_SUITES)) for v in LEGACY_VERSIONS]
    plans.append((TLS13, lambda suites: tls13_hello(suites, name), list(TLS13_SUITES)))
    for version, build, offered in plans:
        accepted, first = enumerate_version(budget, host, port, version, build, offered, report)
        answers[ids.version_name(version)] = first.status if not first.alert else f"alert {ids.alert_name(first.alert[1])}"
        if first.status in UNREACHABLE and not all_accepted and version == LEGACY_VERSIONS[0]:
            report.problem = first.status
            report.finding(f"proto.probe.{first.status}", Severity.ERROR, first.message)
            break
        if first.status == "not_tls":
            report.finding("proto.probe.not_tls", Severity.WARN, f"the service does not speak TLS: {first.message}")
            break
        if not accepted:
            continue
        vname = ids.version_name(version)
        report.versions.append(vname)
        per_version[vname] = {"accepted_suites": [suite_entry(s) for s in accepted], "preference": _preference(budget, host, port, version, build, accepted)}
        groups[vname] = (version, _key_share_group(first))
        for s in accepted:
            all_accepted.setdefault(s, []).append(vname)
        if first.certificates and not report.certificate_ders:
            report.certificate_ders = first.certificates
        if version in DEPRECATED:
            report.finding("proto.probe.tls.deprecated_version", Severity.WARN, f"the server accepts {DEPRECATED[version]}", version=vname)
    report.accepted_suites = [{**suite_entry(s), "versions": v} for s, v in sorted(all_accepted.items())]
    report.extra["by_version"] = per_version
    report.extra["answers"] = answers
    weak = {ids.hex_id(s): list(ids.suite_info(s).weak) for s in all_accepted if ids.suite_info(s).weak}
    if weak:
        report.finding("proto.probe.tls.weak_suite", Severity.WARN, "the server accepts weak cipher suites", suites=weak)
    if report.versions:
        sni = server_name or (name if _sni(name) else None)
        entry, leaf = full_handshake(budget, host, port, sni, application_data or http_get(name))
        report.extra["handshake"] = entry
        report.handshake_completed = bool(entry["handshake_completed"])
        if not report.handshake_completed:
            report.finding("proto.probe.tls.no_full_handshake", Severity.INFO, "the local OpenSSL client did not complete a TLS handshake with application data", error=entry.get("error"))
        if not report.certificate_ders:
            report.certificate_ders = leaf
    report.certificates = [describe_certificate(der, i, "leaf" if i == 0 else "chain") for i, der in enumerate(report.certificate_ders)]
    judge_versions(report, per_version, groups)
    report.connections = budget.used - start
    return report


def _key_share_group(outcome: HelloOutcome) -> str | None:
    sh = outcome.server_hello
    share = sh.extension(m.EXT_KEY_SHARE) if sh is not None else None
    return ids.group_name(int.from_bytes(share[:2], "big")) if share and len(share) >= 2 else None


def judge_versions(report: ProtocolReport, per_version: dict[str, dict[str, object]], groups: dict[str, tuple[int, str | None]]) -> None:
    """The analyzer's verdict (``judge/tls.py``) of every accepted (version, suite), and the endpoint's."""
    certs = certificate_summaries(report.certificate_ders, tlcp=report.protocol == "TLCP")
    choices = []
    for vname, info in per_version.items():
        version, group = groups[vname]
        for entry in info["accepted_suites"]:  # type: ignore[attr-defined]
            choices.append((entry, judge_version_choice(report.protocol, version, int(entry["id"], 16), group, certs)))
    report.judge(choices)
    worst: dict[str, list[str]] = {}
    for entry, _ in choices:
        worst.setdefault(entry["id"], []).append(entry["verdict"])
    for entry in report.accepted_suites:
        if entry["id"] in worst:
            entry["verdict"] = max(worst[entry["id"]], key=RANK.__getitem__)


def full_handshake(budget: Budget, host: str, port: int, server_name: str | None, application_data: bytes) -> tuple[dict[str, object], list[bytes]]:
    """One full TLS handshake with application data by the Python ssl module (system OpenSSL).

    No certificate verification here (the cert domain checks the certificates); every version
    and suite the local OpenSSL allows at security level 0 may be negotiated. Returns the
    handshake's evidence and the peer's leaf certificate (DER) when one was received.
    """
    import time

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("ALL:@SECLEVEL=0")
    entry: dict[str, object] = {"client": f"Python ssl ({ssl.OPENSSL_VERSION})", "handshake_completed": False}
    try:
        sock, deadline = budget.open(host, port)
    except ConnectionProblem as exc:
        entry["error"] = {"kind": exc.kind, "message": str(exc)}
        return entry, []
    leaf: list[bytes] = []
    try:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        with context.wrap_socket(sock, server_hostname=server_name) as tls:
            cipher = tls.cipher()
            entry.update(version=_ssl_version_name(tls.version()), cipher=cipher[0] if cipher else None)
            der = tls.getpeercert(binary_form=True)
            leaf = [der] if der else []
            tls.sendall(application_data)
            entry["application_data_sent"] = len(application_data)
            reply = tls.recv(16384)
            entry["application_data_received"] = len(reply)
            entry["handshake_completed"] = bool(reply)
    except (OSError, ssl.SSLError) as exc:
        entry["error"] = {"kind": type(exc).__name__, "message": str(exc)}
    finally:
        sock.close()
    return entry, leaf


def _ssl_version_name(version: str | None) -> str | None:
    names = {"SSLv3": "SSL 3.0", "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3"}
    return names.get(version or "", version)


def probe_rfc8998(budget: Budget, host: str, port: int, server_name: str | None) -> ProtocolReport:
    """Which RFC 8998 suites (TLS_SM4_GCM_SM3, TLS_SM4_CCM_SM3) a TLS 1.3 server accepts."""
    report = ProtocolReport("TLS", f"{host}:{port}")
    report.extra["profile"] = "RFC 8998 (TLS 1.3 with SM2/SM3/SM4)"
    start = budget.used
    accepted, first = enumerate_version(budget, host, port, TLS13, lambda suites: tls13_hello(suites, server_name or host, sm=True), sorted(ids.RFC8998_SUITES), report)
    report.extra["first_answer"] = first.status if not first.alert else f"alert {ids.alert_name(first.alert[1])}"
    if first.status in UNREACHABLE:
        report.problem = first.status
        report.finding(f"proto.probe.{first.status}", Severity.ERROR, first.message)
    elif first.status == "not_tls":
        report.finding("proto.probe.not_tls", Severity.WARN, f"the service does not speak TLS: {first.message}")
    if accepted:
        report.versions = [ids.version_name(TLS13)]
        report.accepted_suites = [suite_entry(s) for s in accepted]
        hrr = first.server_hello is not None and first.server_hello.is_hrr
        report.extra["hello_retry_request"] = hrr
        judge_versions(report, {report.versions[0]: {"accepted_suites": report.accepted_suites}}, {report.versions[0]: (TLS13, _key_share_group(first))})
    report.connections = budget.used - start
    return report
