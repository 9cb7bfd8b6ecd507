"""Every certificate of vectors/certs/MANIFEST.json gives its expected verdict.

The expected verdicts are those of MANIFEST.json ("sig OK", "EXPIRED", "verifies ONLY without
ZA", "no basicConstraints", …), measured outside mptool (an independent SM2 verifier and
OpenSSL 3.0 ``openssl verify``); each is encoded below as the chain or lint run that shows it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Parsed a serial number")
from cert_helpers import CERTS, cert_path, cli_json, failing_checks, results_by_check
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

NOW = "2026-11-27T00:00:00Z"
IN_2023 = "2023-06-01T00:00:00Z"
IN_1970 = "1970-01-01T12:00:00Z"
TS = "sm2/tlcp/tongsuo/"
GM = "sm2/tlcp/gmssl/"
TJ = "sm2/tlcp/tjfoc/"
RW = "sm2/realworld/"
MF = "sm2/malformed/"


@dataclass
class Chain:
    """`cert chain` run that shows a manifest verdict."""

    intermediates: list[str] = field(default_factory=list)
    trust: str | None = None  #: None: the certificate is its own trust anchor
    at: str = NOW
    exit_code: int = 0
    fails: set[str] = field(default_factory=set)  #: check ids that must fail
    rule: str | None = None  #: cert-rules id of the signature finding


EXPECT: dict[str, Chain] = {
    RW + "nrcac-rootca.pem": Chain(),
    RW + "sheca-sm2.pem": Chain(trust=RW + "nrcac-rootca.pem"),
    RW + "taier-ca.pem": Chain(trust=RW + "nrcac-rootca.pem"),
    RW + "ant-financial-s1.pem": Chain(trust=RW + "nrcac-rootca.pem"),
    RW + "cfca-cs-sm2-ca.pem": Chain(),
    RW + "cfca-sm2-oca1.pem": Chain(trust=RW + "cfca-cs-sm2-ca.pem"),
    RW + "cfca-sm2-oca1-2013.pem": Chain(trust=RW + "cfca-cs-sm2-ca.pem"),
    RW + "cfca-cs-sm2-oca11.pem": Chain(trust=RW + "cfca-cs-sm2-ca.pem"),
    RW + "cfca-acs-sm2-oca31.pem": Chain(trust=RW + "cfca-cs-sm2-ca.pem"),
    RW + "cetcsc-root.pem": Chain(),
    TS + "root-ca.pem": Chain(),
    TS + "sub-ca.pem": Chain(trust=TS + "root-ca.pem"),
    TS + "server_sign.pem": Chain([TS + "sub-ca.pem"], TS + "root-ca.pem"),
    TS + "server_enc.pem": Chain([TS + "sub-ca.pem"], TS + "root-ca.pem"),
    TS + "client_sign.pem": Chain([TS + "sub-ca.pem"], TS + "root-ca.pem"),
    TS + "client_enc.pem": Chain([TS + "sub-ca.pem"], TS + "root-ca.pem"),
    TS + "server_sign_expired.pem": Chain([TS + "sub-ca.pem"], TS + "root-ca.pem", exit_code=1, fails={"cert.path.validity"}),
    TS + "server_enc_expired.pem": Chain([TS + "sub-ca.pem"], TS + "root-ca.pem", exit_code=1, fails={"cert.path.validity"}),
    GM + "rootca.pem": Chain(),
    GM + "subca.pem": Chain(trust=GM + "rootca.pem", exit_code=1, fails={"cert.path.validity"}),
    GM + "server_sign.pem": Chain([GM + "subca.pem"], GM + "rootca.pem", exit_code=1, fails={"cert.path.validity"}),
    GM + "server_enc.pem": Chain([GM + "subca.pem"], GM + "rootca.pem", exit_code=1, fails={"cert.path.validity"}),
    GM + "client.pem": Chain([GM + "subca.pem"], GM + "rootca.pem", exit_code=1, fails={"cert.path.validity"}),
    TJ + "ca.pem": Chain(),
    TJ + "sign.pem": Chain(trust=TJ + "ca.pem"),
    TJ + "enc.pem": Chain(trust=TJ + "ca.pem"),
    TJ + "client_auth.pem": Chain(trust=TJ + "ca.pem"),
    MF + "noza-root.pem": Chain(exit_code=1, fails={"cert.path.signature"}, rule="CERT-SIG-008"),
    MF + "noza-leaf.pem": Chain(trust=MF + "noza-root.pem", exit_code=1, fails={"cert.path.signature"}, rule="CERT-SIG-008"),
    MF + "spki-oid-sm2-root.pem": Chain(),
    MF + "spki-oid-sm2-leaf.pem": Chain(trust=MF + "spki-oid-sm2-root.pem"),
    MF + "sigalg-sm2-with-sha256.pem": Chain(at=IN_1970, exit_code=1, fails={"cert.path.signature"}, rule="CERT-FMT-006"),
    MF + "sigalg-ecdsa-sha256-on-sm2-key.pem": Chain(at=IN_1970, exit_code=1, fails={"cert.path.signature"}, rule="CERT-FMT-006"),
    MF + "explicit-curve-params.pem": Chain(),
    MF + "issuer-dn-collision.pem": Chain(trust=TJ + "ca.pem", at=IN_2023, exit_code=1, fails={"cert.path.signature"}, rule="CERT-SIG-007"),
    "rsa/root-cert.pem": Chain(),
    "rsa/ca-cert.pem": Chain(trust="rsa/root-cert.pem"),
    "rsa/ee-cert.pem": Chain(["rsa/ca-cert.pem"], "rsa/root-cert.pem"),
    "rsa/ee-expired.pem": Chain(["rsa/ca-cert.pem"], "rsa/root-cert.pem", exit_code=1, fails={"cert.path.validity"}),
    "rsa/ca-expired.pem": Chain(trust="rsa/root-cert.pem", exit_code=1, fails={"cert.path.validity"}),
    "rsa/ca-nonbc.pem": Chain(trust="rsa/root-cert.pem", exit_code=1, fails={"cert.path.leaf_usage"}),  # keyCertSign without cA; as a CA see test_ca_nonbc_*
    "rsa/ee-cert-crit-unknown-ext.pem": Chain(["rsa/ca-cert.pem"], "rsa/root-cert.pem", exit_code=1, fails={"cert.path.critical_extensions"}),
    "rsa/ee-cert-md5.pem": Chain(["rsa/ca-cert.pem"], "rsa/root-cert.pem", exit_code=1, fails={"cert.path.signature"}),
    "ecdsa/ca-cert-ec-named.pem": Chain(trust="rsa/root-cert.pem"),
    "ecdsa/ee-cert-ec-named-named.pem": Chain(["ecdsa/ca-cert-ec-named.pem"], "rsa/root-cert.pem"),
    "ecdsa/ee-cert-ec-explicit.pem": Chain(["ecdsa/ca-cert-ec-named.pem"], "rsa/root-cert.pem"),
}


def _manifest() -> list[dict]:
    return json.loads((CERTS / "MANIFEST.json").read_text(encoding="utf-8"))


def _der(raw: bytes) -> bytes:
    """The DER of the first PEM block, or the bytes themselves when the file is DER."""
    match = re.search(rb"-----BEGIN [^-]+-----(.*?)-----END", raw, re.S)
    return base64.b64decode(b"".join(match.group(1).split())) if match else raw


@pytest.mark.parametrize("entry", _manifest(), ids=lambda e: e["file"])
def test_bundled_file_is_the_one_the_manifest_records(entry: dict) -> None:
    """Each bundled certificate is byte for byte the one of its recorded origin (SHA-256 of its DER)."""
    assert hashlib.sha256(_der((CERTS / entry["file"]).read_bytes())).hexdigest() == entry["sha256_der"]


def test_every_manifest_entry_has_an_expectation() -> None:
    assert {e["file"] for e in _manifest()} == set(EXPECT)


@pytest.mark.parametrize("entry", _manifest(), ids=lambda e: e["file"])
def test_manifest_verdict(entry: dict) -> None:
    name = entry["file"]
    expect = EXPECT[name]
    der = x509.load_pem_x509_certificate((CERTS / name).read_bytes()).public_bytes(Encoding.DER)
    assert hashlib.sha256(der).hexdigest() == entry["sha256_der"]
    args = ["cert", "chain", cert_path(name), "--at", expect.at, "--trust", cert_path(expect.trust or name)]
    for inter in expect.intermediates:
        args += ["--intermediates", cert_path(inter)]
    evidence = cli_json(args, exit_code=expect.exit_code)
    by_check = results_by_check(evidence)
    assert by_check["cert.path.build"]["status"] == ("pass" if expect.exit_code == 0 else "fail")
    assert entry["sha256_der"] in json.dumps(evidence["results"][0]["measurements"]) or expect.exit_code == 1
    if expect.exit_code == 0:
        assert not failing_checks(evidence)
        chosen = by_check["cert.path.build"]["measurements"]["chosen_path"]
        assert chosen[0]["sha256"] == entry["sha256_der"]
    else:
        assert expect.fails <= failing_checks(evidence), failing_checks(evidence)
    if expect.rule:
        rules = {f["data"].get("rule") for f in by_check["cert.path.signature"]["findings"]}
        assert expect.rule in rules


def test_ca_nonbc_cannot_issue() -> None:
    """rsa/ca-nonbc (no basicConstraints) as the intermediate of ee-cert: openssl error 79, invalid CA."""
    evidence = cli_json(
        ["cert", "chain", cert_path("rsa/ee-cert.pem"), "--intermediates", cert_path("rsa/ca-nonbc.pem"), "--trust", cert_path("rsa/root-cert.pem"), "--at", NOW],
        exit_code=1,
    )
    assert "cert.path.ca" in failing_checks(evidence)


def test_ca_expired_breaks_the_chain_at_depth_1() -> None:
    """root -> ca-expired -> ee-cert fails with the expired CA (openssl error 10 at depth 1)."""
    evidence = cli_json(
        ["cert", "chain", cert_path("rsa/ee-cert.pem"), "--intermediates", cert_path("rsa/ca-expired.pem"), "--trust", cert_path("rsa/root-cert.pem"), "--at", NOW],
        exit_code=1,
    )
    findings = results_by_check(evidence)["cert.path.validity"]["findings"]
    assert [f["data"]["cert_index"] for f in findings] == [1]
    assert findings[0]["location"] == cert_path("rsa/ca-expired.pem") + " (path index 1)"
