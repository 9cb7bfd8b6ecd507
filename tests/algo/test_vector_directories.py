"""Issue 15: ``algo verify --vectors DIR`` runs the vector files of a folder and skips the stray ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DATA, run_cli

ALGO = DATA.root / "algo"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "lab-vectors"
    (folder / "sha").mkdir(parents=True)
    shutil.copy(ALGO / "sha" / "SHA256ShortMsg.rsp", folder / "sha")
    shutil.copy(ALGO / "sha" / "SHA1ShortMsg.rsp", folder / "sha")
    shutil.copy(ALGO / "extra" / "acvp" / "ACVP-AES-ECB-1.0-prompt.json", folder)  # its answers are not there
    (folder / "README.txt").write_text("vectors handed over by the vendor on 2026-11-30\n")
    (folder / "notes.json").write_text('{"who": "evaluator", "what": "not vectors"}')
    (folder / "report.pdf").write_bytes(b"%PDF-1.7\n\x00\xff\xfe binary")
    return folder


def test_directory_with_stray_files_runs_the_rest_and_exits_4(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = run_cli(["algo", "verify", "--vectors", str(folder), "-f", "json", "--no-progress", "--jobs", "1"])
    assert result.exit_code == 4, result.stderr
    evidence = result.json()
    skipped = {Path(s["name"]).name: s["reason"] for s in evidence["summary"]["skipped_inputs"]}
    assert set(skipped) == {"README.txt", "notes.json", "report.pdf", "ACVP-AES-ECB-1.0-prompt.json"}
    assert "expectedResults" in skipped["ACVP-AES-ECB-1.0-prompt.json"]
    assert "not UTF-8" in skipped["report.pdf"]
    assert {Path(i["name"]).name for i in evidence["inputs"]} == {"SHA256ShortMsg.rsp", "SHA1ShortMsg.rsp"}
    sha = next(r for r in evidence["results"] if r["check"] == "algo.kat.sha")
    assert sha["status"] == "pass"
    # the same two files named directly: the same vectors run, exit 0
    direct = run_cli(["algo", "verify", "--vectors", str(folder / "sha" / "SHA1ShortMsg.rsp"), str(folder / "sha" / "SHA256ShortMsg.rsp"), "-f", "json", "--jobs", "1"])
    assert direct.exit_code == 0
    assert direct.json()["summary"]["vectors_run"] == evidence["summary"]["vectors_run"] > 100


def test_a_stray_file_named_directly_is_still_an_input_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = run_cli(["algo", "verify", "--vectors", str(folder / "README.txt")])
    assert result.exit_code == 3 and "README.txt" in result.stderr


def test_directory_without_vectors(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("nothing\n")
    proc = subprocess.run([sys.executable, "-m", "mptool", "algo", "verify", "--vectors", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 3 and "no vector file" in proc.stderr and "Traceback" not in proc.stderr
