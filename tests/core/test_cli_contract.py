"""The CLI contract of issue 2: exit codes, stdout/stderr discipline, schema, atomic outputs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import run_cli, validate_evidence
from mptool.cli import MptoolGroup
from mptool.cli.output import OutputOptions, evidence_options
from mptool.core.errors import EXIT_CODE_TABLE, ExitCode, InputError
from mptool.core.model import Status
from mptool.core.registry import CheckSpec

# GB/T 32905-2016 Appendix A.1: SM3("abc"); FIPS 180-4 example: SHA-256("abc").
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.fixture
def abc_file(tmp_path: Path) -> Path:
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    return path


def test_digest_known_answers_and_exit_0(abc_file: Path) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    evidence = result.json()
    assert evidence["inputs"] == [{"name": str(abc_file), "size": 3, "sha256": SHA256_ABC, "sm3": SM3_ABC}]
    assert evidence["results"][0]["measurements"]["sm3"] == SM3_ABC
    assert evidence["results"][0]["status"] == "info"
    assert evidence["exit_code"] == 0
    assert evidence["command"] == "algo digest"
    assert evidence["arguments"] == ["algo", "digest", str(abc_file), "-f", "json"]
    assert evidence["schema"] == "mptool.evidence/1"
    assert {"cryptography", "openssl", "gmssl", "scapy", "numpy", "scipy", "pyasn1"} <= set(evidence["tool"]["backends"])


@pytest.mark.parametrize("expected,algorithm", [(SM3_ABC, "sm3"), (SHA256_ABC.upper(), "sha256")])
def test_expected_digest_matches(abc_file: Path, expected: str, algorithm: str) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "--expect", expected, "-f", "json"])
    assert result.exit_code == 0
    measurements = result.json()["results"][0]["measurements"]
    assert measurements["matched_algorithm"] == algorithm


def test_mismatch_is_exit_1_with_finding(abc_file: Path) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "--expect", "00" * 32, "-f", "json"])
    assert result.exit_code == 1
    evidence = result.json()
    assert evidence["exit_code"] == 1
    assert evidence["summary"]["status"] == "fail"
    assert evidence["results"][0]["findings"][0]["code"] == "algo.digest.mismatch"


def test_fail_on_never_turns_findings_into_exit_0(abc_file: Path) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "--expect", "00" * 32, "-f", "json", "--fail-on", "never"])
    assert result.exit_code == 0
    assert result.json()["summary"]["status"] == "fail"


def test_usage_error_is_exit_2(abc_file: Path) -> None:
    assert run_cli(["algo", "digest", str(abc_file), "--no-such-option"]).exit_code == 2
    assert run_cli(["algo", "digest"]).exit_code == 2
    assert run_cli(["algo", "digest", str(abc_file), str(abc_file), "--expect", SM3_ABC]).exit_code == 2
    assert run_cli(["no-such-command"]).exit_code == 2


def _assert_input_error(result, name: str) -> None:
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_input_errors_are_exit_3_one_line_no_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    cases = {
        str(tmp_path / "missing.bin"): "no such file",
        str(tmp_path): "is a directory",
        str(empty): "is empty",
    }
    for name, problem in cases.items():
        result = run_cli(["algo", "digest", name, "-f", "json", "-o", str(out)])
        _assert_input_error(result, name)
        assert problem in result.stderr
        assert not out.exists()
        assert list(tmp_path.glob(".report.json.*")) == []


def test_bad_hex_argument_names_the_argument(abc_file: Path) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "--expect", "xyz"])
    _assert_input_error(result, "--expect")


def test_stdin_is_read_with_dash() -> None:
    result = run_cli(["algo", "digest", "-", "-f", "json"], input=b"abc")
    assert result.exit_code == 0
    record = result.json()["inputs"][0]
    assert record == {"name": "<stdin>", "size": 3, "sha256": SHA256_ABC, "sm3": SM3_ABC}


def test_json_output_beside_text_report(abc_file: Path, tmp_path: Path) -> None:
    evidence_file = tmp_path / "evidence.json"
    result = run_cli(["algo", "digest", str(abc_file), "--json-output", str(evidence_file)])
    assert result.exit_code == 0
    assert "algo.digest.file" in result.stdout
    assert SM3_ABC[:16] in result.stdout
    evidence = validate_evidence(evidence_file.read_text(encoding="utf-8"))
    assert evidence["results"][0]["measurements"]["sm3"] == SM3_ABC


def test_text_report_details_failing_checks(abc_file: Path) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "--expect", "00" * 32])
    assert result.exit_code == 1
    assert "Results" in result.stdout
    assert "algo.digest.mismatch" in result.stdout
    assert "GB/T 32905-2016" in result.stdout


def test_output_file_written_and_input_untouched(abc_file: Path, tmp_path: Path) -> None:
    before = (abc_file.read_bytes(), abc_file.stat().st_mtime_ns)
    out = tmp_path / "sub" / "report.json"
    out.parent.mkdir()
    result = run_cli(["algo", "digest", str(abc_file), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    validate_evidence(out.read_text(encoding="utf-8"))
    assert (abc_file.read_bytes(), abc_file.stat().st_mtime_ns) == before
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]


def test_deterministic_runs_are_byte_identical(abc_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for i in range(2):
        run_dir = tmp_path / f"run{i}"
        run_dir.mkdir()
        monkeypatch.chdir(run_dir)
        assert run_cli(["algo", "digest", str(abc_file), "-f", "json", "-o", "out.json", "--deterministic"]).exit_code == 0
        outputs.append((run_dir / "out.json").read_bytes())
    assert outputs[0] == outputs[1]
    evidence = json.loads(outputs[0])
    assert evidence["started_at"] == evidence["finished_at"] == "1970-01-01T00:00:00Z"


def test_source_date_epoch_pins_timestamps(abc_file: Path) -> None:
    result = run_cli(["algo", "digest", str(abc_file), "-f", "json"], env={"SOURCE_DATE_EPOCH": "1700000000"})
    evidence = result.json()
    assert evidence["started_at"] == evidence["finished_at"] == "2023-11-14T22:13:20Z"


def test_keys_sorted_and_chinese_readable(abc_file: Path) -> None:
    from mptool.core.report import ReportBuilder
    from mptool.render.json import dumps

    spec = CheckSpec("algo.test.chinese", "中文标题", "GB/T 39786-2021 6.2", "a check used only by this test")
    builder = ReportBuilder("algo test", [])
    builder.add(spec.result(Status.PASS, subject="密评"))
    text = dumps(builder.build())
    assert "中文标题" in text and "密评" in text and "\\u" not in text
    data = validate_evidence(text)
    assert list(data) == sorted(data)
    assert text.endswith("\n")


# --- the exit codes 4 and 128 through the shared machinery, with a command defined here ---

_ERRORING = CheckSpec("algo.test.erroring", "A check that raises", "test only", "used only by these tests")


@click.group(cls=MptoolGroup)
def _root() -> None:
    """Root group with the real error mapping."""


@_root.command()
@click.argument("mode")
@evidence_options
def trial(mode: str, out: OutputOptions) -> None:
    """Produce each kind of outcome."""
    builder = out.builder()
    if mode == "error":
        builder.add(_ERRORING.error_result("subject", RuntimeError("boom")))
    elif mode == "skipped":
        builder.add(_ERRORING.skipped_result("subject", "backend lacks SM4-XTS"))
    elif mode == "warn":
        builder.add(_ERRORING.result(Status.WARN, subject="subject"))
    elif mode == "bug":
        raise ZeroDivisionError("a bug")
    elif mode == "input":
        raise InputError("sample.bin", "too short: 10 bits, need 1000000")
    out.finish(builder)


def _invoke(args: list[str]):
    from click.testing import CliRunner

    return CliRunner().invoke(_root, args)


@pytest.mark.parametrize("mode,code", [("error", 4), ("skipped", 4), ("warn", 0), ("bug", 128), ("input", 3)])
def test_exit_code_table(mode: str, code: int) -> None:
    result = _invoke(["trial", mode, "-f", "json"])
    assert result.exit_code == code, result.output
    if code == 4:
        evidence = validate_evidence(result.stdout)
        assert evidence["exit_code"] == 4
    if code in (3, 128):
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_fail_on_warn() -> None:
    assert _invoke(["trial", "warn", "-f", "json", "--fail-on", "warn"]).exit_code == 1


def test_debug_shows_traceback_for_internal_errors() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(_root, ["trial", "bug"], env={"MPTOOL_DEBUG": "1"})
    assert result.exit_code == 128
    assert "Traceback" in result.stderr


def test_exit_code_table_is_the_enum() -> None:
    assert [code for code, _ in EXIT_CODE_TABLE] == [int(c) for c in ExitCode]
    help_text = run_cli(["--help"]).stdout
    for code, _ in EXIT_CODE_TABLE:
        assert f"  {code} " in help_text


# --- real subprocesses ---

def _mptool(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mptool", *args], capture_output=True, timeout=120, **kwargs)


def test_subprocess_exit_codes_and_streams(abc_file: Path) -> None:
    ok = _mptool("algo", "digest", str(abc_file), "-f", "json")
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["inputs"][0]["sm3"] == SM3_ABC
    assert ok.stderr == b""
    missing = _mptool("algo", "digest", str(abc_file) + ".missing")
    assert missing.returncode == 3
    assert missing.stdout == b""
    assert missing.stderr.decode().count("\n") == 1
    assert _mptool("algo", "digest", str(abc_file), "--bogus").returncode == 2


def test_unreadable_file_is_exit_3(abc_file: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"abc")
    secret.chmod(0)
    tmp_path.chmod(0o755)
    command = [sys.executable, "-m", "mptool", "algo", "digest", str(secret)]
    if os.geteuid() == 0:
        # root reads anything through CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH: drop those two and stay
        # root, so the interpreter (perhaps under /root) stays readable while the mode-0 file is not
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", *command]
    env = {**os.environ, "HOME": "/tmp"}
    result = subprocess.run(command, capture_output=True, timeout=120, env=env, cwd="/")
    assert result.returncode == 3, result.stderr
    assert result.stderr.decode().strip() == f"mptool: error: {secret}: permission denied"


def test_progress_only_on_terminal_stderr(tmp_path: Path) -> None:
    """With stderr on a pseudo-terminal the bar goes there; stdout stays pure JSON."""
    import pty

    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(64 << 20))
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mptool", "algo", "digest", str(big), "-f", "json", "--deterministic"],
            stdout=subprocess.PIPE, stderr=slave, timeout=120,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    assert proc.returncode == 0
    validate_evidence(proc.stdout.decode())
    assert b"\x1b[" not in proc.stdout
    assert b"digest" in b"".join(chunks)  # the bar was drawn on the terminal
    piped = _mptool("algo", "digest", str(big), "-f", "json", "--deterministic")
    assert piped.stderr == b""  # no bar when stderr is not a terminal
    assert piped.stdout == proc.stdout


def test_both_sm3_backends_agree() -> None:
    """hashlib's SM3 (when OpenSSL has it) and cryptography's give the GB/T 32905 answer."""
    from mptool.core.inputs import _CryptographySM3, new_sm3

    for sm3 in (new_sm3(), _CryptographySM3()):
        sm3.update(b"a")
        sm3.update(b"bc")
        assert sm3.hexdigest() == SM3_ABC


def test_debug_records_the_traceback_of_an_erroring_check() -> None:
    from click.testing import CliRunner

    plain = validate_evidence(CliRunner().invoke(_root, ["trial", "error", "-f", "json"], env={"MPTOOL_DEBUG": ""}).stdout)
    assert "traceback" not in plain["results"][0]["findings"][0]["data"]
    debug = validate_evidence(CliRunner().invoke(_root, ["trial", "error", "-f", "json"], env={"MPTOOL_DEBUG": "1"}).stdout)
    assert "RuntimeError: boom" in debug["results"][0]["findings"][0]["data"]["traceback"]


def test_root_debug_option_turns_tracebacks_on_and_off(abc_file: Path) -> None:
    from mptool.core.errors import debug_enabled

    assert run_cli(["--debug", "algo", "digest", str(abc_file)], env={"MPTOOL_DEBUG": ""}).exit_code == 0
    assert debug_enabled()
    assert run_cli(["algo", "digest", str(abc_file)], env={"MPTOOL_DEBUG": ""}).exit_code == 0
    assert not debug_enabled()


def test_output_to_a_device_or_a_pipe_writes_into_it(tmp_path: Path) -> None:
    """-o /dev/null or a FIFO: the data go into it; the special file is never replaced by a regular one."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    import threading

    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli(["algo", "digest", str(Path(__file__)), "-f", "json", "-o", str(fifo), "--deterministic"])
    reader.join(timeout=30)
    assert result.exit_code == 0 and fifo.is_fifo()
    assert json.loads(received[0])["command"] == "algo digest"
    before = os.stat("/dev/null")
    assert run_cli(["algo", "digest", str(Path(__file__)), "-o", "/dev/null"]).exit_code == 0
    after = os.stat("/dev/null")
    assert after.st_rdev == before.st_rdev and stat.S_ISCHR(after.st_mode)
