"""What ``mptool proto`` runs (the CLI calls only this).

- ``proto analyze``: :func:`analyze_captures` (captures → TLS/TLCP/IKE/ESP evidence);
- ``proto probe``: :func:`run_probe` with :class:`ProbeOptions` (live TLS/TLCP/RFC 8998/IKE endpoints);
- ``proto serve``: :func:`serve` with :class:`ServeOptions` (the TLCP test endpoint).
"""

from __future__ import annotations

from mptool.proto.probe.run import ProbeOptions, run_probe
from mptool.proto.tlcp.serve import ServeOptions, parse_suites, serve
from mptool.proto.analyze import analyze_captures

__all__ = ["ProbeOptions", "ServeOptions", "analyze_captures", "parse_suites", "run_probe", "serve"]
