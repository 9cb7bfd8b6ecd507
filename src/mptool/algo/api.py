"""Public API of the algo domain for other domains (the only module they may import).

- SM2 (GB/T 32918): the :mod:`mptool.algo.sm2` functions re-exported below, and the GB/T 35276
  ASN.1 ciphertext structure (:class:`SM2Cipher`, :func:`strict_der_decode`).
- SM3 and HMAC-SM3: :func:`sm3`, :func:`hmac_sm3`.
- Block ciphers (SM4, AES, DES/3DES) in every mode: :func:`encrypt`, :func:`decrypt`, :func:`pad`,
  :func:`unpad`, :data:`CIPHERS`, :data:`MODES`, :class:`AuthenticationError`.
- SM2 keys in every form, one loader: :func:`load_sm2_public_key` (raw point, certificate,
  SubjectPublicKeyInfo, PEM or DER), :func:`load_sm2_private_key` (raw d, PKCS#8, SEC1, encrypted
  PKCS#8 PBES2 incl. GmSSL's PBKDF2-HMAC-SM3 + SM4-CBC), :func:`decrypt_pkcs8` (the PBES2 layer);
  RSA private keys through the same forms: :func:`load_rsa_private_key`.
- :func:`identify`: which algorithm, mode, padding and IV layout turn a plaintext into a
  ciphertext under a key (the search behind ``mptool algo identify``).

Each name is imported from its module when first used (PEP 562): a domain that only needs
:data:`DEFAULT_USER_ID` at import time (cert, proto) does not pay for the SM2, cipher, key and
identify modules until it calls one (issue 20: ~40 ms of ``proto analyze``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mptool.algo import DEFAULT_SM2_USER_ID as DEFAULT_USER_ID

if TYPE_CHECKING:
    from mptool.algo import sm2
    from mptool.algo.checks.identify import Match
    from mptool.algo.checks.identify import search as identify
    from mptool.algo.keys import Pbes2Error, decrypt_pkcs8, load_rsa_private_key, load_sm2_private_key, load_sm2_public_key
    from mptool.algo.primitives.ciphers import CIPHERS, MODES, AuthenticationError, decrypt, encrypt, pad, unpad
    from mptool.algo.sm2 import SM2P256V1, SM2DecryptError, SM2Error, compute_za, sm3
    from mptool.algo.sm2.encoding import SM2Cipher, strict_der_decode

#: Public name -> (module, attribute in it; None: the module itself).
_WHERE: dict[str, tuple[str, str | None]] = {
    "sm2": ("mptool.algo.sm2", None),
    **{n: ("mptool.algo.primitives.ciphers", n) for n in ("CIPHERS", "MODES", "AuthenticationError", "decrypt", "encrypt", "pad", "unpad")},
    "Match": ("mptool.algo.checks.identify", "Match"),
    "identify": ("mptool.algo.checks.identify", "search"),
    **{n: ("mptool.algo.keys", n) for n in ("Pbes2Error", "decrypt_pkcs8", "load_rsa_private_key", "load_sm2_private_key", "load_sm2_public_key")},
    **{n: ("mptool.algo.sm2", n) for n in ("SM2P256V1", "SM2DecryptError", "SM2Error", "compute_za", "sm3")},
    **{n: ("mptool.algo.sm2.encoding", n) for n in ("SM2Cipher", "strict_der_decode")},
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _WHERE[name]
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value  # later look-ups are plain module attributes
    return value


__all__ = [
    "CIPHERS",
    "DEFAULT_USER_ID",
    "MODES",
    "SM2P256V1",
    "AuthenticationError",
    "Match",
    "Pbes2Error",
    "SM2DecryptError",
    "SM2Cipher",
    "SM2Error",
    "compute_za",
    "decrypt",
    "decrypt_pkcs8",
    "encrypt",
    "hmac_sm3",
    "identify",
    "load_rsa_private_key",
    "load_sm2_private_key",
    "load_sm2_public_key",
    "pad",
    "sm2",
    "sm3",
    "strict_der_decode",
    "unpad",
]


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (RFC 2104 with SM3 of GB/T 32905-2016; GM/T 0042-2015 §7), by ``cryptography``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import hmac as _hmac

    mac = _hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()
