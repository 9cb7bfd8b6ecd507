"""SM2 certificate signatures checked against an independent implementation (gmssl).

For every SM2 issuer/child pair of the manifest, gmssl (pure Python, its own SM3 and curve
arithmetic) recomputes ZA = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA) and e = SM3(ZA‖TBS) and verifies
(r, s); its verdict must equal mptool's, for the default ID and for a changed ID.
"""

from __future__ import annotations

import pytest
from cert_helpers import cert_path
from gmssl_oracle import gmssl_verify

from mptool.cert.x509.loader import load_files
from mptool.cert.x509.parse import Cert
from mptool.cert.x509.signature import verify_certificate

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
