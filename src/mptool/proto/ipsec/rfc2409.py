"""The IKEv1 formulae that GM/T 0022 and standard IKEv1 share, over a PRF or hash given to them.

Standard IKEv1 (std/) uses the negotiated HMAC as PRF; GM/T 0022 (gm/) uses HMAC-SM3 and SM3.
"""

from __future__ import annotations

from collections.abc import Callable

#: PRF(key, data) and HASH(data) as each protocol defines them
Prf = Callable[[bytes, bytes], bytes]
Hash = Callable[[bytes], bytes]


def keymat(prf: Prf, skeyid_d: bytes, protocol: int, spi: bytes, ni: bytes, nr: bytes, length: int) -> bytes:
    """RFC 2409 §5.5: K1 = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b), Kn = prf(SKEYID_d, Kn-1 | protocol | SPI | Ni_b | Nr_b)."""
    seed = bytes([protocol]) + spi + ni + nr
    out = block = prf(skeyid_d, seed)
    while len(out) < length:
        block = prf(skeyid_d, block + seed)
        out += block
    return out[:length]


def phase2_iv(hash_: Hash, last_phase1_block: bytes, msgid: int, block_size: int = 16) -> bytes:
    """First IV of a phase-2 exchange: hash(last phase-1 CBC block | M-ID) truncated to the cipher's block (RFC 2409 Appendix B)."""
    return hash_(last_phase1_block + msgid.to_bytes(4, "big"))[:block_size]
