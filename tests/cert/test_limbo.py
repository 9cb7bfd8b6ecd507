"""`cert limbo`: the x509-limbo harness on a suite of limbo-format cases built for mptool."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import run_cli, validate_evidence
from limbo_cases import build_suite

#: LimboResult as described by the harness contract (C2SP x509-limbo, harness/README)
LIMBO_RESULT_SCHEMA = {
    "type": "object",
    "required": ["version", "harness", "results"],
    "properties": {
        "version": {"const": 1},
        "harness": {"type": "string"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "actual_result", "context"],
                "properties": {"id": {"type": "string"}, "actual_result": {"enum": ["SUCCESS", "FAILURE", "SKIPPED", "HANG"]}, "context": {"type": ["string", "null"]}},
            },
        },
    },
}


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict]:
    directory = tmp_path_factory.mktemp("limbo")
    suite = build_suite()
    suite_path = directory / "suite.json"
    suite_path.write_text(json.dumps(suite))
    out, evidence = directory / "results.json", directory / "evidence.json"
    result = run_cli(["cert", "limbo", str(suite_path), "-o", str(out), "--evidence", str(evidence)])
    assert result.exit_code == 0, result.stderr
    results = json.loads(out.read_text())
    jsonschema.validate(results, LIMBO_RESULT_SCHEMA)
    return suite, results, validate_evidence(evidence.read_text())


def test_every_case_gets_its_expected_result(suite_run: tuple[dict, dict, dict]) -> None:
    suite, results, _ = suite_run
    expected = {c["id"]: c["expected_result"] for c in suite["testcases"]}
    actual = {r["id"]: r["actual_result"] for r in results["results"]}
    assert list(actual) == list(expected)
    wrong = {k: (expected[k], actual[k]) for k in expected if actual[k] not in (expected[k], "SKIPPED")}
    assert not wrong, wrong
    assert actual["mptool::pedantic-feature-skipped"] == "SKIPPED"
    assert sum(v == "SKIPPED" for v in actual.values()) == 1


def test_evidence_counts_and_no_unexpected_success(suite_run: tuple[dict, dict, dict]) -> None:
    suite, _, evidence = suite_run
    totals = evidence["summary"]["limbo"]
    assert totals["cases"] == len(suite["testcases"])
    assert totals["unexpected_success"] == 0 and totals["unexpected_failure"] == 0
    assert totals["passed"] == totals["ran"] == totals["cases"] - 1
    assert evidence["exit_code"] == 0


def test_context_names_the_failed_check(suite_run: tuple[dict, dict, dict]) -> None:
    _, results, _ = suite_run
    context = {r["id"]: r["context"] for r in results["results"]}
    assert "cert.path.path_length" in context["mptool::pathlen-0-exceeded"]
    assert "cert.path.name_constraints" in context["mptool::nc-excluded"]
    assert "cert.path.revocation" in context["mptool::crl-revoked-leaf"]
    assert "cert.path.leaf_usage" in context["mptool::cn-without-san"]
    assert "cRLNumber is missing" in context["mptool::crl-crlnumber-missing"]
    assert "work limit exceeded" in context["mptool::nc-dos-many-names"]
    assert "cert.path.key_strength" in context["mptool::webpki-forbidden-secp256k1-root"]
    assert "cert.path.policies" in context["mptool::pc-require-explicit-no-policies"]


def test_stdin_and_stdout() -> None:
    suite = build_suite()
    suite["testcases"] = suite["testcases"][:2]
    result = run_cli(["cert", "limbo", "-", "-q"], input=json.dumps(suite))
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    jsonschema.validate(data, LIMBO_RESULT_SCHEMA)
    assert [r["actual_result"] for r in data["results"]] == ["SUCCESS", "SUCCESS"]


@pytest.mark.parametrize(("content", "problem"), [("not json", "not JSON"), ('{"version": 2, "testcases": []}', "version"), ('{"version": 1}', "testcases")])
def test_bad_suite_is_an_input_error(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "suite.json"
    path.write_text(content)
    out = tmp_path / "out.json"
    result = run_cli(["cert", "limbo", str(path), "-o", str(out)])
    assert result.exit_code == 3 and problem in result.stderr and str(path) in result.stderr
    assert not out.exists()
