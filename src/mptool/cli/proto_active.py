"""``mptool proto probe`` and ``mptool proto serve``: thin CLI over :mod:`mptool.proto.commands`."""

from __future__ import annotations

import click

from mptool.cli.output import OutputOptions, evidence_options
from mptool.cli.trust import trust_option
from mptool.core.errors import exit_code_epilog

_PROBE_EPILOG = """\b
Examples:
  mptool proto probe 192.0.2.10:443 --tls -f json -o tls.json
  mptool proto probe vpn.example:443 --tlcp --client-sign-cert cs.pem --client-sign-key cs.key \\
      --client-enc-cert ce.pem --client-enc-key ce.key --trust root.pem
  mptool proto probe 192.0.2.1 --ike
  mptool proto probe 192.0.2.1:4500 --ike --full --client-sign-cert is.pem --client-sign-key is.key \\
      --client-enc-cert ie.pem --client-enc-key ie.key --trust root.pem --esp-packets 5 --keylog ike.keys
  mptool proto probe 192.0.2.1 --ike --full --psk env:VPN_PSK
  mptool proto probe 192.0.2.1 --ike --full --ikev2 --psk file:psk.txt
  mptool proto probe 192.0.2.1 --ike --full --client-sign-cert rsa.pem --client-sign-key rsa.key --trust ca.pem
  mptool proto probe 192.0.2.1 --ike --full --ikev2 --client-sign-cert ec.pem --client-sign-key ec.key --trust ca.pem

""" + exit_code_epilog()

_SERVE_EPILOG = """\b
Example:
  mptool proto serve --tlcp --port 4433 --sign-cert s.pem --sign-key s.key \\
      --enc-cert e.pem --enc-key e.key --ca root.pem --max-connections 5 -f json -o clients.json
  mptool proto serve --ike --port 4500 --sign-cert rs.pem --sign-key rs.key \\
      --enc-cert re.pem --enc-key re.key --ca root.pem --max-connections 1 --keylog ike.keys

""" + exit_code_epilog()


@click.command(epilog=_PROBE_EPILOG)
@click.argument("target", metavar="HOST:PORT")
@click.option("--tls", "tls", is_flag=True, help="Probe SSL 3.0 and TLS 1.0-1.3: versions, suites per version, preference, certificates.")
@click.option("--tlcp", "tlcp", is_flag=True, help="Probe TLCP 1.1 (GB/T 38636): suites, preference, certificates, full handshakes.")
@click.option("--rfc8998", "rfc8998", is_flag=True, help="Probe TLS 1.3 with the SM suites of RFC 8998.")
@click.option("--ike", "ike", is_flag=True, help="Probe an IKE responder (UDP, default port 500): IKEv1 main mode and IKEv2.")
@click.option("--ssh", "ssh", is_flag=True, help="Probe an SSH server (default port 22): KEXINIT algorithm lists and every host key type it offers.")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=5.0, show_default=True, help="Seconds per connection (or per UDP exchange).")
@click.option("--time-limit", type=click.FloatRange(1, 3600), default=120.0, show_default=True, help="Seconds for the whole probe.")
@click.option("--max-connections", type=click.IntRange(1, 10000), default=200, show_default=True, help="Most connections (or IKE requests) the probe may open.")
@click.option("--server-name", metavar="NAME", default=None, help="SNI host name to send (default: none for TLCP, the host for TLS).")
@click.option("--app-data", metavar="TEXT", default=None, help="Application data for the full TLCP/TLS handshakes (default: an HTTP/1.0 GET).")
@click.option("--client-sign-cert", metavar="FILE", default=None, help="TLCP client signing certificate (PEM/DER).")
@click.option("--client-sign-key", metavar="FILE", default=None, help="TLCP client signing key (SM2, PKCS#8 or SEC1).")
@click.option("--client-enc-cert", metavar="FILE", default=None, help="TLCP client encryption certificate (needed for ECDHE).")
@click.option("--client-enc-key", metavar="FILE", default=None, help="TLCP client encryption key (needed for ECDHE).")
@trust_option("for checking the server's certificates")
@click.option("--tlcp-flavour", type=click.Choice(["gmssl", "tongsuo"]), default="gmssl", show_default=True, help="TLCP client wire forms where GmSSL and Tongsuo differ (ECDHE ClientKeyExchange length, CertificateVerify input).")
@click.option("--full", is_flag=True, help="With --ike: a full GM/T 0022 exchange (main mode, quick mode, ESP) with the --client-* keys; default port 4500.")
@click.option("--esp-packets", type=click.IntRange(0, 1000), default=3, show_default=True, help="With --ike --full: ESP echo packets to send (standard IKE: ICMP echoes through the ESP SA, only when given, with --ike-encap and --ike-ts).")
@click.option("--esp-gcm", is_flag=True, help="With --ike --full: offer ESP SM4-GCM (130) instead of SM4-CBC + HMAC-SM3 (127).")
@click.option("--keylog", metavar="FILE", default=None, help="With --ike --full: write the lab's key log (envelope keys, ESP keys) for proto analyze --ike-keylog.")
@click.option("--psk", metavar="SECRET", default=None, help="With --ike --full: standard IKE with this pre-shared key (text, env:NAME or file:PATH; recorded only by its fingerprint); default port 500.")
@click.option("--ikev2", is_flag=True, help="With --ike --full and --psk or --client-sign-cert/--client-sign-key: IKEv2 (IKE_SA_INIT + IKE_AUTH) instead of IKEv1 main + quick mode.")
@click.option("--ike-encap", is_flag=True, help="With --ike --full --psk/certificate: announce a NAT (fake NAT-D) so the responder moves to UDP 4500 and encapsulates ESP in UDP.")
@click.option("--ike-ts", metavar="LOCAL=REMOTE", default=None, help="With --ike --full --psk/certificate: the protected IPv4 networks to ask for, e.g. 10.0.1.0/24=10.0.2.0/24 (default: the two hosts).")
@click.option("--ike-id", metavar="FQDN", default="mptool-probe", show_default=True, help="With --ike --full --psk: our identity (ID_FQDN).")
@evidence_options
def probe(
    target: str,
    tls: bool,
    tlcp: bool,
    rfc8998: bool,
    ike: bool,
    ssh: bool,
    timeout: float,
    time_limit: float,
    max_connections: int,
    server_name: str | None,
    app_data: str | None,
    client_sign_cert: str | None,
    client_sign_key: str | None,
    client_enc_cert: str | None,
    client_enc_key: str | None,
    trust: tuple[str, ...],
    tlcp_flavour: str,
    full: bool,
    esp_packets: int,
    esp_gcm: bool,
    keylog: str | None,
    psk: str | None,
    ikev2: bool,
    ike_id: str,
    ike_encap: bool,
    ike_ts: str | None,
    out: OutputOptions,
) -> None:
    """Probe a live endpoint: which TLCP/TLS versions and suites it accepts, its certificates,
    and (TLCP) a full handshake with application data; or (--ike) which IKE proposals it accepts; or (--ssh) an SSH server's algorithm lists and host keys.

    Without a protocol option, --tlcp and --tls are probed. Every probe is bounded by
    --timeout per connection, --time-limit overall and --max-connections.
    """
    from mptool.proto.commands import ProbeOptions, run_probe

    protocols = tuple(name for name, on in (("tlcp", tlcp), ("tls", tls), ("rfc8998", rfc8998), ("ike", ike), ("ssh", ssh)) if on) or ("tlcp", "tls")
    if ike and len(protocols) > 1:
        raise click.UsageError("--ike probes UDP; probe it on its own, not with --tls/--tlcp/--rfc8998")
    if ssh and len(protocols) > 1:
        raise click.UsageError("--ssh probes an SSH port; probe it on its own, not with --tls/--tlcp/--rfc8998/--ike")
    client = {"sign_cert": client_sign_cert, "sign_key": client_sign_key, "enc_cert": client_enc_cert, "enc_key": client_enc_key}
    given = {k: v for k, v in client.items() if v}
    if (psk is not None or ikev2 or ike_encap) and not (ike and full):
        raise click.UsageError("--psk, --ikev2 and --ike-encap go with --ike --full")
    if ike and full and (psk is not None or set(given) == {"sign_cert", "sign_key"}):
        if esp_gcm or keylog:
            raise click.UsageError("--esp-gcm and --keylog are for the GM/T 0022 exchange (four --client-* files), not standard IKE")
        if psk is not None and given:
            raise click.UsageError("give either --psk or --client-sign-cert/--client-sign-key, not both")
        explicit = click.get_current_context().get_parameter_source("esp_packets") is not click.core.ParameterSource.DEFAULT
        _probe_ike_standard(target, psk, ikev2, ike_id, ike_encap, ike_ts, esp_packets if explicit else 0, given, trust, timeout, time_limit, out)
        return
    if given and len(given) != 4:
        missing = ", ".join(f"--client-{k.replace('_', '-')}" for k in client if k not in given)
        raise click.UsageError(f"client authentication needs all four --client-* files; missing {missing}")
    if full or keylog or esp_gcm:
        if not ike:
            raise click.UsageError("--full, --esp-gcm and --keylog go with --ike")
        if not full:
            raise click.UsageError("--esp-gcm and --keylog need --full")
        if len(given) != 4:
            raise click.UsageError("--ike --full needs --psk, an RSA/ECDSA --client-sign-cert/--client-sign-key pair, or the four GM/T 0022 --client-* files (SM2 signing and encryption)")
        _probe_ike_full(target, given, trust, esp_packets, esp_gcm, keylog, timeout, time_limit, out)
        return
    options = ProbeOptions(
        protocols=protocols,
        timeout=timeout,
        time_limit=time_limit,
        max_connections=max_connections,
        server_name=server_name,
        application_data=app_data.encode() if app_data else b"",
        client_files=given,
        ca=trust,
        tlcp_flavour=tlcp_flavour,
    )
    builder = out.builder()
    run_probe(builder, target, options, out.progress)
    out.finish(builder)


def _listen_host(value: str) -> str:
    """``--host``: an empty value would bind every interface silently; refuse it (exit 2)."""
    if not value.strip():
        raise click.BadParameter("empty host; to listen on every interface say --host 0.0.0.0 (or ::) explicitly")
    return value.strip()


def _probe_ike_standard(target: str, psk: str | None, ikev2: bool, ike_id: str, encap: bool, ts: str | None, esp_packets: int, files: dict[str, str], ca: tuple[str, ...], timeout: float, time_limit: float, out: OutputOptions) -> None:
    from mptool.proto.commands import StdProbeOptions, probe_ike_standard

    local_ts, _, remote_ts = (ts or "").partition("=")
    if ts is not None and not (local_ts and remote_ts):
        raise click.BadParameter("expected LOCAL_CIDR=REMOTE_CIDR", param_hint="--ike-ts")
    options = StdProbeOptions(local_ts=local_ts or None, remote_ts=remote_ts or None, ike_version=2 if ikev2 else 1, psk=psk, client_cert=files.get("sign_cert"), client_key=files.get("sign_key"), ca=ca, timeout=timeout, time_limit=time_limit, identity=ike_id, encap=encap, esp_packets=esp_packets)
    builder = out.builder()
    probe_ike_standard(builder, target, options)
    out.finish(builder)


def _probe_ike_full(target: str, files: dict[str, str], ca: tuple[str, ...], esp_packets: int, gcm: bool, keylog: str | None, timeout: float, time_limit: float, out: OutputOptions) -> None:
    from mptool.proto.commands import FullProbeOptions, probe_ike_full

    options = FullProbeOptions(client_files=files, ca=ca, esp_packets=esp_packets, gcm=gcm, timeout=timeout, time_limit=time_limit, keylog=keylog)
    builder = out.builder()
    probe_ike_full(builder, target, options)
    out.finish(builder)


@click.command(epilog=_SERVE_EPILOG)
@click.option("--tlcp", "tlcp", is_flag=True, help="Serve TLCP 1.1 on TCP.")
@click.option("--ike", "ike", is_flag=True, help="Serve GM/T 0022 IKE + ESP on UDP (RFC 3948 framing; port 4500 by convention).")
@click.option("--host", default="127.0.0.1", show_default=True, callback=lambda ctx, param, value: _listen_host(value), help="Address to listen on (all interfaces only when given explicitly: 0.0.0.0 or ::).")
@click.option("--port", type=click.IntRange(0, 65535), required=True, help="TCP (--tlcp) or UDP (--ike) port (0 picks a free one; it is printed on stderr).")
@click.option("--sign-cert", required=True, metavar="FILE", help="Signing certificate (PEM/DER; may be followed by its CA chain).")
@click.option("--sign-key", required=True, metavar="FILE", help="Signing key (SM2, PKCS#8 or SEC1, unencrypted).")
@click.option("--enc-cert", required=True, metavar="FILE", help="Encryption certificate (PEM/DER).")
@click.option("--enc-key", required=True, metavar="FILE", help="Encryption key (SM2, PKCS#8 or SEC1, unencrypted).")
@click.option("--ca", "ca", metavar="FILE", multiple=True, help="CA certificate(s): sent after the server certificates and named in CertificateRequest.")
@click.option("--client-auth", is_flag=True, help="Request client certificates for ECC suites too (ECDHE always requests them).")
@click.option("--suites", metavar="LIST", default=None, help="Comma-separated suite ids/names in preference order (default: E013,E053,E011,E051).")
@click.option("--max-connections", type=click.IntRange(1, 100000), default=None, help="Stop after this many connections.")
@click.option("--duration", type=click.FloatRange(0.1, 86400), default=None, help="Stop after this many seconds.")
@click.option("--handshake-timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True, help="Seconds one client may take.")
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True, help="Handshakes computing at the same time (a connection waiting on its client, before or inside the handshake, holds no worker).")
@click.option("--max-pending", type=click.IntRange(1, 4096), default=1024, show_default=True, help="Connections open at once; more wait in the listen backlog.")
@click.option("--ecdhe-initiator", type=click.Choice(["auto", "server", "client"]), default="auto", show_default=True, help="ECDHE: which side is the SM2 key-exchange initiator (auto accepts both and records which one the client used).")
@click.option("--client-format", type=click.Choice(["auto", "gmssl", "tongsuo"]), default="auto", show_default=True, help="ECDHE ClientKeyExchange and CertificateVerify forms accepted (gmssl/tongsuo: only that one, as those servers do).")
@click.option("--keylog", metavar="FILE", default=None, help="--ike: write the key log (envelope and ESP keys) for proto analyze --ike-keylog.")
@click.option("--session-timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True, help="--ike: seconds of silence after which an IKE SA counts as ended.")
@evidence_options
def serve(
    tlcp: bool,
    ike: bool,
    host: str,
    port: int,
    sign_cert: str,
    sign_key: str,
    enc_cert: str,
    enc_key: str,
    ca: tuple[str, ...],
    client_auth: bool,
    suites: str | None,
    max_connections: int | None,
    duration: float | None,
    handshake_timeout: float,
    workers: int,
    max_pending: int,
    ecdhe_initiator: str,
    client_format: str,
    keylog: str | None,
    session_timeout: float,
    out: OutputOptions,
) -> None:
    """Run a TLCP test server (ECC and ECDHE suites, optional client authentication) that
    records what each client offers and completes its handshake.

    With --ike instead: a GM/T 0022 IPSec VPN responder (main mode with digital envelope,
    quick mode, ESP echo with SM4/SM3) on UDP; one result per IKE SA.

    Stops after --max-connections, --duration, or SIGINT/SIGTERM; then writes the evidence
    (one result per connection).
    """
    import signal
    import threading

    if tlcp == ike:
        raise click.UsageError("give exactly one of --tlcp and --ike")

    from mptool.proto.commands import ServeOptions, parse_suites
    from mptool.proto.commands import serve as run_serve

    options = ServeOptions(
        host=host,
        port=port,
        sign_cert=sign_cert,
        sign_key=sign_key,
        enc_cert=enc_cert,
        enc_key=enc_key,
        ca=ca,
        client_auth=client_auth,
        suites=parse_suites(suites),
        max_connections=max_connections,
        duration=duration,
        handshake_timeout=handshake_timeout,
        workers=workers,
        max_pending=max_pending,
        ecdhe_initiator=ecdhe_initiator,
        client_format=client_format,
    )
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())

    def announce(text: str) -> None:
        if not out.quiet:
            click.echo(f"mptool: {text}", err=True)

    builder = out.builder()
    if ike:
        from mptool.proto.commands import IkeServeOptions, serve_ike

        ike_options = IkeServeOptions(host, port, sign_cert, sign_key, enc_cert, enc_key, ca, max_connections, duration, session_timeout, keylog)
        serve_ike(builder, ike_options, announce=announce, stop=stop)
    else:
        run_serve(builder, options, announce=announce, stop=stop)
    out.finish(builder)
