"""Rule sets of 商用密码应用安全性评估量化评估规则 as data (``data/rules/<id>.yaml``).

Each value in the YAML carries its source and confidence; :class:`RuleSet` holds the values
the engine needs, already as :class:`~decimal.Decimal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from mptool.assess.yamlio import package_data

RULE_SETS: tuple[str, ...] = ("quant-2023", "quant-2021")


@dataclass(frozen=True)
class RuleSet:
    """The numbers of one rule set."""

    id: str
    title_zh: str
    uses_ra_rk: bool
    a_no: Decimal  #: multiplier of Ra when A is no (0.5)
    k_no: Decimal
    a_no_k_no: Decimal
    ra_bands: tuple[tuple[int, Decimal], ...]  #: (min bits, Ra), highest first
    compensation: bool
    compensation_factor: Decimal
    groups: dict[str, tuple[Decimal, dict[str, Decimal]]]  #: group -> (share, layer weights)
    management_scores: dict[str, Decimal]
    decimals: dict[str, int]
    threshold: Decimal
    full: Decimal
    raw: dict[str, Any]

    def ra_for_bits(self, bits: int) -> Decimal:
        """Table 2: Ra for a security strength in bits (the weakest algorithm governs)."""
        for minimum, value in self.ra_bands:
            if bits >= minimum:
                return value
        return self.ra_bands[-1][1]

    def source(self, *path: str) -> dict[str, Any]:
        """The {value, source, confidence} record at ``path`` in the rule data."""
        node: Any = self.raw
        for key in path:
            node = node[key]
        return node


def _multiplier(text: str) -> Decimal:
    head = text.split("*")[0]
    return Decimal(head)


@lru_cache(maxsize=None)
def rule_set(rule_id: str) -> RuleSet:
    """Load rule set ``rule_id`` from package data."""
    if rule_id not in RULE_SETS:
        raise KeyError(rule_id)
    raw = package_data(f"rules/{rule_id}.yaml")
    obj = raw["object_score"]
    uses = "Ra" in obj["a_no"]["value"]
    groups = {
        name: (Decimal(g["share"]), {layer: Decimal(w) for layer, w in g["layers"].items()})
        for name, g in raw["aggregation"]["groups"].items()
    }
    bands = tuple(sorted(((int(b["min_bits"]), Decimal(b["value"])) for b in raw["ra"]["bands"]), reverse=True))
    return RuleSet(
        id=raw["id"],
        title_zh=raw["title_zh"],
        uses_ra_rk=uses,
        a_no=_multiplier(obj["a_no"]["value"]),
        k_no=_multiplier(obj["k_no"]["value"]),
        a_no_k_no=_multiplier(obj["a_no_k_no"]["value"]),
        ra_bands=bands,
        compensation=bool(raw["compensation"]["enabled"]["value"]),
        compensation_factor=Decimal(raw["compensation"]["factor"]["value"]),
        groups=groups,
        management_scores={k: Decimal(v) for k, v in raw["aggregation"]["unit_management"]["value"].items()},
        decimals={k: int(raw["rounding"][k]["value"]) for k in ("object", "unit", "layer", "total")},
        threshold=Decimal(raw["conclusion"]["threshold"]["value"]),
        full=Decimal(raw["conclusion"]["full"]["value"]),
        raw=raw,
    )
