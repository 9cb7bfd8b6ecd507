"""Hypothesis properties of the engine: range, 不适用 invariance, monotonicity in each factor."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mptool.assess.indicators import catalogue
from mptool.assess.rules import rule_set
from mptool.assess.rules.engine import ObjectInput, object_score, score

CAT = catalogue()
LEVEL3 = CAT.at_level(3)
TECH = [i.id for i in LEVEL3 if i.kind == "technical"]
MGMT = [i.id for i in LEVEL3 if i.kind == "management"]
RA = st.sampled_from([Decimal("1"), Decimal("0.5"), Decimal("0.2")])
RK = st.sampled_from([Decimal("1"), Decimal("1.2"), Decimal("1.5")])

factors = st.builds(dict, D=st.booleans(), A=st.booleans(), K=st.booleans(), Ra=RA, Rk=RK)
objects = st.lists(st.tuples(st.sampled_from(TECH), st.integers(0, 3), factors, st.booleans()), max_size=40)
management = st.dictionaries(st.sampled_from(MGMT), st.sampled_from(["符合", "部分符合", "不符合", "不适用"]))


def build(items: list[tuple[str, int, dict, bool]]) -> list[ObjectInput]:
    seen: dict[tuple[str, str], ObjectInput] = {}
    for ind, n, f, na in items:
        seen[(f"o{n}", ind)] = ObjectInput(f"o{n}", ind, na=na, **f)
    return list(seen.values())


@settings(max_examples=200, deadline=None)
@given(objects, management, st.sampled_from(["quant-2023", "quant-2021"]), st.sampled_from(["null", "zero"]))
def test_total_in_range(items: list, mgmt: dict, rules_id: str, na_group: str) -> None:
    result = score(rule_set(rules_id), 3, build(items), mgmt, all_na_group=na_group)
    if result.total is not None:
        assert Decimal(0) <= result.total <= Decimal(100)
    for value in list(result.layers.values()) + [u.score for u in result.units.values()]:
        assert value is None or Decimal(0) <= value <= Decimal(1)


@settings(max_examples=200, deadline=None)
@given(objects, management, st.sampled_from(TECH), st.integers(10, 12))
def test_na_invariance(items: list, mgmt: dict, indicator: str, n: int) -> None:
    # adding a 不适用 object (to any indicator) changes nothing at all
    rules = rule_set("quant-2023")
    base = score(rules, 3, build(items), mgmt)
    more = score(rules, 3, build(items) + [ObjectInput(f"o{n}", indicator, na=True)], mgmt)
    assert (base.total, base.layers) == (more.total, more.layers)


@settings(max_examples=300, deadline=None)
@given(factors, st.sampled_from(["D", "A", "K"]))
def test_object_monotonic_in_each_factor(f: dict, name: str) -> None:
    # turning one factor from no to yes never lowers the object score (2023 and 2021)
    for rules_id in ("quant-2023", "quant-2021"):
        rules = rule_set(rules_id)
        low = object_score(rules, ObjectInput("o", "NET-AUTH", **{**f, name: False}))
        high = object_score(rules, ObjectInput("o", "NET-AUTH", **{**f, name: True}))
        assert low <= high


@settings(max_examples=150, deadline=None)
@given(objects, management, st.data())
def test_total_monotonic_in_each_factor(items: list, mgmt: dict, data: st.DataObject) -> None:
    # improving one factor of one object (or Ra/Rk upwards) never lowers the total
    built = [i for i in build(items) if not i.na]
    if not built:
        return
    index = data.draw(st.integers(0, len(built) - 1))
    name = data.draw(st.sampled_from(["D", "A", "K", "Ra", "Rk"]))
    target = built[index]
    if name in ("D", "A", "K"):
        worse = ObjectInput(target.object, target.indicator, D=target.D, A=target.A, K=target.K, Ra=target.Ra, Rk=target.Rk, **{})
        worse = ObjectInput(**{**worse.__dict__, name: False})
        better = ObjectInput(**{**worse.__dict__, name: True})
    else:
        choices = sorted({"Ra": [Decimal("0.2"), Decimal("0.5"), Decimal("1")], "Rk": [Decimal("1"), Decimal("1.2"), Decimal("1.5")]}[name])
        lo, hi = sorted(data.draw(st.lists(st.sampled_from(choices), min_size=2, max_size=2)))
        worse = ObjectInput(**{**target.__dict__, name: lo})
        better = ObjectInput(**{**target.__dict__, name: hi})
    rules = rule_set("quant-2023")
    rest = built[:index] + built[index + 1:]
    low = score(rules, 3, rest + [worse], mgmt).total
    high = score(rules, 3, rest + [better], mgmt).total
    if low is not None and high is not None:
        assert low <= high
