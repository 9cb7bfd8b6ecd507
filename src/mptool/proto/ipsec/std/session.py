"""What the standard IKEv1 and IKEv2 initiators share: credentials, the exchange log behind the
evidence, the failure that ends a run, and the bounded wait for an answer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol

#: Every problem kind a standard exchange can record (finding ``proto.probe.ike_exchange.<kind>``).
PROBLEM_KINDS = {
    "malformed": "a message or payload from the responder cannot be decoded",
    "timeout": "no answer within the timeout (for a wrong pre-shared key strongSwan often stays silent)",
    "socket_error": "the datagram could not be sent or received",
    "peer_notify": "the responder answered with an error notify",
    "no_proposal_chosen": "the responder accepted none of the offered transforms",
    "invalid_ke": "the responder asked for a Diffie-Hellman group that was not offered",
    "authentication_failed": "the responder rejected our authentication (AUTHENTICATION_FAILED, or a pre-shared key that does not match)",
    "transform_not_offered": "the responder chose a transform that was not offered",
    "bad_hash": "the responder's HASH_R or quick-mode HASH(2) does not match (another pre-shared key?)",
    "bad_signature": "the responder's signature does not verify with its certificate's key",
    "bad_auth": "the responder's IKEv2 AUTH payload does not match",
    "bad_icv": "the integrity checksum of an encrypted IKEv2 message does not verify",
    "certificate_missing": "the responder sent no certificate for signature authentication",
    "certificate_unreadable": "the responder's certificate has no readable RSA or ECDSA public key",
    "unexpected_exchange": "a message of an exchange type or with a message ID that was not expected",
    "child_sa_deleted": "the responder deleted the ESP SA right after negotiating it (it could not install it?)",
    "esp_not_sent": "ESP echo packets were asked for but cannot be sent: they need UDP encapsulation (--ike-encap) and the protected networks (--ike-ts)",
    "esp_bad_icv": "an ESP packet from the responder whose ICV does not verify was dropped",
    "esp_replay": "an ESP packet from the responder with a sequence number already received was dropped",
    "esp_malformed": "an ESP packet from the responder too short or badly padded was dropped",
    "esp_unknown_spi": "an ESP packet for an SPI of no SA was dropped",
    "esp_echo_mismatch": "an ESP packet from the responder carried no echo reply to what was sent",
}


class Failure(Exception):
    """The run ends on the responder's answer (or silence); ``kind`` is the finding."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Credentials:
    """How we authenticate: ``psk`` (the secret's bytes), or ``rsa`` / ``ecdsa`` (key and certificate chain, DER)."""

    method: str
    psk: bytes = b""
    key: Any = None
    certs: tuple[bytes, ...] = ()


@dataclass
class StdLog:
    """What happened in one exchange: the record behind the result (never a key or the PSK)."""

    version: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    transforms: dict[str, Any] = field(default_factory=dict)
    spis: dict[str, str] = field(default_factory=dict)
    phase1_completed: bool = False
    phase2_completed: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)
    peer_notify: str | None = None
    peer_certificates: list[bytes] = field(default_factory=list)
    peer_id: str = ""
    deleted: bool = False
    esp_sent: int = 0
    esp_answered: int = 0
    esp_dropped: dict[str, int] = field(default_factory=dict)

    def message(self, direction: str, number: str, exchange: str, payloads: list[str], encrypted: bool) -> None:
        """Record a message by its payload names."""
        self.messages.append({"message": number, "direction": direction, "exchange": exchange, "encrypted": encrypted, "payloads": payloads})

    def problem(self, kind: str, message: str) -> None:
        """Record a problem."""
        self.problems.append((kind, message))


class Transport(Protocol):
    """A datagram channel to the responder (:class:`mptool.proto.ipsec.gm.transport.UdpTransport`)."""

    error: str | None
    address: tuple[str, int]
    framed: bool

    def send_ike(self, data: bytes) -> None: ...

    def receive(self, timeout: float) -> tuple[str, bytes] | None: ...

    def send_esp(self, data: bytes) -> None: ...


def run_steps(log: StdLog, *steps: Any) -> StdLog:
    """Run the exchange's steps in order; a :class:`Failure` or undecodable answer ends it as a logged problem."""
    from mptool.proto.wire import DecodeError

    try:
        for step in steps:
            step()
    except Failure as exc:
        log.problem(exc.kind, str(exc))
    except DecodeError as exc:
        log.problem("malformed", f"a message from the responder cannot be read: {exc}")
    return log


def send_receive(transport: Transport, data: bytes, accept: Any, timeout: float, retries: int, what: str) -> Any:
    """:func:`exchange`, with an answer that cannot be decoded reported as ``malformed``."""
    from mptool.proto.wire import DecodeError

    try:
        return exchange(transport, data, accept, timeout, retries, what)
    except DecodeError as exc:
        raise Failure("malformed", f"the answer to {what} cannot be read: {exc}") from None


def exchange(transport: Transport, data: bytes, accept: Any, timeout: float, retries: int, what: str) -> Any:
    """Send ``data`` (resent on timeout, ``retries`` times) until ``accept(datagram)`` returns
    something other than None; each wait is bounded by ``timeout`` (and the transport's deadline)."""
    for _ in range(retries + 1):
        transport.send_ike(data)
        while True:
            got = transport.receive(timeout)
            if got is None:
                break
            if got[0] != "ike":
                continue
            answer = accept(got[1])
            if answer is not None:
                return answer
        if transport.error:
            raise Failure("socket_error", f"{what}: {transport.error}")
    raise Failure("timeout", f"no answer to {what} within {timeout:g} s ({retries + 1} tries)")


NAT_T_PORT = 4500


@dataclass(frozen=True)
class Selectors:
    """The traffic selectors asked for (IPv4 networks), or none: IKEv1 then sends no IDci/IDcr
    (the hosts, RFC 2409 §5.5), IKEv2 0.0.0.0/0 for the responder to narrow (RFC 7296 §2.9)."""

    local: str | None = None
    remote: str | None = None

    def networks(self) -> tuple[Any, Any] | None:
        """(local, remote) as ``ipaddress.IPv4Network``, or None."""
        import ipaddress

        if self.local is None or self.remote is None:
            return None
        return ipaddress.IPv4Network(self.local, strict=False), ipaddress.IPv4Network(self.remote, strict=False)


#: CERT / CERTREQ encoding "X.509 Certificate - Signature" (RFC 2408 §3.9, RFC 7296 §3.6)
CERT_X509_SIGNATURE = 4


def responder_certificate_key(cert_bodies: list[bytes], log: StdLog, where: str) -> Any:
    """The public key of the responder's first X.509 signature certificate (CERT encoding 4, RFC
    2408 §3.9 / RFC 7296 §3.6) among ``cert_bodies``; every such certificate is kept in the log."""
    from mptool.proto.ipsec.std.keys import certificate_key

    certs = [body[1:] for body in cert_bodies if body[:1] == bytes([CERT_X509_SIGNATURE]) and len(body) > 1]
    if not certs:
        raise Failure("certificate_missing", f"the responder sent no X.509 signature certificate (CERT encoding 4) in {where}")
    log.peer_certificates = certs
    try:
        return certificate_key(certs[0])
    except ValueError as exc:
        raise Failure("certificate_unreadable", f"the responder's certificate: {exc}") from None


def peer_address(transport: Transport) -> bytes:
    """The responder's address as packed bytes (NAT-D input, RFC 3947 §3.2, RFC 7296 §2.23)."""
    import socket

    host = transport.address[0]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.inet_pton(family, host)
    except OSError:
        return socket.inet_pton(socket.AF_INET, socket.gethostbyname(host))


def float_to_nat_t(transport: Transport) -> None:
    """Continue on port 4500 with the non-ESP marker (RFC 3947 §4, RFC 7296 §2.23)."""
    transport.address = (transport.address[0], NAT_T_PORT)
    transport.framed = True


def esp_echo(transport: Transport, log: StdLog, count: int, timeout: float, selectors: Selectors, nat_t: bool, make_sas: Any) -> None:
    """Send ``count`` ICMP echo requests from the first host of our network to the first host of
    the responder's through the new ESP SA (UDP-encapsulated) and check each reply (RFC 3948, RFC 4303).
    ``make_sas()`` returns (outbound, inbound) :class:`~mptool.proto.ipsec.std.esp.Sa` or None."""
    import time

    from mptool.proto.ipsec.std.esp import EspError, echo_reply, echo_request

    nets = selectors.networks()
    sas = make_sas() if nets and nat_t else None
    if count <= 0:
        return
    if sas is None:
        log.problem("esp_not_sent", "ESP echo needs UDP encapsulation (--ike-encap), the protected networks (--ike-ts) and an AES-CBC/HMAC or AES-GCM SA")
        return
    out_sa, in_sa = sas
    src, dst = (next(n.hosts()).packed for n in nets)
    ident = int.from_bytes(os.urandom(2), "big")
    for number in range(1, count + 1):
        data = f"mptool ESP echo {number}".encode() + os.urandom(16)
        transport.send_esp(out_sa.seal(echo_request(src, dst, ident, number, data)))
        log.esp_sent += 1
        ends = time.monotonic() + timeout
        while (left := ends - time.monotonic()) > 0:
            got = transport.receive(left)
            if got is None:
                break
            if got[0] != "esp":
                continue
            try:
                reply = echo_reply(in_sa.open(got[1]))
            except EspError as exc:
                log.esp_dropped[exc.kind] = log.esp_dropped.get(exc.kind, 0) + 1
                log.problem(f"esp_{exc.kind}", f"reply to echo {number}: {exc}")
                continue
            if reply == (ident, number, data):
                log.esp_answered += 1
                break
            log.problem("esp_echo_mismatch", f"an ESP packet after echo {number} is not its echo reply")
