"""Declaring demo runs: each command group lists invocations on its bundled sample data.

A domain package provides ``demo.py`` with ``demo_runs() -> list[DemoRun]``; ``mptool demo``
runs them all. A group whose module does not exist yet is reported as not available.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: command group -> (module providing demo_runs, issue that brings the group)
DEMO_MODULES: dict[str, tuple[str, int]] = {
    "algo": ("mptool.algo.demo", 3),
    "rng": ("mptool.rng.demo", 4),
    "cert": ("mptool.cert.demo", 5),
    "proto": ("mptool.proto.demo", 6),
    "assess": ("mptool.assess.demo", 11),
    "data": ("mptool.data.demo", 16),
    "device": ("mptool.device.demo", 19),
}


@dataclass(frozen=True)
class DemoRun:
    """One demo invocation: ``mptool <argv…>`` whose evidence is written to ``<name>.json``."""

    name: str
    description: str
    argv: list[str] = field(default_factory=list)
