"""The TLCP client handshake (GB/T 38636-2020 §6.4.5), one function per flight.

1. :func:`send_client_hello` — ClientHello;
2. :func:`read_server_flight` — ServerHello, Certificate, ServerKeyExchange (signature checked),
   [CertificateRequest], ServerHelloDone;
3. :func:`send_client_flight` — [Certificate], ClientKeyExchange, [CertificateVerify],
   ChangeCipherSpec, Finished;
4. :func:`read_server_finished` — ChangeCipherSpec, Finished (verify_data checked);
5. :func:`exchange_application_data` — one request and its answer, then close_notify.

:func:`client_handshake` runs them in order. Wire choices: :mod:`.channel`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from mptool.algo.api import sm2
from mptool.proto.registry import tls as ids
from mptool.proto.tls import messages as m
from mptool.proto.tls.messages import BAD_CERTIFICATE, CLOSE_NOTIFY, DECRYPT_ERROR, HANDSHAKE_FAILURE, PROTOCOL_VERSION, WARNING
from mptool.proto.tls.record import APPLICATION_DATA
from mptool.proto.tlcp.channel import (
    ECDHE_INITIATORS,
    FLAVOURS,
    Channel,
    Credentials,
    Point,
    certificate_key,
    decode_point,
    new_random,
    parse_or_fail,
    verify_signature,
)
from mptool.proto.tlcp.crypto import master_secret, sm3, verify_data
from mptool.proto.tlcp.suites import IMPLEMENTED, TLCP_VERSION, TlcpSuite


@dataclass
class ClientLog:
    """What a client handshake saw; filled step by step, so a failure keeps what came before."""

    offered_suites: list[int]
    suite: int | None = None
    server_version: int | None = None
    server_certificates: list[bytes] = field(default_factory=list)
    ske_signature_valid: bool | None = None
    ecdhe_curve: int | None = None
    ecdhe_initiator: str | None = None
    certificate_requested: bool = False
    client_authenticated: bool = False
    key_exchange_sent: bool = False
    finished_sent: bool = False
    finished_verified: bool = False
    application_data_sent: int = 0
    application_data_received: bytes = b""
    completed: bool = False

    def measurements(self) -> dict[str, Any]:
        """The log as evidence measurements."""
        return {
            "suite": ids.hex_id(self.suite) if self.suite is not None else None,
            "suite_name": ids.suite_name(self.suite) if self.suite is not None else None,
            "server_version": ids.version_name(self.server_version) if self.server_version is not None else None,
            "server_certificate_count": len(self.server_certificates),
            "ske_signature_valid": self.ske_signature_valid,
            "ecdhe_curve": ids.group_name(self.ecdhe_curve) if self.ecdhe_curve is not None else None,
            "ecdhe_initiator": self.ecdhe_initiator,
            "certificate_requested": self.certificate_requested,
            "client_authenticated": self.client_authenticated,
            "finished_verified": self.finished_verified,
            "application_data_sent": self.application_data_sent,
            "application_data_received": len(self.application_data_received),
            "handshake_completed": self.completed,
        }


@dataclass(frozen=True)
class ServerFlight:
    """What the server's first flight established."""

    hello: m.ClientHello
    server_hello: m.ServerHello
    suite: TlcpSuite
    enc_public: Point  #: the server's encryption key (ECC: encrypts the pre-master secret)
    ske: m.ServerKeyExchange


def client_hello(suites: list[int], server_name: str | None = None) -> m.ClientHello:
    """A TLCP ClientHello offering ``suites`` (SNI only when a host name is given, as GmSSL does)."""
    extensions = [m.server_name_extension(server_name)] if server_name else None
    return m.ClientHello(TLCP_VERSION, new_random(), suites, extensions=extensions)


def client_handshake(
    channel: Channel,
    log: ClientLog,
    *,
    server_name: str | None = None,
    credentials: Credentials | None = None,
    application_data: bytes = b"",
    flavour: str = "gmssl",
    ecdhe_initiator: str = "server",
) -> None:
    """Run a full TLCP client handshake, then exchange ``application_data`` (if any).

    ``flavour`` picks the wire forms where GmSSL and Tongsuo differ: ``gmssl`` (ECDHE
    ClientKeyExchange with a uint16 length, CertificateVerify over the messages) or
    ``tongsuo`` (no length, CertificateVerify over SM3 of the messages).
    Raises :class:`ConnectionProblem` (or :class:`PeerAlert`/:class:`HandshakeFailure`) with
    ``log`` holding what was seen up to that point.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour: expected one of {', '.join(FLAVOURS)}, got {flavour!r}")
    if ecdhe_initiator not in ECDHE_INITIATORS:
        raise ValueError(f"ecdhe_initiator: expected one of {', '.join(ECDHE_INITIATORS)}, got {ecdhe_initiator!r}")
    hello = send_client_hello(channel, log, server_name)
    flight = read_server_flight(channel, log, hello)
    master = send_client_flight(channel, log, flight, credentials, flavour, ecdhe_initiator)
    read_server_finished(channel, log, master)
    exchange_application_data(channel, log, application_data)


def send_client_hello(channel: Channel, log: ClientLog, server_name: str | None) -> m.ClientHello:
    """Flight 1: the ClientHello offering :attr:`ClientLog.offered_suites`."""
    hello = client_hello(log.offered_suites, server_name)
    channel.send_handshake(hello.encode())
    return hello


def read_server_flight(channel: Channel, log: ClientLog, hello: m.ClientHello) -> ServerFlight:
    """Flight 2: ServerHello (TLCP, an offered suite), the signing and encryption certificates,
    the ServerKeyExchange whose signature must verify, [CertificateRequest], ServerHelloDone."""
    sh = parse_or_fail("ServerHello", m.ServerHello.parse, channel.recv_handshake((m.SERVER_HELLO,)).body)
    log.server_version, log.suite = sh.version, sh.cipher_suite
    if sh.version != TLCP_VERSION:
        channel.fail("protocol_version", f"server answered version {ids.version_name(sh.version)}", PROTOCOL_VERSION)
    suite = IMPLEMENTED.get(sh.cipher_suite)
    if suite is None or sh.cipher_suite not in log.offered_suites:
        channel.fail("suite_not_offered", f"server chose {ids.hex_id(sh.cipher_suite)}, which this client cannot run or did not offer", HANDSHAKE_FAILURE)
    certs = parse_or_fail("Certificate", m.parse_certificate, channel.recv_handshake((m.CERTIFICATE,)).body)
    log.server_certificates = certs
    if len(certs) < 2:
        channel.fail("bad_certificate", f"server sent {len(certs)} certificate(s); TLCP needs signing and encryption certificates", BAD_CERTIFICATE)
    sign_pub, enc_pub = certificate_key(certs[0], "server signing certificate"), certificate_key(certs[1], "server encryption certificate")
    ske = parse_or_fail("ServerKeyExchange", m.parse_server_key_exchange, channel.recv_handshake((m.SERVER_KEY_EXCHANGE,)).body, sh.cipher_suite, TLCP_VERSION)
    if ske.ecdhe is not None:
        log.ecdhe_curve = ske.ecdhe.curve_id
    signed = m.signed_params_ecdhe(hello.random, sh.random, ske.ecdhe) if ske.ecdhe else m.signed_params_ecc(hello.random, sh.random, certs[1])
    log.ske_signature_valid = verify_signature(sign_pub, signed, ske.signature)
    if not log.ske_signature_valid:
        channel.fail("bad_ske_signature", "the ServerKeyExchange signature does not verify with the signing certificate", DECRYPT_ERROR)
    msg = channel.recv_handshake((m.CERTIFICATE_REQUEST, m.SERVER_HELLO_DONE))
    if msg.msg_type == m.CERTIFICATE_REQUEST:
        parse_or_fail("CertificateRequest", m.CertificateRequest.parse, msg.body)
        log.certificate_requested = True
        channel.recv_handshake((m.SERVER_HELLO_DONE,))
    return ServerFlight(hello, sh, suite, enc_pub, ske)


def send_client_flight(channel: Channel, log: ClientLog, flight: ServerFlight, credentials: Credentials | None, flavour: str, ecdhe_initiator: str) -> bytes:
    """Flight 3: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished;
    returns the master secret."""
    ecdhe = flight.suite.kex == "ecdhe"
    if ecdhe and (credentials is None or not log.certificate_requested):
        what = "client encryption key and certificates" if credentials is None else "a CertificateRequest from the server"
        channel.fail("ecdhe_needs_client_keys", f"an ECDHE handshake needs {what}", HANDSHAKE_FAILURE)
    if log.certificate_requested:
        channel.send_handshake(m.encode_certificate(credentials.chain if credentials else []))
    if ecdhe:
        assert credentials is not None and flight.ske.ecdhe is not None
        server_ephemeral = decode_point(flight.ske.ecdhe.point, "server ECDHE point")
        r, big_r = sm2.ephemeral_key()
        role = "responder" if ecdhe_initiator == "server" else "initiator"
        pms = sm2.key_exchange(role, credentials.enc_d, r, flight.enc_public, server_ephemeral, 48).key
        log.ecdhe_initiator = ecdhe_initiator
        params = m.EcdheParams(flight.ske.ecdhe.curve_id, sm2.encode_public_key(big_r))
        channel.send_handshake(m.TlcpClientKeyExchange(params=params, variant=m.CKE_GMSSL if flavour == "gmssl" else m.CKE_TONGSUO).encode())
    else:
        pms = TLCP_VERSION.to_bytes(2, "big") + os.urandom(46)
        channel.send_handshake(m.TlcpClientKeyExchange(encrypted_pms=sm2.encrypt(flight.enc_public, pms, order="asn1")).encode())
    log.key_exchange_sent = True
    if log.certificate_requested and credentials is not None:
        signed = channel.transcript if flavour == "gmssl" else sm3(channel.transcript)
        channel.send_handshake(m.encode_certificate_verify(sm2.encode_signature_der(*sm2.sign(credentials.sign_d, signed))))
        log.client_authenticated = True
    client_random, server_random = flight.hello.random, flight.server_hello.random
    master = master_secret(pms, client_random, server_random)
    channel.install_keys(flight.suite, master, client_random, server_random, is_client=True)
    channel.send_ccs()
    channel.send_handshake(m.handshake(m.FINISHED, verify_data(master, b"client finished", channel.transcript)))
    log.finished_sent = True
    return master


def read_server_finished(channel: Channel, log: ClientLog, master: bytes) -> None:
    """Flight 4: the server's ChangeCipherSpec and Finished, whose verify_data must match."""
    channel.recv_ccs()
    expected = verify_data(master, b"server finished", channel.transcript)
    if channel.recv_handshake((m.FINISHED,)).body != expected:
        channel.fail("bad_finished", "the server Finished verify_data is wrong", DECRYPT_ERROR)
    log.finished_verified = True


def exchange_application_data(channel: Channel, log: ClientLog, application_data: bytes) -> None:
    """Send ``application_data`` (if any), read the answer, close with close_notify."""
    if application_data:
        channel.send(APPLICATION_DATA, application_data)
        log.application_data_sent = len(application_data)
        reply = channel.recv_application_data()
        log.application_data_received = reply or b""
        log.completed = reply is not None
    else:
        log.completed = True
    channel.send_alert(CLOSE_NOTIFY, level=WARNING)
