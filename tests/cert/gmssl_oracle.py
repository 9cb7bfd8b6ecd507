"""gmssl as an independent SM2 oracle for certificate signatures (its own SM3 and curve arithmetic).

mptool supplies nothing but the raw bytes: TBS, signature BIT STRING and the issuer's point.
"""

from __future__ import annotations

from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc3279

from mptool.cert.x509.parse import Cert

# GB/T 32918.5-2017 recommended curve parameters (also in cert-rules.md §4)
A = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
B = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
GX = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
GY = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"


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
