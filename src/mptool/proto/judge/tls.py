"""Results for TLS / TLCP connections: the channel with its verdict, the SKE signature, the certificates."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check
from mptool.proto.registry import tls as ids
from mptool.proto.tls.certinfo import CertSummary, summarize, weak_signature
from mptool.proto.tls.ske import signed_bytes, verify
from mptool.proto.tls.stream import CLIENT, SERVER, TLSConnection
from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import GM, STATUS, STRONG, UNDETERMINED, WEAK, Judgement, aead_verdict, cipher_verdict, mac_verdict, verdict_findings

WEAK_VERSIONS = {v: ids.VERSIONS[v] for v in (ids.SSL2, ids.SSL3, ids.TLS10, ids.TLS11)}


def _ep(endpoint: tuple[str, int]) -> str:
    host, port = endpoint
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _named(table_fn: Any, values: Sequence[int]) -> list[dict[str, str]]:
    return [{"id": ids.hex_id(v), "name": table_fn(v)} for v in values]


def describe(conn: TLSConnection, certs: list[CertSummary], client_certs: list[CertSummary]) -> dict[str, Any]:
    """The measurements of one connection (without the verdict)."""
    version = conn.version_code()
    protocol = "TLCP" if version == ids.TLCP_VERSION or ids.TLCP_VERSION in conn.dirs[SERVER].record_versions else "TLS"
    if not conn.server_hellos:
        version = 0  # nothing was negotiated: the offered versions are under "offered"
    ch = conn.client_hellos[-1] if conn.client_hellos else None
    sh = conn.server_hellos[-1] if conn.server_hellos else None
    c, s = conn.dirs
    m: dict[str, Any] = {
        "protocol": protocol,
        "version": ids.version_name(version) if version else None,
        "client": _ep(conn.client),
        "server": _ep(conn.server),
        "frames": [conn.first_frame, conn.last_frame],
        "starttls": conn.starttls,
        "record_versions": sorted(ids.version_name(v) for v in c.record_versions | s.record_versions),
        "cipher_suite": {"id": ids.hex_id(conn.suite), "name": ids.suite_name(conn.suite)} if conn.suite is not None else None,
        "sni": ch.sni if ch else None,
        "handshake_messages": {"client": conn.handshake_types[CLIENT], "server": conn.handshake_types[SERVER]},
    }
    if ch:
        offered_versions = ch.supported_versions or [ch.legacy_version]
        m["offered"] = {
            "versions": [ids.version_name(v) for v in offered_versions if not ids.is_grease(v)],
            "cipher_suites": _named(ids.suite_name, ch.cipher_suites),
            "extensions": [ids.extension_name(e) for e in ch.extensions],
            "supported_groups": [ids.group_name(g) for g in ch.groups],
            "signature_algorithms": [ids.signature_scheme_name(a) for a in ch.signature_algorithms],
            "key_share_groups": [ids.group_name(g) for g in ch.key_share_groups],
            "alpn": ch.alpn,
        }
    else:
        m["offered"] = None
    if sh:
        m["server_extensions"] = [ids.extension_name(e) for e in sh.extensions]
        if sh.key_share_groups:
            m["key_share_group"] = ids.group_name(sh.key_share_groups[0])
        m["hello_retry_request"] = any(h.is_hrr for h in conn.server_hellos)
        m["session_resumed"] = bool(ch and sh.session_id and sh.session_id == ch.session_id and not certs and not conn.tls13)
    m["certificates"] = [cs.record for cs in certs]
    m["client_certificates"] = [cs.record for cs in client_certs]
    if conn.ske is not None:
        ske = conn.ske
        info: dict[str, Any] = {"form": ske.form, "length": len(conn.ske_body or b"")}
        if ske.named_curve is not None:
            curve_name = ids.group_name(ske.named_curve)
            if protocol == "TLCP" and ske.named_curve == ids.GMSSL2_CURVE_SM2:
                curve_name = "curveSM2 (GmSSL 2.x id 30)"
            info["named_curve"] = {"id": ske.named_curve, "name": curve_name}
            info["public_point_length"] = len(ske.point)
        if ske.signature_algorithm is not None:
            info["signature_algorithm"] = {"id": ids.hex_id(ske.signature_algorithm), "name": ids.signature_scheme_name(ske.signature_algorithm)}
        info.update(ske.details)
        m["server_key_exchange"] = info
    if conn.certificate_request is not None:
        cr = conn.certificate_request
        m["certificate_request"] = {
            "certificate_types": [ids.CLIENT_CERT_TYPES.get(t, f"unknown ({t})") for t in cr.cert_types],
            "signature_algorithms": [ids.signature_scheme_name(a) for a in cr.signature_algorithms],
            "authorities": len(cr.authorities),
        }
    if conn.certificate_verify is not None:
        alg, sig = conn.certificate_verify
        m["certificate_verify"] = {"signature_algorithm": ids.signature_scheme_name(alg) if alg is not None else None, "signature_length": len(sig)}
    if conn.client_key_exchange is not None:
        m["client_key_exchange"] = conn.client_key_exchange
    m["alerts"] = list(conn.alerts)
    m["handshake_completed"] = conn.handshake_completed()
    m["application_data"] = {
        "client_records": c.app_records,
        "client_bytes": c.app_bytes,
        "server_records": s.app_records,
        "server_bytes": s.app_bytes,
    }
    m["application_data_flowed"] = c.app_records + s.app_records > 0
    m["gaps"] = c.gaps + s.gaps
    return m


def judge(conn: TLSConnection, m: dict[str, Any], certs: list[CertSummary]) -> Judgement:
    """The verdict of one connection with its reasons."""
    j = Judgement()
    version = conn.version_code()
    if not conn.server_hellos:
        j.add(None, UNDETERMINED, Reason("tls.no_server_hello"))
        return j
    if version in WEAK_VERSIONS:
        j.add(None, WEAK, Reason("tls.version_obsolete", version=WEAK_VERSIONS[version]))
    fatal = [a for a in conn.alerts if a.get("level") == "fatal"]
    if fatal and not conn.handshake_completed():
        j.add(None, UNDETERMINED, Reason("tls.fatal_alert", alert=fatal[0]["name"], sender=fatal[0]["sender"]))
    elif not conn.handshake_completed():
        j.add(None, UNDETERMINED, Reason("tls.incomplete"))
    ske_sigalg = conn.ske.signature_algorithm if conn.ske is not None else None
    judge_choice(j, m["protocol"], conn.suite, conn.tls13, m.get("key_share_group"), certs, ske_sigalg)  # type: ignore[arg-type]
    return j


def judge_choice(j: Judgement, protocol: str, suite: int, tls13: bool, key_share_group: str | None, certs: Sequence[CertSummary], ske_sigalg: int | None = None) -> Judgement:
    """The reasons of a negotiated choice — suite, key-share group, server certificates, SKE scheme.

    The one judgement of a TLS/TLCP choice: ``proto analyze`` applies it to a captured
    connection, ``proto probe`` to each suite a server accepts (same reasons, same verdicts).
    """
    info = ids.suite_info(suite)
    for reason in info.weak:
        j.add("NET-CONF" if "MAC" not in reason else "NET-INTEG", WEAK, Reason("tls.suite_weak", suite=info.name, why=reason))
    j.add("NET-CONF", *cipher_verdict(info.cipher))
    if info.cipher.endswith(("GCM", "CCM", "CCM_8", "POLY1305")) or "GCM" in info.cipher or "CCM" in info.cipher:
        j.add("NET-INTEG", *aead_verdict(info.cipher))
    else:
        j.add("NET-INTEG", *mac_verdict(info.mac))
    _judge_auth(protocol, tls13, key_share_group, certs, ske_sigalg, info, j)
    return j


def _judge_auth(protocol: str, tls13: bool, group: str | None, certs: Sequence[CertSummary], ske_sigalg: int | None, info: ids.SuiteInfo, j: Judgement) -> None:
    if info.authentication == "anon":
        j.add("NET-AUTH", WEAK, Reason("tls.anonymous"))
        return
    if tls13:
        if info.gm:
            if group == "curveSM2":
                j.add("NET-AUTH", GM, Reason("tls.rfc8998_curvesm2"))
            elif group:
                j.add("NET-AUTH", STRONG, Reason("tls.rfc8998_other_group", group=group))
        elif group:
            j.add("NET-AUTH", STRONG, Reason("tls.group_not_gm", group=group))
        j.add("NET-AUTH", UNDETERMINED, Reason("tls.tls13_auth_hidden"))
        return
    if not certs:
        j.add("NET-AUTH", UNDETERMINED, Reason("tls.no_certificate"))
    for cs in certs:
        if weak_signature(cs.record):
            j.add("NET-AUTH", WEAK, Reason("tls.certificate_weak_signature", subject=cs.record.get("subject"), algorithm=cs.record.get("signature_algorithm")))
    if certs:
        leaf = certs[0]
        if leaf.key_kind == "sm2":
            j.add("NET-AUTH", GM, Reason("tls.sm2_certificate"))
        elif leaf.key_kind == "rsa" and leaf.record.get("key_bits", 2048) < 2048:
            j.add("NET-AUTH", WEAK, Reason("tls.short_rsa_key", key=leaf.record.get("key_type")))
        elif leaf.key_kind in ("rsa", "ec"):
            j.add("NET-AUTH", STRONG, Reason("tls.not_sm2_certificate", key=leaf.record.get("key_type")))
        else:
            j.add("NET-AUTH", UNDETERMINED, Reason("tls.unknown_key", key=leaf.record.get("key_type", leaf.key_kind)))
    if ske_sigalg is not None:
        name = ids.signature_scheme_name(ske_sigalg)
        if name.endswith("sha1") or name.endswith("md5"):
            j.add("NET-AUTH", WEAK, Reason("tls.ske_weak_signature", scheme=name))
    if info.key_exchange == "RSA" and not protocol == "TLCP":
        j.add("NET-AUTH", STRONG, Reason("tls.rsa_key_transport"))


@check(
    "proto.tls.channel",
    "TLS/TLCP channel: version, suite, certificates, verdict",
    "GB/T 39786-2021 8.2 a)-c); GB/T 38636-2020 (TLCP); RFC 5246; RFC 8446; RFC 8998",
    {**verdict_findings("proto.tls"), "proto.tls.stream_problem": "the TCP stream or a TLS record could not be read completely (gap, bad length, undecodable message)"},
)
def channel_result(conn: TLSConnection, capture: str, index: int, certs: list[CertSummary], client_certs: list[CertSummary]) -> CheckResult:
    """One TLS or TLCP connection found in a capture and its verdict.

    Records the endpoints, offered and selected version and cipher suite (TLCP is recognised by
    record version 0x0101, not by the suite), SNI, groups, signature algorithms, the
    certificates (subject, issuer, serial, key type, SHA-256 fingerprint), the
    ServerKeyExchange form, alerts with their standard names, whether the handshake completed
    and application data flowed. The verdict is gm_compliant (pass), strong_not_gm (warn),
    weak (fail: export, RC4, 3DES/DES, NULL, MD5, SHA-1 signatures, SSL 3.0, TLS 1.0/1.1) or
    undetermined (info: handshake not in the capture or not completed), per GB/T 39786
    indicator NET-AUTH 8.2 a), NET-INTEG 8.2 b) and NET-CONF 8.2 c).
    """
    spec = channel_result.spec  # type: ignore[attr-defined]
    m = describe(conn, certs, client_certs)
    j = judge(conn, m, certs)
    m.update(j.measurements())
    first = ("protocol", "version", "cipher_suite", "verdict", "sni")  # what a text report shows first
    m = {**{k: m[k] for k in first}, **{k: v for k, v in m.items() if k not in first}}
    verdict = m["verdict"]
    findings = j.findings("proto.tls", {"capture": capture, "frames": m["frames"]})
    findings += [Finding(code="proto.tls.stream_problem", severity=Severity.WARN, message=p, location=capture) for p in conn.problems[:20]]
    subject = f"{capture} #{index} {m['client']} -> {m['server']}"
    return spec.result(STATUS[verdict], subject=subject, measurements=m, findings=findings)


@check(
    "proto.tls.ske_signature",
    "ServerKeyExchange signature verified against the server certificate",
    "GB/T 38636-2020 (ServerKeyExchange); RFC 5246 §7.4.3; RFC 8422 §5.4; GB/T 32918.2-2016 (SM2 signature)",
    {"proto.tls.ske_signature_invalid": "the ServerKeyExchange signature does not verify with the server certificate's key"},
)
def ske_result(conn: TLSConnection, capture: str, index: int, certs: list[CertSummary]) -> CheckResult | None:
    """Verify the ServerKeyExchange signature passively from the capture.

    TLCP signs client_random ‖ server_random ‖ the encryption certificate (ECC suites) or
    the ECDH parameters (ECDHE suites) with SM2/SM3 and the default ID; TLS 1.2 signs the
    randoms and the (EC)DH parameters with the announced signature scheme. Passes when the
    signature verifies with the signing (first) certificate's key, fails when it does not,
    and is ``na`` when it cannot be rebuilt (no certificate, TLS 1.0/1.1 MD5+SHA-1 form).
    """
    spec = ske_result.spec  # type: ignore[attr-defined]
    if conn.ske is None or not conn.client_hellos or not conn.server_hellos:
        return None
    subject = f"{capture} #{index} {_ep(conn.client)} -> {_ep(conn.server)}"
    ske = conn.ske
    if not certs or certs[0].key_kind == "unparsed":
        return spec.result(Status.NA, subject=subject, measurements={"outcome": "not_verifiable", "reason": "no usable server certificate in the capture"})
    message = signed_bytes(conn.client_hellos[-1].random, conn.server_hellos[-1].random, ske.form, ske.params, [c.der for c in certs])
    if message is None:
        return spec.result(Status.NA, subject=subject, measurements={"outcome": "not_verifiable", "reason": "the TLCP encryption certificate is missing"})
    outcome = verify(ske.form, ske.signature_algorithm, ske.signature, message, certs[0])
    return _signature_result(spec, subject, capture, outcome, {"form": ske.form, "signer": certs[0].record.get("subject")})


def _signature_result(spec: Any, subject: str, capture: str, outcome: Any, extra: dict[str, Any]) -> CheckResult:
    """pass (verified), fail (invalid, with a finding) or na (not verifiable) for a signature check."""
    measurements = {"outcome": outcome.outcome, "reason": outcome.reason, **extra, **outcome.details}
    if outcome.outcome == "verified":
        return spec.result(Status.PASS, subject=subject, measurements=measurements)
    if outcome.outcome == "invalid":
        finding = Finding(code=spec.declared(spec.id + "_invalid"), severity=Severity.ERROR, message=outcome.reason, location=capture)
        return spec.result(Status.FAIL, subject=subject, measurements=measurements, findings=[finding])
    return spec.result(Status.NA, subject=subject, measurements=measurements)


def certificate_results(conn: TLSConnection, index: int, capture: str, trust: Sequence[bytes], at: _dt.datetime | None, linted: set[bytes], chains: set[tuple[Any, ...]] | None = None) -> list[CheckResult]:
    """The cert domain's checks of the server (and client) certificates and the TLCP pair.

    Each distinct certificate is linted once per capture (``linted`` holds those already
    done); chain and pair checks run once per distinct certificate list and role
    (``chains`` holds those done; without it, for every connection), so 20,000 connections
    to one server give one set of chain results, not 20,000 (issue 21).
    """
    from mptool.cert.api import check_certificates, check_tlcp_pair, tlcp_pair
    from mptool.core.errors import InputError

    out: list[CheckResult] = []
    tlcp = conn.version_code() == ids.TLCP_VERSION
    for role, ders, purpose in (("server", conn.certificates, "server"), ("client", conn.client_certificates, "client")):
        if not ders:
            continue
        if chains is not None:
            key = (role, tlcp, tuple(ders))
            if key in chains:
                continue
            chains.add(key)
        subject = f"{capture} #{index} {role} certificates"
        lint = not set(ders) <= linted
        linted.update(ders)
        try:
            out += check_certificates(ders, at=at, purpose=purpose, trust=trust, subject=subject, lint=lint)
            pair = tlcp_pair(ders) if tlcp else None  # roles by key usage, not by position
            if pair is not None:
                out += check_tlcp_pair(*pair, at=at, subject=f"{capture} #{index} {role} TLCP pair")
        except InputError as exc:
            out.append(certificates_unparsable(subject, exc.problem))
        except Exception as exc:  # noqa: BLE001 - a failure inside the cert checks is recorded as an error result
            out.append(certificates_unparsable.spec.error_result(subject, exc))  # type: ignore[attr-defined]
    return out


@check(
    "proto.tls.certificates_parsable",
    "Certificates of a handshake can be parsed",
    "RFC 5280 §4.1; GB/T 20518-2018",
    {"proto.tls.certificate_unparsable": "a certificate of the handshake cannot be parsed"},
)
def certificates_unparsable(subject: str, problem: str) -> CheckResult:
    """A certificate carried in a handshake could not be parsed (so it cannot be checked)."""
    spec = certificates_unparsable.spec  # type: ignore[attr-defined]
    finding = Finding(code="proto.tls.certificate_unparsable", severity=Severity.ERROR, message=problem)
    return spec.result(Status.FAIL, subject=subject, findings=[finding])


def summaries(conn: TLSConnection, cache: dict[tuple[Any, ...], list[CertSummary]] | None = None) -> tuple[list[CertSummary], list[CertSummary]]:
    """Certificate summaries of the server and the client certificate lists (``cache``: per
    distinct list, so a server's chain sent on 20,000 connections is parsed once)."""
    tlcp = conn.version_code() == ids.TLCP_VERSION
    if cache is None:
        return certificate_summaries(conn.certificates, tlcp), certificate_summaries(conn.client_certificates, tlcp)
    out = []
    for ders in (conn.certificates, conn.client_certificates):
        key = (tlcp, tuple(ders))
        if key not in cache:
            cache[key] = certificate_summaries(ders, tlcp)
        out.append(cache[key])
    return out[0], out[1]


def certificate_summaries(ders: Sequence[bytes], tlcp: bool) -> list[CertSummary]:
    """Summaries of one certificate list, roles by key usage (TLCP) or position (TLS)."""
    from mptool.cert.api import certificate_roles

    return [summarize(d, role) for d, role in zip(ders, certificate_roles(list(ders), tlcp=tlcp))]


def judge_version_choice(protocol: str, version: int, suite: int, key_share_group: str | None, certs: Sequence[CertSummary], ske_sigalg: int | None = None) -> Judgement:
    """The judgement of a negotiated version and suite, without the capture-only reasons
    (handshake completion, alerts): what ``proto probe`` reports per accepted suite."""
    j = Judgement()
    if version in WEAK_VERSIONS:
        j.add(None, WEAK, Reason("tls.version_obsolete", version=WEAK_VERSIONS[version]))
    return judge_choice(j, protocol, suite, version == ids.TLS13, key_share_group, certs, ske_sigalg)


@check(
    "proto.tls.certificate_verify",
    "Client CertificateVerify signature verified against the client certificate",
    "GB/T 38636-2020 (CertificateVerify); RFC 5246 §7.4.8; GB/T 32918.2-2016 (SM2 signature); GB/T 39786-2021 8.2 a)",
    {"proto.tls.certificate_verify_invalid": "the client's CertificateVerify signature does not verify with the client certificate's key"},
)
def certificate_verify_result(conn: TLSConnection, capture: str, index: int, client_certs: list[CertSummary]) -> CheckResult | None:
    """Verify the client's CertificateVerify passively: evidence that the client proved its key.

    The signature covers the handshake messages before it (all in clear): TLS 1.2 signs them
    with the announced scheme; TLCP signs them with SM2/SM3 and the default ID, either the
    messages themselves (GmSSL) or their SM3 digest (Tongsuo) — the form found is recorded.
    Pass when it verifies with the client's signing (first) certificate, fail when it does not.
    """
    spec = certificate_verify_result.spec  # type: ignore[attr-defined]
    if conn.certificate_verify is None or conn.verify_transcript is None:
        return None
    subject = f"{capture} #{index} {_ep(conn.client)} -> {_ep(conn.server)} client"
    if not client_certs or client_certs[0].key_kind == "unparsed":
        return spec.result(Status.NA, subject=subject, measurements={"outcome": "not_verifiable", "reason": "no usable client certificate in the capture"})
    sigalg, signature = conn.certificate_verify
    transcript = conn.verify_transcript
    tlcp = conn.version_code() == ids.TLCP_VERSION
    outcome = verify("tlcp" if tlcp else "tls12", sigalg, signature, transcript, client_certs[0])
    form = "messages"
    if tlcp and outcome.outcome == "invalid":
        from mptool.algo.api import sm3

        second = verify("tlcp", sigalg, signature, sm3(transcript), client_certs[0])
        if second.outcome == "verified":
            outcome, form = second, "sm3_of_messages"
    return _signature_result(spec, subject, capture, outcome, {"signed": form, "signer": client_certs[0].record.get("subject")})
