"""assess status: phases derived and overridden, progress and milestone arithmetic (hand-computed), exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from portfolio_support import above_text, set_report  # noqa: I001
from assess_support import case_text, write_case
from conftest import run_cli

PLAN = """schema: mptool.plan/1
name: 里程碑
milestones:
  - {date: 2026-06-30, percent: 60}
  - {date: 2026-09-30, percent: 90}
  - {date: 2026-10-31, percent: 100}
"""


def phased_workspace(root: Path, plan: str = PLAN) -> Path:
    """Five systems, one per phase (and one issued report)."""
    write_case(root / "issued", above_text())                      # 41/41 judged, report issued → 1.00
    set_report(root / "issued", "GM-2026-001", "2026-05-20")
    write_case(root / "analysis", above_text())                    # 41/41 judged, no report → 0.75
    partial = ["{object: net-a, indicator: NET-AUTH, D: true, A: true, K: true}",
               "{object: net-a, indicator: NET-INTEG, D: true, A: true, K: true}",
               "{object: net-a, indicator: NET-CONF, result: 不适用, reason: 测试}"]
    write_case(root / "fieldwork", case_text(3, {"net-a": "network"}, partial, {"POL-SYSTEM": "符合"}, fill_na=False))  # 4/41
    write_case(root / "planning", "schema: mptool.assessment/1\nsystem: {name: 方案, level: 3}\nobjects:\n  - {id: net-a, layer: network}\n")
    write_case(root / "preparing", "schema: mptool.assessment/1\nsystem: {name: 准备, level: 3}\n")
    (root / "plan.yaml").write_text(plan, encoding="utf-8")
    return root


def _status(ws: Path, today: str) -> tuple[int, dict]:
    result = run_cli(["assess", "status", str(ws), "-f", "json", "--today", today])
    return result.exit_code, result.json()["summary"]["portfolio_status"]


def test_phases_progress_and_milestones(tmp_path: Path) -> None:
    ws = phased_workspace(tmp_path / "ws")
    code, status = _status(ws, "2026-07-01")
    rows = {r["system"]: r for r in status["systems"]}
    assert {k: (r["phase"], r["judged"], r["total"], r["progress"]) for k, r in rows.items()} == {
        "issued": ("分析与报告编制", 41, 41, "1.0000"),
        "analysis": ("分析与报告编制", 41, 41, "0.7500"),
        "fieldwork": ("现场测评", 4, 41, "0.2988"),  # 0.25 + 0.50·4/41 = 0.25 + 0.048780… → 0.2988
        "planning": ("方案编制", 0, 41, "0.2500"),
        "preparing": ("测评准备", 0, 41, "0.1000"),
    }
    assert rows["issued"]["issued"] and not rows["analysis"]["issued"]
    # work done = (1 + 0.75 + 0.2988 + 0.25 + 0.10)/5 = 2.3988/5 = 0.47976 → 47.98 %
    assert status["totals"]["done_percent"] == "47.98"
    assert status["totals"]["phases"] == {"测评准备": 1, "方案编制": 1, "现场测评": 1, "分析与报告编制": 2}
    # 2026-07-01: the June milestone (60 %) has passed below its percentage → missed, exit 1
    assert [(m["date"], m["state"], m["short_by"]) for m in status["milestones"]] == [
        ("2026-06-30", "missed", "12.02"), ("2026-09-30", "upcoming", "42.02"), ("2026-10-31", "upcoming", "52.02")]
    assert code == 1
    # on the milestone's own day it has not passed yet
    code, status = _status(ws, "2026-06-30")
    assert (code, status["milestones"][0]["state"]) == (0, "upcoming")


def test_phase_override_from_the_plan(tmp_path: Path) -> None:
    plan = PLAN.replace("milestones:\n  - {date: 2026-06-30, percent: 60}", "milestones:\n  - {date: 2026-06-30, percent: 50}") + \
        "systems:\n  preparing: {team: 三组, phase: 方案编制}\n"
    ws = phased_workspace(tmp_path / "ws", plan)
    code, status = _status(ws, "2026-07-01")
    row = next(r for r in status["systems"] if r["system"] == "preparing")
    assert (row["phase"], row["phase_source"], row["team"], row["progress"]) == ("方案编制", "plan", "三组", "0.2500")
    # (1 + 0.75 + 0.2988 + 0.25 + 0.25)/5 = 2.5488/5 = 0.50976 → 50.98 % ≥ 50: the June milestone is met
    assert status["totals"]["done_percent"] == "50.98"
    assert status["milestones"][0]["state"] == "met"
    assert code == 0


def test_status_text_has_the_table_and_the_bar(tmp_path: Path) -> None:
    """Chinese by default (as every assess text report), English with the root --lang en."""
    ws = phased_workspace(tmp_path / "ws")
    result = run_cli(["assess", "status", str(ws), "--today", "2026-07-01"])
    assert result.exit_code == 1
    assert "完成进度 [██████████████░░░░░░░░░░░░░░░░] 47.98 %" in result.stdout  # 30 · 47.98 % = 14 cells
    assert "里程碑 2026-06-30 60 %：✗ 未达成（差 12.02）" in result.stdout
    assert "现场测评" in result.stdout and "4/41" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "系统" in line)
    assert not re.search(r"[A-Za-z]", header)  # no English column names in the Chinese table
    english = run_cli(["--lang", "en", "assess", "status", str(ws), "--today", "2026-07-01"])
    assert "work done [██████████████░░░░░░░░░░░░░░░░] 47.98 %" in english.stdout
    assert "milestone 2026-06-30 60 %: ✗ MISSED (short by 12.02)" in english.stdout
    assert "完成进度" not in english.stdout


@pytest.mark.parametrize("plan, line, words", [
    ("schema: mptool.plan/1\nmilestones:\n  - {date: '2026-02-30', percent: 60}\n", 3, "not a date"),
    ("schema: mptool.plan/1\nmilestones:\n  - {date: 2026-13-01, percent: 60}\n", 1, "month must be in 1..12"),  # the YAML reader's own date check
    ("schema: mptool.plan/1\nmilestones:\n  - {date: 2026-06-30, percent: 160}\n", 3, "less than or equal to 100"),
    ("schema: mptool.plan/1\ncolour: blue\n", 2, "unknown key 'colour'"),
    ("schema: mptool.plan/2\n", 1, "schema"),
    ("schema: mptool.plan/1\nmilestones: [\n", 3, "YAML"),
])
def test_bad_plan_is_one_line_exit_3(tmp_path: Path, plan: str, line: int, words: str) -> None:
    ws = phased_workspace(tmp_path / "ws", plan)
    result = run_cli(["assess", "status", str(ws), "-f", "json"])
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    [message] = result.stderr.splitlines()
    assert message.startswith(f"mptool: error: {ws / 'plan.yaml'}:{line}: "), message
    assert words in message


def test_plan_naming_an_unknown_system(tmp_path: Path) -> None:
    ws = phased_workspace(tmp_path / "ws", PLAN + "systems:\n  nosuch: {team: 一组}\n")
    result = run_cli(["assess", "status", str(ws)])
    assert result.exit_code == 3
    [message] = result.stderr.splitlines()
    assert message.startswith(f"mptool: error: {ws / 'plan.yaml'}:8: ") and "'nosuch' is not a case of the workspace" in message
