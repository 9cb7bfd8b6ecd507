"""Output files (issue 21): atomic for regular files, streamed into devices and pipes, all or none."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

HERE = str(Path(__file__))


def test_a_symlink_is_followed_and_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run_cli(["algo", "digest", HERE, "-f", "json", "-o", str(link)]).exit_code == 0
    assert link.is_symlink() and json.loads(real.read_text())["command"] == "algo digest"


def test_both_outputs_or_neither(tmp_path: Path) -> None:
    """--json-output into a missing directory: exit 3 and the -o report is not written either."""
    report = tmp_path / "report.txt"
    result = run_cli(["algo", "digest", HERE, "-o", str(report), "--json-output", str(tmp_path / "missing" / "e.json")])
    assert result.exit_code == 3 and "missing" in result.stderr
    assert not report.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_new_files_honour_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    code = f"import os, sys; os.umask(0o077); from mptool.cli import main; sys.argv=['mptool','algo','digest',{HERE!r},'-f','json','-o',{str(out)!r}]; main()"
    subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, timeout=120)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_path_that_is_not_utf8_is_recorded_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(bytes(tmp_path) + b"/\xff.bin")
    Path(name).write_bytes(b"abc")
    for fmt in ("json", "text"):
        proc = subprocess.run([sys.executable, "-m", "mptool", "algo", "digest", os.fsencode(name), "-f", fmt], capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert b"\\xff.bin" in proc.stdout
    assert json.loads(subprocess.run([sys.executable, "-m", "mptool", "algo", "digest", os.fsencode(name), "-f", "json"], capture_output=True, timeout=120).stdout)["inputs"][0]["size"] == 3


def test_a_name_too_long_is_an_input_error(tmp_path: Path) -> None:
    long_name = str(tmp_path / ("a" * 300))
    for args in (["algo", "digest", long_name], ["algo", "digest", HERE, "-o", long_name]):
        result = run_cli(args)
        assert result.exit_code == 3 and "too long" in result.stderr.lower() and len(result.stderr.strip().splitlines()) == 1


def test_pem_reader_is_linear_on_begin_lines_without_end(tmp_path: Path) -> None:
    """8,000 BEGIN lines without END (264 KB): one pass, an input error, not minutes of regex backtracking."""
    from mptool.core.pem import pem_blocks

    data = b"-----BEGIN CERTIFICATE-----\nAAAA\n" * 8000
    assert list(pem_blocks(data)) == []
    path = tmp_path / "begins.pem"
    path.write_bytes(data)
    result = run_cli(["cert", "lint", str(path)])
    assert result.exit_code == 3 and "no CERTIFICATE" in result.stderr
