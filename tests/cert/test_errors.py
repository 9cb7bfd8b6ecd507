"""A check that raises is recorded as an errored result (exit 4), never as a pass."""

from __future__ import annotations

import pytest
from cert_helpers import cert_path
from conftest import run_cli

import mptool.cert.path.build as path_module
from mptool.cert import lint


def test_lint_rule_error_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = lint.RULES[0]

    def boom(ctx: lint.LintContext) -> None:
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(lint, "RULES", [lint.Rule(broken.spec, broken.rule_id, broken.source, broken.profiles, boom), *lint.RULES[1:]])
    result = run_cli(["cert", "lint", cert_path("sm2/tlcp/tjfoc/ca.pem"), "-f", "json"])
    evidence = result.json()
    assert result.exit_code == 4
    first = evidence["results"][0]
    assert first["status"] == "error" and "rule exploded" in first["findings"][0]["message"]


def test_chain_validation_error_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("validation exploded")

    monkeypatch.setattr(path_module, "validate", boom)
    result = run_cli(["cert", "chain", cert_path("sm2/tlcp/tjfoc/sign.pem"), "--trust", cert_path("sm2/tlcp/tjfoc/ca.pem"), "-f", "json"])
    evidence = result.json()
    assert result.exit_code == 4
    assert [r["status"] for r in evidence["results"]] == ["error"]
