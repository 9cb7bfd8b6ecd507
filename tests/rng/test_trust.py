"""Issue 15: single-sequence runs say what one sequence can show, layouts are sniffed, big files need --bits,
and stray files in a directory are skipped with the reason."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rng_testdata import DATA_E, data_e

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def binary_e(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "e.bin"
    path.write_bytes(np.packbits(data_e()).tobytes())
    return path


def _run(args: list[str]) -> tuple[int, str, str]:
    result = run_cli(["rng", "test", *args, "--no-progress"])
    return result.exit_code, result.stdout, result.stderr


def test_single_sequence_states_the_false_alarm_rate(binary_e: Path) -> None:
    result = run_cli(["rng", "test", str(binary_e), "-f", "json", "--no-progress"])
    assert result.exit_code == 0, result.stderr
    evidence = result.json()
    note = evidence["summary"]["single_sequence"]
    items = len(evidence["results"])
    assert items == 27
    assert note["items"] == 27 and note["alpha"] == 0.01
    # 1 - 0.99^27 = 0.2379…, computed here independently of the code
    assert note["perfect_source_fails_any_item"] == pytest.approx(1 - math.prod([0.99] * 27), abs=1e-4)
    assert 0.23 < note["perfect_source_fails_any_item"] < 0.25
    assert "GM/T 0005-2021" in note["reference"]
    assert "--count 1000" in note["set_decision"] and "--profile factory" in note["set_decision"]
    text = run_cli(["rng", "test", str(binary_e), "--no-progress"]).stdout
    assert "note: one sequence" in text and "0.238" in text and "one time in 4" in text and "--count 1000" in text


def test_a_set_has_no_single_sequence_note(binary_e: Path) -> None:
    evidence = run_cli(["rng", "test", str(binary_e), "--bits", "20000", "--count", "10", "-f", "json", "--no-progress"]).json()
    assert "single_sequence" not in evidence["summary"] and "notes" not in evidence["summary"]


def test_ascii_digits_given_as_binary_are_refused_with_the_option() -> None:
    code, _, err = _run([str(DATA_E)])
    assert code == 3
    assert "--input-format ascii" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    # explicit --input-format binary tests the bytes as they are (and every item fails)
    code, _, err = _run([str(DATA_E), "--input-format", "binary", "--bits", "100000", "--count", "2", "-q"])
    assert code == 1, err


def test_hex_text_given_as_binary(binary_e: Path, tmp_path: Path) -> None:
    plain = tmp_path / "e.hex"
    plain.write_text(binary_e.read_bytes().hex())
    code, _, err = _run([str(plain)])
    assert code == 3 and "--input-format hex" in err


@pytest.mark.skipif(shutil.which("xxd") is None or shutil.which("hexdump") is None, reason="xxd/hexdump not installed (.ci/apt-packages.txt lists them)")
@pytest.mark.parametrize("tool", [["xxd"], ["hexdump", "-C"], ["hexdump"], ["xxd", "-p"]])
def test_listings_of_real_tools_are_recognised(binary_e: Path, tmp_path: Path, tool: list[str]) -> None:
    listing = tmp_path / "e.txt"
    listing.write_bytes(subprocess.run([*tool, str(binary_e)], check=True, capture_output=True).stdout)
    code, _, err = _run([str(listing)])
    assert code == 3, err
    if tool == ["xxd", "-p"]:
        assert "--input-format hex" in err  # xxd -p is plain hex
    else:
        assert "listing" in err and ("xxd" in err or "hexdump" in err)
    # the same listing read as hex names the layout too, not just the bad byte
    code, _, err = _run([str(listing), "--input-format", "hex"])
    if tool != ["xxd", "-p"]:
        assert code == 3 and "listing" in err


def test_whole_file_over_1e8_bits_needs_bits(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:  # sparse: 12.5 MB + 1 byte, i.e. 10^8 + 8 bits
        handle.truncate(100_000_000 // 8 + 1)
    code, _, err = _run([str(big)])
    assert code == 2 and "--bits" in err and "100000008" in err
    code, _, err = _run([str(big), "--bits", "1000000", "--count", "2", "-q", "-f", "json"])
    assert code == 1  # all zero bytes fail, but the run is made


def test_directory_with_stray_files_skips_them_and_exits_4(binary_e: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    raw = binary_e.read_bytes()
    for i in range(12):
        (folder / f"{i:03d}.bin").write_bytes(raw[i * 2500 : (i + 1) * 2500])
    (folder / "README.txt").write_text("collected from the device on 2026-11-30 by the evaluator, 12 files of 20000 bits\n" * 3)
    (folder / "short.bin").write_bytes(raw[:100])
    (folder / "sub").mkdir()
    result = run_cli(["rng", "test", str(folder), "-f", "json", "--no-progress"])
    assert result.exit_code == 4, result.stderr
    evidence = result.json()
    skipped = {Path(s["name"]).name: s["reason"] for s in evidence["summary"]["skipped_inputs"]}
    assert set(skipped) == {"README.txt", "short.bin", "sub"}
    assert "has 800 bits but the first file has 20000" in skipped["short.bin"]
    assert "not a regular file" in skipped["sub"]
    assert evidence["parameters"]["count"] == 12 and len(evidence["inputs"]) == 12
    assert all(r["status"] == "pass" for r in evidence["results"])
    text = run_cli(["rng", "test", str(folder), "--no-progress"])
    assert text.exit_code == 4 and "skipped" in text.stdout and "README.txt" in text.stdout
    # the same files without the strays: exit 0 and identical results
    clean = tmp_path / "clean"
    clean.mkdir()
    for file in sorted(folder.glob("0*.bin")):
        (clean / file.name).write_bytes(file.read_bytes())
    again = run_cli(["rng", "test", str(clean), "-f", "json", "--no-progress"])
    assert again.exit_code == 0
    assert [r["measurements"]["p_value"] for r in again.json()["results"]] == [r["measurements"]["p_value"] for r in evidence["results"]]


def test_directory_of_nothing_testable_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("no random data here at all, only a note written by a person " * 4)
    code, _, err = _run([str(tmp_path)])
    assert code == 3 and "a.txt" in err and len(err.strip().splitlines()) == 1


def test_subprocess_exit_codes(binary_e: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mptool", "rng", "test", str(DATA_E), "-q"], capture_output=True, text=True)
    assert proc.returncode == 3 and "--input-format ascii" in proc.stderr and "Traceback" not in proc.stderr
