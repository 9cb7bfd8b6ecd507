"""Certificate inputs: PEM, DER, PEM bundles, PKCS#7 (.p7b, PEM and DER), directories; bad input -> exit 3."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Parsed a serial number")
from cert_helpers import CERTS, cert_path, cli_json, results_by_check
from conftest import run_cli
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

TS = "sm2/tlcp/tongsuo/"
AT = "2026-11-27T00:00:00Z"


def _ders(*names: str) -> list[bytes]:
    return [x509.load_pem_x509_certificate((CERTS / n).read_bytes()).public_bytes(Encoding.DER) for n in names]


def _chain(leaf: str, inter: str, trust: str) -> dict:
    return cli_json(["cert", "chain", leaf, "--intermediates", inter, "--trust", trust, "--at", AT], exit_code=0)


def test_der_and_pem_bundle(tmp_path: Path) -> None:
    leaf = tmp_path / "leaf.der"
    leaf.write_bytes(_ders(TS + "server_sign.pem")[0])
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes((CERTS / TS / "sub-ca.pem").read_bytes() + b"\n" + (CERTS / TS / "root-ca.pem").read_bytes())
    evidence = _chain(str(leaf), str(bundle), cert_path(TS + "root-ca.pem"))
    names = [i["name"] for i in evidence["inputs"]]
    assert names == [str(leaf), str(bundle), cert_path(TS + "root-ca.pem")]
    assert evidence["inputs"][0]["sha256"] == hashlib.sha256(leaf.read_bytes()).hexdigest()


@pytest.mark.parametrize("encoding", ["der", "pem"])
def test_pkcs7_bundle(tmp_path: Path, encoding: str) -> None:
    certs = [x509.load_der_x509_certificate(d) for d in _ders(TS + "sub-ca.pem", TS + "root-ca.pem")]
    p7 = tmp_path / f"chain.p7b.{encoding}"
    p7.write_bytes(pkcs7.serialize_certificates(certs, Encoding.DER if encoding == "der" else Encoding.PEM))
    evidence = _chain(cert_path(TS + "server_sign.pem"), str(p7), cert_path(TS + "root-ca.pem"))
    intermediate = results_by_check(evidence)["cert.path.build"]["measurements"]["chosen_path"][1]
    assert intermediate["source"].startswith(str(p7) + "#")
    assert intermediate["sha256"] == hashlib.sha256(_ders(TS + "sub-ca.pem")[0]).hexdigest()


def test_trust_directory_with_other_roots() -> None:
    evidence = cli_json(["cert", "chain", cert_path(TS + "server_sign.pem"), "--intermediates", cert_path(TS + "sub-ca.pem"), "--trust", str(CERTS / "sm2"), "--at", AT], exit_code=0)
    assert evidence["parameters"]["trust_anchors"] > 20


def test_leaf_bundle_supplies_intermediates(tmp_path: Path) -> None:
    bundle = tmp_path / "server.pem"
    bundle.write_bytes((CERTS / TS / "server_sign.pem").read_bytes() + (CERTS / TS / "sub-ca.pem").read_bytes())
    cli_json(["cert", "chain", str(bundle), "--trust", cert_path(TS + "root-ca.pem"), "--at", AT], exit_code=0)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"hello world\n", "neither PEM nor DER"),
        (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "holds no CERTIFICATE"),
        (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid base64"),
        (b"\x30\x03\x02\x01\x01", "not an X.509 certificate"),
    ],
)
@pytest.mark.parametrize("command", ["lint", "chain"])
def test_unparseable_input_is_exit_3_naming_the_file(tmp_path: Path, content: bytes, problem: str, command: str) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_bytes(content)
    out = tmp_path / "report.json"
    args = ["cert", command, str(bad), "-f", "json", "-o", str(out)] + (["--trust", cert_path(TS + "root-ca.pem")] if command == "chain" else [])
    result = run_cli(args)
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and problem in lines[0], lines
    assert "Traceback" not in result.stderr and not out.exists()
    assert bad.read_bytes() == content


def test_bad_intermediate_named(tmp_path: Path) -> None:
    bad = tmp_path / "inter.pem"
    bad.write_bytes(b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n")
    result = run_cli(["cert", "chain", cert_path(TS + "server_sign.pem"), "--intermediates", str(bad), "--trust", cert_path(TS + "root-ca.pem")])
    assert result.exit_code == 3 and str(bad) in result.stderr


@pytest.mark.parametrize(("option", "value"), [("--at", "yesterday"), ("--sm2-id", "hex:zz")])
def test_bad_option_values(option: str, value: str) -> None:
    result = run_cli(["cert", "chain", cert_path(TS + "server_sign.pem"), "--trust", cert_path(TS + "root-ca.pem"), option, value])
    assert result.exit_code == 3 and result.stderr.startswith(f"mptool: error: {option}:")


def test_missing_file_and_empty_directory(tmp_path: Path) -> None:
    assert run_cli(["cert", "lint", str(tmp_path / "nope.pem")]).exit_code == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(["cert", "lint", str(empty)])
    assert result.exit_code == 3 and "holds no file" in result.stderr


def test_no_trust_anchor_means_no_valid_path() -> None:
    evidence = cli_json(["cert", "chain", cert_path(TS + "server_sign.pem"), "--intermediates", cert_path(TS + "sub-ca.pem"), "--at", AT], exit_code=1)
    build = results_by_check(evidence)["cert.path.build"]
    assert build["status"] == "fail" and "no trust anchor" in build["findings"][0]["message"]
    assert results_by_check(evidence)["cert.path.signature"]["status"] == "pass"


def test_deterministic_runs_are_identical() -> None:
    args = ["cert", "chain", cert_path(TS + "server_sign.pem"), "--intermediates", cert_path(TS + "sub-ca.pem"), "--trust", cert_path(TS + "root-ca.pem"), "--at", AT, "-f", "json", "--deterministic"]
    first, second = run_cli(args), run_cli(args)
    assert first.stdout == second.stdout
    first.json()


def test_lint_from_stdin() -> None:
    data = (CERTS / "sm2" / "tlcp" / "tjfoc" / "ca.pem").read_bytes()
    result = run_cli(["cert", "lint", "-", "-f", "json"], input=data)
    evidence = result.json()
    assert result.exit_code == 0
    assert evidence["inputs"][0]["name"] == "<stdin>" and evidence["inputs"][0]["size"] == len(data)
    assert {r["subject"] for r in evidence["results"]} == {"<stdin>"}


def _count_parses(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    """Record the source of every call of ``module.name`` (a parser taking ``der, source``)."""
    calls: list[str] = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda der, source: calls.append(source) or real(der, source))
    return calls


def test_bundle_of_copies_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 21: 10,000 copies of one certificate took > 60 s (each parsed before deduplication)."""
    from mptool.cert.x509 import crl as crl_module
    from mptool.cert.x509 import loader

    pem = (CERTS / "rsa/ee-cert.pem").read_bytes()
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pem * 10_000 + (CERTS / "rsa/ca-cert.pem").read_bytes())
    calls = _count_parses(monkeypatch, loader, "parse_certificate")
    loaded = loader.load_files([str(bundle), str(bundle)])
    assert [c.source for c in loaded.certs] == [f"{bundle}#1", f"{bundle}#10001"]
    assert calls == [f"{bundle}#1", f"{bundle}#10001"]

    crl_der = (CERTS / "nist-pkits/crls/BadSignedCACRL.crl").read_bytes()
    crl_file = tmp_path / "copies.crl"
    crl_file.write_bytes(crl_der)
    parsed = _count_parses(monkeypatch, crl_module, "parse_crl")
    crls, records = crl_module.load_crls([str(crl_file)] * 3)
    assert len(crls) == 1 and len(records) == 3 and parsed == [str(crl_file)]


def test_der_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A DER certificate file was parsed twice: once to tell it from DER PKCS#7, once to read it."""
    from mptool.cert.x509 import loader

    der = (CERTS / "nist-pkits/certs/ValidPolicyMappingTest9EE.crt").read_bytes()
    path = tmp_path / "leaf.crt"
    path.write_bytes(der)
    calls = _count_parses(monkeypatch, loader, "parse_certificate")
    loaded = loader.load_files([str(path)])
    assert [c.source for c in loaded.certs] == [str(path)] and loaded.certs[0].der == der
    assert calls == [str(path)]
    assert x509.load_der_x509_certificate(der).subject == loaded.certs[0].x509.subject
