"""``mptool lab``: thin CLI over the lab setups (``lab ipsec``: :func:`mptool.proto.commands.run_ipsec_lab`)."""

from __future__ import annotations

from pathlib import Path

import click

_EPILOG = """\b
Example (as root):
  sudo mptool lab ipsec --out lab/ && mptool proto analyze lab/gm-ipsec.pcap --ike-keylog lab/ike.keys --trust lab/pki/ca.pem

\b
Exit codes:
  0/1  the lab ran; the probe's exit code (1: its findings at or above --fail-on)
  2    usage error
  4    the lab cannot run here (not root, ip/tcpdump/openssl missing) or a step failed; one line on stderr
"""


@click.group()
def group() -> None:
    """Lab setups that make reference captures (Linux, as root)."""


@group.command(epilog=_EPILOG)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("ipsec-lab"), show_default=True, help="Output directory (capture, key log, both sides' evidence, the SM2 PKI).")
@click.option("--esp-packets", type=click.IntRange(0, 1000), default=3, show_default=True, help="ESP echo packets the initiator sends.")
@click.option("--gcm", is_flag=True, help="ESP SM4-GCM instead of SM4-CBC + HMAC-SM3.")
def ipsec(out: Path, esp_packets: int, gcm: bool) -> None:
    """The GM/T 0022 IPSec lab: two network namespaces joined by a veth pair, `proto serve --ike` in
    one, `proto probe --ike --full` in the other, tcpdump on the link; writes the capture and the key log."""
    from mptool.proto.commands import run_ipsec_lab

    result = run_ipsec_lab(out, esp_packets, gcm)
    click.echo(f"mptool: wrote {result.capture} and {result.keylog} (probe exit {result.probe_exit}); "
               f"now: mptool proto analyze {result.capture} --ike-keylog {result.keylog} --trust {out / 'pki' / 'ca.pem'}", err=True)
    raise SystemExit(result.probe_exit)
