"""The evidence → indicator mapping table (``data/mapping-v1.yaml``) and algorithm strengths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mptool.assess.yamlio import package_data

MAPPING_FILE = "mapping-v1.yaml"
MAPPING_ID = "evidence-v1"


@dataclass(frozen=True)
class StrengthMatch:
    """An algorithm recognised in evidence text, with its security strength."""

    name: str
    bits: int
    high_risk: str | None


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    """The mapping table as data."""
    return package_data(MAPPING_FILE)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    return [(re.compile(row["pattern"], re.IGNORECASE), row) for row in mapping()["strength"]]


def rsa_strength(modulus_bits: int) -> int:
    """SP 800-57 Part 1 Rev. 5 table 2: security strength of an RSA modulus size."""
    for row in mapping()["rsa_bits"]:
        if modulus_bits >= int(row["min_modulus"]):
            return int(row["bits"])
    return 0


def strengths(text: str) -> list[StrengthMatch]:
    """Every algorithm of the strength table named in ``text``."""
    found: list[StrengthMatch] = []
    for pattern, row in _patterns():
        for match in pattern.finditer(text):
            if row.get("rsa"):
                modulus = int(match.group(1))
                hr = "HR-GEN-ALG" if modulus < int(mapping()["rsa_high_risk_below"]) else None
                found.append(StrengthMatch(f"RSA-{modulus}", rsa_strength(modulus), hr))
            else:
                found.append(StrengthMatch(match.group(0), int(row["bits"]), row.get("high_risk")))
    return found


def weak_protocol(text: str) -> str | None:
    """The high-risk entry id when ``text`` names a protocol version of the guide's 5.2 list."""
    for row in mapping()["weak_protocols"]:
        if re.search(row["pattern"], text, re.IGNORECASE):
            return str(row["high_risk"])
    return None
