"""Checks of ``mptool proto serve``: ``proto.serve.tlcp_client`` and ``proto.serve.listener``
(the endpoint is :mod:`mptool.proto.tlcp.serve`)."""

from __future__ import annotations

from mptool.core.registry import register
from mptool.proto.tls.transport import PROBLEM_KINDS

SERVE_FINDINGS = {
    **{f"proto.serve.{kind}": meaning for kind, meaning in PROBLEM_KINDS.items()},
    "proto.serve.client_alert": "the client sent an alert",
    "proto.serve.pms_version": "the pre-master secret does not start with the TLCP version 0101",
    "proto.serve.non_sm_suite_offered": "the client offered TLCP suites that are not all-SM",
    "proto.serve.client_certificate_unreadable": "a certificate the client sent cannot be read",
}

SERVE_CLIENT = register(
    "proto.serve.tlcp_client",
    "TLCP client seen by the test server: offers and handshake",
    "GB/T 38636-2020 §6.4 (handshake protocol), §6.4.5.2.1 (cipher suites)",
    """
    Records what one client connecting to ``mptool proto serve --tlcp`` offered (version, suites,
    extensions, certificates) and how its handshake went: ClientKeyExchange format (GmSSL or
    Tongsuo ECDHE layout), SM2 ciphertext encoding of the pre-master secret, CertificateVerify
    form, Finished. Passes on a completed handshake with application data; fails when the
    client sent a wrong message (bad Finished, signature, pre-master secret, encoding);
    informative when the client left early (e.g. a probe that only reads the ServerHello).
    """,
    SERVE_FINDINGS,
)

SERVE_LISTENER = register(
    "proto.serve.listener",
    "TLCP test server: connections it could not accept",
    "POSIX accept(2) (EMFILE, ENFILE); GB/T 39786-2021 8.2 (the evidence of the endpoint stays complete)",
    """
    Present only when the server failed to accept connections (for example out of file
    descriptors): how often and why. The server keeps running and accepts again shortly
    after; clients meanwhile wait in the listen backlog. A warning: the run's evidence may not
    include every client that tried to connect.
    """,
    {"proto.serve.accept_failed": "the server could not accept a connection (e.g. out of file descriptors)"},
)


def exchange_findings(prefix: str, kinds: dict[str, str]) -> dict[str, str]:
    """Problem kinds of an IKE exchange (``kinds``) and the verdict vocabulary, under ``prefix``."""
    from mptool.proto.judge.verdict import verdict_findings

    return {**{f"{prefix}.{kind}": meaning for kind, meaning in kinds.items()}, **verdict_findings(prefix)}


def gm_ike_findings(prefix: str) -> dict[str, str]:
    """Problem kinds of a GM/T 0022 exchange and the verdict vocabulary, under ``prefix``."""
    from mptool.proto.ipsec.gm.session import PROBLEM_KINDS

    return exchange_findings(prefix, PROBLEM_KINDS)


SERVE_IKE = register(
    "proto.serve.ike_peer",
    "GM/T 0022 IKE initiator seen by the test responder: phase 1, quick mode, ESP",
    "GM/T 0022-2014 §5 (IKE: main mode with digital envelope, quick mode), §6 (ESP); GB/T 39786-2021 8.2 a)-c)",
    """
    Records what one initiator of ``mptool proto serve --ike`` did: the phase-1 transform it
    offered (SM4-CBC 129, SM3 20, digital envelope 10, SM2), its signing and encryption
    certificates (encodings 4 and 5, roles by keyUsage), the symmetric-key payload (128) opened
    with the responder's encryption key, its SM2 signature, HASH_I, quick-mode HASH(1)/(3), the
    ESP SPIs and how many ESP echo packets were received, answered or dropped (ICV, replay).
    Values GM/T 0022-2023 does not make known to us follow mptool's documented reading
    (measurements ``choices``). Passes on a completed exchange; fails when the initiator sent a
    wrong message (bad signature, hash, envelope, certificate role, ESP ICV or replay);
    informative when it left early.
    """,
    gm_ike_findings("proto.serve.ike_peer"),
)
