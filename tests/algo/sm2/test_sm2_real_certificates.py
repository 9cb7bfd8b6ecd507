"""SM2 signatures on real certificates (vectors/certs/sm2, outcomes in its MANIFEST.json).

Each certificate's signature is verified over its DER TBSCertificate with the issuer's public
key and the default ID (GM/T 0015 / GB/T 35276), exercising ZA, e, DER signature decoding and
verification on data produced by independent CAs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5280
from conftest import DATA

from mptool.algo import sm2

CERTS = DATA.certs
SM2_WITH_SM3 = "1.2.156.10197.1.501"


def _manifest() -> list[dict]:
    entries = json.loads((CERTS / "MANIFEST.json").read_text())
    return [e for e in entries if e["file"].startswith("sm2/realworld/") and "sig OK" in e["expect"]]


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _issuer_file(entry: dict) -> Path:
    if entry["role"] == "root":
        return CERTS / entry["file"]
    match = re.search(r"issuer ([\w-]+)", entry["role"])
    assert match, entry["role"]
    return CERTS / "sm2" / "realworld" / f"{match.group(1)}.pem"


ENTRIES = _manifest()


def test_manifest_has_sm2_certificates() -> None:
    assert len(ENTRIES) >= 8


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: Path(e["file"]).stem)
def test_certificate_signature_verifies(entry: dict) -> None:
    cert = _load(CERTS / entry["file"])
    issuer = _load(_issuer_file(entry))
    assert cert.signature_algorithm_oid.dotted_string == SM2_WITH_SM3
    parsed, _ = decoder.decode(issuer.public_bytes(Encoding.DER), asn1Spec=rfc5280.Certificate())
    key_bits = parsed["tbsCertificate"]["subjectPublicKeyInfo"]["subjectPublicKey"].asOctets()
    public_key = sm2.decode_public_key(key_bits)
    signature = sm2.decode_signature(cert.signature)
    tbs = cert.tbs_certificate_bytes
    assert sm2.verify(public_key, tbs, signature)
    # one flipped bit in the signed data must break it
    tampered = bytearray(tbs)
    tampered[-5] ^= 0x01
    assert not sm2.verify(public_key, bytes(tampered), signature)
    # and the signature is bound to the default ID
    assert not sm2.verify(public_key, tbs, signature, b"1234567812345679")
