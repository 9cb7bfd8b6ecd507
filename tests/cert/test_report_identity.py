"""Issue 15: certificates a report can cite (identity, --at, Base64 without armour) and folders with stray files."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cert_helpers import CERTS, cert_path, cli_json
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from conftest import run_cli

pytestmark = pytest.mark.filterwarnings("ignore:Parsed a serial number")
TJ = CERTS / "sm2" / "tlcp" / "tjfoc"


def _der(path: Path) -> bytes:
    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(Encoding.DER)


def _openssl_sm3(der: bytes) -> str | None:
    """SM3 of the DER by the openssl command (independent of mptool's SM3); None if it lacks SM3."""
    if shutil.which("openssl") is None:
        return None
    proc = subprocess.run(["openssl", "dgst", "-sm3", "-r"], input=der, capture_output=True)
    return proc.stdout.split()[0].decode() if proc.returncode == 0 else None


def test_lint_records_what_a_report_cites() -> None:
    evidence = cli_json(["cert", "lint", str(TJ / "sign.pem")])
    (entry,) = evidence["summary"]["certificates"]
    der = _der(TJ / "sign.pem")
    # values from OpenSSL's view of this certificate (openssl x509 -noout -serial -dates)
    assert entry["serial"] == "2CE05B3832C3387"
    assert entry["not_before"].startswith("2021-05-30T10:36:24") and entry["not_after"].startswith("2031-05-30T06:55:02")
    assert entry["subject"].startswith("CN=localhost") and "O=测试公司" in entry["subject"]
    assert entry["key_type"] == "SM2" and entry["key_bits"] == 256
    assert entry["sha256"] == hashlib.sha256(der).hexdigest()
    expected_sm3 = _openssl_sm3(der)
    if expected_sm3 is not None:
        assert entry["sm3"] == expected_sm3
    assert len(entry["sm3"]) == 64
    text = run_cli(["cert", "lint", str(TJ / "sign.pem")]).stdout
    assert "serial 2CE05B3832C3387" in text and entry["sm3"] in text and "key SM2-256" in text


def test_lint_records_rsa_key_size() -> None:
    evidence = cli_json(["cert", "lint", cert_path("rsa/ee-cert.pem")], exit_code=None)
    (entry,) = evidence["summary"]["certificates"]
    expected = x509.load_pem_x509_certificate((CERTS / "rsa" / "ee-cert.pem").read_bytes()).public_key().key_size  # type: ignore[union-attr]
    assert entry["key_type"] == "RSA" and entry["key_bits"] == expected


def test_at_warns_on_expired_and_not_yet_valid() -> None:
    def validity_at(at: str | None) -> dict:
        args = ["cert", "lint", str(TJ / "sign.pem")] + (["--at", at] if at else [])
        evidence = cli_json(args, exit_code=None)
        return next(r for r in evidence["results"] if r["check"] == "cert.format.validity_at")

    assert validity_at(None)["status"] == "na"
    assert validity_at("2026-12-01T00:00:00Z")["status"] == "pass"
    expired = validity_at("2032-01-01T00:00:00Z")
    assert expired["status"] == "warn" and expired["findings"][0]["code"] == "cert.format.validity_at.expired"
    early = validity_at("2020-01-01")
    assert early["status"] == "warn" and early["findings"][0]["code"] == "cert.format.validity_at.not_yet_valid"
    # a warning only fails the run with --fail-on warn
    assert run_cli(["cert", "lint", str(TJ / "sign.pem"), "--at", "2032-01-01T00:00:00Z", "-q"]).exit_code == 0
    assert run_cli(["cert", "lint", str(TJ / "sign.pem"), "--at", "2032-01-01T00:00:00Z", "--fail-on", "warn", "-q"]).exit_code == 1
    bad = run_cli(["cert", "lint", str(TJ / "sign.pem"), "--at", "next tuesday"])
    assert bad.exit_code == 3 and "--at" in bad.stderr


def test_base64_without_armour_is_read(tmp_path: Path) -> None:
    der = _der(TJ / "sign.pem")
    one_line = tmp_path / "pasted.txt"
    one_line.write_bytes(base64.b64encode(der) + b"\n")
    wrapped = tmp_path / "wrapped.b64"
    wrapped.write_bytes(subprocess.run(["base64"], input=der, capture_output=True, check=True).stdout if shutil.which("base64") else base64.encodebytes(der))
    for path in (one_line, wrapped):
        evidence = cli_json(["cert", "lint", str(path)])
        assert evidence["summary"]["certificates"][0]["sha256"] == hashlib.sha256(der).hexdigest()
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(base64.b64encode(b"not a certificate at all, just some words " * 3))
    result = run_cli(["cert", "lint", str(garbage)])
    assert result.exit_code == 3 and "neither PEM nor DER" in result.stderr


def test_lint_directory_skips_stray_files_and_exits_4(tmp_path: Path) -> None:
    folder = tmp_path / "certs"
    (folder / "keys").mkdir(parents=True)
    for name in ("ca.pem", "sign.pem", "enc.pem"):
        shutil.copy(TJ / name, folder / name)
    (folder / "README.md").write_text("certificates collected from the server on 2026-11-30\n")
    (folder / "keys" / "sign.key").write_text("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg\n-----END PRIVATE KEY-----\n")
    (folder / "broken.der").write_bytes(b"\x30\x82\x01\x00" + b"\x00" * 20)
    result = run_cli(["cert", "lint", str(folder), "-f", "json", "--no-progress"])
    assert result.exit_code == 4, result.stderr
    evidence = result.json()
    skipped = {Path(s["name"]).name: s["reason"] for s in evidence["summary"]["skipped_inputs"]}
    assert set(skipped) == {"README.md", "sign.key", "broken.der"}
    assert "no CERTIFICATE" in skipped["sign.key"]
    assert evidence["parameters"]["certificates"] == 3 and len(evidence["inputs"]) == 3
    assert {Path(c["source"]).name for c in evidence["summary"]["certificates"]} == {"ca.pem", "sign.pem", "enc.pem"}
    # a stray file named on the command line is still an input error (exit 3)
    named = run_cli(["cert", "lint", str(folder / "README.md")])
    assert named.exit_code == 3
    # the subprocess: exit 4, the skips on the screen, no traceback
    proc = subprocess.run([sys.executable, "-m", "mptool", "cert", "lint", str(folder)], capture_output=True, text=True)
    assert proc.returncode == 4 and "skipped" in proc.stdout and "README.md" in proc.stdout and "Traceback" not in proc.stderr


def test_lint_directory_with_no_certificate_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here\n")
    result = run_cli(["cert", "lint", str(tmp_path)])
    assert result.exit_code == 3 and "no certificate" in result.stderr and len(result.stderr.strip().splitlines()) == 1
