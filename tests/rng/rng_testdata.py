"""Helpers for the rng tests: the reference data bundled in vectors/rng and small bit utilities."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np

from conftest import DATA

#: vectors/rng (provenance in its SOURCES.md)
RNG = DATA.rng
DATA_E = RNG / "data.e"


def bits_of(text: str) -> np.ndarray:
    """A '0'/'1' string as a uint8 bit array."""
    return np.frombuffer(text.encode(), dtype=np.uint8) - ord("0")


@cache
def examples() -> dict[str, Any]:
    """vectors/rng/examples_gmt0005.json (believed GM/T 0005-2021 Annex C)."""
    return json.loads((RNG / "examples_gmt0005.json").read_text(encoding="utf-8"))


@cache
def data_e() -> np.ndarray:
    """The first 10^6 bits of NIST STS data/data.e (read-only)."""
    raw = np.frombuffer(DATA_E.read_bytes(), dtype=np.uint8)
    bits = raw[(raw == ord("0")) | (raw == ord("1"))] - ord("0")
    bits = bits[:1_000_000].copy()
    bits.flags.writeable = False
    return bits
