"""Mutations of real SM2 certificates fail with the right finding.

Flipped signature bit, flipped TBS bit, validity moved, issuer swapped, same-DN issuer with
another key, SM2 user ID changed, non-DER encoding. Re-signed certificates are made with
mptool.cert.synth (mptool's SM2 signer) and cross-checked with gmssl.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from cert_helpers import cert_path, cli_json, failing_checks, results_by_check
from cryptography import x509
from gmssl_oracle import gmssl_verify

from mptool.cert.x509.der import read_tlv
from mptool.cert.x509.loader import load_files
from mptool.cert.x509.parse import Cert, parse_certificate
from mptool.cert.synth import resign, sm2_chain, sm2_key

TS = "sm2/tlcp/tongsuo/"
AT = "2026-11-27T00:00:00Z"


def _cert(name: str) -> Cert:
    return load_files([cert_path(name)]).certs[0]


def _write(tmp_path: Path, name: str, ders: list[bytes]) -> str:
    import base64

    text = ""
    for der in ders:
        b64 = base64.encodebytes(der).decode().replace("\n", "")
        text += "-----BEGIN CERTIFICATE-----\n" + "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64)) + "\n-----END CERTIFICATE-----\n"
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _chain(leaf: str, *, inter: list[str] | None = None, trust: list[str], extra: list[str] | None = None, exit_code: int) -> dict:
    args = ["cert", "chain", leaf, "--at", AT]
    for path in inter or []:
        args += ["--intermediates", path]
    for path in trust:
        args += ["--trust", path]
    return cli_json(args + (extra or []), exit_code=exit_code)


def _signature_rules(evidence: dict) -> set[str]:
    return {f["data"].get("rule") for f in results_by_check(evidence)["cert.path.signature"]["findings"]}


def test_flipped_signature_bit(tmp_path: Path) -> None:
    leaf = _cert(TS + "server_sign.pem")
    der = bytearray(leaf.der)
    der[-1] ^= 0x01  # last byte of s
    mutated = parse_certificate(bytes(der), "mutated")
    assert not gmssl_verify(mutated, _cert(TS + "sub-ca.pem"), b"1234567812345678")
    evidence = _chain(_write(tmp_path, "leaf.pem", [bytes(der)]), inter=[cert_path(TS + "sub-ca.pem")], trust=[cert_path(TS + "root-ca.pem")], exit_code=1)
    assert failing_checks(evidence) == {"cert.path.build", "cert.path.signature"}
    assert _signature_rules(evidence) == {"CERT-SIG-007"}


def test_flipped_tbs_bit(tmp_path: Path) -> None:
    leaf = _cert(TS + "server_sign.pem")
    der = bytearray(leaf.der)
    position = leaf.der.index(b"server sign")
    der[position] ^= 0x20  # 's' -> 'S' in the subject CN
    evidence = _chain(_write(tmp_path, "leaf.pem", [bytes(der)]), inter=[cert_path(TS + "sub-ca.pem")], trust=[cert_path(TS + "root-ca.pem")], exit_code=1)
    assert failing_checks(evidence) == {"cert.path.build", "cert.path.signature"}


@pytest.mark.parametrize(("at", "state"), [("2023-02-21T00:00:00Z", "not yet valid"), ("2123-02-01T00:00:00Z", "expired")])
def test_validity_moved(at: str, state: str) -> None:
    args = ["cert", "chain", cert_path(TS + "server_sign.pem"), "--intermediates", cert_path(TS + "sub-ca.pem"), "--trust", cert_path(TS + "root-ca.pem"), "--at", at]
    evidence = cli_json(args, exit_code=1)
    assert failing_checks(evidence) == {"cert.path.build", "cert.path.validity"}
    messages = [f["message"] for f in results_by_check(evidence)["cert.path.validity"]["findings"]]
    assert all(state in m for m in messages) and len(messages) == 3
    assert evidence["parameters"]["at"].startswith(at[:10])


def test_resigned_validity_in_the_past(tmp_path: Path) -> None:
    """A correctly signed leaf whose validity was moved to 2020 fails validity only."""
    root, ca, leaf = (_cert(TS + n) for n in ("root-ca.pem", "sub-ca.pem", "server_sign.pem"))
    k_root, k_leaf = sm2_key(11), sm2_key(12)
    root_name = x509.Name.from_rfc4514_string("CN=mptool test root,C=CN")
    root_der = resign(root, subject=root_name, issuer=root_name, subject_key=k_root, issuer_key=k_root)
    leaf_der = resign(
        leaf,
        subject=x509.Name.from_rfc4514_string("CN=leaf,C=CN"),
        issuer=root_name,
        subject_key=k_leaf,
        issuer_key=k_root,
        not_before=_dt.datetime(2019, 1, 1),
        not_after=_dt.datetime(2020, 1, 1),
    )
    assert gmssl_verify(parse_certificate(leaf_der, "leaf"), parse_certificate(root_der, "root"), b"1234567812345678")
    evidence = _chain(_write(tmp_path, "leaf.pem", [leaf_der]), trust=[_write(tmp_path, "root.pem", [root_der])], exit_code=1)
    assert failing_checks(evidence) == {"cert.path.build", "cert.path.validity"}


def test_issuer_swapped_no_path() -> None:
    """The Tongsuo leaf offered with the GmSSL sub-CA and root: no issuer with its DN -> no path."""
    evidence = _chain(cert_path(TS + "server_sign.pem"), inter=[cert_path("sm2/tlcp/gmssl/subca.pem")], trust=[cert_path("sm2/tlcp/gmssl/rootca.pem")], exit_code=1)
    build = results_by_check(evidence)["cert.path.build"]
    assert build["measurements"]["candidates"] == 0
    assert "no path" in build["findings"][0]["message"]


def test_same_dn_other_key_candidates(tmp_path: Path) -> None:
    """Two trust anchors with the tjfoc CA's DN: the forged one is rejected (signature), the real one chosen."""
    real = _cert("sm2/tlcp/tjfoc/ca.pem")
    forged_key = sm2_key(0xC0FFEE)
    forged = resign(real, subject=real.x509.subject, issuer=real.x509.subject, subject_key=forged_key, issuer_key=forged_key)
    forged_path = _write(tmp_path, "forged.pem", [forged])
    evidence = _chain(cert_path("sm2/tlcp/tjfoc/sign.pem"), trust=[forged_path, cert_path("sm2/tlcp/tjfoc/ca.pem")], exit_code=0)
    build = results_by_check(evidence)["cert.path.build"]
    assert build["measurements"]["candidates"] == 2
    assert build["measurements"]["chosen_path"][1]["sha256"] == real.sha256
    (rejected,) = build["measurements"]["rejected_candidates"]
    assert rejected["path"][1] == forged_path
    checks = {(f["check"], f["cert_index"]) for f in rejected["failures"]}
    assert ("cert.path.signature", 0) in checks


def test_changed_sm2_user_id() -> None:
    args = ["cert", "chain", cert_path(TS + "server_sign.pem"), "--intermediates", cert_path(TS + "sub-ca.pem"), "--trust", cert_path(TS + "root-ca.pem"), "--at", AT]
    evidence = cli_json([*args, "--sm2-id", "1234567812345679"], exit_code=1)
    assert failing_checks(evidence) == {"cert.path.build", "cert.path.signature"}
    assert _signature_rules(evidence) == {"CERT-SIG-007"}
    assert evidence["parameters"]["sm2_id"] == {"text": "1234567812345679", "hex": b"1234567812345679".hex(), "default": False}


def test_custom_sm2_user_id_verifies_only_with_that_id(tmp_path: Path) -> None:
    root = _cert(TS + "root-ca.pem")
    key = sm2_key(0xABCDEF)
    name = x509.Name.from_rfc4514_string("CN=custom id root,C=CN")
    user_id = b"ALICE123@YAHOO.COM"  # the ID of the GB/T 32918.2 examples
    der = resign(root, subject=name, issuer=name, subject_key=key, issuer_key=key, user_id=user_id)
    assert gmssl_verify(parse_certificate(der, "x"), parse_certificate(der, "x"), user_id)
    path = _write(tmp_path, "root.pem", [der])
    cli_json(["cert", "chain", path, "--trust", path, "--at", AT, "--sm2-id", "ALICE123@YAHOO.COM"], exit_code=0)
    cli_json(["cert", "chain", path, "--trust", path, "--at", AT, "--sm2-id", "hex:" + user_id.hex()], exit_code=0)
    default = cli_json(["cert", "chain", path, "--trust", path, "--at", AT], exit_code=1)
    assert _signature_rules(default) == {"CERT-SIG-007"}


def test_non_der_length_is_a_lint_finding(tmp_path: Path) -> None:
    """The outer SEQUENCE length re-encoded in long form with a leading zero byte (BER, not DER)."""
    der = _cert(TS + "server_sign.pem").der
    outer = read_tlv(der)
    content = der[outer.content :]
    ber = b"\x30\x83" + len(content).to_bytes(3, "big") + content
    path = tmp_path / "ber.der"
    path.write_bytes(ber)
    evidence = cli_json(["cert", "lint", str(path)], exit_code=1)
    by_check = results_by_check(evidence)
    assert by_check["cert.format.der"]["status"] == "fail"
    assert by_check["cert.format.der"]["findings"][0]["data"]["rule_id"] == "CERT-FMT-001"


def test_five_certificate_sm2_chain_from_bundles(tmp_path: Path) -> None:
    root, ca, leaf = (_cert(TS + n) for n in ("root-ca.pem", "sub-ca.pem", "server_sign.pem"))
    ders = sm2_chain(root, ca, leaf, 5)
    for child, issuer in zip(ders, ders[1:]):
        assert gmssl_verify(parse_certificate(child, "c"), parse_certificate(issuer, "i"), b"1234567812345678")
    bundle = _write(tmp_path, "intermediates.pem", ders[1:4])
    evidence = _chain(_write(tmp_path, "leaf.pem", ders[:1]), inter=[bundle], trust=[_write(tmp_path, "root.pem", ders[4:])], exit_code=0)
    assert len(results_by_check(evidence)["cert.path.build"]["measurements"]["chosen_path"]) == 5
