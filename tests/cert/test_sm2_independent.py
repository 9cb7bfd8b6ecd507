"""SM2 certificate signatures checked against an independent implementation (gmssl).

For every SM2 issuer/child pair of the manifest, gmssl (pure Python, its own SM3 and curve
arithmetic) recomputes ZA = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA) and e = SM3(ZA‖TBS) and verifies
(r, s); its verdict must equal mptool's, for the default ID and for a changed ID.
"""

from __future__ import annotations

import pytest
from cert_helpers import cert_path
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc3279

from mptool.certs.loader import load_files
from mptool.certs.parse import Cert
from mptool.certs.signature import verify_certificate

# GB/T 32918.5-2017 recommended curve parameters (also in cert-rules.md §4)
A = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
B = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
GX = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
GY = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"

PAIRS = [
    ("sm2/realworld/nrcac-rootca.pem", "sm2/realworld/nrcac-rootca.pem"),
    ("sm2/realworld/sheca-sm2.pem", "sm2/realworld/nrcac-rootca.pem"),
    ("sm2/realworld/taier-ca.pem", "sm2/realworld/nrcac-rootca.pem"),
    ("sm2/realworld/ant-financial-s1.pem", "sm2/realworld/nrcac-rootca.pem"),
    ("sm2/realworld/cfca-cs-sm2-ca.pem", "sm2/realworld/cfca-cs-sm2-ca.pem"),
    ("sm2/realworld/cfca-sm2-oca1.pem", "sm2/realworld/cfca-cs-sm2-ca.pem"),
    ("sm2/realworld/cfca-sm2-oca1-2013.pem", "sm2/realworld/cfca-cs-sm2-ca.pem"),
    ("sm2/realworld/cfca-cs-sm2-oca11.pem", "sm2/realworld/cfca-cs-sm2-ca.pem"),
    ("sm2/realworld/cfca-acs-sm2-oca31.pem", "sm2/realworld/cfca-cs-sm2-ca.pem"),
    ("sm2/realworld/cetcsc-root.pem", "sm2/realworld/cetcsc-root.pem"),
    ("sm2/tlcp/tongsuo/sub-ca.pem", "sm2/tlcp/tongsuo/root-ca.pem"),
    ("sm2/tlcp/tongsuo/server_sign.pem", "sm2/tlcp/tongsuo/sub-ca.pem"),
    ("sm2/tlcp/tongsuo/server_enc_expired.pem", "sm2/tlcp/tongsuo/sub-ca.pem"),
    ("sm2/tlcp/gmssl/subca.pem", "sm2/tlcp/gmssl/rootca.pem"),
    ("sm2/tlcp/gmssl/client.pem", "sm2/tlcp/gmssl/subca.pem"),
    ("sm2/tlcp/tjfoc/sign.pem", "sm2/tlcp/tjfoc/ca.pem"),
    ("sm2/tlcp/tjfoc/enc.pem", "sm2/tlcp/tjfoc/ca.pem"),
    ("sm2/malformed/spki-oid-sm2-leaf.pem", "sm2/malformed/spki-oid-sm2-root.pem"),
    ("sm2/malformed/explicit-curve-params.pem", "sm2/malformed/explicit-curve-params.pem"),
    ("sm2/malformed/noza-leaf.pem", "sm2/malformed/noza-root.pem"),
    ("sm2/malformed/issuer-dn-collision.pem", "sm2/tlcp/tjfoc/ca.pem"),
]


def _load(name: str) -> Cert:
    return load_files([cert_path(name)]).certs[0]


def _sm3_hex(data: bytes) -> str:
    return gm_sm3.sm3_hash(list(data))


def gmssl_verify(child: Cert, issuer: Cert, user_id: bytes, *, with_za: bool = True) -> bool:
    """Verify ``child`` with gmssl only (mptool supplies nothing but the raw bytes)."""
    point = issuer.key.point
    assert point[0] == 4 and len(point) == 65
    xy = point[1:].hex().upper()
    za_input = (len(user_id) * 8).to_bytes(2, "big") + user_id + bytes.fromhex(A + B + GX + GY + xy)
    za = bytes.fromhex(_sm3_hex(za_input))
    e = bytes.fromhex(_sm3_hex(za + child.slices.tbs if with_za else child.slices.tbs))
    sig, _ = decoder.decode(child.slices.signature_bits[1:], asn1Spec=rfc3279.ECDSA_Sig_Value())
    signer = gm_sm2.CryptSM2(private_key="00", public_key="00")
    signer.public_key = xy  # set directly: gmssl's constructor lstrip("04")s the hex
    return bool(signer.verify(f"{int(sig['r']):064x}{int(sig['s']):064x}", e))


@pytest.mark.parametrize(("child_name", "issuer_name"), PAIRS)
@pytest.mark.parametrize("user_id", [b"1234567812345678", b"1234567812345679"], ids=["default-id", "changed-id"])
def test_mptool_agrees_with_gmssl(child_name: str, issuer_name: str, user_id: bytes) -> None:
    child, issuer = _load(child_name), _load(issuer_name)
    ours = verify_certificate(child, issuer, user_id).ok
    theirs = gmssl_verify(child, issuer, user_id)
    assert ours == theirs
    expected = user_id == b"1234567812345678" and "noza" not in child_name and "collision" not in child_name
    assert ours is expected


def test_noza_verifies_only_without_za_in_both() -> None:
    """Tongsuo's sm2-noza certificates: e = SM3(TBS) verifies in gmssl, mptool reports CERT-SIG-008."""
    root = _load("sm2/malformed/noza-root.pem")
    assert gmssl_verify(root, root, b"1234567812345678", with_za=False)
    assert not gmssl_verify(root, root, b"1234567812345678")
    verdict = verify_certificate(root, root, b"1234567812345678")
    assert not verdict.ok and verdict.rule == "CERT-SIG-008"
