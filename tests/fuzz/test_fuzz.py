"""The fuzz harnesses in the test suite (issue 21): the crash corpus replays without a crash, and
a short coverage-guided run of every harness (scripts/fuzz.py; a few seconds each) finds none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.harnesses import CRASHES, HARNESSES

ROOT = Path(__file__).resolve().parents[2]
#: crashes found by the harnesses whose fix belongs to code outside this change (one line each:
#: why). They fail loudly (strict xfail) once fixed, so the entry is then removed.
KNOWN_OPEN: dict[str, tuple[str, ...]] = {}

CORPUS = sorted((d.name, f) for d in CRASHES.iterdir() if d.is_dir() for f in sorted(d.iterdir()) if f.is_file())


def _known_open(harness: str, signature: str) -> bool:
    return any(signature.startswith(prefix) for prefix in KNOWN_OPEN.get(harness, ()))


@pytest.mark.parametrize(("harness", "path"), CORPUS, ids=[f"{h}/{p.name}" for h, p in CORPUS])
def test_crash_corpus_replays_without_a_crash(harness: str, path: Path) -> None:
    if _known_open(harness, path.name):
        pytest.xfail(f"known open: {path.name}")
    HARNESSES[harness].function(path.read_bytes())


def test_every_harness_has_seeds() -> None:
    for name, harness in HARNESSES.items():
        assert next(iter(harness.seeds()), None) is not None, name


@pytest.mark.slow
def test_short_fuzz_run_of_every_harness(tmp_path: Path) -> None:
    """About 3 s of each harness, two at a time (coverage-guided with atheris, else random mutation)."""
    command = [sys.executable, str(ROOT / "scripts/fuzz.py"), "all", "--time", "3", "--jobs", "2", "--keep-going", "--work", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert sorted(s["harness"] for s in summaries) == sorted(HARNESSES), done.stdout + done.stderr
    for summary in summaries:
        assert summary["executions"] > 0, summary
        crashes = [c for c in summary["crashes"] if not _known_open(summary["harness"], c)]
        assert not crashes, f"{summary['harness']}: {crashes} (inputs in {tmp_path}/crashes; logs {tmp_path}/{summary['harness']}.log)"
