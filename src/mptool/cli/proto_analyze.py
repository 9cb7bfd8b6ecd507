"""``mptool proto analyze``: thin CLI over :mod:`mptool.proto.analyze` (imported lazily)."""

from __future__ import annotations

import click

from mptool.cli.output import OutputOptions, evidence_options
from mptool.cli.trust import trust_option
from mptool.core.errors import exit_code_epilog


@click.command(epilog=exit_code_epilog())
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE|-...")
@trust_option("for the chain checks")
@click.option("--no-cert-checks", is_flag=True, help="Only record the certificates; skip the cert module's lint and chain checks.")
@click.option("--extract-certs", "extract_certs", metavar="DIR", default=None, help="Write every certificate seen to DIR (an existing directory) as PEM named by its SM3 fingerprint.")
@click.option("--ike-keylog", metavar="FILE", default=None, help="GM/T 0022 key log (proto serve/probe --keylog): decrypt IKE, verify HASH payloads, decrypt ESP and check its ICV.")
@evidence_options
def analyze(captures: tuple[str, ...], trust: tuple[str, ...], no_cert_checks: bool, extract_certs: str | None, ike_keylog: str | None, out: OutputOptions) -> None:
    """Report every TLS, TLCP, SSH, IKE and ESP channel (and every cleartext conversation) in
    packet captures, with a verdict each.

    CAPTURE is a pcap or pcapng file, optionally gzip-compressed ('-' reads stdin). For each
    TCP connection carrying TLS 1.0-1.3, SSL 3.0 or TLCP (GB/T 38636) the result records the
    endpoints, offered and selected version and cipher suite, SNI, groups, signature
    algorithms, certificates, the ServerKeyExchange signature check, alerts, whether the
    handshake completed and data flowed; for IKEv1/IKEv2 the proposals, selected transforms
    (GM/T 0022 values named) and notifies; for ESP the SPIs, packet counts and a randomness
    check of the payload; for SSH (found by its banner, any port) both KEXINIT lists, the
    negotiated algorithms, strict kex and the server host key. Verdicts: gm_compliant, strong_not_gm, weak, undetermined.

    Example: mptool proto analyze tlcp.pcap --trust root.pem -f json -o evidence.json
    """
    from mptool.proto.commands import analyze_captures

    builder = out.builder()
    analyze_captures(builder, captures, trust_paths=trust, cert_checks=not no_cert_checks, progress=out.progress, extract_certs=extract_certs, ike_keylog=ike_keylog)
    out.finish(builder)
