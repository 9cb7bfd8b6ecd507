"""Issue 20 (speed): evidence stays byte-identical for the same inputs.

vectors/speed/*.json were written by the code before the speed work (scripts/speed_golden.py
--write at main 188877c; the rng cases rewritten when evidence gained the perfect-source chances,
a change that only added keys, a note and message tails). Every case is run again here, in a scratch directory holding the
same seeded inputs, and its evidence (up to the machine-dependent ``tool`` block) must equal the
stored bytes, as must the exit code. The cases cover the paths the speed work changed: rng sets
in process and through the worker pool, one sequence read with --bits, ``algo verify`` on values
from files (match and mismatch), ``cert lint`` of a directory and ``proto analyze`` of TLCP, TLS
and IKE/ESP captures.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import BundledData

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("speed_golden", ROOT / "scripts" / "speed_golden.py")
assert _SPEC is not None and _SPEC.loader is not None
golden = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(golden)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("speed")
    golden.make_inputs(where)
    return where


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_evidence_is_byte_identical_to_before(name: str, scratch: Path, data: BundledData, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = data.path("speed", f"{name}.json").read_text(encoding="utf-8")
    monkeypatch.chdir(scratch)
    code, text = golden.run_case(name, scratch)
    assert f"{code}\n{text}" == expected


@pytest.mark.parametrize(("name", "batch"), [("rng_set_jobs2", 7 * 20_000), ("rng_set_million", 2 * 10**6)])
def test_worker_pool_gives_the_same_evidence(name: str, batch: int, scratch: Path, data: BundledData, monkeypatch: pytest.MonkeyPatch) -> None:
    """These sets are small enough to run in process; forced through the pool in small batches (the last one short) nothing changes."""
    from mptool.rng import suite

    monkeypatch.setattr(suite, "IN_PROCESS_BITS", 0)
    monkeypatch.setattr(suite, "BATCH_BITS", batch)
    expected = data.path("speed", f"{name}.json").read_text(encoding="utf-8")
    monkeypatch.chdir(scratch)
    code, text = golden.run_case(name, scratch)
    assert f"{code}\n{text}" == expected
