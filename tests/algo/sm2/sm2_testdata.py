"""Helpers for the SM2 tests: the GB/T 32918 examples bundled in vectors/algo/gm and an affine reference EC.

The reference arithmetic is deliberately the textbook affine double-and-add (GB/T 32918.1-2016
Annex A formulas), independent of the Jacobian/table/NAF code under test.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from conftest import DATA

GM_EXAMPLES = DATA.algo / "gm" / "gm_standard_examples.json"


@cache
def gm_examples() -> dict[str, Any]:
    """The parsed gm_standard_examples.json."""
    return json.loads(GM_EXAMPLES.read_text())


def h(value: str) -> int:
    """Hex text -> int."""
    return int(value, 16)


def ref_add(p1: tuple[int, int] | None, p2: tuple[int, int] | None, p: int, a: int) -> tuple[int, int] | None:
    """Affine point addition (None = infinity)."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    x1, y1 = p1
    x2, y2 = p2
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + a) * pow(2 * y1, p - 2, p) % p
    else:
        lam = (y2 - y1) * pow(x2 - x1, p - 2, p) % p
    x3 = (lam * lam - x1 - x2) % p
    return (x3, (lam * (x1 - x3) - y1) % p)


def ref_mul(k: int, point: tuple[int, int] | None, p: int, a: int) -> tuple[int, int] | None:
    """k*P by left-to-right affine double-and-add."""
    result = None
    for bit in bin(k)[2:] if k > 0 else "":
        result = ref_add(result, result, p, a)
        if bit == "1":
            result = ref_add(result, point, p, a)
    return result
