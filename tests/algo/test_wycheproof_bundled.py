"""The Wycheproof files of the bundled set (vectors/algo/wycheproof), judged case by case.

Each file goes through the loader and runner that ``mptool algo verify`` uses (``loader.load`` +
``kat.run_vector``, and ``verify.run_source``, the worker of the process pool). What is asserted
comes from the file's own data: its ``numberOfTests`` and each case's ``result``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from algo_support import VECTORS

from conftest import run_cli
from mptool.algo.vectors import handlers as kat
from mptool.algo.checks import kat as verify
from mptool.algo.vectors import loader
from mptool.algo.vectors.model import ACCEPTABLE, INVALID, VALID

BUNDLED = VECTORS / "wycheproof"
FILES = sorted(p.name for p in BUNDLED.glob("*.json"))
#: algorithm/mode groups each file reports under
GROUPS = {
    "sm4_gcm_test.json": "sm4-gcm",
    "sm4_ccm_test.json": "sm4-ccm",
    "hmac_sm3_test.json": "hmac-sm3",
    "aes_gcm_test.json": "aes-gcm",
    "aes_ccm_test.json": "aes-ccm",
    "aes_cbc_pkcs5_test.json": "aes-cbc",
}


def _source(name: str) -> loader.Source:
    path = BUNDLED / name
    return loader.Source(path.relative_to(VECTORS).as_posix(), path.read_bytes())


def _cases(name: str) -> dict[int, dict]:
    data = json.loads((BUNDLED / name).read_text())
    return {t["tcId"]: t for g in data["testGroups"] for t in g["tests"]}


def test_the_sm_files_are_bundled() -> None:
    assert {"sm4_gcm_test.json", "sm4_ccm_test.json", "hmac_sm3_test.json"} <= set(FILES)
    assert set(FILES) == set(GROUPS)
    bundled = set(loader.bundled_files())
    assert all(BUNDLED / name in bundled for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_file_is_whole(name: str) -> None:
    """numberOfTests equals the number of test cases; tcIds are unique."""
    data = json.loads((BUNDLED / name).read_text())
    ids = [t["tcId"] for g in data["testGroups"] for t in g["tests"]]
    assert data["numberOfTests"] == len(ids) == len(set(ids)) > 0


@pytest.mark.parametrize("name", FILES)
def test_every_case_judged_by_its_own_verdict(name: str) -> None:
    """valid passes, invalid is never accepted, acceptable is reported as such, a case the
    backend cannot run is skipped with its reason (never passed); the counts add up."""
    cases = _cases(name)
    parsed = loader.load(_source(name))
    assert not parsed.unsupported
    assert len(parsed.vectors) == len(cases)
    counts: Counter[str] = Counter()
    for vector in parsed.vectors:
        tc_id = int(vector.ident.rsplit("tcId ", 1)[1])
        expected = {"valid": VALID, "invalid": INVALID, "acceptable": ACCEPTABLE}[cases[tc_id]["result"]]
        assert vector.expect == expected, vector.ident
        assert vector.flags == tuple(cases[tc_id]["flags"]), vector.ident
        outcome = kat.run_vector(vector)
        if outcome.status == kat.SKIP:
            # only a valid case can be skipped, and never without the reason
            assert vector.expect == VALID and outcome.detail["reason"], vector.ident
            counts["skipped"] += 1
            continue
        assert outcome.status == kat.PASS, (vector.ident, vector.expect, vector.flags, outcome.detail)
        if vector.expect == ACCEPTABLE:
            assert outcome.detail["acceptable"] is True, vector.ident
            counts["acceptable"] += 1
        elif vector.expect == INVALID:
            assert outcome.detail.get("refused") or outcome.detail == {}, vector.ident
            counts["invalid refused" if outcome.detail.get("refused") else "invalid rejected"] += 1
        else:
            assert outcome.detail == {}, vector.ident
            counts["valid"] += 1
    by_result = Counter(t["result"] for t in cases.values())
    assert counts["valid"] + counts["skipped"] == by_result["valid"]
    assert counts["invalid rejected"] + counts["invalid refused"] == by_result["invalid"]
    assert counts["acceptable"] == by_result["acceptable"]
    assert sum(counts.values()) == json.loads((BUNDLED / name).read_text())["numberOfTests"]
    # the bundled run must stay clean (exit 0): nothing of these files is skipped today
    assert counts["skipped"] == 0, counts


@pytest.mark.parametrize("name", FILES)
def test_cli_worker_tallies_match_the_file(name: str) -> None:
    """The tallies ``algo verify`` reports for the file (its pool worker) agree with the file."""
    cases = _cases(name)
    result = verify.run_source(_source(name))
    assert result.format == "wycheproof" and not result.unsupported
    assert list(result.groups) == [GROUPS[name]]
    tally = result.groups[GROUPS[name]]
    by_result = Counter(t["result"] for t in cases.values())
    assert tally.failed == 0 and tally.failures == [], tally.failures
    assert tally.passed + tally.failed + tally.skipped == len(cases)
    assert tally.acceptable == by_result["acceptable"]
    assert sum(tally.skip_reasons.values()) == tally.skipped
    assert all(reason for reason in tally.skip_reasons)


def test_bundled_run_includes_them() -> None:
    """``algo verify --algo hmac`` (the bundled set) reads hmac_sm3_test.json and counts it."""
    out = run_cli(["algo", "verify", "--algo", "hmac", "--mode", "sm3", "-f", "json", "--no-progress"]).json()
    assert out["exit_code"] == 0
    (result,) = out["results"]
    assert result["subject"] == "HMAC-SM3" and "wycheproof/hmac_sm3_test.json" in result["measurements"]["files"]
    assert result["measurements"]["vectors_run"] >= len(_cases("hmac_sm3_test.json"))
    assert "mptool:vectors/algo/wycheproof/hmac_sm3_test.json" in {i["name"] for i in out["inputs"]}


@pytest.mark.parametrize(("name", "flag"), [("sm4_gcm_test.json", "ModifiedTag"), ("sm4_ccm_test.json", "ModifiedTag"), ("hmac_sm3_test.json", "ModifiedTag"), ("aes_cbc_pkcs5_test.json", "BadPadding")])
def test_an_invalid_case_marked_valid_is_caught(tmp_path: Path, name: str, flag: str) -> None:
    """The verdicts are really checked: relabel one invalid case valid and the run fails on it."""
    data = json.loads((BUNDLED / name).read_text())
    case = next(t for g in data["testGroups"] for t in g["tests"] if t["result"] == "invalid" and flag in t["flags"])
    case["result"] = "valid"
    path = tmp_path / name
    path.write_text(json.dumps(data))
    out = run_cli(["algo", "verify", "--vectors", str(path), "-f", "json", "--no-progress"]).json()
    assert out["exit_code"] == 1 and out["summary"]["vectors_failed"] == 1
    (result,) = out["results"]
    assert result["measurements"]["failed_by_flag"] == {flag: 1}
    assert f"tcId {case['tcId']}" in result["findings"][0]["location"]["vector"]
