"""What ``mptool rng`` runs: the GM/T 0005-2021 suite on collected random data (the CLI calls only this)."""

from __future__ import annotations

from mptool.rng.suite import RunOptions, run_suite

__all__ = ["RunOptions", "run_suite"]
