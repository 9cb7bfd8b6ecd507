"""``mptool algo verify`` over vectors: the whole bundled set once, selections, failures, skips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from algo_support import VECTORS

from conftest import DATA, run_cli
from mptool.algo.vectors import handlers as kat
from mptool.algo.vectors import loader
from mptool.algo.vectors.model import VALID, Vector

WYCHEPROOF = VECTORS / "extra" / "wycheproof"
BUNDLED_WYCHEPROOF = VECTORS / "wycheproof"


def _verify(*args: str) -> dict:
    result = run_cli(["algo", "verify", *args, "-f", "json", "--no-progress"])
    data = result.json()
    assert data["exit_code"] == result.exit_code
    return data


@pytest.mark.slow
def test_whole_bundled_set_passes() -> None:
    """Every bundled vector (> 60,000) passes; totals per algorithm/mode and in the summary."""
    data = _verify()
    assert data["exit_code"] == 0
    summary = data["summary"]
    assert summary["vectors_run"] > 60_000 and summary["vectors_failed"] == 0 and summary["vectors_skipped"] == 0
    assert sum(r["measurements"]["vectors_run"] for r in data["results"]) == summary["vectors_run"]
    subjects = {r["subject"] for r in data["results"]}
    for expected in ("SM2-SIGN", "SM2-ENCRYPT", "SM2-KEYEXCHANGE", "SM3-HASH", "SM4-XTS", "SM4-CCM", "AES-GCM", "AES-XTS", "AES-CFB1", "TDES-CBC", "TDES-CBC-I", "TDES-CFB1-P", "RSA-PSS", "RSA-OAEP", "SHA-SHA256", "HMAC-SHA256"):
        assert expected in subjects
    assert all(r["status"] == "pass" for r in data["results"])
    assert len(data["inputs"]) == len(loader.bundled_files())
    assert all(i["name"].startswith("mptool:vectors/algo/") for i in data["inputs"])
    _docs_quote_the_measured_count(summary["vectors_run"])


def _docs_quote_the_measured_count(run: int) -> None:
    """The vector count in the docs is the generated figure (scripts/update_figures.py), not hand-written."""
    import re

    root = Path(__file__).resolve().parents[2]
    figure = re.compile(r"<!-- figure:bundled-vectors -->([^<]*)<!-- /figure -->")
    quoted = {name: figure.findall((root / name).read_text(encoding="utf-8")) for name in ("README.md", "docs/algo.md", "vectors/algo/SOURCES.md")}
    assert all(quoted.values()), quoted
    assert {value for values in quoted.values() for value in values} == {f"{run:,}"}, "run scripts/update_figures.py"


def test_select_algorithm_and_mode() -> None:
    data = _verify("--algo", "sm4", "--mode", "xts")
    assert [r["subject"] for r in data["results"]] == ["SM4-XTS"]
    assert data["results"][0]["measurements"]["vectors_run"] == 2
    assert data["inputs"] and all(i["name"].startswith(("mptool:vectors/algo/gm/", "mptool:vectors/algo/wycheproof/sm4_")) for i in data["inputs"])
    data = _verify("--algo", "sm2")
    assert {r["subject"] for r in data["results"]} == {"SM2-SIGN", "SM2-ENCRYPT", "SM2-KDF", "SM2-KEYEXCHANGE"}
    assert data["summary"]["vectors_run"] == 8 and data["exit_code"] == 0


def test_gm_standard_examples_only() -> None:
    data = _verify("--vectors", str(VECTORS / "gm" / "gm_standard_examples.json"))
    assert data["exit_code"] == 0
    by_subject = {r["subject"]: r["measurements"] for r in data["results"]}
    assert by_subject["SM2-SIGN"]["passed"] == 2 and by_subject["SM2-KEYEXCHANGE"]["passed"] == 1
    assert by_subject["SM4-ECB"]["passed"] == 2  # includes the 1,000,000-iteration example


def test_corrupted_vector_fails_and_names_it(tmp_path: Path) -> None:
    text = (VECTORS / "aes/cavp/ECB/ECBVarTxt128.rsp").read_text()
    bad = tmp_path / "ECBVarTxt128.rsp"
    bad.write_text(text.replace("CIPHERTEXT = 3ad78e726c1ec02b7ebfe92b23d9ec34", "CIPHERTEXT = 3ad78e726c1ec02b7ebfe92b23d9ec35", 1))
    data = _verify("--vectors", str(bad))
    assert data["exit_code"] == 1 and data["summary"]["vectors_failed"] == 1
    (finding,) = data["results"][0]["findings"]
    assert finding["code"] == "algo.kat.mismatch" and "COUNT=0" in finding["location"]["vector"]
    assert finding["data"]["expected"] == "3ad78e726c1ec02b7ebfe92b23d9ec35"


def test_wycheproof_flipped_verdicts_are_failures(tmp_path: Path) -> None:
    """Accepting a case marked invalid, or rejecting one marked valid, is a failure."""
    data = json.loads((BUNDLED_WYCHEPROOF / "aes_gcm_test.json").read_text())
    tests = [t for g in data["testGroups"] for t in g["tests"]]
    invalid = next(t for t in tests if t["result"] == "invalid" and "ModifiedTag" in t["flags"])
    valid = next(t for t in tests if t["result"] == "valid")
    invalid["result"], valid["result"] = "valid", "invalid"
    path = tmp_path / "flipped.json"
    path.write_text(json.dumps(data))
    out = _verify("--vectors", str(path))
    assert out["exit_code"] == 1 and out["summary"]["vectors_failed"] == 2
    codes = sorted(f["code"] for f in out["results"][0]["findings"])
    assert codes == ["algo.kat.invalid_accepted", "algo.kat.mismatch"]
    assert out["results"][0]["measurements"]["failed_by_flag"]["ModifiedTag"] == 1


def test_acceptable_cases_are_counted() -> None:
    data = _verify("--vectors", str(WYCHEPROOF / "rsa_signature_2048_sha256_test.json"))
    assert data["exit_code"] == 0
    assert data["results"][0]["measurements"]["acceptable"] >= 1


def test_unsupported_file_is_skipped_not_passed(tmp_path: Path) -> None:
    """A Wycheproof file of an algorithm mptool does not run is reported skipped, with the reason."""
    data = json.loads((BUNDLED_WYCHEPROOF / "aes_gcm_test.json").read_text())
    data["algorithm"] = "AES-EAX"
    path = tmp_path / "aes_eax_like.json"
    path.write_text(json.dumps(data))
    out = _verify("--vectors", str(path))
    assert out["exit_code"] == 4
    (result,) = out["results"]
    assert result["status"] == "skipped" and "AES-EAX" in result["findings"][0]["message"]


def test_interleaved_tdes_from_files() -> None:
    cavp = DATA.algo / "tdes/cavp"
    data = _verify("--vectors", str(cavp / "CBC/TCBCIMMT1.rsp"), str(cavp / "OFB/TOFBIinvperm.rsp"), str(cavp / "CFB/TCFBP8MMT2.rsp"))
    assert data["exit_code"] == 0 and {r["subject"] for r in data["results"]} == {"TDES-CBC-I", "TDES-OFB-I", "TDES-CFB8-P"}


def test_backend_refusal_of_a_valid_case_is_skipped() -> None:
    """A valid vector whose parameters the backend cannot run is skipped with the reason."""
    vector = Vector("aes", "ccm", "aead-encrypt", {"key": bytes(16), "iv": bytes(6), "aad": b"", "pt": b"", "ct": b"", "tag": bytes(16)}, "nonce too short", expect=VALID)
    outcome = kat.run_vector(vector)
    assert outcome.status == kat.SKIP and "nonce" in outcome.detail["reason"].lower()


def test_acvp_pair_and_mixed_formats() -> None:
    acvp = sorted((VECTORS / "extra" / "acvp").glob("*.json"))
    data = _verify("--vectors", *map(str, acvp), str(VECTORS / "gm/pyca/rfc8998.txt"))
    assert data["exit_code"] == 0
    assert {r["subject"]: r["measurements"]["passed"] for r in data["results"]} == {"AES-ECB": 28, "SM4-GCM": 1}


def test_vectors_flag_needs_files_and_unknown_algo_selects_nothing() -> None:
    assert run_cli(["algo", "verify", "--vectors"]).exit_code == 2
    assert run_cli(["algo", "verify", "--cross-check"]).exit_code == 2
    result = run_cli(["algo", "verify", "--algo", "nosuch", "--no-progress"])
    assert result.exit_code == 3 and "no vector matches" in result.stderr


def test_vectors_from_stdin() -> None:
    data = (VECTORS / "gm/pyca/sm3-oscca.txt").read_bytes()
    result = run_cli(["algo", "verify", "--vectors", "-", "-f", "json", "--no-progress"], input=data)
    evidence = result.json()
    assert result.exit_code == 0 and evidence["inputs"][0]["name"] == "<stdin>"
    assert evidence["results"][0]["subject"] == "SM3-HASH"


def test_wycheproof_hmac_layout_with_standard_values(tmp_path: Path) -> None:
    """The Wycheproof MAC layout (as in C2SP's hmac_sm3_test.json) carrying the GM/T 0042 HMAC-SM3
    examples, plus one case with a modified tag marked invalid and one truncated-tag group."""
    from algo_support import gm

    tests = [{"tcId": i + 1, "comment": e["id"], "flags": ["Ktv"], "key": e["key"], "msg": e["msg"], "tag": e["mac"], "result": "valid"} for i, e in enumerate(gm()["hmac_sm3"])]
    modified = dict(tests[0], tcId=len(tests) + 1, flags=["ModifiedTag"], tag=tests[0]["tag"][:-2] + "00", result="invalid")
    truncated = dict(tests[0], tcId=len(tests) + 2, tag=tests[0]["tag"][:32])
    document = {
        "algorithm": "HMACSM3",
        "schema": "mac_test_schema_v1.json",
        "numberOfTests": len(tests) + 2,
        "testGroups": [
            {"keySize": 256, "tagSize": 256, "type": "MacTest", "tests": [*tests, modified]},
            {"keySize": 256, "tagSize": 128, "type": "MacTest", "tests": [truncated]},
        ],
    }
    path = tmp_path / "hmac_sm3_gm.json"
    path.write_text(json.dumps(document))
    data = _verify("--vectors", str(path))
    assert data["exit_code"] == 0
    (result,) = data["results"]
    assert result["subject"] == "HMAC-SM3" and result["measurements"]["passed"] == len(tests) + 2


def _generate_file(path: Path) -> dict:
    """A Wycheproof ``rsassa_pkcs1_generate_schema_v1`` file; the signatures are OpenSSL's (through
    cryptography), the last case carries a wrong signature marked invalid."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).hex()
    tests = []
    for n, msg in enumerate([b"", b"abc", b"\x00" * 77], start=1):
        tests.append({"tcId": n, "comment": "", "flags": [], "msg": msg.hex(), "sig": key.sign(msg, padding.PKCS1v15(), hashes.SHA256()).hex(), "result": "valid"})
    wrong = bytearray.fromhex(tests[1]["sig"])
    wrong[-1] ^= 1
    tests.append({"tcId": 4, "comment": "modified signature", "flags": [], "msg": tests[1]["msg"], "sig": wrong.hex(), "result": "invalid"})
    data = {
        "algorithm": "RSASSA-PKCS1-v1_5",
        "schema": "rsassa_pkcs1_generate_schema_v1.json",
        "numberOfTests": len(tests),
        "notes": {},
        "testGroups": [{"type": "RsassaPkcs1Generate", "keySize": 2048, "sha": "SHA-256", "privateKeyPkcs8": pkcs8, "tests": tests}],
    }
    path.write_text(json.dumps(data))
    return data


def test_wycheproof_signature_generation_schema(tmp_path: Path) -> None:
    path = tmp_path / "rsa_pkcs1_2048_sig_gen_test.json"
    _generate_file(path)
    out = _verify("--vectors", str(path))
    assert out["exit_code"] == 0
    (result,) = out["results"]
    assert result["status"] == "pass" and result["measurements"]["passed"] == 4


def test_wycheproof_generation_wrong_verdict_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "gen.json"
    data = _generate_file(path)
    data["testGroups"][0]["tests"][3]["result"] = "valid"
    path.write_text(json.dumps(data))
    assert _verify("--vectors", str(path))["exit_code"] == 1


def test_unknown_wycheproof_schema_is_skipped_and_others_still_run(tmp_path: Path) -> None:
    """A file of a schema mptool cannot read is skipped with the reason; the other files still run."""
    odd = tmp_path / "ecdh_like_test.json"
    odd.write_text(json.dumps({"algorithm": "RSASSA-PKCS1-v1_5", "schema": "rsassa_pkcs1_frobnicate_schema_v1.json", "numberOfTests": 1, "testGroups": [{"tests": [{"tcId": 1, "result": "valid", "msg": ""}]}]}))
    good = tmp_path / "gen.json"
    _generate_file(good)
    out = _verify("--vectors", str(odd), "--vectors", str(good))
    statuses = {r["subject"].rsplit("/", 1)[-1]: r for r in out["results"]}
    assert any(r["status"] == "skipped" and "rsassa_pkcs1_frobnicate_schema_v1" in r["findings"][0]["message"] for r in out["results"])
    assert any(r["status"] == "pass" for r in out["results"]), statuses
