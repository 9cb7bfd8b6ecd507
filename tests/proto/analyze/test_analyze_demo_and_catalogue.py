"""The proto demo runs complete and the analyze checks are in the catalogue with references."""

from __future__ import annotations

import json
from pathlib import Path

from support.proto_captures import channels
from conftest import run_cli

from mptool.core.registry import load_all
from mptool.proto.demo import demo_runs


def test_demo_runs_complete(tmp_path: Path) -> None:
    for run in demo_runs():
        out = tmp_path / f"{run.name}.json"
        result = run_cli([*run.argv, "-f", "json", "-o", str(out), "-q", "--no-progress"])
        assert result.exit_code in (0, 1), result.stderr
        from conftest import validate_evidence

        evidence = validate_evidence(json.loads(out.read_text()))
        assert evidence["results"]
    tlcp = validate_evidence(json.loads((tmp_path / "proto-analyze-tlcp.json").read_text()))
    assert [c["verdict"] for c in channels(tlcp)] == ["gm_compliant"] * 4


def test_catalogue_has_the_analyze_checks() -> None:
    specs = {s.id: s for s in load_all()}
    for check_id in ("proto.capture.summary", "proto.tls.channel", "proto.tls.ske_signature", "proto.tls.certificate_verify", "proto.tls.certificates_parsable", "proto.ike.exchange", "proto.esp.channel"):
        assert check_id in specs
        assert specs[check_id].reference and specs[check_id].description
