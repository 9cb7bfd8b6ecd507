"""NIST PKITS (2011 edition, public domain) run through mptool's path validation.

Each of the 249 vectors in ``vectors/certs/nist-pkits/vectors.json`` names its certificates (trust
anchor first, end entity last), its CRLs, its expected result and the initial policy inputs of
RFC 5280 §6.1.1; validation time 2020-01-01 (all PKITS certificates are valid 2010–2030).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conftest import DATA

from mptool.cert.path.build import PathOptions, find_path
from mptool.cert.x509.crl import Crl, parse_crl
from mptool.cert.x509.parse import Cert, CertParseError, parse_certificate

ROOT = DATA.certs / "nist-pkits"
AT = _dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc)
ANY_POLICY = "2.5.29.32.0"
TEST_POLICY = "2.16.840.1.101.3.2.1.48."


def vectors() -> list[dict]:
    return json.loads((ROOT / "vectors.json").read_text())


def _policy(name: str) -> str:
    if name == "anyPolicy":
        return ANY_POLICY
    assert name.startswith("NIST-test-policy-"), name
    return TEST_POLICY + name.rsplit("-", 1)[1]


@cache
def _cert(name: str) -> Cert:
    return parse_certificate((ROOT / "certs" / name).read_bytes(), name)


@cache
def _crl(name: str) -> Crl:
    return parse_crl((ROOT / "crls" / name).read_bytes(), name)


@dataclass
class Outcome:
    name: str
    expected: bool
    actual: bool
    reason: str

    @property
    def section(self) -> str:
        return ".".join(self.name.split()[0].split(".")[:2])


def run_vector(vector: dict) -> Outcome:
    name, expected = vector["Name"], vector["ShouldValidate"]
    try:
        certs = [_cert(n) for n in vector["CertPath"]]
    except CertParseError as exc:
        return Outcome(name, expected, False, f"certificate not parseable: {exc}")
    crls = [_crl(n) for n in vector["CRLPath"]]
    anchor, *middle, leaf = certs
    options = PathOptions(
        at=AT,
        crls=crls,
        initial_policies=tuple(_policy(p) for p in vector["InitialPolicySet"]),
        explicit_policy=vector["InitialExplicitPolicy"],
        policy_mapping_inhibit=vector["InitialPolicyMappingInhibit"],
        any_policy_inhibit=vector["InitialAnyPolicyInhibit"],
    )
    chosen, candidates, _ = find_path(leaf, middle, [anchor], options)
    if chosen is not None:
        return Outcome(name, expected, True, "valid")
    first = next((f"{i.check}: {i.message}" for c in candidates for i in c.issues if i.severity == "error"), "no candidate path")
    return Outcome(name, expected, False, first)


def run_all() -> list[Outcome]:
    return [run_vector(v) for v in vectors()]
