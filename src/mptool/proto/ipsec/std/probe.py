"""``mptool proto probe HOST[:PORT] --ike --full`` with ``--psk`` or an RSA/ECDSA client
certificate: one standard IKEv1 (main + quick mode) or IKEv2 (PSK) exchange as evidence."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from mptool.core.errors import InputError
from mptool.core.model import Finding, Severity, Status
from mptool.core.report import ReportBuilder
from mptool.core.secrets import REFERENCE_PREFIXES, fingerprint
from mptool.proto.checks import probe as probe_checks
from mptool.proto.ipsec.gm.transport import UdpTransport
from mptool.proto.ipsec.std.evidence import exchange_result
from mptool.proto.ipsec.std.session import Credentials, Selectors
from mptool.proto.ipsec.std.v1 import V1Initiator
from mptool.proto.ipsec.std.v2 import V2Initiator

NAT_T_PORT = 4500


@dataclass(frozen=True)
class StdProbeOptions:
    """Resolved options of a standard ``probe --ike --full``."""

    ike_version: int = 1
    psk: str | None = None  #: the secret, or env:NAME / file:PATH naming where it is
    client_cert: str | None = None
    client_key: str | None = None
    ca: tuple[str, ...] = ()
    timeout: float = 5.0
    time_limit: float = 120.0
    identity: str = "mptool-probe"
    local_ts: str | None = None  #: our protected IPv4 network (CIDR)
    remote_ts: str | None = None  #: the responder's protected IPv4 network (CIDR)
    esp_packets: int = 0  #: ICMP echo requests through the ESP SA (needs encap and the networks)
    encap: bool = False  #: force UDP encapsulation (a NAT announced), like strongSwan's encap = yes


def resolve_psk(value: str) -> bytes:
    """The PSK bytes of ``--psk``: the text itself, ``env:NAME`` or ``file:PATH`` (one trailing newline dropped)."""
    if value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise InputError("--psk", f"environment variable {name!r} is not set")
        secret = os.environ[name].encode()
    elif value.startswith(("file:", "@")):
        path = value[5:] if value.startswith("file:") else value[1:]
        from mptool.core.inputs import read_input

        secret, _ = read_input(path, max_size=1 << 16)
        secret = secret[:-1] if secret.endswith(b"\n") else secret
    else:
        secret = value.encode()
    if not secret:
        raise InputError("--psk", "the pre-shared key is empty")
    return secret


def _selectors(options: StdProbeOptions) -> Selectors:
    import ipaddress

    if (options.local_ts is None) != (options.remote_ts is None):
        raise InputError("--ike-ts", "give both networks: LOCAL_CIDR=REMOTE_CIDR")
    for value in (options.local_ts, options.remote_ts):
        if value is not None:
            try:
                ipaddress.IPv4Network(value, strict=False)
            except ValueError:
                raise InputError("--ike-ts", f"{value!r} is not an IPv4 network (CIDR)") from None
    return Selectors(options.local_ts, options.remote_ts)


def _credentials(builder: ReportBuilder, options: StdProbeOptions) -> Credentials:
    if options.psk is not None:
        return Credentials("psk", psk=resolve_psk(options.psk))
    from mptool.proto.ipsec.std.keys import load_client

    assert options.client_cert and options.client_key
    method, key, ders, records = load_client(options.client_cert, options.client_key)
    for record in records:
        builder.add_input(record)
    return Credentials(method, key=key, certs=tuple(ders))


def probe_standard(builder: ReportBuilder, host: str, port: int, options: StdProbeOptions) -> None:
    """Run one standard exchange against ``host:port`` and add its results to ``builder``."""
    from mptool.proto.analyze import load_trust

    creds = _credentials(builder, options)
    trust = load_trust(options.ca, builder)
    version = f"IKEv{options.ike_version}"
    builder.parameters.update(
        protocol=version,
        authentication=creds.method,
        psk=None if options.psk is None else (options.psk if options.psk.startswith(REFERENCE_PREFIXES) else fingerprint(creds.psk)),
        identity=options.identity,
        nat_t_framing=port == NAT_T_PORT,
        force_encapsulation=options.encap,
        esp_packets=options.esp_packets,
        traffic_selectors=None if options.local_ts is None else {"local": options.local_ts, "remote": options.remote_ts},
    )
    spec = probe_checks.PROBE_IKE_EXCHANGE
    subject = f"{host}:{port} {version}"
    transport = UdpTransport(host, port, time.monotonic() + options.time_limit, framed=port == NAT_T_PORT)
    initiator = (V1Initiator if options.ike_version == 1 else V2Initiator)(creds, transport, options.timeout, identity=options.identity.encode(), encap=options.encap, selectors=_selectors(options), esp_packets=options.esp_packets)
    try:
        log = initiator.run()
    finally:
        transport.close()
    extra = {"psk_fingerprint": fingerprint(creds.psk)} if creds.method == "psk" else {}
    result = exchange_result(spec, subject, log, creds.method, extra)
    if len(log.messages) <= 1 and any(kind in ("timeout", "socket_error") for kind, _ in log.problems):
        kind = "refused" if transport.error and "unreachable" in transport.error else "timeout"
        finding = Finding(code=f"proto.probe.{kind}", severity=Severity.ERROR, message=f"no {version} answer from {host}:{port}")
        result = result.model_copy(update={"status": Status.ERROR, "findings": [*result.findings, finding]})
    builder.add(result)
    if log.peer_certificates:
        from mptool.proto.probe.certcheck import check_handshake_certificates

        try:
            builder.extend(check_handshake_certificates(log.peer_certificates, tlcp=False, trust=trust, subject=f"{subject} responder certificates", purpose="any"))
        except InputError as exc:
            finding = Finding(code=f"{spec.id}.certificate_unreadable", severity=Severity.ERROR, message=str(exc))
            builder.add(spec.result(Status.FAIL, subject=f"{subject} responder certificates", findings=[finding]))
