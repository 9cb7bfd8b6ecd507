"""The cert demo runs (mptool demo): a chain on a real SM2 chain, a TLCP pair, a lint."""

from __future__ import annotations

from conftest import run_cli

from mptool.cert.demo import demo_runs


def test_demo_runs_complete_with_valid_evidence() -> None:
    runs = {run.name: run for run in demo_runs()}
    assert set(runs) == {"cert-chain-sm2", "cert-pair-tlcp", "cert-lint-realworld"}
    for name, run in runs.items():
        result = run_cli([*run.argv, "-f", "json"])
        evidence = result.json()
        assert result.exit_code in (0, 1), (name, result.stderr)
        if name == "cert-chain-sm2":
            assert result.exit_code == 0
            build = evidence["results"][0]
            assert build["check"] == "cert.path.build" and build["status"] == "pass"
            assert [c["role"] for c in build["measurements"]["chosen_path"]] == ["leaf", "intermediate", "trust anchor"]
            assert evidence["parameters"]["sm2_id"]["default"] is True
        if name == "cert-pair-tlcp":
            assert result.exit_code == 0
        if name == "cert-lint-realworld":
            assert evidence["parameters"]["certificates"] == 10
