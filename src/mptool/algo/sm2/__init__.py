"""The project's own SM2 (GB/T 32918.1-.5-2016/2017), pure Python over SM3 from ``cryptography``.

Any curve (sm2p256v1 and the Fp-256 test curve of the standard's examples), any user ID,
injectable nonces for known answers, strict point/range/encoding checks, and the GB/T 35276
encodings. See docs/sm2.md.

>>> from mptool.algo import sm2
>>> pub = sm2.public_key_from_private(0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8)
>>> sig = sm2.sign(0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8, b"message digest")
>>> sm2.verify(pub, b"message digest", sig)
True
"""

from mptool.algo.sm2.curve import CURVES, SM2_TEST_CURVE, SM2P256V1, Curve, Point
from mptool.algo.sm2.ec import check_point, validate_curve
from mptool.algo.sm2.encoding import (
    DecodedSignature,
    decode_public_key,
    decode_signature,
    detect_signature,
    encode_public_key,
    encode_signature_der,
    encode_signature_raw,
)
from mptool.algo.sm2.encryption import DECRYPT_ORDERS, ORDERS, Decrypted, decrypt, encode_ciphertext, encrypt
from mptool.algo.sm2.errors import SM2DecryptError, SM2Error
from mptool.algo.sm2.hashing import kdf, sm3
from mptool.algo.sm2.keyexchange import KeyExchangeResult, check_confirmation, ephemeral_key, key_exchange
from mptool.algo.sm2.signature import (
    DEFAULT_USER_ID,
    compute_za,
    generate_private_key,
    message_digest,
    public_key_from_private,
    sign,
    sign_digest,
    verify,
    verify_digest,
)

__all__ = [
    "CURVES",
    "DECRYPT_ORDERS",
    "DEFAULT_USER_ID",
    "ORDERS",
    "SM2P256V1",
    "SM2_TEST_CURVE",
    "Curve",
    "DecodedSignature",
    "Decrypted",
    "KeyExchangeResult",
    "Point",
    "SM2DecryptError",
    "SM2Error",
    "check_confirmation",
    "check_point",
    "compute_za",
    "decode_public_key",
    "decode_signature",
    "decrypt",
    "detect_signature",
    "encode_public_key",
    "encode_signature_der",
    "encode_signature_raw",
    "encode_ciphertext",
    "encrypt",
    "ephemeral_key",
    "generate_private_key",
    "kdf",
    "key_exchange",
    "message_digest",
    "public_key_from_private",
    "sign",
    "sign_digest",
    "sm3",
    "validate_curve",
    "verify",
    "verify_digest",
]
