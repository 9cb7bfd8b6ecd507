"""Every vector format is detected from content and parsed; a malformed file of each kind is an
input error (exit 3, one line naming the file, no output file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from algo_support import VECTORS

from conftest import run_cli
from mptool.algo.vectors import loader
from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.model import ACCEPTABLE, INVALID, VALID

WYCHEPROOF = VECTORS / "extra" / "wycheproof"
BUNDLED_WYCHEPROOF = VECTORS / "wycheproof"
ACVP = VECTORS / "extra" / "acvp"


def _load(path: Path):
    return loader.load(loader.Source(path.name, path.read_bytes()))


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (VECTORS / "aes/cavp/CBC/CBCMMT128.rsp", "cavp"),
        (VECTORS / "gm/pyca/sm3-oscca.txt", "cavp"),
        (VECTORS / "rsa/pkcs1-v2.1/oaep-vect.txt", "pkcs1"),
        (BUNDLED_WYCHEPROOF / "aes_gcm_test.json", "wycheproof"),
        (ACVP / "ACVP-AES-ECB-1.0-prompt.json", "acvp"),
        (VECTORS / "gm/gm_standard_examples.json", "mptool-gm"),
    ],
)
def test_format_detected_from_content(path: Path, fmt: str) -> None:
    assert loader.detect(path.read_bytes()) == fmt


def test_every_bundled_file_is_recognised() -> None:
    for path in loader.bundled_files():
        parsed = _load(path)
        assert parsed.vectors and not parsed.unsupported, path


def test_cavp_gcm_fail_lines_are_invalid_cases() -> None:
    path = VECTORS / "aes/cavp/GCM/gcmDecrypt128.rsp"
    parsed = _load(path)
    fails = path.read_text().count("\nFAIL")
    assert sum(v.expect == INVALID for v in parsed.vectors) == fails > 0
    assert {v.op for v in parsed.vectors} == {"aead-decrypt"}


def test_cavp_sigver_result_p_and_f() -> None:
    path = VECTORS / "rsa/cavp/SigVer15_186-3.rsp"
    text = path.read_text()
    parsed = _load(path)
    assert sum(v.expect == VALID for v in parsed.vectors) == text.count("Result = P")
    assert sum(v.expect == INVALID for v in parsed.vectors) == text.count("Result = F")
    failed = next(v for v in parsed.vectors if v.expect == INVALID)
    assert failed.reason  # e.g. "1 - Message changed"


def test_cavp_ccm_result_pass_fail() -> None:
    parsed = _load(VECTORS / "aes/cavp/CCM/DVPT128.rsp")
    text = (VECTORS / "aes/cavp/CCM/DVPT128.rsp").read_text()
    assert sum(v.expect == INVALID for v in parsed.vectors) == text.count("Result = Fail")


def test_cavp_mct_records() -> None:
    parsed = _load(VECTORS / "aes/mct/CBCMCT128.rsp")
    assert len(parsed.vectors) == 200
    assert {v.op for v in parsed.vectors} == {"mct-encrypt", "mct-decrypt"}


def test_cavp_interleaved_tdes_lanes() -> None:
    """X9.52 KATs give three lanes (PLAINTEXT1..3), or one value entering all three lanes."""
    parsed = _load(VECTORS / "tdes/cavp/CBC/TCBCIpermop.rsp")
    first = parsed.vectors[0]
    assert first.mode == "cbc-i" and len(first.fields["iv"]) == 24
    assert first.fields["pt"] == bytes(24) and first.fields["ct"].hex().startswith("88d55e54f54c97b4")


def test_pkcs1_examples_counts() -> None:
    assert len(_load(VECTORS / "rsa/pkcs1-v2.1/oaep-vect.txt").vectors) == 60
    assert len(_load(VECTORS / "rsa/pkcs1-v2.1/pss-vect.txt").vectors) == 60
    assert len(_load(VECTORS / "rsa/pyca-custom/pkcs1v15crypt-vectors.txt").vectors) == 300


def test_wycheproof_results_and_flags() -> None:
    data = json.loads((WYCHEPROOF / "rsa_signature_2048_sha256_test.json").read_text())
    parsed = _load(WYCHEPROOF / "rsa_signature_2048_sha256_test.json")
    assert len(parsed.vectors) == data["numberOfTests"]
    expected = {k: sum(t["result"] == k for g in data["testGroups"] for t in g["tests"]) for k in ("valid", "invalid", "acceptable")}
    assert {k: sum(v.expect == {"valid": VALID, "invalid": INVALID, "acceptable": ACCEPTABLE}[k] for v in parsed.vectors) for k in expected} == expected
    assert any(v.flags for v in parsed.vectors)


def test_acvp_pairs_prompt_and_expected_results() -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(ACVP.glob("*.json"))]
    (source,) = loader.pair_sources(files)
    parsed = loader.load(source)
    assert parsed.format == "acvp" and len(parsed.vectors) == 28


def test_acvp_prompt_without_expected_results() -> None:
    prompt = ACVP / "ACVP-AES-ECB-1.0-prompt.json"
    with pytest.raises(VectorFormatError, match="without its expectedResults"):
        loader.pair_sources([(prompt.name, prompt.read_bytes())])


def _corrupt(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _malformed_cases(tmp_path: Path) -> list[Path]:
    cavp = (VECTORS / "aes/cavp/CBC/CBCMMT128.rsp").read_text()
    wp = json.loads((BUNDLED_WYCHEPROOF / "aes_gcm_test.json").read_text())
    del wp["testGroups"][0]["tests"][0]["result"]
    gmdata = json.loads((VECTORS / "gm/gm_standard_examples.json").read_text())
    gmdata["sm3"][0]["digest"] = "zz"
    expected = json.loads((ACVP / "ACVP-AES-ECB-1.0-expectedResults.json").read_text())
    expected["testGroups"][0]["tests"].pop()
    pkcs1 = (VECTORS / "rsa/pkcs1-v2.1/pss-vect.txt").read_text()
    return [
        _corrupt(tmp_path, "bad-hex.rsp", cavp.replace("KEY = ", "KEY = zz", 1)),
        _corrupt(tmp_path, "no-records.rsp", "# CAVS 11.1\n# AESVS MMT test data for CBC\n[ENCRYPT]\n"),
        _corrupt(tmp_path, "bad-line.rsp", cavp.replace("COUNT = 1\n", "COUNT = 1\nthis is not a record line\n", 1)),
        _corrupt(tmp_path, "pss-vect.txt", pkcs1.replace("# Message to be signed:", "# Message to be signed:\nxyz!", 1)),
        _corrupt(tmp_path, "wycheproof.json", json.dumps(wp)),
        _corrupt(tmp_path, "gm.json", json.dumps(gmdata)),
        _corrupt(tmp_path, "truncated.json", (BUNDLED_WYCHEPROOF / "aes_gcm_test.json").read_text()[:5000]),
        _corrupt(tmp_path, "unknown.txt", "hello\nworld\n"),
    ]


def test_malformed_files_are_input_errors(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    for bad in _malformed_cases(tmp_path):
        result = run_cli(["algo", "verify", "--vectors", str(bad), "-o", str(out), "--no-progress"])
        assert result.exit_code == 3, (bad.name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in result.stderr, (bad.name, result.stderr)
        assert not out.exists()


def test_malformed_acvp_expected_results(tmp_path: Path) -> None:
    expected = json.loads((ACVP / "ACVP-AES-ECB-1.0-expectedResults.json").read_text())
    expected["testGroups"][0]["tests"].pop()
    bad = _corrupt(tmp_path, "expected.json", json.dumps(expected))
    result = run_cli(["algo", "verify", "--vectors", str(ACVP / "ACVP-AES-ECB-1.0-prompt.json"), str(bad)])
    assert result.exit_code == 3 and "no expected result" in result.stderr, result.stderr
