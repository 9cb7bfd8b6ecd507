"""Sealed case archive: seal → verify → tamper/remove/add → reported; independent SM2 verification."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from assess_support import case_text, write_case
from conftest import run_cli
from test_assess_golden import OWN_JUDGEMENTS, OWN_MANAGEMENT, OWN_OBJECTS

OPENSSL = shutil.which("openssl")


def _openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL
    return subprocess.run([OPENSSL, *args], capture_output=True, timeout=60)


@pytest.fixture
def signer(tmp_path: Path) -> tuple[Path, Path]:
    """An SM2 key and self-signed SM2/SM3 certificate made by OpenSSL 3 (independent of mptool)."""
    if OPENSSL is None or _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", str(tmp_path / "k.pem")).returncode:
        pytest.skip("openssl with SM2 not available")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    made = _openssl("req", "-new", "-x509", "-key", str(key), "-sm3", "-sigopt", "distid:1234567812345678", "-subj", "/CN=evaluator/O=lab", "-days", "30", "-out", str(cert))
    assert made.returncode == 0, made.stderr
    return key, cert


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    write_case(case, case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT))
    (case / "evidence").mkdir()
    (case / "evidence" / "tool.json").write_text('{"schema": "x"}\n', encoding="utf-8")
    return case


def test_seal_verify_tamper_remove_add(tmp_path: Path, signer: tuple[Path, Path]) -> None:
    key, cert = signer
    case = _case(tmp_path)
    assert run_cli(["assess", "report", str(case), "-o", str(case / "report.docx")]).exit_code == 0
    sealed = run_cli(["assess", "seal", str(case), "--sign-key", str(key), "--sign-cert", str(cert)])
    assert sealed.exit_code == 0, sealed.stderr
    assert key.read_text() not in sealed.stdout + sealed.stderr
    ok = run_cli(["assess", "verify", str(case)])
    assert ok.exit_code == 0 and "seal OK" in ok.stdout and "3 files sealed" in ok.stdout
    # a third party: OpenSSL verifies the SM2 signature over the manifest with the certificate
    checked = _openssl("pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-in", str(case / "seal/manifest.json"),
                       "-sigfile", str(case / "seal/manifest.sig"), "-certin", "-inkey", str(case / "seal/signer.pem"), "-pkeyopt", "distid:1234567812345678")
    assert checked.returncode == 0 and b"Signature Verified Successfully" in checked.stdout
    # and gmssl (pure Python, independent of mptool's SM2) too, with the file digests by OpenSSL
    import json

    from gmssl import sm2 as gm_sm2
    from pyasn1.codec.der import decoder
    from pyasn1_modules import rfc5280

    der = subprocess.run([OPENSSL, "x509", "-in", str(cert), "-outform", "DER"], capture_output=True, check=True).stdout
    spki = decoder.decode(der, asn1Spec=rfc5280.Certificate())[0]["tbsCertificate"]["subjectPublicKeyInfo"]
    public = spki["subjectPublicKey"].asOctets()[1:].hex()
    seq = decoder.decode((case / "seal/manifest.sig").read_bytes())[0]
    raw_sig = f"{int(seq[0]):064x}{int(seq[1]):064x}"
    body = (case / "seal/manifest.json").read_bytes()
    assert gm_sm2.CryptSM2(private_key="", public_key=public).verify_with_sm3(raw_sig, body)
    manifest = json.loads(body)
    for entry in manifest["files"]:
        digest = _openssl("dgst", "-sm3", "-r", str(case / entry["path"])).stdout.split()[0].decode()
        assert digest == entry["sm3"]
    # tamper one byte of a case file
    target = case / "evidence" / "tool.json"
    data = bytearray(target.read_bytes())
    data[3] ^= 1
    target.write_bytes(bytes(data))
    bad = run_cli(["assess", "verify", str(case)])
    assert bad.exit_code == 1 and "changed: evidence/tool.json" in bad.stdout and "seal FAILED" in bad.stdout
    data[3] ^= 1
    target.write_bytes(bytes(data))
    (case / "report.docx").unlink()
    (case / "notes.txt").write_text("later\n", encoding="utf-8")
    moved = run_cli(["assess", "verify", str(case)])
    assert moved.exit_code == 1 and "missing: report.docx" in moved.stdout and "added: notes.txt" in moved.stdout
    # a manifest edited after signing: bad signature
    (case / "notes.txt").unlink()
    (case / "report.docx").write_bytes(b"x")
    edited = body.replace(b'"schema":"mptool.case-seal/1"', b'"schema":"mptool.case-seal/1","x":1')
    (case / "seal/manifest.json").write_bytes(edited)
    sig = run_cli(["assess", "verify", str(case)])
    assert sig.exit_code == 1 and "signature BAD" in sig.stdout
    # a manifest replaced by hostile JSON: a failed seal, never exit 128 (RecursionError, int digits)
    for hostile in (b"[" * 100_000, b'{"files": ' + b"9" * 5000 + b"}"):
        (case / "seal/manifest.json").write_bytes(hostile)
        broken = run_cli(["assess", "verify", str(case)])
        assert broken.exit_code == 1 and "not a seal manifest" in broken.stdout and "seal FAILED" in broken.stdout, broken.stdout + broken.stderr


def test_encrypted_key_wrong_key_and_bad_input(tmp_path: Path, signer: tuple[Path, Path]) -> None:
    key, cert = signer
    case = _case(tmp_path)
    password = tmp_path / "pass.txt"
    password.write_text("s3cret-口令\n", encoding="utf-8")
    encrypted = tmp_path / "enc.pem"
    made = _openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", str(key), "-out", str(encrypted), "-passout", f"file:{password}")
    assert made.returncode == 0, made.stderr
    no_pass = run_cli(["assess", "seal", str(case), "--sign-key", str(encrypted), "--sign-cert", str(cert)])
    assert no_pass.exit_code == 3 and "--key-pass-file" in no_pass.stderr
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("nope\n", encoding="utf-8")
    bad = run_cli(["assess", "seal", str(case), "--sign-key", str(encrypted), "--sign-cert", str(cert), "--key-pass-file", str(wrong)])
    assert bad.exit_code == 3 and "nope" not in bad.stderr
    good = run_cli(["assess", "seal", str(case), "--sign-key", str(encrypted), "--sign-cert", str(cert), "--key-pass-file", str(password)])
    assert good.exit_code == 0, good.stderr
    outputs = good.stdout + good.stderr + "".join(p.read_text(encoding="utf-8", errors="replace") for p in (case / "seal").iterdir())
    assert "s3cret" not in outputs and "PRIVATE KEY" not in outputs
    assert run_cli(["assess", "verify", str(case)]).exit_code == 0
    # a key that does not belong to the certificate
    other = tmp_path / "other.pem"
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", str(other))
    mismatch = run_cli(["assess", "seal", str(case), "--sign-key", str(other), "--sign-cert", str(cert)])
    assert mismatch.exit_code == 2 and "does not belong" in mismatch.stderr
    not_key = run_cli(["assess", "seal", str(case), "--sign-key", str(cert), "--sign-cert", str(cert)])
    assert not_key.exit_code == 3 and not_key.stderr.startswith("mptool: error: ")
    unsealed = run_cli(["assess", "verify", str(tmp_path)])
    assert unsealed.exit_code == 3 and "no seal" in unsealed.stderr
