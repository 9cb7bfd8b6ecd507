"""The interleaved and pipelined TDEA modes of ANSI X9.52-1998 (TCBC-I, TOFB-I, TCFB-P).

SP 800-67 no longer approves them, but the CAVP TMOVS files still test them. Each takes three
IVs (IV1, IV2, IV3, concatenated into 24 bytes here) over the 3DES block function of
:func:`mptool.algo.primitives.ciphers.ecb_functions`:

* TCBC-I: block i is chained with the ciphertext three blocks earlier (three interleaved CBC
  chains starting from IV1, IV2, IV3);
* TOFB-I: three interleaved OFB keystreams from IV1, IV2, IV3;
* TCFB-P (segment size k = 1, 8 or 64 bits): the input blocks are I1 = IV1, I2 = IV2, I3 = IV3
  and I_j = LSB_{64-k}(I_{j-1}) || C_{j-3} for j >= 4.

These readings were confirmed against every TCBCI/TOFBI/TCFBP file of CAVP TMOVS.
"""

from __future__ import annotations

from collections.abc import Callable

from mptool.algo.primitives.blockmodes import xor

BlockFn = Callable[[bytes], bytes]


def _ivs(iv: bytes) -> list[bytes]:
    if len(iv) != 24:
        raise ValueError(f"interleaved TDEA modes take three 8-byte IVs (24 bytes), got {len(iv)}")
    return [iv[0:8], iv[8:16], iv[16:24]]


def cbc_i(encrypt: BlockFn, decrypt: BlockFn, iv: bytes, data: bytes, *, decrypting: bool) -> bytes:
    """TCBC-I encryption or decryption of whole 8-byte blocks."""
    if len(data) % 8:
        raise ValueError("TCBC-I data must be a multiple of 8 bytes")
    chains, out = _ivs(iv), []
    for index in range(0, len(data), 8):
        block, lane = data[index : index + 8], (index // 8) % 3
        if decrypting:
            out.append(xor(decrypt(block), chains[lane]))
            chains[lane] = block
        else:
            chains[lane] = encrypt(xor(block, chains[lane]))
            out.append(chains[lane])
    return b"".join(out)


def ofb_i(encrypt: BlockFn, iv: bytes, data: bytes) -> bytes:
    """TOFB-I (the same operation encrypts and decrypts)."""
    chains, out = _ivs(iv), []
    for index in range(0, len(data), 8):
        lane = (index // 8) % 3
        chains[lane] = encrypt(chains[lane])
        out.append(xor(data[index : index + 8], chains[lane]))
    return b"".join(out)


def cfb_p(encrypt: BlockFn, iv: bytes, segments: list[int], k: int, *, decrypting: bool) -> list[int]:
    """TCFB-P over k-bit segments given as integers; returns the output segments."""
    if k not in (1, 8, 64):
        raise ValueError("TCFB-P segment size must be 1, 8 or 64 bits")
    registers = [int.from_bytes(v, "big") for v in _ivs(iv)]
    mask, keep = (1 << k) - 1, (1 << (64 - k)) - 1
    ciphertexts: list[int] = []
    out: list[int] = []
    for j, segment in enumerate(segments):
        if j >= 3:
            registers.append(((registers[-1] & keep) << k) | ciphertexts[j - 3])
        register = registers[j]
        stream = int.from_bytes(encrypt(register.to_bytes(8, "big")), "big") >> (64 - k)
        result = (segment ^ stream) & mask
        out.append(result)
        ciphertexts.append(segment if decrypting else result)
    return out
