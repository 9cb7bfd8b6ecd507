"""Workspaces for the portfolio tests, built from the hand-computed golden cases of tests/assess.

``golden_workspace`` lays out (every number hand-computed in tests/assess/test_assess_golden.py):

- ``shared/vpn``: one network object ``net-tlcp`` with NET-AUTH/INTEG/CONF all 1 (the TLCP
  channel of the worked example), no other judgement;
- ``team-a/own``: the golden "own level-3 case" (59.96, 不符合) with ``net-tlcp`` taken from
  ``shared/vpn`` by reference instead of written out;
- ``team-a/above``: the same case with POL-KEYRULE 符合 (61.61, 基本符合), written out in full;
- ``team-b/veto``: "above" plus the confirmed unmitigated HR-NET-AUTH (61.61, 不符合, 1 high risk);
- ``team-b/hundred``: the level-1 "exactly 100" case (100.00, 符合).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/assess: assess_support, the golden cases

from assess_support import case_text, write_case  # noqa: E402
from test_assess_golden import OWN_JUDGEMENTS, OWN_MANAGEMENT, OWN_OBJECTS  # noqa: E402

SHARED_JUDGEMENTS = [f"{{object: net-tlcp, indicator: {i}, D: true, A: true, K: true}}" for i in ("NET-AUTH", "NET-INTEG", "NET-CONF")]
ABOVE_MANAGEMENT = {**OWN_MANAGEMENT, "POL-KEYRULE": "符合"}
VETO = "high_risks:\n  - {indicator: NET-AUTH, object: net-tls, mitigated: false, reason: 未使用合规算法}\n"
PLAN = """schema: mptool.plan/1
name: 2026年度密评
milestones:
  - {date: 2026-06-30, percent: 60, label: 6月底}
  - {date: 2026-09-30, percent: 90}
systems:
  team-a/own: {team: 一组}
  team-a/above: {team: 一组}
  team-b/veto: {team: 二组}
"""


def shared_vpn_text() -> str:
    """The shared VPN gateway case: only its three channel judgements (no fill)."""
    return case_text(3, {"net-tlcp": "network"}, SHARED_JUDGEMENTS, {}, fill_na=False).replace(
        "objects:\n  - {id: net-tlcp, layer: network}", "objects:\n  - {id: net-tlcp, layer: network, name: SSL VPN网关}")


def own_with_ref() -> str:
    """The golden own case, net-tlcp inherited from shared/vpn (its 3 judgements removed here)."""
    objects = {k: v for k, v in OWN_OBJECTS.items() if k != "net-tlcp"}
    judgements = [j for j in OWN_JUDGEMENTS if "object: net-tlcp, indicator: NET-ACCESS" in j or "net-tlcp" not in j]
    text = case_text(3, objects, judgements, OWN_MANAGEMENT)
    return text.replace("objects:\n", "objects:\n  - {ref: shared/vpn#net-tlcp}\n", 1)


def above_text(extra: str = "") -> str:
    """The golden case above the threshold (61.61, 基本符合)."""
    return case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, ABOVE_MANAGEMENT, extra=extra)


def hundred_text() -> str:
    """The golden exactly-100 case (level 1)."""
    return case_text(1, {"net-tlcp": "network"}, ["{object: net-tlcp, indicator: NET-AUTH, D: true, A: true, K: true}"], {"POL-SYSTEM": "符合"})


def golden_workspace(root: Path, *, plan: bool = True) -> Path:
    """Write the workspace described in the module docstring and return its root."""
    write_case(root / "shared" / "vpn", shared_vpn_text())
    write_case(root / "team-a" / "own", own_with_ref())
    write_case(root / "team-a" / "above", above_text())
    write_case(root / "team-b" / "veto", above_text(VETO))
    write_case(root / "team-b" / "hundred", hundred_text())
    if plan:
        (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return root


def set_report(case_dir: Path, number: str, date: str) -> None:
    """Append report number and date to a case file."""
    path = case_dir / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"report: {{number: {number}, date: '{date}'}}\n", encoding="utf-8")
