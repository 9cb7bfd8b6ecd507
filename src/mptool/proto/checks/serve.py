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
