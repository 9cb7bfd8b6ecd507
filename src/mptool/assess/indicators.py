"""The indicator catalogue, the high-risk entries and the threat codes (package data, versioned).

Provenance of every value is in the headers of ``data/indicators.yaml``, ``data/high_risk.yaml`` and
``data/recommendations.yaml`` (mptool's default 改进建议)
(GB/T 39786-2021 §6-9 per level; 量化评估规则 2023 table 4; 高风险判定指引 2021-12). The clause of each
indicator per level is shared with every domain's citations: ``mptool.core.gbt39786`` (``core/data/gbt39786.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from mptool.assess.yamlio import package_data
from mptool.core import gbt39786

TECHNICAL_LAYERS: tuple[str, ...] = ("physical", "network", "device", "application")
MANAGEMENT_LAYERS: tuple[str, ...] = ("policy", "personnel", "build_ops", "emergency")
LAYERS: tuple[str, ...] = TECHNICAL_LAYERS + MANAGEMENT_LAYERS


@dataclass(frozen=True)
class Indicator:
    """One GB/T 39786-2021 indicator (a scored unit)."""

    id: str
    kind: str  #: technical | management
    layer: str
    name_zh: str
    label_zh: str
    name_en: str
    gbt43206_unit: str
    clause: dict[int, str]
    strength: dict[int, str]  #: level -> 应/宜/可 (absent: not evaluated at that level)
    strength_verified: dict[int, bool]
    weight: dict[int, Decimal]  #: level -> table-4 weight
    high_risk: tuple[str, ...]
    threats: tuple[str, ...]
    default_risk: str  #: 高/中/低 used when no confirmed high risk and no evaluator level

    def applies_at(self, level: int) -> bool:
        """Whether the indicator is evaluated at ``level`` (it has a weight there)."""
        return level in self.weight


@dataclass(frozen=True)
class HighRiskEntry:
    """One entry of the high-risk guide."""

    id: str
    guide_code: str | None
    indicators: tuple[str, ...]
    levels: tuple[int, ...]
    mitigation_effect: str  #: none | may_lower
    verified: bool
    source: str | None
    problems: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Catalogue:
    """Everything the assessment needs to know about indicators, layers, threats and high risks."""

    indicators: dict[str, Indicator]
    layers: dict[str, dict[str, Any]]
    general: dict[str, dict[str, Any]]
    high_risks: dict[str, HighRiskEntry]
    threats: dict[str, dict[str, Any]]
    #: indicator or general requirement id -> {"zh": …, "en": …}: mptool's default 改进建议
    recommendations: dict[str, dict[str, str]] = field(default_factory=dict)

    def recommendation(self, indicator: str, lang: str = "zh") -> str:
        """mptool's default 改进建议 for ``indicator`` as a report shows it: "建议…" in Chinese, the
        English text for ``lang`` en."""
        advice = self.recommendations[indicator]
        return advice["en"] if lang == "en" else "建议" + advice["zh"]

    def at_level(self, level: int) -> list[Indicator]:
        """The indicators evaluated at ``level``, in catalogue (report table) order."""
        return [i for i in self.indicators.values() if i.applies_at(level)]

    def high_risks_for(self, indicator: str, level: int) -> list[HighRiskEntry]:
        """The high-risk entries bearing on ``indicator`` at ``level``."""
        return [e for e in self.high_risks.values() if indicator in e.indicators and level in e.levels]


def _indicator(raw: dict[str, Any]) -> Indicator:
    return Indicator(
        id=raw["id"],
        kind=raw["kind"],
        layer=raw["layer"],
        name_zh=raw["name_zh"],
        label_zh=raw["label_zh"],
        name_en=raw["name_en"],
        gbt43206_unit=str(raw["gbt43206_unit"]),
        clause=dict(gbt39786.indicators()[raw["id"]].clause),
        strength={int(k): str(v) for k, v in raw["strength"].items()},
        strength_verified={int(k): bool(v) for k, v in raw["strength_verified"].items()},
        weight={int(k): Decimal(str(v)) for k, v in raw["weight_2023"].items()},
        high_risk=tuple(raw.get("high_risk") or ()),
        threats=tuple(raw.get("threats") or ()),
        default_risk=raw["default_risk"]["effective"],
    )


def _high_risk(raw: dict[str, Any]) -> HighRiskEntry:
    indicators = raw["indicator"]
    return HighRiskEntry(
        id=raw["id"],
        guide_code=raw.get("guide_code"),
        indicators=tuple(indicators if isinstance(indicators, list) else [indicators]),
        levels=tuple(int(level) for level in raw["levels"]),
        mitigation_effect=raw["mitigation_effect"],
        verified=bool(raw["verified"]),
        source=raw.get("source"),
        problems=tuple(str(p) for p in raw.get("problems") or ()),
    )


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue from package data (loaded once)."""
    data = package_data("indicators.yaml")
    hr = package_data("high_risk.yaml")
    advice = package_data("recommendations.yaml")
    return Catalogue(
        indicators={raw["id"]: _indicator(raw) for raw in data["indicators"]},
        layers={raw["key"]: raw for raw in data["layers"]},
        general={raw["id"]: raw for raw in data["general_requirements"]},
        high_risks={raw["id"]: _high_risk(raw) for raw in hr["entries"]},
        threats={raw["code"]: raw for raw in data["threats"]},
        recommendations={key: {"zh": str(value["zh"]), "en": str(value["en"])} for key, value in advice["recommendations"].items()},
    )
