"""SM3 (via cryptography/OpenSSL) and the SM2 key derivation function."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes

from mptool.algo.sm2.errors import SM2Error

SM3_SIZE = 32


def sm3(*parts: bytes) -> bytes:
    """SM3 (GB/T 32905-2016) of the concatenation of ``parts``."""
    h = hashes.Hash(hashes.SM3())
    for part in parts:
        h.update(part)
    return h.finalize()


def kdf(z: bytes, length: int) -> bytes:
    """The SM2 KDF (GB/T 32918.4-2016 §5.4.3) with SM3: ``length`` bytes from Z.

    K = H(Z||ct) for ct = 1, 2, ... (32-bit big-endian counter), truncated to ``length``.
    """
    if not isinstance(length, int) or length < 0:
        raise SM2Error("kdf: length must be a non-negative number of bytes")
    if length > (2**32 - 1) * SM3_SIZE:
        raise SM2Error("kdf: length must be below (2^32-1)*32 bytes")
    blocks = (length + SM3_SIZE - 1) // SM3_SIZE
    base = hashes.Hash(hashes.SM3())
    base.update(z)
    out = []
    for ct in range(1, blocks + 1):
        h = base.copy()
        h.update(ct.to_bytes(4, "big"))
        out.append(h.finalize())
    return b"".join(out)[:length]
