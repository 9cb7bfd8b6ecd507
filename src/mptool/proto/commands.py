"""What ``mptool proto`` runs (the CLI calls only this).

- ``proto analyze``: :func:`analyze_captures` (captures → TLS/TLCP/IKE/ESP evidence);
- ``proto probe``: :func:`run_probe` with :class:`ProbeOptions` (live TLS/TLCP/RFC 8998/IKE endpoints);
- ``proto serve``: :func:`serve` with :class:`ServeOptions` (the TLCP test endpoint);
- ``proto serve --ike``: :func:`serve_ike` with :class:`IkeServeOptions` (the GM/T 0022 responder);
- ``proto probe --ike --full``: :func:`probe_ike_full` with :class:`FullProbeOptions` (the GM/T 0022 initiator);
- ``proto probe --ike --full --psk …`` / RSA-ECDSA client certificate: :func:`probe_ike_standard` with
  :class:`StdProbeOptions` (standard IKEv1 main + quick mode, IKEv2 with PSK);
- ``lab ipsec``: :func:`run_ipsec_lab` (two namespaces, responder, initiator, tcpdump).

Each name is imported from its module when first used (PEP 562), so ``proto analyze`` does not
pay for the probe and serve stacks (about 0.2 s of imports; issue 20).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mptool.core.report import ReportBuilder
    from mptool.proto.ipsec.gm.probe import FullProbeOptions
    from mptool.proto.ipsec.std.probe import StdProbeOptions

#: Public name -> the module that defines it, or ``module:attribute`` where the name differs.
_WHERE = {
    "analyze_captures": "mptool.proto.analyze",
    "ProbeOptions": "mptool.proto.probe.run",
    "run_probe": "mptool.proto.probe.run",
    "ServeOptions": "mptool.proto.tlcp.serve",
    "parse_suites": "mptool.proto.tlcp.serve",
    "serve": "mptool.proto.tlcp.serve",
    "FullProbeOptions": "mptool.proto.ipsec.gm.probe",
    "IkeServeOptions": "mptool.proto.ipsec.gm.serve",
    "serve_ike": "mptool.proto.ipsec.gm.serve",
    "StdProbeOptions": "mptool.proto.ipsec.std.probe",
    "LabResult": "mptool.proto.ipsec.lab",
    "run_ipsec_lab": "mptool.proto.ipsec.lab:run_lab",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _WHERE[name].partition(":")
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value  # later look-ups are plain module attributes
    return value


def probe_ike_full(builder: ReportBuilder, target: str, options: FullProbeOptions) -> None:
    """``probe HOST[:PORT] --ike --full`` (default port 4500, the RFC 3948 encapsulation port)."""
    from mptool.proto.ipsec.gm.probe import probe_full
    from mptool.proto.probe.run import parse_target

    host, port = parse_target(target, 4500)
    builder.parameters.update(host=host, port=port)
    probe_full(builder, host, port, options)


def probe_ike_standard(builder: ReportBuilder, target: str, options: StdProbeOptions) -> None:
    """``probe HOST[:PORT] --ike --full`` with ``--psk`` or an RSA/ECDSA client certificate (default port 500)."""
    from mptool.proto.ipsec.std.probe import probe_standard
    from mptool.proto.probe.run import parse_target

    host, port = parse_target(target, 500)
    builder.parameters.update(host=host, port=port)
    probe_standard(builder, host, port, options)


__all__ = [*_WHERE, "probe_ike_full", "probe_ike_standard"]
