"""`cert chain --crl`: revocation against supplied SM2-signed CRLs (signature checked, currency, serial)."""

from __future__ import annotations

import base64
import datetime as _dt
from pathlib import Path

import pytest
from cert_helpers import cert_path, cli_json, results_by_check
from conftest import run_cli
from cryptography import x509
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc3279
from gmssl_oracle import A, B, GX, GY

from mptool.cert.x509.der import slice_signed
from mptool.cert.x509.loader import load_files
from mptool.cert.synth import resign, sm2_crl, sm2_key

AT = "2026-11-27T00:00:00Z"
ROOT_NAME = x509.Name.from_rfc4514_string("CN=crl test root,C=CN")
ROOT_KEY = sm2_key(0x5151)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("crl")
    root_t, leaf_t = (load_files([cert_path(f"sm2/tlcp/tongsuo/{n}")]).certs[0] for n in ("root-ca.pem", "server_sign.pem"))
    root = resign(root_t, subject=ROOT_NAME, issuer=ROOT_NAME, subject_key=ROOT_KEY, issuer_key=ROOT_KEY, serial=1)
    leaf = resign(leaf_t, subject=x509.Name.from_rfc4514_string("CN=crl test leaf,C=CN"), issuer=ROOT_NAME, subject_key=sm2_key(0x6161), issuer_key=ROOT_KEY, serial=4242)
    paths = {"root": directory / "root.der", "leaf": directory / "leaf.der"}
    paths["root"].write_bytes(root)
    paths["leaf"].write_bytes(leaf)
    t0, t1 = _dt.datetime(2026, 11, 1), _dt.datetime(2026, 12, 31)
    crls = {
        "revoked": sm2_crl(ROOT_NAME, ROOT_KEY, [17, 4242], this_update=t0, next_update=t1),
        "clean": sm2_crl(ROOT_NAME, ROOT_KEY, [17], this_update=t0, next_update=t1),
        "forged": sm2_crl(ROOT_NAME, sm2_key(0x7777), [], this_update=t0, next_update=t1),
        "stale": sm2_crl(ROOT_NAME, ROOT_KEY, [], this_update=_dt.datetime(2026, 1, 1), next_update=_dt.datetime(2026, 2, 1)),
        "other": sm2_crl(x509.Name.from_rfc4514_string("CN=someone else"), ROOT_KEY, [4242], this_update=t0, next_update=t1),
    }
    for name, der in crls.items():
        paths[name] = directory / f"{name}.crl"
        paths[name].write_bytes(der)
    pem = directory / "revoked.pem"
    pem.write_text("-----BEGIN X509 CRL-----\n" + base64.encodebytes(crls["revoked"]).decode() + "-----END X509 CRL-----\n")
    paths["revoked_pem"] = pem
    return paths


def _run(pki: dict[str, Path], crl: str, exit_code: int) -> dict:
    return cli_json(["cert", "chain", str(pki["leaf"]), "--trust", str(pki["root"]), "--at", AT, "--crl", str(pki[crl])], exit_code=exit_code)


def _revocation(evidence: dict) -> tuple[str, list[str]]:
    result = results_by_check(evidence)["cert.path.revocation"]
    return result["status"], [f["message"] for f in result["findings"]]


@pytest.mark.parametrize("crl", ["revoked", "revoked_pem"])
def test_revoked_leaf(pki: dict[str, Path], crl: str) -> None:
    status, messages = _revocation(_run(pki, crl, 1))
    assert status == "fail" and any(m.startswith("revoked") for m in messages)


def test_clean_crl(pki: dict[str, Path]) -> None:
    status, messages = _revocation(_run(pki, "clean", 0))
    assert status == "pass" and messages == []


def test_forged_crl_fails_closed(pki: dict[str, Path]) -> None:
    status, messages = _revocation(_run(pki, "forged", 1))
    assert status == "fail" and "does not verify" in messages[0]


def test_stale_crl(pki: dict[str, Path]) -> None:
    status, messages = _revocation(_run(pki, "stale", 1))
    assert status == "fail" and "not current" in messages[0]


def test_crl_of_another_issuer_is_not_used(pki: dict[str, Path]) -> None:
    """With --crl given the status must be determined (RFC 5280 §6.3.3): a CRL of another issuer
    leaves it undetermined, which fails the path (PKITS 4.4.1 Missing CRL)."""
    status, messages = _revocation(_run(pki, "other", 1))
    assert status == "fail" and "cannot be determined" in messages[0] and "no supplied CRL covers" in messages[0]


def test_sm2_crl_signature_checks_with_gmssl(pki: dict[str, Path]) -> None:
    """The SM2 CRL signature mptool accepts also verifies in gmssl (ZA, e, r/s recomputed there)."""
    tbs, bits = slice_signed(pki["clean"].read_bytes())
    xy = ROOT_KEY.encoded[1:].hex().upper()
    za = bytes.fromhex(gm_sm3.sm3_hash(list(b"\x00\x80" + b"1234567812345678" + bytes.fromhex(A + B + GX + GY + xy))))
    e = bytes.fromhex(gm_sm3.sm3_hash(list(za + tbs)))
    sig, _ = decoder.decode(bits[1:], asn1Spec=rfc3279.ECDSA_Sig_Value())
    verifier = gm_sm2.CryptSM2(private_key="00", public_key="00")
    verifier.public_key = xy
    assert verifier.verify(f"{int(sig['r']):064x}{int(sig['s']):064x}", e)


def test_bad_crl_file_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.crl"
    bad.write_bytes(b"\x30\x03\x02\x01\x00")
    result = run_cli(["cert", "chain", cert_path("sm2/tlcp/tjfoc/sign.pem"), "--trust", cert_path("sm2/tlcp/tjfoc/ca.pem"), "--crl", str(bad)])
    assert result.exit_code == 3 and str(bad) in result.stderr and "CRL" in result.stderr
