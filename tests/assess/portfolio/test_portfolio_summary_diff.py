"""assess summary (counts hand-computed from the golden cases), assess diff (复测), report 2.7, bad refs."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from portfolio_support import above_text, golden_workspace, own_with_ref, set_report, shared_vpn_text  # noqa: I001
from assess_support import write_case
from conftest import run_cli

FIXED_ACL = ("{object: net-fw, indicator: NET-ACL, D: false}", "{object: net-fw, indicator: NET-ACL, D: true, A: true, K: true}")
NEW_HIGH_RISK = "high_risks:\n  - {indicator: GEN-ALG, mitigated: false, reason: 口令以MD5存储}\n"


def _score(ws: Path) -> None:
    assert run_cli(["assess", "score", str(ws), "-q", "--no-progress", "-o", str(ws.parent / "score.txt")]).exit_code in (0, 1)


def _summary(ws: Path) -> dict:
    result = run_cli(["assess", "summary", str(ws), "-f", "json", "--today", "2026-07-01", "-q"])
    assert result.exit_code == 0, result.stderr
    return result.json()["summary"]["portfolio"]


def test_summary_counts(tmp_path: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    set_report(ws / "team-a" / "above", "GM-2025-017", "2025-08-01")  # level 3: due 2026-08-01, within 90 days of 2026-07-01
    set_report(ws / "team-a" / "own", "GM-2026-003", "2026-06-01")    # due 2027-06-01: not yet
    set_report(ws / "team-b" / "hundred", "GM-2025-001", "2025-01-01")  # level 1: no periodic re-assessment in the plan
    _score(ws)
    p = _summary(ws)
    # 59.96 不符合 (own), 61.61 基本符合 (above), 61.61 不符合 (veto: HR-NET-AUTH), 100.00 符合 (hundred)
    assert (p["systems"], p["scored"], p["stale"], p["not_scored"]) == (4, 4, [], [])
    assert p["conclusions"] == {"符合": 1, "基本符合": 1, "不符合": 2}
    assert p["mean_score"] == "70.80"  # (59.96 + 61.61 + 61.61 + 100.00)/4 = 283.18/4 = 70.795 → 70.80
    assert p["high_risks"] == 1
    # risk rows: own 10 (the 9 below + POL-KEYRULE 部分符合), above 9, veto the same 9 with NET-AUTH 高, hundred 0
    assert p["risk_rows"] == {"高": 1, "中": 27, "低": 0}
    assert p["score_distribution"] == {"0–60": 1, "60–70": 2, "70–80": 0, "80–90": 0, "90–100": 1}
    nine = ["APP-AUTH", "DEV-RMGT", "EMG-STRATEGY", "NET-ACL", "NET-AUTH", "NET-CONF", "NET-INTEG", "PER-ROLES", "PHY-AUTH"]
    assert [(x["indicator"], x["systems"]) for x in p["frequent_problems"]] == [(i, 3) for i in nine] + [("POL-KEYRULE", 1)]
    assert len(p["open_remediation"]) == 28
    assert [(d["system"], d["due"]) for d in p["due_reassessment"]] == [("team-a/above", "2026-08-01")]
    rows = {s["system"]: s for s in p["per_system"]}
    assert {k: (s["score"], s["conclusion"], s["high"], s["medium"], s["low"], s["team"]) for k, s in rows.items()} == {
        "team-a/above": ("61.61", "基本符合", 0, 9, 0, "一组"), "team-a/own": ("59.96", "不符合", 0, 10, 0, "一组"),
        "team-b/hundred": ("100.00", "符合", 0, 0, 0, ""), "team-b/veto": ("61.61", "不符合", 1, 8, 0, "二组")}
    assert rows["team-a/above"]["report_number"] == "GM-2025-017"
    # N/A units: the golden own case judges 15 of 41 indicators (the rest 不适用)
    assert rows["team-a/above"]["not_applicable"] == 41 - 15 == 26
    # a change after scoring: flagged stale, never silently current
    veto = ws / "team-b" / "veto" / "assessment.yaml"
    veto.write_text(veto.read_text(encoding="utf-8") + "# 复核中\n", encoding="utf-8")
    assert _summary(ws)["stale"] == ["team-b/veto"]


def test_summary_documents(tmp_path: Path) -> None:
    import docx

    ws = golden_workspace(tmp_path / "ws")
    _score(ws)
    target = tmp_path / "summary.docx"
    result = run_cli(["assess", "summary", str(ws), "-o", str(target), "--today", "2026-07-01"])
    assert result.exit_code == 0, result.stderr
    document = docx.Document(io.BytesIO(target.read_bytes()))
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert {"61.61", "基本符合", "100.00", "符合", "NET-ACL", "二组"} <= cells
    from mptool.assess.indicators import catalogue

    assert catalogue().recommendation("NET-ACL") in cells  # the frequent problems table says what usually fixes each
    assert len(document.inline_shapes) == 1  # the score distribution chart
    html = tmp_path / "summary.html"
    assert run_cli(["assess", "summary", str(ws), "-o", str(html), "--today", "2026-07-01"]).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert "商用密码应用安全性评估年度工作总结" in text and "data:image/png;base64," in text and "2026年度密评" in text
    assert run_cli(["assess", "summary", str(ws)]).exit_code == 2  # Word needs -o
    # the "wrote" line speaks the run's language (it mixed English and Chinese)
    zh = run_cli(["--lang", "zh", "assess", "summary", str(ws), "-o", str(html), "--today", "2026-07-01"])
    assert f"已写入 {html}（4 个系统：符合 1，基本符合 1，不符合 2；平均得分 70.80）" in zh.stderr
    en = run_cli(["--lang", "en", "assess", "summary", str(ws), "-o", str(html), "--today", "2026-07-01"])
    assert f"wrote {html} (4 systems: compliant 1, basically compliant 1, non-compliant 2; mean score 70.80)" in en.stderr


def test_diff_one_fix_and_one_new_high_risk(tmp_path: Path) -> None:
    old = write_case(tmp_path / "2025", above_text()).parent
    new = write_case(tmp_path / "2026", above_text(NEW_HIGH_RISK).replace(*FIXED_ACL)).parent
    result = run_cli(["assess", "diff", str(old), str(new), "-f", "json"])
    assert result.exit_code == 0
    d = result.json()["summary"]["diff"]
    # NET-ACL 0 → 1: network (2.025 + 0.4)/3.1 = 0.78225… → 0.7823; technical ×70 = 2.5 + 15.646 + 8 + 15.75 = 41.896
    # + management 22.2944 = 64.1904 → 64.19 (from 61.61: +2.58); HR-GEN-ALG unmitigated → 不符合
    assert (d["old"]["total"], d["new"]["total"], d["total_delta"]) == ("61.61", "64.19", "+2.58")
    assert (d["old"]["conclusion"], d["new"]["conclusion"], d["conclusion_changed"]) == ("基本符合", "不符合", True)
    [j] = d["judgements"]
    assert (j["object"], j["indicator"], j["change"], j["old"]["D"], j["new"]["D"], j["delta"]) == ("net-fw", "NET-ACL", "changed", False, True, "+1.0000")
    assert d["unchanged_judgements"] == 24
    assert [(u["indicator"], u["old"], u["new"]) for u in d["units"]] == [("NET-ACL", "0.0000", "1.0000")]
    p = d["problems"]
    assert [x["indicator"] for x in p["fixed"]] == ["NET-ACL"]
    assert [(x["indicator"], x["level"], x["high_risk"]) for x in p["new"]] == [("GEN-ALG", "高", True)]
    assert len(p["unchanged"]) == 8 and p["level_changes"] == []
    text = run_cli(["--lang", "en", "assess", "diff", str(old), str(new)]).stdout
    assert "total 61.61 → 64.19 (+2.58), conclusion 基本符合 → 不符合 (changed)" in text
    zh = run_cli(["assess", "diff", str(old), str(new)]).stdout
    assert "综合得分 61.61 → 64.19（+2.58），评估结论 基本符合 → 不符合（有变化）" in zh
    assert "问题已整改（1）：NET-ACL" in zh and "问题新增（1）：GEN-ALG [高]" in zh
    # the same comparison fills section 2.7 of the report
    set_report(old, "GM-2025-017", "2025-08-01")
    export = run_cli(["assess", "export", str(new), "--previous", str(old), "-q"])
    paragraphs = [b["text"] for s in json.loads(export.stdout)["sections"] for b in s["blocks"] if b["type"] == "paragraph"]
    [section] = [x for x in paragraphs if x.startswith("2.7 ")]
    assert section.startswith("2.7 前次测评情况：前次测评报告编号GM-2025-017（2025-08-01），综合得分61.61分，评估结论基本符合")
    assert "已整改1项（NET-ACL " in section and "仍存在8项" in section and "本次新发现问题1项（GEN-ALG " in section
    assert "本次综合得分64.19分（变化+2.58）" in section
    plain = run_cli(["assess", "export", str(new), "-q"])
    assert "2.7 前次测评情况：________" in plain.stdout


def test_diff_of_two_workspaces(tmp_path: Path) -> None:
    old = golden_workspace(tmp_path / "2025")
    new = tmp_path / "2026"
    shutil.copytree(old, new)
    path = new / "team-a" / "above" / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*FIXED_ACL), encoding="utf-8")
    write_case(new / "team-c" / "new", above_text())
    d = run_cli(["assess", "diff", str(old), str(new), "-f", "json"]).json()["summary"]["diff"]
    assert (d["added"], d["removed"], d["improved"], d["worsened"], d["broken"]) == (["team-c/new"], [], 1, 0, [])
    changed = {s["system"]: s["total_delta"] for s in d["systems"]}
    assert changed == {"team-a/above": "+2.58", "team-a/own": "0.00", "team-b/hundred": "0.00", "team-b/veto": "0.00"}
    assert run_cli(["assess", "diff", str(old), str(old / "team-a" / "above")]).exit_code == 2  # a workspace and a case


REF_CASES = {
    "missing shared case": ("{ref: shared/nosuch#net-tlcp}", "no shared case"),
    "missing object": ("{ref: shared/vpn#net-nosuch}", "has no object 'net-nosuch' (objects: net-tlcp, "),
    "path leaving the workspace": ("{ref: shared/../team-a#x}", "must stay inside the workspace"),
    "ref without an object id": ("{ref: shared/vpn}", "ref must look like shared/<case>#<object-id>"),
    "plain object without a layer": ("{id: net-x}", "an object needs id and layer (or ref: shared/<case>#<object-id>)"),
}


@pytest.mark.parametrize("name", sorted(REF_CASES))
def test_bad_ref_is_one_line_exit_3(tmp_path: Path, name: str) -> None:
    ws = golden_workspace(tmp_path / "ws")
    ref, words = REF_CASES[name]
    path = ws / "team-a" / "own" / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{ref: shared/vpn#net-tlcp}", ref), encoding="utf-8")
    result = run_cli(["assess", "score", str(path.parent), "-f", "json"])
    assert result.exit_code == 3, result.stderr
    [message] = result.stderr.splitlines()
    assert message.startswith(f"mptool: error: {path}:4: "), message  # the line of the ref: entry (objects: is line 3)
    assert words in message


def test_ref_cycle_exit_3_in_a_subprocess(tmp_path: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    # shared/vpn references shared/gw, which references shared/vpn
    text = shared_vpn_text().replace("objects:\n", "objects:\n  - {ref: shared/gw#net-gw}\n", 1)
    (ws / "shared" / "vpn" / "assessment.yaml").write_text(text, encoding="utf-8")
    write_case(ws / "shared" / "gw", "schema: mptool.assessment/1\nsystem: {name: 网关, level: 3}\nobjects:\n  - {id: net-gw, layer: network}\n  - {ref: shared/vpn#net-tlcp}\n")
    result = subprocess.run([sys.executable, "-m", "mptool", "assess", "score", str(ws / "team-a" / "own")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    [message] = result.stderr.splitlines()
    assert "reference cycle (own → vpn → gw → vpn)" in message and "Traceback" not in result.stderr
    # in the batch, the systems depending on the cycle are skipped (exit 4), the others scored
    batch = run_cli(["assess", "score", str(ws), "-f", "json", "--no-progress"])
    assert batch.exit_code == 4
    assert batch.json()["summary"]["portfolio_score"]["skipped"] == ["team-a/own"]
    assert own_with_ref()  # the referring case itself is unchanged
