"""The Annex A table as resolved per length, the rule for other lengths, and --param overrides."""

from __future__ import annotations

import pytest

from mptool.core.errors import InputError
from mptool.rng.params import TESTS, parse_overrides, resolve


def _labels(bits: int) -> list[str]:
    return [item.label for item in resolve(bits).items]


def test_item_counts_per_standard_length() -> None:
    assert len(_labels(20_000)) == 22
    assert len(_labels(1_000_000)) == 27  # the 27 items of the issue
    assert len(_labels(100_000_000)) == 30


def test_one_million_bit_items() -> None:
    labels = _labels(1_000_000)
    for expected in [
        "poker m=4", "poker m=8", "serial m=3 P1", "serial m=3 P2", "serial m=5 P1", "serial m=5 P2",
        "longest_run m=10000 probabilities=gmt ones", "longest_run m=10000 probabilities=gmt zeros",
        "binary_derivative k=3", "binary_derivative k=7", "autocorrelation d=1", "autocorrelation d=16",
        "cumulative_sums forward", "cumulative_sums backward", "approximate_entropy m=2", "approximate_entropy m=5",
        "linear_complexity m=500", "linear_complexity m=1000", "universal L=7 Q=1280", "rank probabilities=rounded",
    ]:  # fmt: skip
        assert expected in labels
    assert [label.split()[0] for label in labels] == sorted((label.split()[0] for label in labels), key=TESTS.index)


def test_other_lengths_use_the_largest_standard_length_below() -> None:
    assert resolve(500_000).length_class == 20_000
    assert resolve(500_000).tests["longest_run"] == ({"m": 128, "probabilities": "gmt"},)
    assert resolve(5_000).tests["longest_run"][0]["m"] == 8
    assert resolve(99_999_999).length_class == 1_000_000
    assert resolve(300_000_000).length_class == 100_000_000
    assert "rank" not in resolve(999_999).tests


def test_overrides_replace_the_list_and_combine_names() -> None:
    plan = resolve(1_000_000, parse_overrides(["linear_complexity.m=500", "universal.L=6,7", "universal.Q=640"]))
    assert plan.tests["linear_complexity"] == ({"m": 500},)
    assert plan.tests["universal"] == ({"L": 6, "Q": 640}, {"L": 7, "Q": 640})
    assert plan.overrides == {"linear_complexity": {"m": [500]}, "universal": {"L": [6, 7], "Q": [640]}}
    added = resolve(20_000, parse_overrides(["rank.probabilities=exact"]))
    assert added.tests["rank"] == ({"probabilities": "exact"},)


@pytest.mark.parametrize("value", ["poker.m=0", "longest_run.m=64", "dft.divisor=-4", "poker=4", "serial.m="])
def test_bad_overrides(value: str) -> None:
    with pytest.raises(InputError) as error:
        parse_overrides([value])
    assert error.value.source == "--param"
