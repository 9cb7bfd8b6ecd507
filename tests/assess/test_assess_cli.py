"""The assess commands end to end: init, schema, score (text zh/en, JSON envelope), check, demo."""

from __future__ import annotations

import json
from pathlib import Path

from assess_support import case_text, write_case
from conftest import run_cli, validate_evidence
from test_assess_golden import OWN_JUDGEMENTS, OWN_MANAGEMENT, OWN_OBJECTS

from mptool.assess.indicators import catalogue
from mptool.assess.checks import CHECKS as TABLE

CHECKS = {spec.id: spec for spec in TABLE}
from mptool.assess.model.schema import generate_schema, schema_text


def test_init_lists_every_indicator_and_is_valid(tmp_path: Path) -> None:
    for level, count in ((1, 24), (2, 27), (3, 41), (4, 41)):
        case = tmp_path / f"l{level}"
        assert run_cli(["assess", "init", str(case), "--name", "某某业务系统", "--level", str(level)]).exit_code == 0
        text = (case / "assessment.yaml").read_text(encoding="utf-8")
        listed = [i.id for i in catalogue().indicators.values() if f"indicator: {i.id}," in text]
        assert len(listed) == count
        assert "[应]" in text and "身份鉴别" in text
        checked = run_cli(["assess", "check", str(case), "-f", "json"])
        assert checked.exit_code == 0  # only warnings: nothing judged yet
        assert checked.json()["results"][0]["measurements"]["indicators"] == count


def test_schema_command_matches_the_model() -> None:
    result = run_cli(["assess", "schema"])
    assert result.exit_code == 0
    assert result.stdout == schema_text()  # committed file == generated from the model
    assert json.loads(result.stdout)["properties"]["schema"]["const"] == "mptool.assessment/1" or "enum" in json.loads(result.stdout)["properties"]["schema"]
    assert generate_schema()["additionalProperties"] is False


def test_score_json_envelope_and_exit_codes(tmp_path: Path) -> None:
    path = write_case(tmp_path, case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT))  # 59.96 → 不符合
    result = run_cli(["assess", "score", str(path), "-f", "json", "--deterministic"])
    assert result.exit_code == 1  # conclusion 不符合
    data = result.json()  # validated against the evidence schema
    a = data["summary"]["assessment"]
    assert (a["total"], a["conclusion"], a["rule_set"], a["high_risks"]) == ("59.96", "不符合", "quant-2023", 0)
    assert a["layers"]["network"] == "0.6532" and a["units"]["NET-AUTH"] == "0.7500" and a["units"]["NET-ACCESS"] is None
    # APP-AUTH to 1: application (1 + 1)/2 = 1 instead of 0.525 → +30·0.475 = +14.25 points, the largest gain
    assert (a["lost_points"][0]["indicator"], a["lost_points"][0]["points"]) == ("APP-AUTH", "14.25")
    checks = {r["check"] for r in data["results"]}
    assert checks == {"assess.judgement", "assess.unit", "assess.layer", "assess.risk", "assess.total"}
    j = next(r for r in data["results"] if r["check"] == "assess.judgement" and r["subject"] == "phy-door / PHY-AUTH")
    assert {k: j["measurements"][k] for k in ("D", "A", "K", "Ra", "Rk", "score", "basis")} == {
        "D": True, "A": False, "K": True, "Ra": "0.5", "Rk": "1", "score": "0.2500", "basis": "evaluator"}
    assert sum(1 for r in data["results"] if r["check"] == "assess.unit") == 41
    assert sum(1 for r in data["results"] if r["check"] == "assess.layer") == 8
    assert data["inputs"][0]["name"] == str(path)
    # every finding code is declared in the check table
    for r in data["results"]:
        for f in r["findings"]:
            assert f["code"] in CHECKS[r["check"]].finding_codes
    # --fail-on never → 0; the rule set can be switched; deterministic output is byte-identical
    assert run_cli(["assess", "score", str(path), "-f", "json", "--fail-on", "never"]).exit_code == 0
    again = run_cli(["assess", "score", str(path), "-f", "json", "--deterministic"])
    assert again.stdout == result.stdout
    r21 = run_cli(["assess", "score", str(path), "-f", "json", "--rule-set", "quant-2021"]).json()
    assert r21["summary"]["assessment"]["rule_set"] == "quant-2021"


def test_text_report_chinese_first_and_english(tmp_path: Path) -> None:
    path = write_case(tmp_path, case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT))
    zh = run_cli(["assess", "score", str(path)])
    lines = zh.stdout.splitlines()
    assert "综合得分: 59.96" in lines[1] and "评估结论: 不符合" in lines[1]
    assert lines[3].startswith("风险分析")
    assert "NET-ACL 网络边界访问控制信息的完整性 | 不符合 | 中 | TN3" in zh.stdout
    en = run_cli(["assess", "score", str(path), "--lang", "en"])
    assert "total: 59.96" in en.stdout and "non-compliant (不符合)" in en.stdout
    out = tmp_path / "report.txt"
    written = run_cli(["assess", "score", str(path), "-o", str(out), "--json-output", str(tmp_path / "e.json")])
    assert written.stdout == "" and out.read_text(encoding="utf-8") == zh.stdout
    validate_evidence(json.loads((tmp_path / "e.json").read_text(encoding="utf-8")))


def test_text_report_of_a_partly_judged_case(tmp_path: Path) -> None:
    """A total over part of the indicators is provisional; a layer with nothing judged is 未判定, not
    不适用; no total at all is explained in Chinese."""
    complete = run_cli(["assess", "score", str(write_case(tmp_path, case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT)))])
    assert "暂定" not in complete.stdout and "未判定" not in complete.stdout.split("测评单元得分")[0]
    text = "".join(line for line in case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT).splitlines(keepends=True) if "indicator: EMG-" not in line)
    partly = run_cli(["assess", "score", str(write_case(tmp_path / "partly", text))])
    line = partly.stdout.splitlines()[1]
    assert line.startswith("综合得分: ") and "（暂定：3项指标未判定）" in line
    assert "  应急处置: 未判定" in partly.stdout
    nothing = run_cli(["assess", "score", str(write_case(tmp_path / "nothing", case_text(3, OWN_OBJECTS, [], {}, fill_na=False)))])
    line = nothing.stdout.splitlines()[1]
    assert "综合得分: 无（技术层面无可计分的层面（全部不适用或未判定）：量化评估规则不给出总分（all_na_group: null）；管理层面无可计分的层面" in line
    assert "no applicable" not in nothing.stdout and "  管理制度: 未判定" in nothing.stdout
    english = run_cli(["assess", "score", str(write_case(tmp_path / "nothing-en", case_text(3, OWN_OBJECTS, [], {}, fill_na=False))), "--lang", "en"])
    assert "no applicable technical layer (all 不适用 or not judged)" in english.stdout and ": not judged" in english.stdout


def test_check_table_and_catalogue() -> None:
    from mptool.core.registry import load_all

    ids = {s.id for s in load_all() if s.domain == "assess"}
    assert ids == set(CHECKS)
    for spec in CHECKS.values():
        assert spec.description and spec.reference and spec.findings
    # no finding code is built at run time: every code literal in the package is declared
    import re

    root = Path(__file__).resolve().parents[2] / "src" / "mptool" / "assess"
    declared = {c for spec in CHECKS.values() for c in spec.finding_codes}
    for source in root.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert 'code=f"' not in text, source
        for code in re.findall(r'"(assess\.[a-z_]+\.[a-z_]+)"', text):
            assert code in declared, (source, code)


def test_demo_has_an_assess_case(tmp_path: Path) -> None:
    from mptool.assess.demo import demo_runs

    runs = demo_runs()
    assert [r.name for r in runs][-1] == "assess-score"


def test_demo_runs_the_assess_case(tmp_path: Path) -> None:
    # the demo: proto and cert evidence first, then assess init → add → score on it
    result = run_cli(["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    data = validate_evidence(json.loads((tmp_path / "assess-score.json").read_text(encoding="utf-8")))
    a = data["summary"]["assessment"]
    # network: NET-AUTH/INTEG/CONF 1 (TLCP, K given), NET-ACL 0, NET-ACCESS 不适用:
    # (1 + 0.7 + 1 + 0)/(1 + 0.7 + 1 + 0.4) = 2.7/3.1 = 0.87096… → 0.8710
    assert a["layers"]["network"] == "0.8710"
    assert a["complete"] is False and a["conclusion"] is None
    assert len(data["inputs"]) == 4  # assessment.yaml, proposals.yaml, two evidence files
    # the demo also writes the report of its case, Word and HTML
    import docx

    document = docx.Document(str(tmp_path / "assess-report.docx"))
    assert document.paragraphs[0].text == "商用密码应用安全性评估报告" and len(document.tables) > 40
    assert "待确认" in (tmp_path / "assess-report.html").read_text(encoding="utf-8")
    # the demo's portfolio: a workspace scored, its status, summary and a 复测 diff
    status = validate_evidence(json.loads((tmp_path / "assess-status.json").read_text(encoding="utf-8")))["summary"]["portfolio_status"]
    rows = {r["system"]: r for r in status["systems"]}
    assert (rows["portal"]["phase"], rows["portal"]["issued"], rows["portal"]["team"]) == ("分析与报告编制", True, "一组")
    assert (rows["oa"]["phase"], rows["oa"]["judged"], rows["oa"]["stale"]) == ("现场测评", 5, [])
    assert rows["portal"]["shared"][0]["certificate_expiry"] == "2027-11-27"  # the TLCP capture's server certificates
    summary = validate_evidence(json.loads((tmp_path / "assess-summary.json").read_text(encoding="utf-8")))["summary"]["portfolio"]
    # oa is still in 现场测评: its provisional total is left out of the mean and the distribution
    assert (summary["systems"], summary["conclusions"]["基本符合"], summary["mean_score"]) == (2, 1, rows["portal"]["score"])
    assert sum(summary["score_distribution"].values()) == 1
    diff = validate_evidence(json.loads((tmp_path / "assess-diff.json").read_text(encoding="utf-8")))["summary"]["diff"]
    assert [x["indicator"] for x in diff["problems"]["fixed"]] == ["NET-AUTH", "NET-INTEG", "NET-CONF", "POL-KEYRULE"]
    assert diff["new"]["total"] == rows["portal"]["score"] and diff["total_delta"].startswith("+")
