"""Demo run of ``mptool device``: build the soft SDF device and test it (needs gcc and libssl-dev)."""

from __future__ import annotations

import os
import tempfile

from mptool.core.demo import DemoRun

DEMO_PASSWORD = "softsdf-demo-pw"


def demo_runs() -> list[DemoRun]:
    """``device test --softsdf DIR`` (builds, initialises and tests the soft device, small random sample), then ``device lab`` on it."""
    from mptool.device.softsdf import toolchain_problem

    owner = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")  # no getuid on Windows
    directory = os.path.join(tempfile.gettempdir(), f"mptool-demo-softsdf-{owner}")
    argv = ["device", "test", "--softsdf", directory, "--password", DEMO_PASSWORD, "--random-bits", "100000", "--random-count", "10"]
    lab = ["device", "lab", os.path.join(directory, "lab"), "--softsdf", directory, "--password", DEMO_PASSWORD, "--records", "50", "--force"]
    problem = toolchain_problem()
    if problem:
        return [DemoRun("device-test-softsdf", f"NOT RUN: the soft SDF device cannot be built: {problem}", argv)]
    return [
        # seeded: a GM/T 0005 set decision rejects about 9 % of perfect 10-sequence sets, and a demo on
        # bundled data gives the same results on every run (the evidence records softsdf_test_seed)
        DemoRun(
            "device-test-softsdf",
            "GM/T 0018 checks against mptool's soft SDF device (built with cc + libcrypto; its random numbers a reproducible seeded stream)",
            argv,
            {"SOFTSDF_TEST_RANDOM_SEED": "mptool-demo"},
        ),
        DemoRun("device-lab-softsdf", "lab application: 50 synthetic records SM4-CBC encrypted and HMAC-SM3'd through the soft device (SQLite)", lab),
    ]
