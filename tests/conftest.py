"""Shared test helpers: run the CLI in-process and validate every JSON it emits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from mptool.cli import cli
from mptool.core.schema import committed_schema

#: The read-only shared reference data (../shared from the project root).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

_VALIDATOR = jsonschema.Draft202012Validator(committed_schema())


def validate_evidence(data: dict[str, Any] | str) -> dict[str, Any]:
    """Validate evidence (data or JSON text) against the committed schema and return it as data."""
    if isinstance(data, str):
        data = json.loads(data)
    _VALIDATOR.validate(data)
    return data


@dataclass
class CliResult:
    """Outcome of one in-process CLI run."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> dict[str, Any]:
        """stdout parsed as evidence, validated against the schema."""
        return validate_evidence(self.stdout)


def run_cli(args: list[str], input: bytes | str | None = None, env: dict[str, str] | None = None) -> CliResult:
    """Run ``mptool ARGS`` in-process; any JSON evidence on stdout is validated by ``.json()``."""
    runner = CliRunner()
    result = runner.invoke(cli, args, input=input, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.stdout, result.stderr, result.exception)


@pytest.fixture
def shared() -> Path:
    """Path of ../shared (skips nothing: the data must be there)."""
    assert SHARED.is_dir(), f"missing shared reference data at {SHARED}"
    return SHARED
