"""Every bad input of issue 11: exit 3, one line ``mptool: error: FILE:LINE: problem``, no stdout."""

from __future__ import annotations

from pathlib import Path

import pytest
from assess_support import write_case
from conftest import run_cli
from assess_fixtures import tlcp_evidence  # noqa: F401  (fixture)

HEAD = "schema: mptool.assessment/1\nsystem: {name: 测试系统, level: 3}\nobjects:\n  - {id: net-vpn, layer: network}\n  - {id: app-portal, layer: application}\n"

CASES = {
    # name: (file text, expected line, words in the problem)
    "unknown top-level key": (HEAD + "colour: blue\n", 6, "unknown key 'colour'"),
    "unknown key in a judgement": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-AUTH, D: true, A: true, K: true, X: 1}\n", 7, "unknown key 'X'"),
    "unknown indicator id": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-FOO, D: true, A: true, K: true}\n", 7, "unknown indicator id 'NET-FOO'"),
    "indicator not at the level": (HEAD.replace("level: 3", "level: 2") + "judgements:\n  - {object: net-vpn, indicator: NET-ACCESS, D: false}\n", 7, "not evaluated at level 2"),
    "object in the wrong layer": (HEAD + "judgements:\n  - {object: app-portal, indicator: NET-AUTH, D: true, A: true, K: true}\n", 7, "is in layer application, indicator NET-AUTH in layer network"),
    "judgement without D/A/K or result": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-AUTH, record: 见图}\n", 7, "has no D/A/K and no result"),
    "judgement with D but no A/K": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-AUTH, D: true}\n", 7, "lacks A/K"),
    "duplicate judgement": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-AUTH, D: false}\n  - {object: net-vpn, indicator: NET-AUTH, D: true, A: true, K: true}\n", 8, "duplicate judgement"),
    "duplicate YAML key": (HEAD + "judgements: []\njudgements: []\n", 7, "duplicate key"),
    "YAML syntax": (HEAD + "judgements: [\n", 7, "YAML"),
    # nine levels of ten aliases ("billion laughs"): 10^9 values once expanded; the reader hung (issue 21)
    "aliases expanding without bound": (HEAD + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)), 1, "more than 200,000 values once aliases are expanded"),
    "a mapping as a key": (HEAD + "judgements:\n  - {[a]: 1}\n", 7, "a mapping or list used as a key"),
    "an unknown tag": (HEAD + "judgements: !python/object:os.system [x]\n", 6, "could not determine a constructor"),
    "unknown object": (HEAD + "judgements:\n  - {object: dev-x, indicator: NET-AUTH, D: false}\n", 7, "unknown object 'dev-x'"),
    "Ra not in table 2": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-AUTH, D: true, A: false, K: true,\n     Ra: 0.3}\n", 8, "Ra must be 1, 0.5 or 0.2"),
    "management indicator among judgements": (HEAD + "judgements:\n  - {object: net-vpn, indicator: POL-SYSTEM, D: true, A: true, K: true}\n", 7, "management indicator"),
    "bad management result": (HEAD + "management:\n  - {indicator: POL-SYSTEM, result: 合格}\n", 7, "management.0.result"),
    "duplicate management judgement": (HEAD + "management:\n  - {indicator: POL-SYSTEM, result: 符合}\n  - {indicator: POL-SYSTEM, result: 不符合}\n", 8, "duplicate management judgement"),
    "wrong schema": (HEAD.replace("mptool.assessment/1", "mptool.assessment/9"), 1, "schema must be mptool.assessment/1"),
    "level out of range": (HEAD.replace("level: 3", "level: 5"), 2, "system.level"),
    "accept without a proposal": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-AUTH, accept: true, by: 张三}\n", 7, "no proposal"),
    "risks entry with nothing to say": (HEAD + "risks:\n  - {indicator: NET-AUTH, reason: 见附件}\n", 7, "needs a level, a recommendation or both"),
    "compensation of an unjudged object": (HEAD + "judgements:\n  - {object: net-vpn, indicator: NET-CONF, D: true, A: true, K: true}\ncompensations:\n  - {object: app-portal, indicator: APP-TCONF, by: [net-vpn, NET-CONF]}\n", 9, "no judgement for object app-portal"),
}


def assert_input_error(result, path: Path, line: int, words: str) -> None:
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"mptool: error: {path}:{line}: "), lines[0]
    assert words in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("command", ["score", "check"])
def test_bad_assessment_file(tmp_path: Path, name: str, command: str) -> None:
    text, line, words = CASES[name]
    path = write_case(tmp_path, text)
    before = path.read_bytes()
    result = run_cli(["assess", command, str(path), "-f", "json"])
    assert_input_error(result, path, line, words)
    assert path.read_bytes() == before  # inputs are never altered


def test_missing_file(tmp_path: Path) -> None:
    result = run_cli(["assess", "score", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.strip() == f"mptool: error: {tmp_path / 'nope.yaml'}: no such file"


def test_altered_evidence_is_an_error_at_scoring(tmp_path: Path, tlcp_evidence: Path) -> None:
    case = tmp_path / "case"
    assert run_cli(["assess", "init", str(case), "--name", "测试", "--level", "3"]).exit_code == 0
    assert run_cli(["assess", "add", str(case), str(tlcp_evidence), "--object", "net-vpn"]).exit_code == 0
    copy = next((case / "evidence").glob("*.json"))
    copy.write_text(copy.read_text(encoding="utf-8").replace("ECC_SM4_CBC_SM3", "ECC_SM4_CBC_SM9"), encoding="utf-8")
    text = (case / "assessment.yaml").read_text(encoding="utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l.strip().startswith("sm3:"))
    result = run_cli(["assess", "score", str(case)])
    assert_input_error(result, case / "assessment.yaml", line, "was altered after assess add")
    # check reports it as a finding instead (exit 1: an error-level finding), and says what is missing
    checked = run_cli(["assess", "check", str(case), "-f", "json"])
    assert checked.exit_code == 1
    codes = {f["code"] for r in checked.json()["results"] for f in r["findings"]}
    assert {"assess.completeness.evidence_changed", "assess.completeness.not_judged", "assess.completeness.proposal_unconfirmed"} <= codes


def test_add_refuses_non_evidence(tmp_path: Path) -> None:
    case = tmp_path / "case"
    run_cli(["assess", "init", str(case), "--name", "测试", "--level", "3"])
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}\n', encoding="utf-8")
    result = run_cli(["assess", "add", str(case), str(bogus), "--object", "net-vpn"])
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.strip() == f"mptool: error: {bogus}:1: not mptool evidence (expected schema mptool.evidence/1 with results)"
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "schema": \n', encoding="utf-8")
    result = run_cli(["assess", "add", str(case), str(broken), "--object", "net-vpn"])
    assert result.exit_code == 3 and result.stderr.startswith(f"mptool: error: {broken}:")


def test_usage_errors(tmp_path: Path, tlcp_evidence: Path) -> None:
    case = tmp_path / "case"
    run_cli(["assess", "init", str(case), "--name", "测试", "--level", "3"])
    new_without_layer = run_cli(["assess", "add", str(case), str(tlcp_evidence), "--object", "net-new"])
    assert new_without_layer.exit_code == 2 and "give --layer" in new_without_layer.stderr
    assert run_cli(["assess", "init", str(case), "--name", "x", "--level", "3"]).exit_code == 3  # never overwrites
    assert run_cli(["assess", "init", str(tmp_path / "c2"), "--name", "x", "--level", "7"]).exit_code == 2


def test_yaml_merge_keys_and_aliases_are_read(tmp_path: Path) -> None:
    """Anchors, aliases and YAML merge keys (<<) read as YAML says, with the merged judgement's line."""
    base = HEAD + "judgements:\n  - &auth {object: net-vpn, indicator: NET-AUTH, D: true, A: true, K: true}\n"
    merged = write_case(tmp_path / "merged", base + "  - {<<: *auth, indicator: NET-INTEG}\n")
    plain = write_case(tmp_path / "plain", base + "  - {object: net-vpn, indicator: NET-INTEG, D: true, A: true, K: true}\n")
    scores = [run_cli(["assess", "score", str(p), "-f", "json", "--fail-on", "never"]).json()["summary"]["assessment"] for p in (merged, plain)]
    assert scores[0] == scores[1] and scores[0]["units"]["NET-INTEG"] == "1.0000"
    duplicate = write_case(tmp_path / "dup", base + "  - {<<: *auth, indicator: NET-AUTH}\n")
    assert_input_error(run_cli(["assess", "score", str(duplicate)]), duplicate, 8, "duplicate judgement")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[" * 100_000, "nested too deeply"),  # RecursionError: was exit 128
        (b'{"schema": ' + b"9" * 5000 + b"}", "Exceeds the limit (4300 digits)"),  # int_max_str_digits: was exit 128
        (b'{"schema": "mptool.evidence/1",\n "results": [}', "not JSON: Expecting value"),
    ],
)
def test_assess_add_hostile_evidence_json(tmp_path: Path, content: bytes, problem: str) -> None:
    case = tmp_path / "case"
    assert run_cli(["assess", "init", str(case), "--name", "测试", "--level", "3"]).exit_code == 0
    evidence = tmp_path / "evidence.json"
    evidence.write_bytes(content)
    before = (case / "assessment.yaml").read_bytes()
    result = run_cli(["assess", "add", str(case), str(evidence), "--object", "net-vpn"])
    line = 2 if b"\n" in content else 1
    assert_input_error(result, evidence, line, problem)
    assert (case / "assessment.yaml").read_bytes() == before
