"""The same table in PostgreSQL and MariaDB (real servers the tests start) gives the SQLite verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli
from data_servers import PASSWORD, USER, mariadb, postgres
from data_support import EXPECTED_WITH_SM4_KEY, MAC_KEY, SM4_KEY, TAMPERED_ROW, assert_no_secrets, create_table, result, sample_args, sqlite_db, verdicts

pytestmark = pytest.mark.network


def _engine_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return {"postgresql": "postgresql+psycopg", "mariadb": "mariadb+pymysql"}[scheme] + "://" + rest


@pytest.fixture(scope="module", params=["postgresql", "mariadb"])
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    with (postgres() if request.param == "postgresql" else mariadb()) as (url, _port):
        from sqlalchemy import create_engine

        engine = create_engine(_engine_url(url))
        create_table(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def sqlite_evidence(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = sqlite_db(tmp_path_factory.mktemp("same") / "app.db")
    return run_cli(sample_args(str(db), "--key", SM4_KEY.hex(), "--mac-column", "row_mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name")).json()


def _comparable(evidence: dict) -> list[tuple]:
    out = []
    for r in evidence["results"]:
        m = r["measurements"]
        out.append((r["check"], r["subject"], r["status"], m.get("verdict"), m.get("encoding"), m.get("algorithm"), m.get("mode"), m.get("iv_layout"), m.get("duplicates"), m.get("failed_positions"), sorted(f["code"] for f in r["findings"])))
    return out


def test_same_verdicts_as_sqlite(server: str, sqlite_evidence: dict) -> None:
    res = run_cli(sample_args(server, "--key", SM4_KEY.hex(), "--mac-column", "row_mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name"))
    assert res.exit_code == 1, res.stderr
    evidence = res.json()
    assert verdicts(evidence) == EXPECTED_WITH_SM4_KEY
    assert result(evidence, "data.column.integrity", "row_mac")["measurements"]["failed_positions"] == [TAMPERED_ROW]
    assert _comparable(evidence) == _comparable(sqlite_evidence)
    source = evidence["parameters"]["source"]
    assert source["read_only"] is True and source["server_version"]


def test_password_never_in_evidence_or_messages(server: str, tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    res = run_cli([*sample_args(server, "--key", SM4_KEY.hex()), "-o", str(out)])
    blob = out.read_bytes()
    assert PASSWORD.encode() not in blob and PASSWORD not in res.stderr
    assert f"{USER}:***@".encode() in blob
    assert_no_secrets(blob, SM4_KEY.hex())


def test_wrong_password_exits_3_with_one_line(server: str) -> None:
    url = server.replace(PASSWORD, "wrong-password-xyz")
    res = run_cli(sample_args(url))
    assert res.exit_code == 3
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mptool: error: ")
    assert "wrong-password-xyz" not in res.stderr and f"{USER}:***@" in res.stderr


def test_unknown_table_and_column(server: str) -> None:
    res = run_cli(["data", "sample", server, "--table", "nope", "-c", "name"])
    assert res.exit_code == 3 and "no table 'nope'" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    res = run_cli(["data", "sample", server, "--table", "customers", "-c", "nope"])
    assert res.exit_code == 3 and "no column 'nope'" in res.stderr


def test_where_filter_and_read_only(server: str) -> None:
    res = run_cli([*sample_args(server), "--where", "id <= 10"])
    assert res.json()["parameters"]["rows_total"] == 10
    # a write smuggled into --where is refused by the read-only session (or the parser): exit 3
    res = run_cli([*sample_args(server), "--where", "id IN (SELECT 1) ; DELETE FROM customers"])
    assert res.exit_code == 3
    assert run_cli(sample_args(server)).json()["parameters"]["rows_total"] == 60
