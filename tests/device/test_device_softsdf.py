"""``mptool device test`` against mptool's soft SDF device: the good build and the deliberately broken ones."""

from __future__ import annotations

import json

import pytest
from device_support import _reproducible_random, PASSWORD, SMALL_RANDOM, requires_toolchain, result, softsdf, statuses

from conftest import run_cli, validate_evidence
from mptool.device.checks import IMPLEMENTATIONS

pytestmark = requires_toolchain
ALL = set(IMPLEMENTATIONS)


def _test(library, *extra: str, password: str | None = PASSWORD):
    args = ["device", "test", "--sdf", str(library), *SMALL_RANDOM, "-f", "json", "--no-progress", *extra]
    if password is not None:
        args += ["--password", password]
    return run_cli(args)


def test_good_device_passes_every_check_and_hides_the_password(tmp_path) -> None:
    out = tmp_path / "device.json"
    res = run_cli(["device", "test", "--sdf", str(softsdf()), "--password", PASSWORD, *SMALL_RANDOM, "-f", "json", "-o", str(out), "--json-output", str(tmp_path / "side.json"), "--no-progress"])
    assert res.exit_code == 0, res.stderr
    raw = out.read_bytes()
    evidence = validate_evidence(raw.decode())
    assert set(statuses(evidence)) == ALL
    assert {c: s for c, s in statuses(evidence).items() if s not in ("pass", "info")} == {}
    assert result(evidence, "device.sdf.info")["status"] == "info"
    # the access password is never recorded: not in the evidence, not in its side copy, not in stderr
    for blob in (raw, (tmp_path / "side.json").read_bytes(), res.stderr.encode()):
        assert PASSWORD.encode() not in blob
    assert any(a.startswith("<secret sm3:") for a in evidence["arguments"]) and evidence["parameters"]["password_given"] is True
    device = evidence["summary"]["device"]
    assert device["gm_algorithms_wrong"] == []
    assert set(device["gm_algorithms_correct"]) == {"SM2-sign", "SM2-verify", "SM2-encrypt", "SM3", "SM4", "SM4-MAC", "HMAC-SM3"}
    indicators = {i["indicator"]: i for i in device["indicators"]}
    assert indicators["GEN-KEY"]["K"] is True and indicators["GEN-ALG"]["A"] is True
    assert indicators["GEN-PROD"]["K"] is None and indicators["GEN-PROD"]["confirm_required"] is True
    assert device["product"]["model"] == "SoftSDF" and device["product"]["standard_version"] == 2
    # known answers were used (key imported), not only cross-checks
    assert result(evidence, "device.sdf.sm4_kat")["measurements"]["method"].startswith("known-answer")
    assert result(evidence, "device.sdf.sm4_kat")["measurements"]["modes"] == ["ECB", "CBC", "GCM"]
    random = result(evidence, "device.sdf.random")["measurements"]
    assert random["softsdf_test_seed"] is True  # the suite's reproducible stream is recorded as such
    assert random["gmt0005"]["perfect_source_fails"] > 0.05  # 10 sequences: GM/T 0005 rejects ~9 % of perfect sets
    inventory = result(evidence, "device.sdf.key_inventory")["measurements"]
    assert inventory["indices_with_both_pairs"] == [1, 2, 3, 4] and inventory["kek_indices"] == [1, 2, 3, 4]


def test_password_file_and_environment(tmp_path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    res = run_cli(["device", "test", "--sdf", str(softsdf()), "--password-file", str(pw), "--check", "device.sdf.sm2_sign", "-f", "json"])
    assert res.exit_code == 0, res.stderr
    res = run_cli(["device", "test", "--sdf", str(softsdf()), "--check", "device.sdf.sm2_sign", "-f", "json"], env={"MPTOOL_SDF_PASSWORD": PASSWORD})
    assert res.exit_code == 0 and PASSWORD not in res.stdout


@pytest.mark.parametrize(
    ("fault", "broken", "algorithm"),
    [
        ("sm4-key", "device.sdf.sm4_kat", "SM4"),
        ("sm3", "device.sdf.sm3_kat", "SM3"),
        ("sm2-sign", "device.sdf.sm2_sign", "SM2-sign"),
        ("random", "device.sdf.random", None),
    ],
)
def test_a_broken_function_fails_its_check_and_only_that(fault: str, broken: str, algorithm: str | None) -> None:
    res = _test(softsdf(fault, faults=(fault,)))
    assert res.exit_code == 1, res.stderr
    evidence = res.json()
    bad = {c: s for c, s in statuses(evidence).items() if s not in ("pass", "info")}
    assert bad == {broken: "fail"}
    device = evidence["summary"]["device"]
    if algorithm:
        assert device["gm_algorithms_wrong"] == [algorithm]
        gen_alg = next(i for i in device["indicators"] if i["indicator"] == "GEN-ALG")
        assert gen_alg["A"] is False and algorithm in gen_alg["reason"]
    else:
        gen_key = next(i for i in device["indicators"] if i["indicator"] == "GEN-KEY")
        assert gen_key["K"] is False
        chance = result(evidence, broken)["measurements"]["gmt0005"]["perfect_source_fails"]
        (finding,) = result(evidence, broken)["findings"]
        assert finding["data"]["perfect_source_fails"] == chance and f"≈ {chance:.2f}" in finding["message"]
        assert f"a perfect source fails such a set with probability ≈ {chance:.2f}" in gen_key["reason"]
        assert f"≈ {chance:.2f}" in device["high_risk_candidates"][0]["reason"]
        assert "strong evidence" in gen_key["reason"] and "strong evidence" in finding["message"]  # not a chance failure
        low = [i for i in result(evidence, broken)["measurements"]["items"] if i["status"] == "fail" and i["passed"] < i["threshold"]]
        assert low and all(0 <= i["perfect_source_this_low"] < 1e-3 for i in low)  # the low bit stuck: far below any threshold
        assert [h["id"] for h in device["high_risk_candidates"]] == ["HR-KEY-GEN"]


def test_wrong_sm4_round_key_is_caught_even_without_the_password() -> None:
    """Without --password the key is device-generated and unwrapped by mptool: the cross-check still catches it."""
    res = _test(softsdf("sm4-key", faults=("sm4-key",)), "--check", "device.sdf.sm4_kat", password=None)
    evidence = res.json()
    r = result(evidence, "device.sdf.sm4_kat")
    assert r["status"] == "fail" and r["measurements"]["method"].startswith("cross-check")
    assert {f["code"] for f in r["findings"]} >= {"device.sdf.sm4_kat.mismatch", "device.sdf.sm4_kat.cross_check_only"}


def test_missing_functions_are_skipped_with_the_reason() -> None:
    res = _test(softsdf("nohash", without=("hash", "2023")))
    assert res.exit_code == 4, res.stderr  # incomplete: checks skipped, nothing failed
    evidence = res.json()
    bad = {c: s for c, s in statuses(evidence).items() if s not in ("pass", "info")}
    assert bad == {"device.sdf.sm3_kat": "skipped", "device.sdf.hmac": "skipped"}
    reason = result(evidence, "device.sdf.sm3_kat")["findings"][0]
    assert reason["code"] == "device.backend_unsupported"
    assert "SDF_HashInit" in reason["message"] and reason["data"]["missing"] == ["SDF_HashInit", "SDF_HashUpdate", "SDF_HashFinal"]
    assert "2023" in result(evidence, "device.sdf.hmac")["findings"][0]["message"]
    assert result(evidence, "device.sdf.info")["measurements"]["standard_version"] == 1
    assert result(evidence, "device.sdf.sm4_kat")["measurements"]["modes"] == ["ECB", "CBC"]


def test_a_segfaulting_library_is_reported_and_mptool_survives() -> None:
    res = _test(softsdf("crash", faults=("crash",)))
    assert res.exit_code == 4, res.stderr  # documented: a crashed check is 'error' → incomplete
    evidence = res.json()
    bad = {c: s for c, s in statuses(evidence).items() if s not in ("pass", "info")}
    # SDF_InternalSign_ECC crashes: in sm2_sign, and again when error_handling calls it without the right
    assert bad == {"device.sdf.sm2_sign": "error", "device.sdf.error_handling": "error"}
    finding = result(evidence, "device.sdf.sm2_sign")["findings"][0]
    assert finding["code"] == "device.sdf.library_crashed"
    assert finding["data"]["termination"] == "SIGSEGV" and finding["data"]["last_function"] == "SDF_InternalSign_ECC"
    # the checks after the crash ran in a new process
    assert result(evidence, "device.sdf.sm2_verify")["status"] == "pass"


def test_without_password_private_key_checks_are_skipped() -> None:
    res = _test(softsdf(), password=None)
    assert res.exit_code == 4
    evidence = res.json()
    sign = result(evidence, "device.sdf.sm2_sign")
    assert sign["status"] == "skipped" and "--password" in sign["findings"][0]["message"]
    assert result(evidence, "device.sdf.sm4_kat")["status"] == "pass"
    assert result(evidence, "device.sdf.error_handling")["status"] == "pass"


def test_softsdf_test_shortcut_builds_and_initialises(tmp_path) -> None:
    res = run_cli(["device", "test", "--softsdf", str(tmp_path / "dev"), "--password", PASSWORD, "--check", "device.sdf.info", "--check", "device.sdf.sm2_sign", "-f", "json"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["parameters"]["checks"] == ["device.sdf.info", "device.sdf.sm2_sign"]
