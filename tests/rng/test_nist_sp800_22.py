"""Comparison with NIST SP 800-22 rev1a where the tests coincide, NIST parameters given by --param.

Known answers: the worked examples of SP 800-22 rev1a §2 and its Appendix B results for data.e
(the same values NIST STS 2.1.2 prints, measured beside mptool: docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from rng_testdata import DATA_E, bits_of

from mptool.rng.battery import FUNCTIONS
from mptool.rng.sequence import BitSequence
from tests.conftest import run_cli

NIST_PARAMS = [
    "block_frequency.m=128",
    "serial.m=16",
    "approximate_entropy.m=10",
    "longest_run.probabilities=nist",
    "rank.probabilities=exact",
    "dft.divisor=4",
]

#: SP 800-22 rev1a Appendix B, data.e: item label -> P-value.
APPENDIX_B = {
    "monobit": 0.953749,
    "block_frequency m=128": 0.211072,
    "cumulative_sums forward": 0.669887,
    "cumulative_sums backward": 0.724266,
    "runs": 0.561917,
    "longest_run m=10000 probabilities=nist ones": 0.718945,
    "rank probabilities=exact": 0.306156,
    "dft divisor=4.0": 0.847187,
    "universal L=7 Q=1280": 0.282568,
    "approximate_entropy m=10": 0.700073,
    "serial m=16 P1": 0.766182,
    "serial m=16 P2": 0.462921,
}


@pytest.fixture(scope="module")
def nist_run() -> dict[str, Any]:
    args = ["rng", "test", str(DATA_E), "--input-format", "ascii", "--bits", "1000000", "-f", "json"]
    for value in NIST_PARAMS:
        args += ["--param", value]
    result = run_cli(args)
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_data_e_matches_appendix_b(nist_run: dict[str, Any]) -> None:
    by_item = {r["measurements"]["item"]: r["measurements"]["p_value"] for r in nist_run["results"]}
    for item, expected in APPENDIX_B.items():
        assert by_item[item] == pytest.approx(expected, abs=1e-6), item


def test_overrides_are_recorded(nist_run: dict[str, Any]) -> None:
    parameters = nist_run["parameters"]
    assert parameters["overrides"]["serial"] == {"m": [16]}
    assert parameters["overrides"]["rank"] == {"probabilities": ["exact"]}
    assert parameters["tests"]["block_frequency"] == [{"m": 128}]
    assert parameters["tests"]["approximate_entropy"] == [{"m": 10}]
    serial = [r for r in nist_run["results"] if r["check"] == "rng.gmt0005.serial"]
    assert [r["measurements"]["params"] for r in serial] == [{"m": 16, "variant": "P1"}, {"m": 16, "variant": "P2"}]


#: SP 800-22 rev1a §2 worked examples: (test, bits, params, P-values). The 100-bit sequence is
#: the first 100 bits of π's binary expansion, the 128-bit one the longest-run example of §2.4.8.
PI_100 = "1100100100001111110110101010001000100001011010001100001000110100110001001100011001100010100010111000"
SECTION_2 = [
    ("monobit", "1011010101", {}, [0.527089]),
    ("monobit", PI_100, {}, [0.109599]),
    ("block_frequency", "0110011010", {"m": 3}, [0.801252]),
    ("block_frequency", PI_100, {"m": 10}, [0.706438]),
    ("runs", "1001101011", {}, [0.147232]),
    ("runs", PI_100, {}, [0.500798]),
    ("serial", "0011011101", {"m": 3}, [0.808792, 0.670320]),
    ("approximate_entropy", "0100110101", {"m": 3}, [0.261961]),
    ("approximate_entropy", PI_100, {"m": 2}, [0.235301]),
    ("cumulative_sums", "1011010111", {}, [0.411659, 0.411659]),
    ("cumulative_sums", PI_100, {}, [0.219194, 0.114866]),
]


@pytest.mark.parametrize(("test", "bits", "params", "p"), SECTION_2, ids=[f"{t}-{len(b)}" for t, b, _, _ in SECTION_2])
def test_section_2_examples(test: str, bits: str, params: dict[str, Any], p: list[float]) -> None:
    outcomes = FUNCTIONS[test](BitSequence(bits_of(bits)), **params)
    assert [o[0] for o in outcomes] == pytest.approx(p, abs=1e-6)


def test_longest_run_statistic_of_section_2_4_8() -> None:
    bits = "11001100000101010110110001001100111000000000001001001101010100010001001111010110100000001101011111001100111001101101100010110010"
    (_, _, chi2_ones), _ = FUNCTIONS["longest_run"](BitSequence(bits_of(bits)), m=8)
    assert chi2_ones == pytest.approx(4.882605, abs=1e-6)
