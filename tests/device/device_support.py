"""Builds of mptool's soft SDF device shared by the device tests (one temporary directory per session)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

from mptool.device.api import build_softsdf, init_softsdf, toolchain_problem

#: a password that appears nowhere else (the evidence is grepped for it)
PASSWORD = "Lab-Pw-7f3a9c1e"
#: small random sample: 10 × 20000 bits (GM/T 0005's smallest sequence length used by the rng demo)
SMALL_RANDOM = ["--random-bits", "20000", "--random-count", "10"]

_ROOT = Path(tempfile.mkdtemp(prefix="mptool-softsdf-tests-"))
atexit.register(shutil.rmtree, _ROOT, True)
_BUILT: dict[str, Path] = {}

#: the soft device's reproducible random stream for tests (GM/T 0005 set decisions false-fail a few
#: per cent of truly random samples by design; with this seed the good device's sample passes)
RANDOM_SEED = "mptool-device-tests-1"


@pytest.fixture(autouse=True)
def _reproducible_random(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOFTSDF_TEST_RANDOM_SEED", RANDOM_SEED)


requires_toolchain = pytest.mark.skipif(toolchain_problem() is not None, reason=f"soft SDF device cannot be built: {toolchain_problem()}")


def softsdf(name: str = "good", faults: tuple[str, ...] = (), without: tuple[str, ...] = (), init: bool = True) -> Path:
    """The library of a soft-device build (built and initialised once per session)."""
    key = f"{name}-{init}"
    if key not in _BUILT:
        directory = _ROOT / key
        library = build_softsdf(directory, faults, without)
        if init:
            init_softsdf(directory, PASSWORD.encode())
        _BUILT[key] = library
    return _BUILT[key]


def statuses(evidence: dict) -> dict[str, str]:
    """check id -> status."""
    return {r["check"]: r["status"] for r in evidence["results"]}


def result(evidence: dict, check: str) -> dict:
    """The one result of ``check``."""
    return next(r for r in evidence["results"] if r["check"] == check)
