"""Declaring demo runs: each command group lists invocations on its bundled sample data.

Every domain package (:data:`mptool.core.registry.DOMAINS`) provides ``demo.py`` with
``demo_runs() -> list[DemoRun]``; ``mptool demo`` runs them all, in domain order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from mptool.core.registry import DOMAINS

#: command group -> the module providing its demo_runs()
DEMO_MODULES: dict[str, str] = {domain: f"mptool.{domain}.demo" for domain in DOMAINS}


@dataclass(frozen=True)
class DemoRun:
    """One demo invocation: ``mptool <argv…>`` whose evidence is written to ``<name>.json``."""

    name: str
    description: str
    argv: list[str] = field(default_factory=list)
    #: environment variables set for this run only
    environment: dict[str, str] = field(default_factory=dict)


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Set ``variables`` for one demo run, then restore what was there."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
