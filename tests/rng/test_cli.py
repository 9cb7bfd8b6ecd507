"""``mptool rng test``: input formats, sets, overrides, profiles, errors and exit codes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rng_testdata import DATA_E, data_e

from tests.conftest import run_cli, validate_evidence


def _json(args: list[str], code: int = 0, input: bytes | None = None) -> dict[str, Any]:
    result = run_cli(["rng", "test", *args, "-f", "json", "--no-progress"], input=input)
    assert result.exit_code == code, result.stderr
    return result.json()


def _p_values(evidence: dict[str, Any]) -> list[Any]:
    return [r["measurements"]["p_value"] for r in evidence["results"]]


@pytest.fixture(scope="module")
def binary_e(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rng") / "e.bin"
    path.write_bytes(np.packbits(data_e()).tobytes())
    return path


def test_formats_give_the_same_results(binary_e: Path, tmp_path: Path) -> None:
    hex_file = tmp_path / "e.hex"
    text = binary_e.read_bytes().hex()
    hex_file.write_text("\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + "\n")
    binary = _json([str(binary_e)])
    ascii_ = _json([str(DATA_E), "--input-format", "ascii", "--bits", "1000000"])
    hexa = _json([str(hex_file), "--input-format", "hex"])
    assert len(binary["results"]) == 27
    assert _p_values(binary) == _p_values(ascii_) == _p_values(hexa)
    assert binary["summary"]["rng"] == {"verdict": "pass", "sequences": 1, "bits": 1_000_000, "items": 27, "items_failed": 0, "perfect_source_fails": round(1 - 0.99**27, 4)}
    assert binary["inputs"][0]["sha256"] == hashlib.sha256(binary_e.read_bytes()).hexdigest()
    assert ascii_["inputs"][0]["size"] == DATA_E.stat().st_size  # the whole file is digested
    universal = next(r for r in binary["results"] if r["check"] == "rng.gmt0005.universal")
    assert universal["measurements"]["p_value"] == pytest.approx(0.282568, abs=1e-6)
    assert universal["measurements"]["q_value"] == pytest.approx(0.141284, abs=1e-6)
    assert universal["reference"].startswith("GM/T 0005-2021 §5.14")


def test_stdin(binary_e: Path) -> None:
    evidence = _json(["-"], input=binary_e.read_bytes())
    assert evidence["inputs"][0]["name"] == "<stdin>"
    assert evidence["parameters"]["bits"] == 1_000_000


def test_set_from_file_directory_and_workers(binary_e: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    raw = binary_e.read_bytes()
    for i in range(50):
        (folder / f"{i:03d}.bin").write_bytes(raw[i * 2500 : (i + 1) * 2500])
    pooled = _json([str(binary_e), "--bits", "20000", "--count", "50", "--jobs", "2"])
    inline = _json([str(binary_e), "--bits", "20000", "--count", "50", "--jobs", "1"])
    directory = _json([str(folder), "--jobs", "2"])
    assert _p_values(pooled) == _p_values(inline) == _p_values(directory)
    assert len(directory["inputs"]) == 50
    assert pooled["parameters"]["length_class"] == 20_000
    monobit = pooled["results"][0]["measurements"]
    assert monobit["sequences"] == 50 and monobit["threshold"] == 48 and len(monobit["q_value"]) == 50
    assert 0 <= monobit["p_t"] <= 1 and monobit["passed"] == sum(p >= 0.01 for p in monobit["p_value"])
    assert {r["check"].rsplit(".", 1)[1] for r in pooled["results"]} == {
        "monobit", "block_frequency", "poker", "serial", "runs", "runs_distribution", "longest_run",
        "binary_derivative", "autocorrelation", "cumulative_sums", "approximate_entropy", "dft",
    }  # fmt: skip


def test_bits_without_count_takes_every_whole_sequence(binary_e: Path) -> None:
    evidence = _json([str(binary_e), "--bits", "300000"])
    assert evidence["parameters"]["count"] == 3


def test_one_sequence_from_the_start_of_a_longer_input(binary_e: Path) -> None:
    evidence = _json([str(binary_e), "--bits", "20000", "--count", "1"])
    assert evidence["inputs"][0]["size"] == binary_e.stat().st_size
    monobit = evidence["results"][0]["measurements"]
    assert monobit["sequences"] == 1 and isinstance(monobit["p_value"], float) and "p_t" not in monobit


def test_too_little_data_is_an_input_error(binary_e: Path, tmp_path: Path) -> None:
    before = binary_e.read_bytes()
    output = tmp_path / "out.json"
    result = run_cli(["rng", "test", str(binary_e), "--bits", "1000000", "--count", "2", "-o", str(output)])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and str(binary_e) in result.stderr and "2000000 bits" in result.stderr
    assert not output.exists() and binary_e.read_bytes() == before
    # streamed formats find out at the end, still before any output
    result = run_cli(["rng", "test", str(DATA_E), "--input-format", "ascii", "--bits", "600000", "--count", "2", "-o", str(output)])
    assert result.exit_code == 3 and "too little data" in result.stderr and not output.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input-format", "hex"], "is not a hex digit"),
        (["--param", "poker.k=3"], "has no parameter 'k'"),
        (["--param", "nosuch.m=3"], "unknown test"),
        (["--param", "serial.m=x"], "not a valid int"),
        (["--param", "rank.probabilities=fuzzy"], "not one of rounded, exact"),
        (["--param", "serial"], "expected TEST.NAME=VALUE"),
    ],
)
def test_bad_input_exit_3_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    sample = tmp_path / "s.txt"
    sample.write_text("0101 xyz\n")
    result = run_cli(["rng", "test", str(sample), *args])
    assert result.exit_code == 3, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_missing_file_and_count_without_bits(tmp_path: Path) -> None:
    result = run_cli(["rng", "test", str(tmp_path / "absent.bin")])
    assert result.exit_code == 3 and "no such file" in result.stderr
    sample = tmp_path / "s.bin"
    sample.write_bytes(b"\x00" * 100)
    assert run_cli(["rng", "test", str(sample), "--count", "2"]).exit_code == 2


def test_failing_sequence_exit_1_with_findings(tmp_path: Path) -> None:
    sample = tmp_path / "zeros.bin"
    sample.write_bytes(bytes(2500))
    evidence = _json([str(sample)], code=1)
    assert evidence["summary"]["rng"]["verdict"] == "fail"
    monobit = evidence["results"][0]
    assert monobit["status"] == "fail" and monobit["findings"][0]["code"] == "rng.gmt0005.pass_rate"


def test_failing_set_weighs_the_chance_of_a_perfect_source(tmp_path: Path) -> None:
    """20 sequences of 2×10^4 bits of e, three of them zeroed: monobit passes 17 of 20 (19 needed);
    the evidence gives the chance a perfect source fails such a set and passes that few."""
    bits = data_e()[: 20 * 20_000].copy()
    bits[: 3 * 20_000] = 0
    sample = tmp_path / "set.bin"
    sample.write_bytes(np.packbits(bits).tobytes())
    evidence = _json([str(sample), "--bits", "20000", "--count", "20"], code=1)
    verdict = evidence["summary"]["rng"]
    items = verdict["items"]
    pass_rate = 1 - 0.99**20 - 20 * 0.01 * 0.99**19  # 2 or more of 20 below α
    assert verdict["perfect_source_fails"] == round(1 - ((1 - pass_rate) * (1 - 0.0001)) ** items, 4)
    (note,) = [n for n in evidence["summary"]["notes"] if n.startswith("set of 20 sequences")]
    assert f"{verdict['perfect_source_fails']:.3f}" in note
    monobit = evidence["results"][0]
    (finding,) = [f for f in monobit["findings"] if f["code"] == "rng.gmt0005.pass_rate"]
    assert finding["data"]["passed"] == 17
    p17 = sum(__import__("math").comb(20, k) * 0.99**k * 0.01 ** (20 - k) for k in range(18))
    assert finding["data"]["perfect_source_this_low"] == pytest.approx(p17, rel=1e-2)
    assert 0 < verdict["least_likely_failure"] <= p17  # the least likely of the failed items (some fail harder than monobit)
    zh = run_cli(["--lang", "zh", "rng", "test", str(sample), "--bits", "20000", "--count", "20"])
    assert zh.exit_code == 1 and "理想随机源" in zh.stdout and "set of 20" not in zh.stdout


def test_failure_caveat_says_how_much_a_failure_weighs() -> None:
    from mptool.rng.api import failure_caveat

    marginal = {"verdict": "fail", "items": 27, "items_failed": 1, "perfect_source_fails": 0.37, "least_likely_failure": 0.0169}
    assert failure_caveat(marginal).endswith("weak evidence: confirm on a new, independent set") and "≈ 0.37" in failure_caveat(marginal)
    assert failure_caveat({**marginal, "least_likely_failure": 0.0006}).endswith(": strong evidence")
    assert failure_caveat({**marginal, "verdict": "pass"}) == "" and failure_caveat({"verdict": "fail"}) == ""  # older evidence: no figures


def test_short_sequence_items_not_applicable(tmp_path: Path) -> None:
    sample = tmp_path / "short.bin"
    sample.write_bytes(np.packbits(data_e()[:800]).tobytes())
    evidence = _json([str(sample)])
    block = next(r for r in evidence["results"] if r["check"] == "rng.gmt0005.block_frequency")
    assert block["status"] == "na" and "exceeds the sequence length" in block["findings"][0]["message"]


def test_profiles(binary_e: Path, tmp_path: Path) -> None:
    result = run_cli(["rng", "test", str(binary_e), "--profile", "factory"])
    assert result.exit_code == 3 and "50 × 1000000 bits" in result.stderr
    sample = tmp_path / "used.bin"
    sample.write_bytes(np.packbits(data_e()[:1000]).tobytes())
    evidence = _json([str(sample), "--profile", "single"])
    assert [r["measurements"]["item"] for r in evidence["results"]] == ["poker m=4"]
    assert evidence["parameters"]["profile"] == "single"
    assert "not checked against the standard" in evidence["parameters"]["profile_source"]
    tiny = tmp_path / "tiny.bin"
    tiny.write_bytes(b"\x5a" * 10)
    assert run_cli(["rng", "test", str(tiny), "--profile", "single"]).exit_code == 3


def test_text_report(binary_e: Path) -> None:
    result = run_cli(["rng", "test", str(binary_e), "--bits", "20000", "--count", "5", "--no-progress"])
    assert result.exit_code == 0 and "rng.gmt0005.dft" in result.stdout


def test_subprocess_pool_stdout_is_only_the_evidence(binary_e: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "mptool", "rng", "test", str(binary_e), "--bits", "20000", "--count", "10", "--jobs", "2", "-f", "json"]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""  # no progress bar off a terminal, nothing else on stderr with -o -
    evidence = validate_evidence(done.stdout.decode())
    assert evidence["summary"]["rng"]["sequences"] == 10 and evidence["parameters"]["jobs"] == 2


def test_consistent_bias_fails_uniformity_not_pass_rate(tmp_path: Path) -> None:
    # 50 sequences of 20 000 bits with exactly 10 070 ones each: monobit V = 0.99, P = 0.32 passes
    # every time, but every one-sided Q-value is 0.161, all in one bin: clause 6.3 fails the set.
    rng = np.random.default_rng(11)
    sequences = []
    for _ in range(50):
        bits = np.zeros(20_000, dtype=np.uint8)
        bits[rng.permutation(20_000)[:10_070]] = 1
        sequences.append(np.packbits(bits))
    sample = tmp_path / "biased.bin"
    sample.write_bytes(np.concatenate(sequences).tobytes())
    evidence = _json([str(sample), "--bits", "20000"], code=1)
    monobit = evidence["results"][0]
    assert monobit["check"] == "rng.gmt0005.monobit" and monobit["status"] == "fail"
    measured = monobit["measurements"]
    assert measured["passed"] == 50 and measured["threshold"] == 48 and not measured["uniform"]
    assert measured["q_value"] == pytest.approx([0.161] * 50, abs=1e-3)
    assert [f["code"] for f in monobit["findings"]] == ["rng.gmt0005.uniformity"]


def test_endless_device_is_read_only_as_far_as_needed() -> None:
    import subprocess
    import sys

    # /dev/zero never ends: only the bytes needed are read (and digested), then the run ends
    command = [sys.executable, "-m", "mptool", "rng", "test", "/dev/zero", "--bits", "20000", "--count", "2", "-f", "json", "-q"]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # all zeros: fails
    evidence = validate_evidence(done.stdout.decode())
    assert evidence["inputs"][0]["name"] == "/dev/zero" and evidence["inputs"][0]["size"] >= 5000
