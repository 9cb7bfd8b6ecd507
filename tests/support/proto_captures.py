"""Helpers for the proto analyze tests: run the CLI on captures, pick results by check id."""

from __future__ import annotations

from typing import Any

from conftest import DATA, run_cli

PCAPS = DATA.pcaps


def analyze(*args: str) -> tuple[int, dict[str, Any]]:
    """Run ``mptool proto analyze ARGS -f json``; returns the exit code and validated evidence."""
    result = run_cli(["proto", "analyze", *args, "-f", "json", "--no-progress"])
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.stderr}"
    return result.exit_code, result.json()


def results(evidence: dict[str, Any], check: str) -> list[dict[str, Any]]:
    """The results of one check id, in report order."""
    return [r for r in evidence["results"] if r["check"] == check]


def channels(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Measurements of every TLS/TLCP channel."""
    return [r["measurements"] for r in results(evidence, "proto.tls.channel")]

