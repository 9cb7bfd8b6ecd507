"""Shared data for the algo tests: the GM standard examples and bundled vector paths."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from mptool.algo.vectors.loader import vectors_dir

VECTORS: Path = vectors_dir()


@lru_cache(maxsize=1)
def gm() -> dict[str, Any]:
    """The GM standard examples (GB/T 32905/32907/32918, GM/T 0042, RFC 8998, GB/T 17964)."""
    return json.loads((VECTORS / "gm" / "gm_standard_examples.json").read_text(encoding="utf-8"))


def gm_entry(section: str, ident: str) -> dict[str, Any]:
    """One entry of a GM section by id."""
    return next(e for e in gm()[section] if e["id"] == ident)
