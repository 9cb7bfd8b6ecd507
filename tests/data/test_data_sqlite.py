"""``mptool data sample`` on SQLite (and CSV/JSON-lines exports of the same table): known verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, validate_evidence
from data_support import (
    AES_KEY,
    COLUMNS,
    EXPECTED_WITH_SM4_KEY,
    EXPECTED_WITHOUT_KEY,
    MAC_KEY,
    ROWS,
    SM4_KEY,
    TAMPERED_ROW,
    assert_no_secrets,
    export_csv,
    export_jsonl,
    result,
    sample_args,
    sqlite_db,
    verdicts,
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_db(tmp_path_factory.mktemp("data") / "app.db")


@pytest.fixture(scope="module")
def with_sm4_key(db: Path) -> dict:
    res = run_cli(sample_args(str(db), "--key", SM4_KEY.hex(), "--mac-column", "row_mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name"))
    assert res.exit_code == 1, res.stderr
    return res.json()


def test_verdicts_without_key(db: Path) -> None:
    res = run_cli(sample_args(str(db)))
    assert res.exit_code == 1, res.stderr
    assert verdicts(res.json()) == EXPECTED_WITHOUT_KEY


def test_verdicts_with_sm4_key(with_sm4_key: dict) -> None:
    assert verdicts(with_sm4_key) == EXPECTED_WITH_SM4_KEY
    indicators = {c: result(with_sm4_key, "data.column.protection", c)["measurements"]["indicators"] for c in COLUMNS}
    assert indicators["phone_sm4cbc"] == [{"indicator": "APP-SCONF", "D": True, "A": True, "K": None, "reason": indicators["phone_sm4cbc"][0]["reason"]}]
    assert indicators["name"][0]["D"] is False and indicators["name_b64"][0]["D"] is False
    assert indicators["email_aescbc"][0]["D"] is None


@pytest.mark.parametrize(
    ("column", "algorithm", "mode", "layout"),
    [
        ("phone_sm4cbc", "SM4", "CBC", "iv prefixed"),
        ("idcard_sm4gcm", "SM4", "GCM", "nonce prefixed, tag appended"),
        ("city_sm4ecb", "SM4", "ECB", "none"),
    ],
)
def test_algorithm_mode_and_layout_established(with_sm4_key: dict, column: str, algorithm: str, mode: str, layout: str) -> None:
    m = result(with_sm4_key, "data.column.decrypt", column)["measurements"]
    assert (m["algorithm"], m["mode"], m["iv_layout"]) == (algorithm, mode, layout)
    assert m["decrypted"] == m["values"] == ROWS and m["decrypted_share"] == 1.0


def test_encodings_detected(with_sm4_key: dict) -> None:
    enc = {c: result(with_sm4_key, "data.column.protection", c)["measurements"]["encoding"] for c in COLUMNS}
    assert enc == {"name": "text", "phone_sm4cbc": "raw", "idcard_sm4gcm": "base64", "email_aescbc": "hex", "city_sm4ecb": "hex", "name_b64": "base64", "phone_hex": "hex"}
    codes = {f["code"] for f in result(with_sm4_key, "data.column.protection", "name_b64")["findings"]}
    assert codes == {"data.column.protection.encoding_only"}


def test_deterministic_ecb_repeats_found(with_sm4_key: dict) -> None:
    r = result(with_sm4_key, "data.column.protection", "city_sm4ecb")
    assert r["measurements"]["distinct"] == 4 and r["measurements"]["duplicates"] == ROWS - 4
    assert "data.column.protection.repeated_values" in {f["code"] for f in r["findings"]}
    assert r["status"] == "warn"
    cbc = result(with_sm4_key, "data.column.protection", "phone_sm4cbc")
    assert cbc["measurements"]["duplicates"] == 0 and cbc["status"] == "pass"


def test_aes_established_but_not_an_approved_algorithm(db: Path) -> None:
    res = run_cli(sample_args(str(db), "--key", AES_KEY.hex()))
    evidence = res.json()
    r = result(evidence, "data.column.protection", "email_aescbc")
    assert r["measurements"]["verdict"] == "encrypted_established"
    assert (r["measurements"]["algorithm"], r["measurements"]["mode"], r["measurements"]["iv_layout"]) == ("AES", "CBC", "iv prefixed")
    assert r["measurements"]["indicators"][0]["A"] is False and r["measurements"]["indicators"][0]["D"] is True
    assert r["status"] == "fail" and {f["code"] for f in r["findings"]} == {"data.column.protection.non_approved_algorithm"}
    # with the AES key the SM4 columns are not established
    assert verdicts(evidence)["phone_sm4cbc"] == "looks_encrypted_not_verified"
    assert result(evidence, "data.column.decrypt", "phone_sm4cbc")["findings"][0]["code"] == "data.column.decrypt.not_established"


def test_hmac_sm3_tampered_row_found(with_sm4_key: dict) -> None:
    r = result(with_sm4_key, "data.column.integrity", "row_mac")
    m = r["measurements"]
    assert m["verdict"] == "integrity_partial" and m["algorithm"] == "HMAC-SM3"
    assert (m["verified"], m["failed"]) == (ROWS - 1, 1)
    assert m["failed_positions"] == [TAMPERED_ROW]
    assert m["construction"]["separator"] == "|" and m["construction"]["mac_encoding"] == "hex"
    assert m["indicators"][0]["indicator"] == "APP-SINTEG" and m["indicators"][0]["D"] is False
    assert r["status"] == "fail" and r["findings"][0]["code"] == "data.column.integrity.mismatch"


def test_hmac_over_untampered_rows_established(db: Path) -> None:
    res = run_cli(["data", "sample", str(db), "--table", "customers", "--order", "first", "--rows", str(TAMPERED_ROW), "-f", "json", "--mac-column", "row_mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name"])
    assert res.exit_code == 0, res.stderr
    r = result(res.json(), "data.column.integrity", "row_mac")
    assert r["measurements"]["verdict"] == "integrity_established" and r["measurements"]["indicators"][0]["D"] is True


def test_wrong_mac_key_is_not_established(db: Path) -> None:
    res = run_cli(["data", "sample", str(db), "--table", "customers", "-f", "json", "--mac-column", "row_mac", "--mac-key", "00" * 16, "--mac-over", "id,name"])
    r = result(res.json(), "data.column.integrity", "row_mac")
    assert r["measurements"]["verdict"] == "integrity_not_established" and r["measurements"]["indicators"][0]["D"] is None


def test_evidence_holds_no_plaintext_no_key(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "evidence.json"
    text = tmp_path / "report.txt"
    res = run_cli([*sample_args(str(db), "--key", SM4_KEY.hex(), "--mac-column", "row_mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name"), "-o", str(out)])
    assert res.exit_code == 1
    run_cli([*sample_args(str(db), "--key", SM4_KEY.hex()), "-f", "text", "-o", str(text)])
    for blob in (out.read_bytes(), text.read_bytes(), res.stdout.encode(), res.stderr.encode()):
        assert_no_secrets(blob, SM4_KEY.hex(), MAC_KEY.hex())
    evidence = json.loads(out.read_bytes())
    assert evidence["arguments"][evidence["arguments"].index("--key") + 1].startswith("<secret sm3:")


def test_key_from_environment(db: Path) -> None:
    res = run_cli(sample_args(str(db), "--key", "env:MPTOOL_TEST_SM4_KEY"), env={"MPTOOL_TEST_SM4_KEY": SM4_KEY.hex()})
    assert verdicts(res.json()) == EXPECTED_WITH_SM4_KEY
    assert "env:MPTOOL_TEST_SM4_KEY" in res.json()["arguments"]


def test_random_order_same_verdicts(db: Path) -> None:
    args = [a for a in sample_args(str(db), "--key", SM4_KEY.hex()) if a not in ("--order", "first")]
    res = run_cli([*args, "--rows", "40"])
    evidence = res.json()
    assert verdicts(evidence) == EXPECTED_WITH_SM4_KEY
    assert evidence["parameters"]["rows_sampled"] == 40 and evidence["parameters"]["rows_total"] == ROWS


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_exports_give_the_same_verdicts(tmp_path: Path, kind: str) -> None:
    path = export_csv(tmp_path / "customers.csv") if kind == "csv" else export_jsonl(tmp_path / "customers.jsonl")
    args = [a for a in sample_args(str(path), "--key", SM4_KEY.hex(), "--mac-column", "row_mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name") if a not in ("--table", "customers")]
    res = run_cli(args)
    evidence = res.json()
    assert verdicts(evidence) == EXPECTED_WITH_SM4_KEY
    assert result(evidence, "data.column.integrity", "row_mac")["measurements"]["failed_positions"] == [TAMPERED_ROW]
    assert evidence["inputs"][0]["name"] == str(path)
    assert_no_secrets(res.stdout.encode())


def test_deterministic_runs_are_byte_identical(db: Path) -> None:
    a = run_cli(sample_args(str(db), "--key", SM4_KEY.hex()))
    b = run_cli(sample_args(str(db), "--key", SM4_KEY.hex()))
    assert a.stdout == b.stdout
    validate_evidence(a.stdout)


def test_database_file_is_not_modified(db: Path) -> None:
    before = db.read_bytes()
    run_cli(sample_args(str(db), "--key", SM4_KEY.hex()))
    assert db.read_bytes() == before


def test_api_judge_values() -> None:
    from mptool.data import api
    from data_support import rows

    values = [r["phone_sm4cbc"] for r in rows()]
    results = api.judge_values(values, key=SM4_KEY)
    assert results[0].measurements["verdict"] == "encrypted_established"
    assert api.indicators_of(results[0])[0]["indicator"] == "APP-SCONF"
    assert set(api.VERDICTS) == {"encrypted_established", "looks_encrypted_not_verified", "encoding_only", "plaintext"}
