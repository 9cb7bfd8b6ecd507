"""Demo runs of ``mptool algo`` on bundled sample data."""

from __future__ import annotations

from mptool.core.demo import DemoRun
from mptool.data import data_path


def demo_runs() -> list[DemoRun]:
    """The algo demo invocations."""
    sample = data_path("SOURCES.md")
    return [DemoRun("algo-digest", "SM3 and SHA-256 digests of a bundled file", ["algo", "digest", str(sample)])]
