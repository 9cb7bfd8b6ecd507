"""The algo demo exercises the calculator verbs, and each gives the standard's own answer."""

from __future__ import annotations

from algo_support import gm_entry

from conftest import run_cli
from mptool.algo.demo import demo_runs


def test_demo_calculator_runs_give_the_standard_answers() -> None:
    runs = {run.name: run for run in demo_runs()}
    assert {"algo-hash", "algo-mac", "algo-encrypt", "algo-decrypt", "algo-sign"} <= set(runs)
    measured = {}
    for name in ("algo-hash", "algo-mac", "algo-encrypt", "algo-decrypt", "algo-sign"):
        result = run_cli([*runs[name].argv, "-f", "json"])
        assert result.exit_code == 0, (name, result.stderr)
        measured[name] = result.json()["results"][0]["measurements"]
    assert measured["algo-hash"]["digest"] == gm_entry("sm3", "gbt32905-A1")["digest"]
    assert measured["algo-mac"]["mac"] == gm_entry("hmac_sm3", "gmt0042-D3-1")["mac"]
    assert measured["algo-encrypt"]["ciphertext"]["hex"] == gm_entry("sm4", "gbt32907-A1")["ciphertext"]
    assert measured["algo-decrypt"]["plaintext"]["bytes"] == 32 and measured["algo-decrypt"]["padding"] == "none"
    assert measured["algo-sign"]["self_verified"] is True
    sign = gm_entry("sm2_sign", "sign-sm2p256v1")
    assert measured["algo-sign"]["public_key"] == "04" + sign["px"] + sign["py"]
