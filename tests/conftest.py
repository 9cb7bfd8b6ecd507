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
from mptool.core.bundled import vectors_root

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


@dataclass(frozen=True)
class BundledData:
    """The reference data bundled in ``vectors/`` (through :mod:`mptool.core.bundled`; provenance in its SOURCES.md).

    Tests never read outside the repository: everything they need is committed under ``vectors/``.
    """

    root: Path

    def path(self, *parts: str) -> Path:
        """A bundled file or folder, which must exist."""
        path = self.root.joinpath(*parts)
        assert path.exists(), f"missing bundled test data {path}"
        return path

    @property
    def pcaps(self) -> Path:
        """``vectors/pcaps``: real captures, ground truth in its SOURCES.md."""
        return self.path("pcaps")

    @property
    def certs(self) -> Path:
        """``vectors/certs``: real and crafted certificates, expected verdicts in MANIFEST.json."""
        return self.path("certs")

    @property
    def algo(self) -> Path:
        """``vectors/algo``: GM standard examples, NIST CAVP, Wycheproof and other known answers."""
        return self.path("algo")

    @property
    def rng(self) -> Path:
        """``vectors/rng``: GM/T 0005 worked examples and NIST's data.e."""
        return self.path("rng")


#: The bundled data, for module-level use (parametrisation); tests take the ``data`` fixture.
DATA = BundledData(vectors_root())


@pytest.fixture
def data() -> BundledData:
    """The bundled reference data (``vectors/``)."""
    return DATA
