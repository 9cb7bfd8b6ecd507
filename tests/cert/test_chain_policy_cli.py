"""`cert chain` with the PKITS data: --crl for every certificate, --policy / --explicit-policy and the policy set in the evidence."""

from __future__ import annotations

from cert_helpers import cli_json, results_by_check
from conftest import DATA

PK = DATA.certs / "nist-pkits"
AT = "2020-01-01T00:00:00Z"
P1, P2 = "2.16.840.1.101.3.2.1.48.1", "2.16.840.1.101.3.2.1.48.2"


def _chain(leaf: str, cas: list[str], crls: list[str], *extra: str, exit_code: int) -> dict:
    args = ["cert", "chain", str(PK / "certs" / leaf), "--trust", str(PK / "certs" / "TrustAnchorRootCertificate.crt"), "--at", AT]
    for ca in cas:
        args += ["--intermediates", str(PK / "certs" / ca)]
    for crl in crls:
        args += ["--crl", str(PK / "crls" / crl)]
    return cli_json([*args, *extra], exit_code=exit_code)


def test_policy_set_in_evidence_and_initial_policy_set() -> None:
    """PKITS 4.8.1: all certificates assert NIST-test-policy-1; valid with policy 1, invalid with policy 2 + explicit."""
    base = ("ValidCertificatePathTest1EE.crt", ["GoodCACert.crt"], ["TrustAnchorRootCRL.crl", "GoodCACRL.crl"])
    evidence = _chain(*base, "--policy", P1, "--explicit-policy", exit_code=0)
    policy = results_by_check(evidence)["cert.path.build"]["measurements"]["policy"]
    assert policy["valid_policies"] == [P1] and policy["user_constrained_policy_set"] == [P1]
    assert evidence["parameters"]["initial_policy_set"] == [P1] and evidence["parameters"]["initial_explicit_policy"] is True
    evidence = _chain(*base, "--policy", P2, "--explicit-policy", exit_code=1)
    assert results_by_check(evidence)["cert.path.policies"]["status"] == "fail"


def test_missing_crl_for_an_intermediate_fails() -> None:
    """PKITS 4.4.1: with --crl given, a certificate whose status no CRL determines fails the path."""
    evidence = _chain("InvalidMissingCRLTest1EE.crt", ["NoCRLCACert.crt"], ["TrustAnchorRootCRL.crl"], exit_code=1)
    assert "cannot be determined" in results_by_check(evidence)["cert.path.revocation"]["findings"][0]["message"]


def test_negative_serial_revoked_is_a_verdict_not_a_crash() -> None:
    """PKITS 4.4.15: a revoked certificate with serial -1 is reported revoked (exit 1, not 4)."""
    evidence = _chain("InvalidNegativeSerialNumberTest15EE.crt", ["NegativeSerialNumberCACert.crt"], ["TrustAnchorRootCRL.crl", "NegativeSerialNumberCACRL.crl"], exit_code=1)
    assert results_by_check(evidence)["cert.path.revocation"]["findings"][0]["message"].startswith("revoked")


def test_bad_policy_oid_is_an_input_error() -> None:
    from conftest import run_cli

    result = run_cli(["cert", "chain", str(PK / "certs" / "ValidCertificatePathTest1EE.crt"), "--policy", "not-an-oid"])
    assert result.exit_code == 3 and "--policy" in result.stderr
