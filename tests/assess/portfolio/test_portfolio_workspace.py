"""Shared objects: reuse through ref:, provenance and validity, staleness until re-scored; batch scoring."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D
from pathlib import Path

from portfolio_support import golden_workspace, own_with_ref, shared_vpn_text  # noqa: I001
from assess_support import write_case
from assess_fixtures import tlcp_evidence  # noqa: F401  (fixture)
from conftest import run_cli

from mptool.assess.api import score_case
from mptool.assess.commands import add_evidence


def _status(ws: Path, *extra: str) -> dict:
    result = run_cli(["assess", "status", str(ws), "-f", "json", "--today", "2026-07-01", *extra])
    return {"exit": result.exit_code, **result.json()["summary"]["portfolio_status"]}


def _row(status: dict, system: str) -> dict:
    return next(r for r in status["systems"] if r["system"] == system)


def test_shared_object_is_reused_with_the_golden_score(tmp_path: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    # the own case with net-tlcp inherited scores exactly as the golden case written out: 59.96, 不符合
    scored = score_case(ws / "team-a" / "own")
    assert (scored.result.total, scored.conclusion) == (D("59.96"), "不符合")
    inherited = [r for r in scored.case.resolved if r.object == "net-tlcp" and not r.na]
    assert sorted(r.indicator for r in inherited) == ["NET-AUTH", "NET-CONF", "NET-INTEG"]
    assert {r.source for r in inherited} == {"shared/vpn#net-tlcp"}
    obj = next(o for o in scored.case.data.objects if o.id == "net-tlcp")
    assert (obj.layer, obj.name) == ("network", "SSL VPN网关")
    # the system's own judgement replaces the inherited one: NET-AUTH of net-tlcp D no →
    # unit NET-AUTH = (0 + 0.5)/2 = 0.25 instead of 0.75
    text = own_with_ref().replace("judgements:\n", "judgements:\n  - {object: net-tlcp, indicator: NET-AUTH, D: false}\n", 1)
    write_case(ws / "team-a" / "override", text)
    assert score_case(ws / "team-a" / "override").result.units["NET-AUTH"].score == D("0.2500")


def test_shared_evidence_provenance_and_validity(tmp_path: Path, tlcp_evidence: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    data = json.loads(tlcp_evidence.read_text(encoding="utf-8"))
    data["started_at"] = "2026-03-01T08:00:00Z"  # captured on 1 March (the fixture pins 1970)
    dated = tmp_path / "tlcp-2026-03-01.json"
    dated.write_text(json.dumps(data), encoding="utf-8")
    add_evidence(str(ws / "shared" / "vpn"), [str(dated)], "net-tlcp", None, None, [])
    scored = score_case(ws / "team-a" / "own")  # the shared evidence file is verified through the ref
    entry = next(e for e in scored.case.data.evidence if e.objects == ["net-tlcp"])
    assert entry.file.startswith("../../shared/vpn/evidence/")
    assert run_cli(["assess", "score", str(ws), "--no-progress", "-q", "-o", str(tmp_path / "s.txt")]).exit_code == 1  # 不符合 systems
    shared = _row(_status(ws), "team-a/own")["shared"][0]
    # the capture's server certificates expire 2027-11-27 (vectors/pcaps SOURCES): 2026-03-01 + 365 days comes first
    assert (shared["captured"], shared["certificate_expiry"]) == ("2026-03-01", "2027-11-27")
    assert (shared["valid_until"], shared["valid_basis"]) == ("2027-03-01", "captured 2026-03-01 + 365 days")
    assert shared["from"] == "shared/vpn#net-tlcp"
    # past the validity: flagged expired (and the system is due for re-assessment in the summary)
    late = run_cli(["assess", "status", str(ws), "-f", "json", "--today", "2027-03-02"]).json()["summary"]["portfolio_status"]
    assert _row(late, "team-a/own")["expired"] == ["shared/vpn#net-tlcp"]
    # a longer re-test interval on the ref: the certificate expiry governs
    path = ws / "team-a" / "own" / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{ref: shared/vpn#net-tlcp}", "{ref: shared/vpn#net-tlcp, retest_days: 1000}"), encoding="utf-8")
    shared = _row(_status(ws), "team-a/own")["shared"][0]
    assert (shared["valid_until"], shared["valid_basis"]) == ("2027-11-27", "earliest certificate expiry")


def test_changed_shared_object_makes_dependents_stale_until_rescored(tmp_path: Path, tlcp_evidence: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    assert _status(ws)["totals"]["not_scored"] == 4
    run_cli(["assess", "score", str(ws), "-q", "--no-progress", "-o", str(tmp_path / "s.txt")])
    before = _status(ws)
    assert [r["stale"] for r in before["systems"]] == [[]] * 4
    # a new certificate/suite in the shared object: new evidence changes its fingerprint
    add_evidence(str(ws / "shared" / "vpn"), [str(tlcp_evidence)], "net-tlcp", None, None, [])
    after = _status(ws)
    assert _row(after, "team-a/own")["stale"] == ["shared/vpn#net-tlcp changed since scored"]
    assert [r["system"] for r in after["systems"] if r["stale"]] == ["team-a/own"]  # only the dependent
    assert after["totals"]["stale"] == 1
    # a new judgement in the shared object does the same
    run_cli(["assess", "score", str(ws), "-q", "--no-progress", "-o", str(tmp_path / "s.txt")])
    assert _row(_status(ws), "team-a/own")["stale"] == []
    text = shared_vpn_text().replace("indicator: NET-CONF, D: true, A: true, K: true", "indicator: NET-CONF, D: true, A: false, K: true")
    (ws / "shared" / "vpn" / "assessment.yaml").write_text(text.replace("evidence: []", ""), encoding="utf-8")
    assert _row(_status(ws), "team-a/own")["stale"] == ["shared/vpn#net-tlcp changed since scored"]
    # the system's own file changing is stale too
    (ws / "team-a" / "above" / "assessment.yaml").write_text((ws / "team-a" / "above" / "assessment.yaml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _row(_status(ws), "team-a/above")["stale"] == ["case changed since scored"]
    # re-scored: current again, and the new score uses the changed shared judgement
    # (NET-CONF (0.5 + 0.5)/2 = 0.5: network (0.75 + 0.525 + 0.5 + 0)/3.1 = 1.775/3.1 = 0.57258… → 0.5726)
    run_cli(["assess", "score", str(ws), "-q", "--no-progress", "-o", str(tmp_path / "s.txt")])
    final = _status(ws)
    assert [r["stale"] for r in final["systems"]] == [[]] * 4
    assert score_case(ws / "team-a" / "own").result.layers["network"] == D("0.5726")


def test_batch_skips_a_corrupt_case_and_scores_the_rest(tmp_path: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    broken = ws / "team-b" / "veto" / "assessment.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "judgements: [\n", encoding="utf-8")
    result = run_cli(["assess", "score", str(ws), "-f", "json", "--no-progress"])
    assert result.exit_code == 4
    evidence = result.json()
    by_system = {r["subject"]: r for r in evidence["results"]}
    assert by_system["team-b/veto"]["status"] == "error"
    assert by_system["team-b/veto"]["findings"][0]["code"] == "assess.portfolio.broken"
    assert str(broken) in by_system["team-b/veto"]["findings"][0]["message"]
    assert {k: by_system[k]["measurements"]["total"] for k in ("team-a/own", "team-a/above", "team-b/hundred")} == {
        "team-a/own": "59.96", "team-a/above": "61.61", "team-b/hundred": "100.00"}
    assert evidence["summary"]["portfolio_score"]["skipped"] == ["team-b/veto"]
    assert sorted(p.relative_to(ws / "scores").as_posix() for p in (ws / "scores").rglob("*.json")) == [
        "team-a/above.json", "team-a/own.json", "team-b/hundred.json"]
    assert "skipped team-b/veto" in result.stderr
    # status shows it broken and exits 4 too
    status = run_cli(["assess", "status", str(ws), "--today", "2026-01-01"])
    assert status.exit_code == 4
    assert "无法读取" in status.stdout and "team-b/veto" in status.stdout
    # the summary is still written, marked incomplete: exit 4
    summary = run_cli(["assess", "summary", str(ws), "-f", "json", "--today", "2026-01-01"])
    assert summary.exit_code == 4 and "cannot read team-b/veto" in summary.stderr
    assert summary.json()["summary"]["portfolio"]["conclusions"] == {"符合": 1, "基本符合": 1, "不符合": 1}


def test_batch_in_worker_processes_writes_the_same_records(tmp_path: Path) -> None:
    ws = golden_workspace(tmp_path / "ws")
    broken = ws / "team-b" / "veto" / "assessment.yaml"
    broken.write_text("schema: mptool.assessment/1\nsystem: {name: x, level: 9}\n", encoding="utf-8")
    one = run_cli(["assess", "score", str(ws), "-f", "json", "--jobs", "1", "--deterministic", "--no-progress"])
    records = {p.name: p.read_text(encoding="utf-8") for p in (ws / "scores").rglob("*.json")}
    shutil.rmtree(ws / "scores")
    two = run_cli(["assess", "score", str(ws), "-f", "json", "--jobs", "2", "--deterministic", "--no-progress"])
    assert (one.exit_code, two.exit_code) == (4, 4)
    assert {p.name: p.read_text(encoding="utf-8") for p in (ws / "scores").rglob("*.json")} == records
    assert len(records) == 3
    assert one.json()["results"] == two.json()["results"]
