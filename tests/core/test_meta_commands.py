"""--help, --version, schema, checks, demo; the schema stays in step with the model."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import run_cli, validate_evidence
from mptool.core.registry import DOMAINS
from mptool.core.schema import committed_schema, generate_schema

SRC = Path(__file__).resolve().parents[2] / "src" / "mptool"


def test_committed_schema_matches_model() -> None:
    assert committed_schema() == generate_schema(), "run: python -m mptool.core.schema"


def test_schema_command_prints_committed_schema() -> None:
    result = run_cli(["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == committed_schema()


def test_version_lists_backends() -> None:
    result = run_cli(["--version"])
    assert result.exit_code == 0
    from mptool import __version__

    assert result.stdout.startswith(f"mptool {__version__}\n")
    for name in ("cryptography", "openssl", "gmssl", "scapy", "numpy", "scipy", "pyasn1"):
        assert f"  {name} " in result.stdout


def test_checks_catalogue_json() -> None:
    result = run_cli(["checks", "-f", "json"])
    assert result.exit_code == 0
    catalogue = json.loads(result.stdout)
    ids = [c["id"] for c in catalogue]
    assert "algo.digest.file" in ids
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for entry in catalogue:
        assert entry["title"] and entry["reference"] and entry["description"], entry["id"]
        assert entry["domain"] in DOMAINS
    text = run_cli(["checks"])
    assert "algo.digest.file" in text.stdout


def test_demo_writes_valid_evidence(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = run_cli(["demo", "--dir", str(target)])
    assert result.exit_code == 0, result.stdout + result.stderr
    files = sorted(target.glob("*.json"))
    assert files, "demo wrote no evidence"
    for path in files:
        evidence = validate_evidence(path.read_text(encoding="utf-8"))
        assert evidence["exit_code"] in (0, 1)
    for group in ("algo", "rng", "cert", "proto", "device"):
        assert group in result.stdout
    device = json.loads((target / "device-test-softsdf.json").read_text(encoding="utf-8"))
    (random,) = [r for r in device["results"] if r["check"] == "device.sdf.random"]
    # a reproducible stream: a GM/T 0005 set decision rejects ~9 % of perfect 10-sequence sets
    assert random["status"] == "pass" and random["measurements"]["softsdf_test_seed"] is True
    assert "SOFTSDF_TEST_RANDOM_SEED" not in os.environ  # set for that one run only


def test_demo_environment_is_restored(monkeypatch) -> None:
    from mptool.core.demo import environment

    monkeypatch.setenv("MPTOOL_DEMO_KEPT", "before")
    monkeypatch.delenv("MPTOOL_DEMO_NEW", raising=False)
    with environment({"MPTOOL_DEMO_KEPT": "during", "MPTOOL_DEMO_NEW": "x"}):
        assert os.environ["MPTOOL_DEMO_KEPT"] == "during" and os.environ["MPTOOL_DEMO_NEW"] == "x"
    assert os.environ["MPTOOL_DEMO_KEPT"] == "before" and "MPTOOL_DEMO_NEW" not in os.environ


def _imported_after(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from mptool.cli import cli\n"
        f"cli.main(args={args!r}, prog_name='mptool', standalone_mode=False)\n"
        "print('MODULES:' + ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('scapy', 'scipy'))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("MODULES:")]
    assert marker, proc.stdout + proc.stderr
    return set(marker[-1].removeprefix("MODULES:").split())


def test_help_and_algo_do_not_import_scapy_or_scipy(tmp_path: Path) -> None:
    sample = tmp_path / "x.bin"
    sample.write_bytes(b"abc")
    assert _imported_after(["--help"]) == set()
    assert _imported_after(["algo", "--help"]) == set()
    assert _imported_after(["algo", "digest", str(sample), "-f", "json", "-o", str(tmp_path / "o.json")]) == set()


def _mptool_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mptool"):
            names |= {f"{node.module}.{a.name}" for a in node.names}  # a name may be a submodule
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("mptool")}
    return names


def test_import_layering() -> None:
    """core imports only core; render only core; domain packages never the cli."""
    for path in (SRC / "core").rglob("*.py"):
        for name in _mptool_imports(path):
            assert name in ("mptool", "mptool.__version__") or name.startswith("mptool.core"), f"{path}: imports {name}"
    for path in (SRC / "render").rglob("*.py"):
        for name in _mptool_imports(path):
            assert name.startswith("mptool.core") or name.startswith("mptool.render"), f"{path}: imports {name}"
    for domain in DOMAINS:
        assert (SRC / domain / "__init__.py").is_file(), domain
        for path in (SRC / domain).rglob("*.py"):
            for name in _mptool_imports(path):
                assert not name.startswith("mptool.cli"), f"{path}: imports {name}"


def test_domains_import_each_other_only_through_api() -> None:
    """A domain may import another domain's ``api`` module only (floor plan: api.py is the door)."""
    from mptool.core.registry import DOMAINS

    for domain in DOMAINS:
        for path in (SRC / domain).rglob("*.py"):
            for name in _mptool_imports(path):
                parts = name.split(".")
                if len(parts) < 2 or parts[1] not in DOMAINS or parts[1] == domain:
                    continue
                assert parts[2:3] == ["api"], f"{path}: imports {name} (use mptool.{parts[1]}.api)"
        assert (SRC / domain / "api.py").is_file() or not any(
            name.startswith(f"mptool.{domain}.") for other in DOMAINS if other != domain for path in (SRC / other).rglob("*.py") for name in _mptool_imports(path)
        ), f"{domain} is imported by another domain but has no api.py"


def test_cli_calls_only_the_domains_commands() -> None:
    """cli/<group>.py reaches a domain through ``mptool.<domain>.commands`` only (and its constants)."""
    from mptool.core.registry import DOMAINS

    for path in (SRC / "cli").glob("*.py"):
        for name in _mptool_imports(path):
            parts = name.split(".")
            if len(parts) > 2 and parts[1] in DOMAINS:
                assert parts[2] == "commands" or parts[2].isupper(), f"{path}: imports {name} (use mptool.{parts[1]}.commands)"
