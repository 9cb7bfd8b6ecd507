"""`cert pair` (TLCP signing/encryption pair) and the public API used by the proto domain."""

from __future__ import annotations

import datetime as _dt

import pytest
from cert_helpers import CERTS, cert_path, cli_json
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from mptool.cert.api import check_certificates, check_tlcp_pair
from mptool.core.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:Parsed a serial number")
TJ = "sm2/tlcp/tjfoc/"
GM = "sm2/tlcp/gmssl/"
TS = "sm2/tlcp/tongsuo/"


def _der(name: str) -> bytes:
    return x509.load_pem_x509_certificate((CERTS / name).read_bytes()).public_bytes(Encoding.DER)


def _codes(evidence: dict) -> set[str]:
    return {f["code"] for f in evidence["results"][0]["findings"]}


def test_real_pair_passes() -> None:
    evidence = cli_json(["cert", "pair", cert_path(TJ + "sign.pem"), cert_path(TJ + "enc.pem"), "--at", "2026-11-27T00:00:00Z"], exit_code=0)
    assert evidence["results"][0]["status"] == "pass"
    assert evidence["results"][0]["measurements"]["enc"]["key_usage"] == ["data_encipherment", "key_encipherment"]


def test_gmssl_pair_valid_in_2023_expired_in_2026() -> None:
    cli_json(["cert", "pair", cert_path(GM + "server_sign.pem"), cert_path(GM + "server_enc.pem"), "--at", "2023-06-01T00:00:00Z"], exit_code=0)
    evidence = cli_json(["cert", "pair", cert_path(GM + "server_sign.pem"), cert_path(GM + "server_enc.pem"), "--at", "2026-11-27T00:00:00Z"], exit_code=1)
    assert _codes(evidence) == {"cert.pair.tlcp.sign_validity", "cert.pair.tlcp.enc_validity"}


def test_swapped_roles_fail_key_usage() -> None:
    evidence = cli_json(["cert", "pair", cert_path(TJ + "enc.pem"), cert_path(TJ + "sign.pem"), "--at", "2026-11-27T00:00:00Z"], exit_code=1)
    assert _codes(evidence) == {"cert.pair.tlcp.swapped", "cert.pair.tlcp.sign_key_usage", "cert.pair.tlcp.enc_key_usage"}
    first = evidence["results"][0]["findings"][0]  # issue 15: the likely cause is said first
    assert first["code"] == "cert.pair.tlcp.swapped" and "give the signing certificate first" in first["message"]
    assert first["data"]["sign_key_usage"] == ["data_encipherment", "key_encipherment"]


def test_a_pair_with_one_bad_key_usage_is_not_called_swapped() -> None:
    """Two signing certificates: the second's keyUsage is wrong, but nothing looks swapped."""
    evidence = cli_json(["cert", "pair", cert_path(TJ + "sign.pem"), cert_path(TJ + "sign.pem"), "--at", "2026-11-27T00:00:00Z"], exit_code=1)
    assert "cert.pair.tlcp.enc_key_usage" in _codes(evidence) and "cert.pair.tlcp.swapped" not in _codes(evidence)


def test_pair_of_different_entities() -> None:
    """Tongsuo's test certificates use CN 'server sign' / 'server enc'; a server sign + client enc differ too."""
    evidence = cli_json(["cert", "pair", cert_path(TS + "server_sign.pem"), cert_path(TJ + "enc.pem"), "--at", "2026-11-27T00:00:00Z"], exit_code=1)
    assert {"cert.pair.tlcp.issuer", "cert.pair.tlcp.subject"} <= _codes(evidence)


def test_pair_rejects_bundles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bundle = tmp_path / "two.pem"
    bundle.write_bytes((CERTS / TJ / "sign.pem").read_bytes() + (CERTS / TJ / "ca.pem").read_bytes())
    from conftest import run_cli

    result = run_cli(["cert", "pair", str(bundle), cert_path(TJ + "enc.pem")])
    assert result.exit_code == 3 and "expected exactly one" in result.stderr


AT = _dt.datetime(2026, 11, 27, tzinfo=_dt.timezone.utc)


def test_api_check_certificates_with_trust() -> None:
    results = check_certificates([_der(TS + "server_sign.pem"), _der(TS + "sub-ca.pem")], at=AT, purpose="any", trust=[_der(TS + "root-ca.pem")], lint=False)
    by_check = {r.check: r for r in results}
    assert by_check["cert.path.build"].status.value == "pass"
    assert results[0].check == "cert.path.build"


def test_api_without_trust_reports_anchor_as_warning_and_lints() -> None:
    results = check_certificates([_der(TS + "server_sign.pem"), _der(TS + "sub-ca.pem")], at=AT, purpose="any")
    path = {r.check: r for r in results if r.check.startswith("cert.path.")}
    assert path["cert.path.build"].status.value == "warn"
    assert path["cert.path.anchor"].status.value == "warn"
    assert path["cert.path.signature"].status.value == "pass"
    lint_subjects = {r.subject for r in results if r.check.startswith("cert.format.")}
    assert lint_subjects == {"handshake[0]", "handshake[1]"}


def test_api_detects_bad_signature_and_peer_name() -> None:
    leaf = bytearray(_der(TJ + "sign.pem"))
    leaf[-1] ^= 1
    results = check_certificates([bytes(leaf)], at=AT, trust=[_der(TJ + "ca.pem")], lint=False, peer_name="example.com")
    by_check = {r.check: r for r in results}
    assert by_check["cert.path.build"].status.value == "fail"
    assert {f.code for f in by_check["cert.path.signature"].findings} == {"cert.path.signature"}
    assert by_check["cert.path.leaf_usage"].status.value == "fail"
    ok = check_certificates([_der(TJ + "sign.pem")], at=AT, trust=[_der(TJ + "ca.pem")], lint=False, peer_name="localhost")
    assert ok[0].status.value == "pass"


def test_api_bad_der_is_input_error() -> None:
    with pytest.raises(InputError) as info:
        check_certificates([b"\x30\x00"], subject="tlcp server")
    assert info.value.source == "tlcp server[0]"


def test_api_tlcp_pair() -> None:
    (result,) = check_tlcp_pair(_der(TJ + "sign.pem"), _der(TJ + "enc.pem"), at=AT)
    assert result.check == "cert.pair.tlcp" and result.status.value == "pass"
    (bad,) = check_tlcp_pair(_der(TJ + "enc.pem"), _der(TJ + "sign.pem"), at=AT)
    assert bad.status.value == "fail"


def test_certificate_roles_come_from_key_usage_not_position() -> None:
    """TLCP lists: [sign, enc, CA] in any order; a client that sent only [sign, CA] has no pair."""
    from mptool.cert.api import certificate_roles, tlcp_pair

    def der(name: str) -> bytes:
        return x509.load_pem_x509_certificate(open(cert_path(f"sm2/tlcp/tongsuo/{name}"), "rb").read()).public_bytes(Encoding.DER)

    sign, enc, ca = der("server_sign.pem"), der("server_enc.pem"), der("root-ca.pem")
    assert certificate_roles([enc, ca, sign], tlcp=True) == ["enc", "ca", "sign"]
    assert tlcp_pair([enc, ca, sign]) == (sign, enc)
    client_sign = der("client_sign.pem")
    assert certificate_roles([client_sign, ca], tlcp=True) == ["sign", "ca"]
    assert tlcp_pair([client_sign, ca]) is None
    assert certificate_roles([sign, ca], tlcp=False) == ["leaf", "ca"]
