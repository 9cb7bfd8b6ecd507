"""The scoring engine of 商用密码应用安全性评估量化评估规则 (2023; 2021 selectable), in Decimal.

Object S(i,j,k) from D/A/K (table 1) with Ra (table 2) and Rk (table 3); compensation
B' = max(0.5·P_A, P_B) on raw scores, no cascade; unit = mean of applicable objects
(management: 符合 1 / 部分符合 0.5 / 不符合 0); layer = Σ w·S / Σ w over applicable units
(table-4 weights of the level); total = Σ share · (Σ W·S / Σ W over the group's applicable
layers). Objects, units and layers are rounded to 4 decimals and the total to 2, half-up;
不适用 leaves numerator and denominator at every level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from mptool.assess.indicators import Catalogue, catalogue
from mptool.assess.rules.ruleset import RuleSet

ONE = Decimal(1)
ZERO = Decimal(0)


def rounded(value: Decimal, decimals: int) -> Decimal:
    """Half-up rounding to ``decimals`` places."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ObjectInput:
    """One technical (object, indicator) for the engine."""

    object: str
    indicator: str
    na: bool = False
    D: bool | None = None
    A: bool | None = None
    K: bool | None = None
    Ra: Decimal = ONE
    Rk: Decimal = ONE


@dataclass(frozen=True)
class ObjectScore:
    """Score of one (object, indicator): raw, after compensation, and what compensated it."""

    raw: Decimal | None
    final: Decimal | None
    compensated_by: tuple[str, str] | None = None
    compensation_ignored: str = ""


@dataclass(frozen=True)
class UnitScore:
    """Score and result (符合/部分符合/不符合/不适用, None = not judged) of one indicator."""

    indicator: str
    layer: str
    weight: Decimal
    score: Decimal | None
    result: str | None
    objects: int = 0


@dataclass
class Score:
    """Everything the engine computed."""

    rule_set: str
    level: int
    objects: dict[tuple[str, str], ObjectScore] = field(default_factory=dict)
    units: dict[str, UnitScore] = field(default_factory=dict)
    layers: dict[str, Decimal | None] = field(default_factory=dict)
    groups: dict[str, Decimal | None] = field(default_factory=dict)
    total: Decimal | None = None
    total_reason: str = ""
    lost_points: list[dict[str, str]] = field(default_factory=list)
    not_judged: list[str] = field(default_factory=list)


def object_score(rules: RuleSet, item: ObjectInput) -> Decimal | None:
    """Table 1 of the rules: S from D/A/K, Ra and Rk (None when 不适用)."""
    if item.na:
        return None
    if not item.D:
        return ZERO
    ra = item.Ra if rules.uses_ra_rk else ONE
    rk = item.Rk if rules.uses_ra_rk else ONE
    if item.A and item.K:
        value = ONE
    elif not item.A and item.K:
        value = rules.a_no * ra
    elif item.A and not item.K:
        value = rules.k_no * rk
    else:
        value = rules.a_no_k_no * ra * rk
    return rounded(min(value, ONE), rules.decimals["object"])


def unit_result(scores: Iterable[Decimal]) -> str:
    """符合 when every object scores 1, 不符合 when every one scores 0, else 部分符合."""
    values = list(scores)
    if all(v == ONE for v in values):
        return "符合"
    if all(v == ZERO for v in values):
        return "不符合"
    return "部分符合"


def aggregate(
    rules: RuleSet, level: int, units: Mapping[str, Decimal | None], cat: Catalogue, all_na_group: str = "null"
) -> tuple[dict[str, Decimal | None], dict[str, Decimal | None], Decimal | None, str]:
    """Layers, groups and the total from unit scores (None = excluded: 不适用 or not judged)."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for indicator_id, value in units.items():
        if value is None:
            continue
        ind = cat.indicators[indicator_id]
        w = ind.weight[level]
        num, den = sums.get(ind.layer, (ZERO, ZERO))
        sums[ind.layer] = (num + w * value, den + w)
    layers: dict[str, Decimal | None] = {}
    for layer, (num, den) in sums.items():
        layers[layer] = rounded(num / den, rules.decimals["layer"]) if den > 0 else None
    for _group, (_share, weights) in rules.groups.items():
        for layer in weights:
            layers.setdefault(layer, None)
    groups, total, reason = combine_layers(rules, layers, all_na_group)
    return layers, groups, total, reason


def combine_layers(
    rules: RuleSet, layers: Mapping[str, Decimal | None], all_na_group: str = "null"
) -> tuple[dict[str, Decimal | None], Decimal | None, str]:
    """Groups and the total from layer scores: Σ share · Σ W·S / Σ W over applicable layers.

    A group whose layers are all None (不适用 or not judged) makes the total None
    (``all_na_group: null``) or contributes 0 (``zero``).
    """
    groups: dict[str, Decimal | None] = {}
    total = ZERO
    reasons: list[str] = []
    null_total = False
    for group, (share, weights) in rules.groups.items():
        num = den = ZERO
        for layer, weight in weights.items():
            value = layers.get(layer)
            if value is not None:
                num += weight * value
                den += weight
        if den == 0:
            groups[group] = None
            if all_na_group == "zero":
                reasons.append(f"no applicable {group} layer: the group counts 0 (all_na_group: zero)")
            else:
                null_total = True
                reasons.append(f"no applicable {group} layer (all 不适用 or not judged): the rules define no total (all_na_group: null)")
            continue
        groups[group] = num / den
        total += share * num / den
    if null_total:
        return groups, None, "; ".join(reasons)
    return groups, rounded(total, rules.decimals["total"]), "; ".join(reasons)


def score(
    rules: RuleSet,
    level: int,
    technical: Iterable[ObjectInput],
    management: Mapping[str, str],
    compensations: Iterable[tuple[str, str, str, str]] = (),
    *,
    all_na_group: str = "null",
    cat: Catalogue | None = None,
) -> Score:
    """Score an assessment: objects, units, layers, groups, total and the points to gain.

    ``management`` maps a management indicator to 符合/部分符合/不符合/不适用; ``compensations``
    are (object, indicator, by_object, by_indicator).
    """
    cat = cat or catalogue()
    out = Score(rule_set=rules.id, level=level)
    items = list(technical)
    raw: dict[tuple[str, str], Decimal | None] = {(i.object, i.indicator): object_score(rules, i) for i in items}
    final = dict(raw)
    comp_by: dict[tuple[str, str], tuple[str, str]] = {}
    ignored: dict[tuple[str, str], str] = {}
    for obj, ind, by_obj, by_ind in compensations:
        key, source = (obj, ind), (by_obj, by_ind)
        if not rules.compensation:
            ignored[key] = f"{rules.id} has no compensation formula"
            continue
        p_a, p_b = raw.get(source), raw.get(key)
        if p_a is None or p_b is None:
            ignored[key] = "the compensating or the compensated judgement is 不适用"
            continue
        candidate = rounded(rules.compensation_factor * p_a, rules.decimals["object"])
        if candidate > p_b:
            final[key] = candidate
            comp_by[key] = source
    for key in raw:
        out.objects[key] = ObjectScore(raw[key], final[key], comp_by.get(key), ignored.get(key, ""))
    per_unit: dict[str, list[Decimal | None]] = {}
    for key, value in final.items():
        per_unit.setdefault(key[1], []).append(value)
    unit_values: dict[str, Decimal | None] = {}
    for ind in cat.at_level(level):
        weight = ind.weight[level]
        if ind.kind == "management":
            result = management.get(ind.id)
            if result is None:
                out.units[ind.id] = UnitScore(ind.id, ind.layer, weight, None, None)
                out.not_judged.append(ind.id)
                unit_values[ind.id] = None
                continue
            value = None if result == "不适用" else rounded(rules.management_scores[result], rules.decimals["unit"])
            out.units[ind.id] = UnitScore(ind.id, ind.layer, weight, value, result, 1)
            unit_values[ind.id] = value
            continue
        values = per_unit.get(ind.id)
        if values is None:
            out.units[ind.id] = UnitScore(ind.id, ind.layer, weight, None, None)
            out.not_judged.append(ind.id)
            unit_values[ind.id] = None
            continue
        applicable = [v for v in values if v is not None]
        if not applicable:
            out.units[ind.id] = UnitScore(ind.id, ind.layer, weight, None, "不适用", len(values))
            unit_values[ind.id] = None
            continue
        value = rounded(sum(applicable, ZERO) / len(applicable), rules.decimals["unit"])
        out.units[ind.id] = UnitScore(ind.id, ind.layer, weight, value, unit_result(applicable), len(values))
        unit_values[ind.id] = value
    out.layers, out.groups, out.total, out.total_reason = aggregate(rules, level, unit_values, cat, all_na_group)
    out.lost_points = lost_points(rules, level, unit_values, cat, all_na_group)
    return out


def lost_points(
    rules: RuleSet, level: int, units: Mapping[str, Decimal | None], cat: Catalogue, all_na_group: str = "null"
) -> list[dict[str, str]]:
    """Indicators ranked by the points the total gains if that unit scored 1 (what-if, same rules)."""
    _, _, base, _ = aggregate(rules, level, units, cat, all_na_group)
    if base is None:
        return []
    gains: list[tuple[Decimal, str]] = []
    for indicator_id, value in units.items():
        if value is None or value >= ONE:
            continue
        trial = dict(units)
        trial[indicator_id] = ONE
        _, _, better, _ = aggregate(rules, level, trial, cat, all_na_group)
        if better is not None and better > base:
            gains.append((better - base, indicator_id))
    order = list(units)
    gains.sort(key=lambda g: (-g[0], order.index(g[1])))
    return [
        {"indicator": ind, "points": str(gain), "unit": str(units[ind]), "layer": cat.indicators[ind].layer}
        for gain, ind in gains
    ]


def conclusion(rules: RuleSet, total: Decimal | None, unmitigated_high_risks: int) -> str | None:
    """符合 at 100; 基本符合 at or above the threshold without unmitigated high risk; else 不符合.

    A confirmed unmitigated high risk forces 不符合 whatever the score (high-risk guide); no
    total (a whole group 不适用) gives no conclusion.
    """
    if total is None:
        return None
    if unmitigated_high_risks > 0:
        return "不符合"
    if total >= rules.full:
        return "符合"
    if total >= rules.threshold:
        return "基本符合"
    return "不符合"
