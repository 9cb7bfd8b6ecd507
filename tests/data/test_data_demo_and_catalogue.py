"""The data demo run, the catalogue entries and the floor plan of the data domain."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, validate_evidence
from mptool.core.registry import domain_checks


def test_demo_run_verdicts(tmp_path: Path) -> None:
    from mptool.data.demo import demo_runs

    [run] = demo_runs()
    out = tmp_path / "data.json"
    res = run_cli([*run.argv, "-f", "json", "-o", str(out)])
    assert res.exit_code == 1, res.stderr
    blob = out.read_bytes()
    evidence = validate_evidence(blob.decode())
    verdicts = {r["subject"]: r["measurements"]["verdict"] for r in evidence["results"] if "verdict" in r["measurements"]}
    assert verdicts == {"customers.phone_sm4": "encrypted_established", "customers.name_b64": "encoding_only", "customers.row_mac": "integrity_partial"}
    mac = [r for r in evidence["results"] if r["check"] == "data.column.integrity"][0]
    assert mac["measurements"]["failed_positions"] == [12]
    for i in range(1, 51):
        assert f"客户{i:03d}".encode() not in blob and f"1380013{i:04d}".encode() not in blob


def test_bundled_demo_database_is_what_build_writes(tmp_path: Path) -> None:
    import sqlite3

    from mptool.core.bundled import data_path
    from mptool.data.demo import build

    fresh = build(tmp_path / "fresh.sqlite")
    query = "SELECT * FROM customers ORDER BY id"
    bundled = sqlite3.connect(f"file:{data_path('data', 'demo-customers.sqlite')}?mode=ro", uri=True)
    assert bundled.execute(query).fetchall() == sqlite3.connect(fresh).execute(query).fetchall()


def test_check_table_and_declared_codes() -> None:
    ids = [spec.id for spec in domain_checks("data")]
    assert ids == ["data.column.protection", "data.column.decrypt", "data.column.integrity"]
    listed = json.loads(run_cli(["checks", "-f", "json"]).stdout)
    assert {e["id"] for e in listed} >= set(ids)


def test_help_lists_data_and_imports_no_scapy() -> None:
    assert "data" in run_cli(["--help"]).stdout
    res = run_cli(["data", "sample", "--help"])
    assert res.exit_code == 0 and "--mac-column" in res.stdout and "Exit codes" in res.stdout
