"""issue 21: ``rng test`` parameters outside a test's domain, tiny sequences and huge sequence
counts are input errors (exit 3, one line) before any work, so memory, time and the evidence
stay bounded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mptool.core.errors import InputError
from mptool.rng.params import DOMAINS, MAX_SEQUENCES, MAX_VALUES, MIN_BITS, parse_overrides
from tests.conftest import run_cli


def _rng(path: Path, *args: str) -> tuple[int, str]:
    result = run_cli(["rng", "test", str(path), "-q", "-o", "/dev/null", *args])
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def random_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rng") / "r.bin"
    path.write_bytes(np.random.default_rng(5).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    return path


@pytest.mark.parametrize(
    "param",
    [
        "serial.m=40",  # 2^40 pattern counters
        "serial.m=30",  # 8 GiB
        "approximate_entropy.m=40",
        "poker.m=48",
        "binary_derivative.k=1000000",  # 10^6 passes over every bit
        "linear_complexity.m=1000000",  # Berlekamp-Massey on 10^6-bit blocks
        "universal.L=40",
        "block_frequency.m=1",
        "dft.divisor=nan",
        "dft.divisor=inf",
        "serial.m=" + ",".join(str(m) for m in range(2, 20)),  # more than MAX_VALUES values
        "universal.L=1,2,3,4,5,6,7,8,9",  # with Q: 9 × 2 sets
    ],
)
def test_parameters_outside_the_domain_are_refused(random_file: Path, param: str) -> None:
    extra = ["--param", "universal.Q=640,1280"] if param.startswith("universal.L=1,") else []
    code, stderr = _rng(random_file, "--param", param, *extra)
    assert code == 3, stderr
    assert stderr.startswith("mptool: error: --param:") and stderr.count("\n") == 1 and "Traceback" not in stderr


def test_domain_edges_are_accepted() -> None:
    for (test, name), (low, high) in DOMAINS.items():
        for value in (low, high):
            if value is not None:
                assert parse_overrides([f"{test}.{name}={value}"])[test][name] == [value]
    with pytest.raises(InputError, match="at most"):
        parse_overrides(["serial.m=" + ",".join(["3"] * (MAX_VALUES + 1))])


def test_tiny_sequences_are_refused(random_file: Path, tmp_path: Path) -> None:
    code, stderr = _rng(random_file, "--bits", "1")  # used 1.9 GiB and wrote 212 MB of evidence
    assert code == 3 and "at least" in stderr
    assert _rng(random_file, "--bits", str(MIN_BITS - 1), "--count", "1")[0] == 3
    tiny = tmp_path / "tiny.bin"
    tiny.write_bytes(b"\x5a" * (MIN_BITS // 8 - 1))
    code, stderr = _rng(tiny)
    assert code == 3 and "too little data" in stderr


def test_sequence_count_is_bounded(random_file: Path, tmp_path: Path) -> None:
    code, stderr = _rng(random_file, "--bits", str(MIN_BITS))  # 12 500 sequences in the file
    assert code == 3 and f"more than {MAX_SEQUENCES} sequences" in stderr
    assert _rng(random_file, "--bits", str(MIN_BITS), "--count", str(MAX_SEQUENCES + 1))[0] == 3
    # a stream whose size is not known in advance stops at the bound too
    result = run_cli(["rng", "test", "-", "--bits", str(MIN_BITS), "-q", "-o", "/dev/null"], input=random_file.read_bytes())
    assert result.exit_code == 3 and f"more than {MAX_SEQUENCES} sequences" in result.stderr


def test_bounded_evidence_at_the_limit(random_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    result = run_cli(["rng", "test", str(random_file), "--bits", str(MIN_BITS), "--count", "2000", "-q", "-f", "json", "-o", str(out)])
    assert result.exit_code in (0, 1), result.stderr
    # two values per sequence and item: the full 10 000 sequences stay near 13 MB
    assert out.stat().st_size < 3_000_000
