"""Bad inputs end with exit 3 (2 for usage) and one line on stderr: never a traceback, never 128."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from data_support import SM4_KEY, sqlite_db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_db(tmp_path_factory.mktemp("err") / "app.db")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def _one_line(res, code: int = 3) -> str:  # noqa: ANN001
    assert res.exit_code == code, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mptool: error: "), res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    return lines[0]


def test_unknown_scheme(db: Path) -> None:
    line = _one_line(run_cli(["data", "sample", "oracle://u:pw@h/db", "--table", "t", "-c", "x"]))
    assert "unknown scheme 'oracle'" in line and "pw" not in line.replace("***", "")


def test_missing_file_and_not_a_database(tmp_path: Path) -> None:
    assert "no such file" in _one_line(run_cli(["data", "sample", str(tmp_path / "none.db"), "--table", "t", "-c", "x"]))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    assert "not a SQLite database" in _one_line(run_cli(["data", "sample", str(junk), "--table", "t", "-c", "x"]))
    assert "no such file" in _one_line(run_cli(["data", "sample", f"sqlite:///{tmp_path}/none.db", "--table", "t", "-c", "x"]))


def test_unknown_table_and_column(db: Path) -> None:
    assert "no table 'nope'" in _one_line(run_cli(["data", "sample", str(db), "--table", "nope", "-c", "name"]))
    assert "no column 'nope'" in _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "nope"]))


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_unreachable_database(scheme: str) -> None:
    port = _closed_port()
    line = _one_line(run_cli(["data", "sample", f"{scheme}://u:hunter2pw@127.0.0.1:{port}/db", "--table", "t", "-c", "x"]))
    assert "hunter2pw" not in line and "u:***@127.0.0.1" in line


def test_bad_key_and_bad_where(db: Path) -> None:
    line = _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "name", "--key", "zz-not-hex-secret"]))
    assert line.startswith("mptool: error: --key:") and "zz-not-hex-secret" not in line
    assert "environment variable" in _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "name", "--key", "env:MPTOOL_UNSET_VARIABLE_X"]))
    assert "--key" in _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "name", "--key", "0011"]))
    _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "name", "--where", "no_such_column = 1"]))


def test_usage_errors(db: Path) -> None:
    _one_line(run_cli(["data", "sample", str(db), "--table", "customers"]), code=2)
    _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "name", "--mac-column", "row_mac"]), code=2)
    _one_line(run_cli(["data", "sample", str(db), "--table", "customers", "-c", "name", "--mode", "cbc"]), code=2)


def test_subprocess_exit_code_and_message(db: Path) -> None:
    """The real process (not CliRunner): exit 3 and one line."""
    proc = subprocess.run([sys.executable, "-m", "mptool", "data", "sample", str(db), "--table", "nope", "-c", "x", "--key", SM4_KEY.hex()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and len(proc.stderr.strip().splitlines()) == 1
    assert SM4_KEY.hex() not in proc.stderr
