"""Checks of ``mptool proto probe``: ``proto.probe.tlcp``, ``proto.probe.tls``, ``proto.probe.rfc8998``, ``proto.probe.ike``, ``proto.probe.ssh``.

The probes themselves are :mod:`mptool.proto.probe` (``tlcp.py``, ``tls.py``, ``ike.py``).
"""

from __future__ import annotations

from mptool.core.registry import register
from mptool.proto.checks.serve import exchange_findings, gm_ike_findings
from mptool.proto.judge.verdict import verdict_findings
from mptool.proto.tls.transport import PROBLEM_KINDS

#: The connection problems that leave an endpoint unassessed (each a finding ``proto.probe.<kind>``).
_UNREACHABLE = ("refused", "timeout", "unreachable", "resolve", "socket_error", "reset")

#: Findings every probe check may carry: the endpoint could not be reached or read.
PROBE_COMMON = {
    **{f"proto.probe.{kind}": PROBLEM_KINDS[kind] for kind in _UNREACHABLE},
    "proto.probe.not_tls": "the service does not speak TLS or TLCP",
    "proto.probe.budget_exhausted": "the enumeration stopped at the connection or time limit; the lists may be incomplete",
    "proto.probe.certificate_unreadable": "a certificate the server sent cannot be read",
    # the analyzer's vocabulary (judge/verdict.py): one finding per reason of the endpoint's verdict
    **verdict_findings("proto.probe"),
}
TLCP_FINDINGS = {
    **PROBE_COMMON,
    "proto.probe.tlcp.no_full_handshake": "no full TLCP handshake with application data completed",
    "proto.probe.tlcp.suite_not_offered": "the server chose a suite that was not offered",
    "proto.probe.tlcp.not_supported": "the server does not speak TLCP (it refused or ignored a TLCP ClientHello)",
    "proto.probe.tlcp.wrong_version": "the server answered a TLCP ClientHello with another version",
    "proto.probe.tlcp.non_sm_suite": "the server accepts TLCP suites that do not use SM2/SM9 with SM3 (RSA or SHA-1/SHA-256)",
    "proto.probe.tlcp.bad_ske_signature": PROBLEM_KINDS["bad_ske_signature"],
    "proto.probe.tlcp.bad_finished": PROBLEM_KINDS["bad_finished"],
    "proto.probe.tlcp.bad_record_mac": PROBLEM_KINDS["bad_record_mac"],
}
TLS_FINDINGS = {
    **PROBE_COMMON,
    "proto.probe.tls.suite_not_offered": "the server chose a suite that was not offered",
    "proto.probe.tls.deprecated_version": "the server accepts SSL 3.0, TLS 1.0 or TLS 1.1 (RFC 8996)",
    "proto.probe.tls.weak_suite": "the server accepts weak cipher suites",
    "proto.probe.tls.no_full_handshake": "the local OpenSSL client did not complete a TLS handshake with application data",
}
IKE_FINDINGS = {
    **PROBE_COMMON,
    "proto.probe.ike.malformed": "the responder's SA answer cannot be read",
    "proto.probe.ike.transform_not_offered": "the responder chose a transform or proposal that was not offered",
    "proto.probe.ike.auth_method_rewritten": "the responder accepted an offer but answered with another authentication method",
    "proto.probe.ike.weak_transform": "the responder accepts weak transforms (DES/3DES, MD5/SHA-1, MODP groups under 2048 bits)",
    "proto.probe.ike.stopped_answering": "the responder answered earlier offers but not the last one; the list may be incomplete",
}
SSH_FINDINGS = {
    **PROBE_COMMON,
    "proto.probe.not_ssh": "the service does not speak SSH (no identification line)",
    "proto.probe.ssh.ssh1": "the server speaks or still accepts SSH protocol 1.x: a high-risk candidate (HR-GEN-TECH)",
    "proto.probe.ssh.no_strict_kex": "the server does not offer strict kex (kex-strict-s-v00@openssh.com): Terrapin (CVE-2023-48795) applies with ChaCha20-Poly1305 or -etm MACs",
    "proto.probe.ssh.malformed": "the server's SSH bytes do not follow RFC 4253",
    "proto.probe.ssh.host_key_not_read": "a host key offered by the server could not be read (no common key exchange mptool implements, or the exchange failed)",
    "proto.probe.ssh.bad_host_key_signature": "the server's signature over the exchange hash does not verify with the host key it sent",
}
PROBE_TLCP = register(
    "proto.probe.tlcp",
    "TLCP endpoint: version, suites, certificates and a full handshake",
    "GB/T 38636-2020 §6.4 (handshake protocol), §6.4.5.2.1 (cipher suites); GB/T 39786-2021 8.2 a) (network authentication)",
    """
    Offers TLCP 1.1 (0x0101) ClientHellos to a live endpoint: enumerates which of the GB/T 38636
    suites it accepts (one connection per accepted suite), tests whether the server or the client
    order decides, records the signing, encryption and CA certificates of its Certificate message,
    and runs a full handshake with application data for each accepted ECC suite (and ECDHE suite
    when client keys are given) with the project's own SM2/SM3/SM4: SKE signature, pre-master
    secret, Finished in both directions. Where products differ (ECDHE ClientKeyExchange and
    CertificateVerify forms of GmSSL and Tongsuo, SM2 key-exchange initiator order) a rejected
    ECDHE handshake is retried once per difference and the attempts recorded.
    Passes when a handshake with application data completed;
    fails when the server misbehaves (bad signature or Finished, suite not offered); warns when
    it accepts non-SM suites or no full handshake completed; errors when unreachable.
    """,
    TLCP_FINDINGS,
)

PROBE_TLS = register(
    "proto.probe.tls",
    "TLS endpoint: versions, suites per version, preference and certificates",
    "RFC 8446 §4.1 and RFC 5246 §7.4.1 (hello negotiation); RFC 8996 (TLS 1.0/1.1 deprecated); GB/T 39786-2021 8.2 a)",
    """
    Sends one ClientHello per protocol version (SSL 3.0, TLS 1.0-1.2 by client_version, TLS 1.3 by
    supported_versions) offering every registered suite of that version, removes the suite the
    server picks and repeats, which lists the accepted suites per version in the server's order;
    a reversed offer tells server from client preference. The certificate list is read from a
    TLS 1.0-1.2 Certificate message (or, for a TLS 1.3-only server, the leaf). One full
    handshake with application data by the local OpenSSL (Python ssl) sets handshake_completed.
    Warns on SSL 3.0/TLS 1.0/1.1 and on weak suites; informative when nothing is accepted.
    """,
    TLS_FINDINGS,
)

PROBE_RFC8998 = register(
    "proto.probe.rfc8998",
    "TLS 1.3 with SM suites (RFC 8998)",
    "RFC 8998 §3 (TLS_SM4_GCM_SM3 0x00C6, TLS_SM4_CCM_SM3 0x00C7, curveSM2, sm2sig_sm3)",
    """
    Offers TLS 1.3 ClientHellos with only the RFC 8998 suites, a curveSM2 key share and the
    sm2sig_sm3 signature scheme, and reports which of the two suites the server accepts.
    Informative: acceptance of the SM suites is recorded, nothing is judged.
    """,
    TLS_FINDINGS,
)

PROBE_IKE = register(
    "proto.probe.ike",
    "IKE responder: accepted IKEv1 main-mode and IKEv2 IKE_SA_INIT proposals",
    "RFC 2409 §5 (IKEv1 main mode); RFC 7296 §1.2 (IKE_SA_INIT); GM/T 0022-2014 §5 (SM transforms); GB/T 39786-2021 8.2 a)",
    """
    Sends IKEv1 main-mode first messages (one SA proposal each, standard transforms and the
    GM/T 0022 SM4/SM3/SM2 digital-envelope transform) and IKEv2 IKE_SA_INIT requests (one
    proposal each) over UDP, and records which the responder accepts, like ike-scan but with
    JSON evidence. Warns on accepted weak transforms (DES, 3DES, MD5, SHA-1, MODP <= 1024).
    """,
    IKE_FINDINGS,
)

PROBE_SSH = register(
    "proto.probe.ssh",
    "SSH server: version, KEXINIT algorithm lists, host keys of every offered type",
    "RFC 4253 §4.2, §7.1, §8; RFC 4419; RFC 5656 §4; RFC 8731; RFC 8332; RFC 8709; RFC 9142; GB/T 39786-2021 8.3 a) b)",
    """
    Sends an SSH-2.0 identification line and a KEXINIT naming every registered algorithm, and
    records the server's identification line and KEXINIT name-lists (kex, host key, cipher,
    MAC, compression per direction). Then, once per host-key type the server lists, runs a key
    exchange (curve25519-sha256, ecdh-sha2-nistp*, or the RFC 4419 group exchange) with only
    that host-key algorithm on offer, reads the host key (type, size, SHA-256 fingerprint) and
    verifies its signature over the exchange hash; no NEWKEYS is sent, nothing is authenticated.
    Each accepted algorithm gets the verdict proto analyze gives a connection that negotiated
    it (DEV-RMGT, DEV-AUTH); the endpoint is the worst. Fails when weak (SSH-1, SHA-1 kex or
    host-key signatures, DH group 1, 3DES/RC4, MD5, RSA below 2048) or on a bad signature.
    """,
    SSH_FINDINGS,
)

PROBE_IKE_FULL = register(
    "proto.probe.ike_full",
    "GM/T 0022 IPSec VPN: a full phase 1, quick mode and ESP echo as initiator",
    "GM/T 0022-2014 §5 (IKE: main mode with digital envelope, quick mode), §6 (ESP); GB/T 39786-2021 8.2 a)-c)",
    """
    Runs the GM/T 0022 initiator against a responder (``--ike --full`` with the client's SM2
    signing and encryption certificates and keys): main mode with header version 0x11, the SM4/
    SM3/digital-envelope/SM2 transform, the responder's two certificates (encodings 4 and 5,
    checked by the cert domain), the symmetric-key payload, SM2 signatures, HASH_I/HASH_R, quick
    mode with HASH(1..3), then ``--esp-packets`` ESP echo packets (SM4-CBC + HMAC-SM3 or SM4-GCM,
    UDP-encapsulated) whose answers are decrypted and ICV-checked. Values GM/T 0022-2023 does
    not make known to us follow mptool's documented reading (measurements ``choices``). Passes
    when both phases completed and every ESP packet was answered; fails when the responder sent
    a wrong message (bad signature, hash, envelope, certificate role, ESP ICV); errors when
    unreachable.
    """,
    {**gm_ike_findings("proto.probe.ike_full"), **PROBE_COMMON},
)


def _std_ike_findings(prefix: str) -> dict[str, str]:
    from mptool.proto.ipsec.std.session import PROBLEM_KINDS as STD_KINDS

    return exchange_findings(prefix, STD_KINDS)


PROBE_IKE_EXCHANGE = register(
    "proto.probe.ike_exchange",
    "Standard IKE: a full IKEv1 main + quick mode (PSK, RSA, ECDSA) or IKEv2 (PSK) exchange as initiator",
    "RFC 2409 §5, §5.1, §5.4, §5.5, Appendix B; RFC 4754; RFC 7296 §1.2, §2.13-2.15, §3.6-3.8, §3.14; RFC 7427; RFC 5282; GB/T 39786-2021 8.2 a)-c)",
    """
    Runs a standard initiator against an IKE responder (``--ike --full`` with ``--psk`` or an
    RSA/ECDSA ``--client-sign-cert``/``--client-sign-key``). IKEv1: main mode offering AES-CBC
    128/256 with SHA2-256 or SHA-1 and MODP-2048 or ECP-256, Diffie-Hellman, SKEYID per RFC 2409
    §5 (pre-shared key or signatures), HASH_I/HASH_R or SIG_I/SIG_R, messages 5/6 encrypted with
    the Appendix B IV chain, then quick mode with HASH(1..3) and an ESP proposal (AES-CBC +
    HMAC-SHA2-256/SHA-1 or AES-GCM). IKEv2: IKE_SA_INIT, SKEYSEED/SK_* by prf+, IKE_AUTH in an
    SK payload (AES-CBC + HMAC-SHA2-256-128 or AES-GCM-16) with AUTH by shared key, or by an
    RSA/ECDSA certificate (CERT, CERTREQ; RFC 7427 Digital Signature when the responder announces
    SIGNATURE_HASH_ALGORITHMS, else methods 1/9), and one CHILD SA (IKEv2 with certificates is
    covered by this check too, though its title names PSK). The responder's HASH/AUTH/signature
    is verified and its certificate checked by the cert
    domain. Verdicts as ``proto analyze`` gives; the PSK is recorded only by its fingerprint.
    Fails on a rejected or wrong authentication, a wrong hash/signature/ICV or a transform that
    was not offered; errors when unreachable.
    """,
    {**_std_ike_findings("proto.probe.ike_exchange"), **PROBE_COMMON},
)
