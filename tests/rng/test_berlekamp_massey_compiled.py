"""The compiled Berlekamp–Massey (issue 20) and the numpy path give the same linear complexities:
on the NIST SP 800-22 rev1a §2.10.4 example, on random and structured blocks of the GM/T 0005
block sizes, and through the whole linear complexity test on the bundled reference data."""

from __future__ import annotations

import numpy as np
import pytest

from mptool.rng.checks import linear_complexity as lc

needs_compiled = pytest.mark.skipif(lc._compiled is None, reason="the C extension is not built here (no compiler at install)")


def test_the_extension_is_built_where_a_compiler_is() -> None:
    """CI and the development machines have gcc: the hook must have built the extension there."""
    import shutil

    if shutil.which("gcc") is None and shutil.which("cc") is None:
        pytest.skip("no C compiler on this machine")
    assert lc._compiled is not None


@pytest.mark.parametrize("function", [lc.linear_complexities, lc.linear_complexities_numpy])
def test_nist_example(function: object) -> None:
    """SP 800-22 rev1a §2.10.4 (3): 1101011110001 has linear complexity 4."""
    bits = np.array([[int(c) for c in "1101011110001"]], dtype=np.uint8)
    assert list(function(bits)) == [4]  # type: ignore[operator]


@needs_compiled
@pytest.mark.parametrize(("count", "m"), [(1, 1), (63, 7), (64, 500), (130, 1000), (3, 4097)])
def test_compiled_equals_numpy_on_random_blocks(count: int, m: int) -> None:
    blocks = np.random.default_rng(count * m).integers(0, 2, (count, m), dtype=np.uint8)
    assert np.array_equal(lc.linear_complexities(blocks), lc.linear_complexities_numpy(blocks))


@needs_compiled
def test_compiled_equals_numpy_on_structured_blocks() -> None:
    m = 500
    rows = [np.zeros(m), np.ones(m), np.eye(1, m, m - 1)[0], np.tile([1, 0], m // 2), np.tile([1, 1, 0, 1, 0, 0, 0], m // 7 + 1)[:m]]
    state = [1] + [0] * 19  # an LFSR of complexity 20: x^20 + x^3 + 1
    lfsr = []
    for _ in range(m):
        lfsr.append(state[-1])
        state = [state[-1] ^ state[-4]] + state[:-1]
    blocks = np.array([*rows, lfsr], dtype=np.uint8)
    got = lc.linear_complexities(blocks)
    assert np.array_equal(got, lc.linear_complexities_numpy(blocks))
    assert list(got[:4]) == [0, 1, m, 2] and got[-1] == 20


@needs_compiled
@pytest.mark.parametrize("m", [500, 1000])
def test_whole_test_on_the_reference_data_is_the_same_both_ways(m: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """data.e, the 10^6 bits of e of NIST SP 800-22 Appendix B (bundled): the same block complexities
    and P both ways, and for m=500 the reference P = 0.826194 (tests/rng/test_examples.py)."""
    from rng_testdata import data_e

    from mptool.rng.sequence import BitSequence

    bits = data_e()
    count = bits.size // m
    blocks = bits[: count * m].reshape(count, m)
    assert np.array_equal(lc.linear_complexities(blocks), lc.linear_complexities_numpy(blocks))
    compiled = lc.linear_complexity(BitSequence(bits), m)
    monkeypatch.setattr(lc, "_compiled", None)
    assert lc.linear_complexity(BitSequence(bits), m) == compiled
    if m == 500:
        assert compiled[0][0] == pytest.approx(0.826194, abs=1e-6)
