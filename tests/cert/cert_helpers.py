"""Helpers for the cert tests: bundled certificates and CLI runs returning validated evidence."""

from __future__ import annotations

from typing import Any

from conftest import DATA, run_cli

CERTS = DATA.certs


def cert_path(name: str) -> str:
    """Path of a bundled certificate, e.g. ``cert_path("sm2/tlcp/tongsuo/root-ca.pem")``."""
    path = CERTS / name
    assert path.is_file(), path
    return str(path)


def cli_json(args: list[str], *, exit_code: int | None = None) -> dict[str, Any]:
    """Run ``mptool ARGS -f json`` and return the validated evidence (checking the exit code)."""
    result = run_cli([*args, "-f", "json"])
    if exit_code is not None:
        assert result.exit_code == exit_code, (result.exit_code, result.stderr, result.stdout[-2000:])
    return result.json()


def results_by_check(evidence: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Results keyed by check id (for single-subject runs)."""
    return {r["check"]: r for r in evidence["results"]}


def failing_checks(evidence: dict[str, Any]) -> set[str]:
    """Check ids whose status is fail."""
    return {r["check"] for r in evidence["results"] if r["status"] == "fail"}
