"""The one parameter table of the GM/T 0005-2021 suite, and how a run's items are resolved.

GM/T 0005-2021 Annex A gives the test settings for sequences of 2×10^4, 10^6 and 10^8 bits.
The standard's text was not at hand; the table below is reconstructed from three public
implementations (see docs/rng.md). Where they disagree
the majority is taken (two of three) and the alternative stays selectable with ``--param``.

Each parameter value is one *test item*; some tests give several P-values per parameter value
(the *variants*: serial P1/P2, longest run of ones/zeros, cumulative sums forward/backward).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mptool.core.errors import InputError

#: The 15 tests in the order of GM/T 0005-2021 clause 5 (5.1 … 5.15).
TESTS: tuple[str, ...] = (
    "monobit",
    "block_frequency",
    "poker",
    "serial",
    "runs",
    "runs_distribution",
    "longest_run",
    "binary_derivative",
    "autocorrelation",
    "rank",
    "cumulative_sums",
    "approximate_entropy",
    "linear_complexity",
    "universal",
    "dft",
)

#: Tests that give more than one P-value per parameter value, and the names of those values.
VARIANTS: dict[str, tuple[str, ...]] = {
    "serial": ("P1", "P2"),
    "longest_run": ("ones", "zeros"),
    "cumulative_sums": ("forward", "backward"),
}

#: Parameters a test accepts (``--param TEST.NAME=VALUE``) and how a value is parsed.
PARAM_TYPES: dict[str, dict[str, type]] = {
    "monobit": {},
    "block_frequency": {"m": int},
    "poker": {"m": int},
    "serial": {"m": int},
    "runs": {},
    "runs_distribution": {},
    "longest_run": {"m": int, "probabilities": str},
    "binary_derivative": {"k": int},
    "autocorrelation": {"d": int},
    "rank": {"probabilities": str},
    "cumulative_sums": {},
    "approximate_entropy": {"m": int},
    "linear_complexity": {"m": int},
    "universal": {"L": int, "Q": int},
    "dft": {"divisor": float},
}

#: Allowed values of the string parameters.
CHOICES: dict[tuple[str, str], tuple[object, ...]] = {
    ("longest_run", "m"): (8, 128, 10_000),
    ("rank", "probabilities"): ("rounded", "exact"),
    ("longest_run", "probabilities"): ("gmt", "nist"),
}

#: The domain of each numeric parameter, (lowest, highest) inclusive, None: no bound. Annex A
#: uses values well inside these; the bounds keep every item's memory and time bounded (issue
#: 21: ``serial.m=40`` allocated 2^40 counters, ``binary_derivative.k=10**6`` ran for hours):
#: pattern tables of 2^m entries stay at most 2^24, per-bit work at most 64 passes (NIST SP
#: 800-22: serial m < ⌊log2 n⌋ − 2, approximate entropy m < ⌊log2 n⌋ − 5, linear complexity
#: 500 ≤ M ≤ 5000, universal 6 ≤ L ≤ 16). Limits that depend on n are the tests' own (not
#: applicable when the sequence is too short).
DOMAINS: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("block_frequency", "m"): (2, None),
    ("poker", "m"): (1, 16),
    ("serial", "m"): (2, 24),
    ("binary_derivative", "k"): (1, 64),
    ("autocorrelation", "d"): (1, None),
    ("approximate_entropy", "m"): (1, 20),
    ("linear_complexity", "m"): (2, 5000),
    ("universal", "L"): (1, 16),
    ("universal", "Q"): (1, None),
}
#: At most this many values per ``--param`` list, and parameter sets per test.
MAX_VALUES = 16

#: The shortest sequence judged (the GM/T 0062-2018 single-use poker test's 128 bits); shorter
#: ones give no meaningful item and, cut from a large file, millions of sequences (issue 21:
#: ``--bits 1`` used 1.9 GiB and wrote 212 MB of evidence).
MIN_BITS = 128
#: The most sequences judged in one run (GM/T 0005-2021 §6 uses 1000): bounds the memory
#: (sequences × items × 3 values) and the evidence (two values per sequence and item).
MAX_SEQUENCES = 10_000

#: The longest sequence a whole input is taken as without ``--bits`` (the 10^8 bits of GM/T 0005-2021
#: Annex A): a larger file is more likely a collection meant to be cut into a set (issue 15).
MAX_WHOLE_BITS = 100_000_000

#: The standard lengths of GM/T 0005-2021 Annex A.
STANDARD_LENGTHS: tuple[int, ...] = (20_000, 1_000_000, 100_000_000)

_COMMON: dict[str, tuple[dict[str, Any], ...]] = {
    "monobit": ({},),
    "poker": ({"m": 4}, {"m": 8}),
    "runs": ({},),
    "runs_distribution": ({},),
    "cumulative_sums": ({},),
    "dft": ({"divisor": 3.8},),
}

#: Annex A (reconstructed): length class -> test -> parameter sets, one item per set.
#: A test missing from a class is not run at that length (rank, linear complexity and
#: universal at 2×10^4). ``longest_run.m`` 0 means "chosen from n" (8, 128 or 10 000).
#: (The longest-run class tables are defined only for m = 8, 128 and 10 000.)
SETTINGS: dict[int, dict[str, tuple[dict[str, Any], ...]]] = {
    20_000: {
        **_COMMON,
        "block_frequency": ({"m": 1000},),
        "serial": ({"m": 3}, {"m": 5}),
        "longest_run": ({"m": 0, "probabilities": "gmt"},),
        "binary_derivative": ({"k": 3}, {"k": 7}),
        "autocorrelation": ({"d": 2}, {"d": 8}, {"d": 16}),
        "approximate_entropy": ({"m": 2}, {"m": 5}),
    },
    1_000_000: {
        **_COMMON,
        "block_frequency": ({"m": 10_000},),
        "serial": ({"m": 3}, {"m": 5}),
        "longest_run": ({"m": 0, "probabilities": "gmt"},),
        "binary_derivative": ({"k": 3}, {"k": 7}),
        "autocorrelation": ({"d": 1}, {"d": 2}, {"d": 8}, {"d": 16}),
        "rank": ({"probabilities": "rounded"},),
        "approximate_entropy": ({"m": 2}, {"m": 5}),
        # OGM and GJT: 500 and 1000; TRI: 500 only (--param linear_complexity.m=500).
        "linear_complexity": ({"m": 500}, {"m": 1000}),
        "universal": ({"L": 7, "Q": 1280},),
    },
    100_000_000: {
        **_COMMON,
        # TRI, GJT: 100 000; OGM: 1 000 000.
        "block_frequency": ({"m": 100_000},),
        "serial": ({"m": 3}, {"m": 5}, {"m": 7}),
        "longest_run": ({"m": 0, "probabilities": "gmt"},),
        "binary_derivative": ({"k": 3}, {"k": 7}, {"k": 15}),
        # OGM, GJT: with d=32; TRI without.
        "autocorrelation": ({"d": 1}, {"d": 2}, {"d": 8}, {"d": 16}, {"d": 32}),
        "rank": ({"probabilities": "rounded"},),
        # OGM, TRI: 2 and 5; GJT: 5 and 7.
        "approximate_entropy": ({"m": 2}, {"m": 5}),
        # OGM, GJT: 5000; TRI: 500.
        "linear_complexity": ({"m": 5000},),
        "universal": ({"L": 7, "Q": 1280},),
    },
}


@dataclass(frozen=True)
class Item:
    """One test item: a test, one parameter set and (for some tests) a variant."""

    test: str
    params: Mapping[str, Any]
    variant: str | None = None

    @property
    def label(self) -> str:
        """A short human label, e.g. ``serial m=3 P1``."""
        parts = [self.test] + [f"{k}={v}" for k, v in self.params.items()]
        if self.variant:
            parts.append(self.variant)
        return " ".join(parts)

    def evidence_params(self) -> dict[str, Any]:
        """The parameters as recorded in ``measurements.params`` (variant included)."""
        data = dict(self.params)
        if self.variant:
            data["variant"] = self.variant
        return data


@dataclass(frozen=True)
class Plan:
    """The resolved items of a run: the length class, the per-test parameter lists, overrides."""

    bits: int
    length_class: int
    tests: dict[str, tuple[dict[str, Any], ...]]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        """Every item in clause order, then parameter order, then variant order."""
        out: list[Item] = []
        for test in TESTS:
            for params in self.tests.get(test, ()):
                for variant in VARIANTS.get(test, (None,)):  # type: ignore[arg-type]
                    out.append(Item(test, params, variant))
        return out


def longest_run_block(n: int) -> int:
    """The longest-run block size chosen from n (NIST SP 800-22 rev1a §2.4.2): 8, 128 or 10 000."""
    if n < 6272:
        return 8
    if n < 750_000:
        return 128
    return 10_000


def length_class(bits: int) -> int:
    """The Annex A setting used for ``bits``: the largest standard length not above it.

    Shorter sequences use the 2×10^4 setting (items that cannot be computed are reported
    as not applicable).
    """
    chosen = STANDARD_LENGTHS[0]
    for standard in STANDARD_LENGTHS:
        if bits >= standard:
            chosen = standard
    return chosen


def parse_overrides(values: Sequence[str]) -> dict[str, dict[str, list[Any]]]:
    """Parse ``TEST.NAME=V1[,V2…]`` options into ``{test: {name: [values]}}``."""
    parsed: dict[str, dict[str, list[Any]]] = {}
    for raw in values:
        name, sep, value = raw.partition("=")
        test, dot, param = name.strip().partition(".")
        if not sep or not dot or not value.strip():
            raise InputError("--param", f"expected TEST.NAME=VALUE, got {raw!r}")
        if test not in PARAM_TYPES:
            raise InputError("--param", f"unknown test {test!r} (one of {', '.join(TESTS)})")
        kinds = PARAM_TYPES[test]
        if param not in kinds:
            known = ", ".join(kinds) or "none"
            raise InputError("--param", f"test {test!r} has no parameter {param!r} (parameters: {known})")
        values_list = value.split(",")
        if len(values_list) > MAX_VALUES:
            raise InputError("--param", f"{test}.{param}: {len(values_list)} values, at most {MAX_VALUES}")
        parsed.setdefault(test, {})[param] = [_parse_value(test, param, kinds[param], v.strip()) for v in values_list]
    for test, params in parsed.items():
        sets = math.prod(len(values) for values in params.values())
        if sets > MAX_VALUES:
            raise InputError("--param", f"{test}: {sets} parameter sets (the product of the lists), at most {MAX_VALUES}")
    return parsed


def _parse_value(test: str, param: str, kind: type, text: str) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise InputError("--param", f"{test}.{param}: {text!r} is not a valid {kind.__name__}") from None
    if kind is float and not math.isfinite(value):
        raise InputError("--param", f"{test}.{param}: must be a finite number, got {text}")
    choices = CHOICES.get((test, param))
    if choices is not None and value not in choices:
        raise InputError("--param", f"{test}.{param}: {text!r} is not one of {', '.join(map(str, choices))}")
    if kind in (int, float) and value <= 0:
        raise InputError("--param", f"{test}.{param}: must be positive, got {text}")
    low, high = DOMAINS.get((test, param), (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        domain = f"{low if low is not None else '…'} … {high if high is not None else '…'}"
        raise InputError("--param", f"{test}.{param}: {text} is outside the test's domain {domain}")
    return value


def resolve(bits: int, overrides: Mapping[str, Mapping[str, list[Any]]] | None = None, tests: Sequence[str] | None = None) -> Plan:
    """The plan for sequences of ``bits`` bits, with ``--param`` overrides applied.

    An override replaces the test's parameter list: several names of one test combine as a
    cartesian product in the order given (``universal.L=6,7`` with ``universal.Q=640``), and
    names not given keep the Annex A value of the first default set. A test not in the
    length class is added when it is overridden. ``tests`` restricts the run to those tests.
    """
    klass = length_class(bits)
    chosen = {test: tuple(dict(p) for p in sets) for test, sets in SETTINGS[klass].items()}
    applied: dict[str, dict[str, Any]] = {}
    for test, params in (overrides or {}).items():
        defaults = dict(chosen.get(test, SETTINGS[1_000_000].get(test, ({},)))[0])
        combos: list[dict[str, Any]] = [defaults]
        for name, values in params.items():
            combos = [{**combo, name: value} for combo in combos for value in values]
        chosen[test] = tuple(combos)
        applied[test] = {name: list(values) for name, values in params.items()}
    if tests is not None:
        chosen = {test: sets for test, sets in chosen.items() if test in tests}
    if "longest_run" in chosen:
        chosen["longest_run"] = tuple({**p, "m": p["m"] or longest_run_block(bits)} for p in chosen["longest_run"])
    ordered = {test: chosen[test] for test in TESTS if test in chosen}
    return Plan(bits=bits, length_class=klass, tests=ordered, overrides=applied)


@dataclass(frozen=True)
class Profile:
    """A GM/T 0062-2018 product-test preset: sequence length, set size and tests.

    Encoded as the public implementation Trisia/randomness reads GM/T 0062-2018 for products
    of class E; not checked against the standard's text (see docs/rng.md).
    """

    name: str
    description: str
    bits: int | None
    count: int | None
    tests: tuple[str, ...] | None = None


PROFILES: dict[str, Profile] = {
    "factory": Profile("factory", "factory (出厂) test: 50 sequences of 10^6 bits, all 15 tests", 1_000_000, 50),
    "power-on": Profile("power-on", "power-on (上电) test: 20 sequences of 10^6 bits, all 15 tests", 1_000_000, 20),
    "single": Profile("single", "single-use (单次) test: poker test on the bits actually used (n ≥ 128)", None, None, ("poker",)),
}

#: Where the presets come from, recorded in the evidence with the profile.
PROFILE_SOURCE = "GM/T 0062-2018 as encoded by Trisia/randomness (detect package, class E products); not checked against the standard's text"

#: Minimum length of the single-use profile's poker test.
SINGLE_MIN_BITS = 128


def single_use_poker_m(bits: int) -> int:
    """Poker block size of the single-use profile: 2 below 320 bits, 8 from 10 240 bits, else 4."""
    if bits < 320:
        return 2
    if bits >= 10_240:
        return 8
    return 4
