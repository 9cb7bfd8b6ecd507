"""`cert lint` on real certificates: profiles, rule ids, editions, and the known defects of the samples."""

from __future__ import annotations

import pytest
from cert_helpers import CERTS, cert_path, cli_json

from mptool.core.registry import load_all

pytestmark = pytest.mark.filterwarnings("ignore:Parsed a serial number")


def _lint(name: str, *extra: str, exit_code: int | None = None) -> dict[str, dict]:
    evidence = cli_json(["cert", "lint", cert_path(name), *extra], exit_code=exit_code)
    return {r["check"]: r for r in evidence["results"]}


def _rules(result: dict) -> set[str]:
    return {f["data"]["rule_id"] for f in result["findings"]}


def test_every_rule_reports_once_per_certificate_in_rule_order() -> None:
    evidence = cli_json(["cert", "lint", str(CERTS / "sm2" / "tlcp" / "tongsuo")])
    assert evidence["parameters"]["certificates"] == 8
    checks = [r["check"] for r in evidence["results"] if r["subject"].endswith("root-ca.pem")]
    assert len(checks) == len(set(checks)) == 32  # 31 rules + cert.format.validity_at (issue 15)
    rule_ids = [r["measurements"]["rule_id"] for r in evidence["results"][:32]]
    assert rule_ids[0] == "CERT-FMT-001" and rule_ids[-1].startswith("CERT-SIG-009")
    for result in evidence["results"]:
        assert "cert-rules" not in result["reference"] and result["measurements"]["rule_id"].startswith("CERT-")
        for finding in result["findings"]:
            assert finding["data"]["rule_id"] and finding["data"]["source"]
            assert finding["data"]["cert_sha256"] and finding["location"] == result["subject"]


def test_findings_name_the_edition() -> None:
    results = _lint("sm2/realworld/cfca-cs-sm2-ca.pem")
    finding = results["cert.ext.basic_constraints_ca"]["findings"][0]
    assert "GM/T 0015-2012" in finding["data"]["source"] and "GM/T 0015-2023" in finding["data"]["source"]
    assert "GB/T 20518-2018" in finding["data"]["source"] and "RFC 5280" in results["cert.ext.basic_constraints_ca"]["reference"]


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("sm2/realworld/nrcac-rootca.pem", "root"),
        ("sm2/realworld/sheca-sm2.pem", "subca"),
        ("sm2/tlcp/tongsuo/server_sign.pem", "ee-sign"),
        ("sm2/tlcp/tongsuo/server_enc.pem", "ee-enc"),
        ("sm2/tlcp/tjfoc/enc.pem", "ee-enc"),
        ("sm2/tlcp/tjfoc/sign.pem", "ee-sign"),
    ],
)
def test_profile_detection(name: str, profile: str) -> None:
    results = _lint(name)
    assert {r["measurements"]["profile"] for r in results.values()} == {profile}


def test_chosen_profile_overrides_detection() -> None:
    results = _lint("sm2/tlcp/tongsuo/server_enc.pem", "--profile", "ee-sign", exit_code=1)
    assert results["cert.ext.key_usage_sign"]["status"] == "fail"
    assert results["cert.ext.key_usage_enc"]["status"] == "na"


def test_cfca_root_basic_constraints_not_critical_is_a_warning() -> None:
    """MANIFEST: 'basicConstraints NOT critical (pkilint ERROR)'; cert-rules: report, do not fail alone."""
    results = _lint("sm2/realworld/cfca-cs-sm2-ca.pem", exit_code=0)
    assert results["cert.ext.basic_constraints_ca"]["status"] == "warn"
    assert results["cert.sig.self_signature"]["status"] == "pass"
    assert results["cert.format.der"]["status"] == "pass"


def test_noza_root_fails_strict_check() -> None:
    """MANIFEST: 'self-sig verifies ONLY without ZA; must FAIL strict GM/T 0015 check'."""
    results = _lint("sm2/malformed/noza-root.pem", exit_code=1)
    result = results["cert.sig.self_signature"]
    assert result["status"] == "fail" and result["findings"][0]["data"]["rule"] == "CERT-SIG-008"


def test_spki_sm2_oid_is_nonconforming_encoding() -> None:
    results = _lint("sm2/malformed/spki-oid-sm2-root.pem")
    assert results["cert.format.spki_sm2_oid"]["status"] == "warn"
    assert _rules(results["cert.format.spki_sm2_oid"]) == {"CERT-FMT-008"}
    assert results["cert.sig.self_signature"]["status"] == "pass"


def test_sm2_with_sha256_and_negative_serial() -> None:
    """MANIFEST: 'sig alg 1.2.156.10197.1.503 (SM2-with-SHA256), serial -1'."""
    results = _lint("sm2/malformed/sigalg-sm2-with-sha256.pem", exit_code=1)
    assert results["cert.format.sigalg_non_sm3"]["status"] == "fail"
    assert results["cert.format.serial"]["status"] == "fail"
    assert results["cert.format.serial"]["measurements"]["serial"] == "-0x1"


def test_ecdsa_signature_on_sm2_key() -> None:
    results = _lint("sm2/malformed/sigalg-ecdsa-sha256-on-sm2-key.pem", exit_code=1)
    assert _rules(results["cert.format.sigalg_non_sm3"]) == {"CERT-FMT-006"}


@pytest.mark.parametrize("name", ["sm2/malformed/explicit-curve-params.pem", "ecdsa/ee-cert-ec-explicit.pem"])
def test_explicit_curve_parameters(name: str) -> None:
    results = _lint(name)
    assert results["cert.format.spki_explicit"]["status"] == "warn"
    sm2 = "sm2/" in name
    assert results["cert.format.spki_explicit"]["measurements"]["explicit_equals_sm2"] is sm2
    if sm2:
        assert results["cert.sig.self_signature"]["status"] == "pass"


def test_unknown_critical_extension() -> None:
    results = _lint("rsa/ee-cert-crit-unknown-ext.pem", exit_code=1)
    assert results["cert.format.extensions"]["findings"][0]["data"]["oid"] == "1.2.3.4"


def test_time_order_of_expired_ca() -> None:
    """rsa/ca-expired: notAfter (2020-12-11) before notBefore (2020-12-12)."""
    results = _lint("rsa/ca-expired.pem", exit_code=1)
    assert [f["code"] for f in results["cert.format.validity"]["findings"]] == ["cert.format.validity.order"]


def test_null_parameters_in_real_cfca_certificates() -> None:
    results = _lint("sm2/realworld/cfca-sm2-oca1.pem")
    assert [f["code"] for f in results["cert.format.sigalg_sm2"]["findings"]] == ["cert.format.sigalg_sm2.null_parameters"]


def test_tongsuo_root_serial_zero() -> None:
    results = _lint("sm2/tlcp/tongsuo/root-ca.pem", exit_code=1)
    assert results["cert.format.serial"]["measurements"]["serial"] == "0x0"
    assert results["cert.format.serial"]["status"] == "fail"


def test_catalogue_has_docstring_and_reference_for_every_cert_check() -> None:
    specs = [s for s in load_all() if s.domain == "cert"]
    assert len(specs) >= 45
    for spec in specs:
        assert spec.description and spec.reference, spec.id
        assert spec.id.count(".") == 2
