"""What ``mptool proto`` runs (the CLI calls only this).

- ``proto analyze``: :func:`analyze_captures` (captures → TLS/TLCP/IKE/ESP evidence);
- ``proto probe``: :func:`run_probe` with :class:`ProbeOptions` (live TLS/TLCP/RFC 8998/IKE endpoints);
- ``proto serve``: :func:`serve` with :class:`ServeOptions` (the TLCP test endpoint);
- ``proto serve --ike``: :func:`serve_ike` with :class:`IkeServeOptions` (the GM/T 0022 responder);
- ``proto probe --ike --full``: :func:`probe_ike_full` with :class:`FullProbeOptions` (the GM/T 0022 initiator);
- ``proto probe --ike --full --psk …`` / RSA-ECDSA client certificate: :func:`probe_ike_standard` with
  :class:`StdProbeOptions` (standard IKEv1 main + quick mode, IKEv2 with PSK);
- ``lab ipsec``: :func:`run_ipsec_lab` (two namespaces, responder, initiator, tcpdump).
"""

from __future__ import annotations

from mptool.core.report import ReportBuilder
from mptool.proto.probe.run import ProbeOptions, run_probe
from mptool.proto.tlcp.serve import ServeOptions, parse_suites, serve
from mptool.proto.analyze import analyze_captures
from mptool.proto.ipsec.gm.probe import FullProbeOptions, probe_full
from mptool.proto.ipsec.gm.serve import IkeServeOptions, serve_ike
from mptool.proto.ipsec.std.probe import StdProbeOptions, probe_standard
from mptool.proto.ipsec.lab import LabResult, run_lab as run_ipsec_lab
from mptool.proto.probe.run import parse_target


def probe_ike_full(builder: ReportBuilder, target: str, options: FullProbeOptions) -> None:
    """``probe HOST[:PORT] --ike --full`` (default port 4500, the RFC 3948 encapsulation port)."""
    host, port = parse_target(target, 4500)
    builder.parameters.update(host=host, port=port)
    probe_full(builder, host, port, options)


def probe_ike_standard(builder: ReportBuilder, target: str, options: StdProbeOptions) -> None:
    """``probe HOST[:PORT] --ike --full`` with ``--psk`` or an RSA/ECDSA client certificate (default port 500)."""
    host, port = parse_target(target, 500)
    builder.parameters.update(host=host, port=port)
    probe_standard(builder, host, port, options)


__all__ = [
    "FullProbeOptions",
    "LabResult",
    "IkeServeOptions",
    "ProbeOptions",
    "ServeOptions",
    "StdProbeOptions",
    "analyze_captures",
    "parse_suites",
    "probe_ike_full",
    "probe_ike_standard",
    "run_ipsec_lab",
    "run_probe",
    "serve",
    "serve_ike",
]
