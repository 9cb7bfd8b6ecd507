"""No exit 128 is reachable from the CLI with malformed files (issue 21).

For every kind of file input outside ``proto`` (certificates, CRLs, keys, vector files, rng
inputs, assessment files, data exports) a corpus of malformed inputs — damaged copies of the
repository's real files (empty, truncated, bytes flipped, non-UTF-8, deep nesting, unterminated
PEM) and the fuzzers' crash corpus (tests/fuzz/crashes) — is run through the commands that read
it. Each run ends with a documented exit code (0 to 4), never 128 and never a traceback,
and an input or usage error is one line ``mptool: error: …``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assess"))  # assess_support

from tests.conftest import run_cli
from tests.fuzz.harnesses import CRASHES, VECTORS, _key_seeds
from tests.fuzz.test_fuzz import _known_open

TONGSUO = VECTORS / "certs/sm2/tlcp/tongsuo"
DOCUMENTED = {0, 1, 2, 3, 4}


def _damaged(seed: bytes) -> list[bytes]:
    """Deterministic damaged copies of one real file."""
    digest = hashlib.sha256(seed).digest()
    out = [b"", seed[:1], seed[: len(seed) // 2], seed[:-1], b"\xff\xfe\x00garbage\x80" + seed[:64]]
    for i in range(3):
        at = int.from_bytes(digest[4 * i : 4 * i + 4], "big") % max(1, len(seed))
        flipped = bytearray(seed)
        if flipped:
            flipped[at] ^= 0x5A
        out.append(bytes(flipped))
    return out


def _crashes(harness: str) -> list[bytes]:
    folder = CRASHES / harness
    return [p.read_bytes() for p in sorted(folder.glob("*")) if not _known_open(harness, p.name)] if folder.is_dir() else []


_HOSTILE = [b"[" * 100_000, b'{"a":' * 50_000, b"9" * 5000, b"-----BEGIN CERTIFICATE-----\n" * 2000, b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", b"\x30\x80" * 5000, b"\x30\x84\xff\xff\xff\xff"]


def _case(tmp_path: Path) -> Path:
    from assess_support import case_text  # type: ignore[import-not-found]

    case = tmp_path / "case"
    case.mkdir()
    (case / "assessment.yaml").write_text(case_text(3, {"net-vpn": "network"}, []), encoding="utf-8")
    return case


def _kinds() -> dict[str, tuple[str, list[bytes], Callable[[Path, Path], list[list[str]]]]]:
    """kind -> (file suffix, malformed inputs, the commands that read the file)."""
    cert = (VECTORS / "certs/rsa/ee-cert.pem").read_bytes()
    sm2_cert = (TONGSUO / "server_sign.pem").read_bytes()
    der = next(p for p in sorted((VECTORS / "certs/nist-pkits/certs").glob("*.crt"))).read_bytes()
    crl = next(p for p in sorted((VECTORS / "certs/nist-pkits/crls").glob("*.crl"))).read_bytes()
    keys = list(_key_seeds())[:4]
    vector = (VECTORS / "algo/aes/cavp/CBC/CBCMMT128.rsp").read_bytes()[:4000]
    wycheproof = (VECTORS / "algo/wycheproof/aes_ccm_test.json").read_bytes()[:3000]
    rng = (VECTORS / "rng/data.e").read_bytes()[:5000]
    csv = "name_b64,phone\n" + "".join(f"bmFtZQ{i}==,1380000{i:04d}\n" for i in range(20))
    jsonl = "".join(f'{{"name_b64": "bmFtZQ{i}==", "phone": "1380000{i:04d}"}}\n' for i in range(20))
    sqlite = (VECTORS / "data/demo-customers.sqlite").read_bytes()

    def certs(tmp: Path, f: Path) -> list[list[str]]:
        return [["cert", "lint", str(f)], ["cert", "chain", str(f), "--trust", str(f)], ["cert", "pair", str(f), str(f)]]

    def crls(tmp: Path, f: Path) -> list[list[str]]:
        leaf, sub, root = (str(TONGSUO / n) for n in ("server_sign.pem", "sub-ca.pem", "root-ca.pem"))
        return [["cert", "chain", leaf, "--intermediates", sub, "--trust", root, "--crl", str(f), "--at", "2026-11-27T00:00:00Z"]]

    def seal_keys(tmp: Path, f: Path) -> list[list[str]]:
        case = tmp / "case" if (tmp / "case").exists() else _case(tmp)
        export = tmp / "signed.csv"
        export.write_text(csv, encoding="utf-8")
        return [
            ["assess", "seal", str(case), "--sign-key", str(f), "--sign-cert", str(TONGSUO / "server_sign.pem")],
            ["assess", "seal", str(case), "--sign-key", str(f), "--sign-cert", str(f)],
            ["data", "sample", str(export), "-c", "phone", "--mac-column", "name_b64", "--sign-key", str(f), "-n", "5", "--no-randomness"],  # a bad PEM was exit 128
        ]

    def vectors(tmp: Path, f: Path) -> list[list[str]]:
        return [["algo", "verify", "--vectors", str(f)]]

    def rng_inputs(tmp: Path, f: Path) -> list[list[str]]:
        return [["rng", "test", str(f)], ["rng", "test", str(f), "--input-format", "ascii"], ["rng", "test", str(f), "--input-format", "hex", "--bits", "128", "--count", "2"]]

    def assessments(tmp: Path, f: Path) -> list[list[str]]:
        return [["assess", "check", str(f)], ["assess", "score", str(f)]]

    def exports(tmp: Path, f: Path) -> list[list[str]]:
        extra = ["-t", "customers", "-c", "phone_sm4"] if f.suffix == ".sqlite" else ["-c", "phone"]
        return [["data", "sample", str(f), *extra, "-n", "5"]]

    assessment = _case_text_bytes()
    return {
        "certificate": (".pem", _damaged(cert) + _damaged(sm2_cert) + _damaged(der)[2:] + _HOSTILE + _crashes("certificate"), certs),
        "crl": (".crl", _damaged(crl) + _HOSTILE[3:] + _crashes("crl"), crls),
        "key": (".pem", [d for k in keys for d in _damaged(k)[2:]] + _HOSTILE[3:5] + _crashes("seal-keys"), seal_keys),
        "vectors": (".rsp", _damaged(vector) + _damaged(wycheproof) + _HOSTILE[:3] + [b"COUNT = 0\nA" + b" " * 100_000 + b"B\n"] + _crashes("vectors") + _crashes("vector-run"), vectors),
        "rng": (".bin", _damaged(rng)[:3] + [b"\x00" * 15, b"01x01", b"zz" * 100], rng_inputs),
        "assessment": (".yaml", _damaged(assessment) + _crashes("assessment") + [b"a: &a [*a]\n", b"- " * 10_000, b"schema: mptool.assessment/1\nsystem: {level: 99}\n", b"\t\x00"], assessments),
        "csv": (".csv", _damaged(csv.encode()) + [b'"unterminated\n' * 10, b"a,b\n" + b"x" * 200_000] + _crashes("data-export"), exports),
        "jsonl": (".jsonl", _damaged(jsonl.encode()) + _HOSTILE[:3] + [b'{"phone": 1e999999}\n'], exports),
        "sqlite": (".sqlite", _damaged(sqlite)[:6], exports),
    }


def _case_text_bytes() -> bytes:
    from assess_support import case_text  # type: ignore[import-not-found]

    return case_text(3, {"net-vpn": "network", "app-portal": "application"}, []).encode()


KINDS = ["assessment", "certificate", "crl", "csv", "jsonl", "key", "rng", "sqlite", "vectors"]


def test_every_kind_is_covered() -> None:
    assert sorted(_kinds()) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_inputs_never_give_exit_128(kind: str, tmp_path: Path) -> None:
    suffix, inputs, commands = _kinds()[kind]
    failures = []
    for index, data in enumerate(inputs):
        path = tmp_path / f"input{index}{suffix}"
        path.write_bytes(data)
        for args in commands(tmp_path, path):
            result = run_cli([*args, "-q", "--no-progress", "-o", str(tmp_path / "out.txt")] if args[0] != "assess" else args)
            stderr = result.stderr
            problem = None
            if result.exit_code not in DOCUMENTED:
                problem = f"exit {result.exit_code}"
            elif "Traceback" in stderr or "internal error" in stderr:
                problem = "traceback"
            elif result.exit_code in (2, 3) and not (stderr.startswith("mptool: error: ") and stderr.count("\n") == 1):
                problem = "not one line"
            if problem:
                failures.append(f"{problem}: mptool {' '.join(args)} (input {index}, {len(data)} bytes): {stderr.strip()[:300]}")
    assert not failures, "\n".join(failures)
