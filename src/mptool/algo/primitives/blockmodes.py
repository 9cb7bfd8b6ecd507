"""Block-cipher modes composed over a raw ECB block function, where the backend lacks them.

``cryptography`` (OpenSSL) provides ECB/CBC/CFB128/CFB8/OFB/CTR/GCM for SM4 and AES, but not:

* CFB1 (NIST SP 800-38A §6.3 with s = 1) for any cipher;
* CCM for SM4 (NIST SP 800-38C; RFC 8998 §3 uses it with SM4);
* GCM with an IV shorter than 8 bytes or longer than 128 bytes (SP 800-38D §7.1 allows any length);
* XTS for SM4, and XTS with the GB/T 17964-2021 tweak convention for any cipher.

Each function here takes ``encrypt_block``/``decrypt_block`` callables that process a
whole number of blocks in ECB mode (one backend call for many blocks), so all the
cipher work is still done by OpenSSL; only the mode's glue runs in Python.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

BlockFn = Callable[[bytes], bytes]


class AuthenticationError(ValueError):
    """The tag of an authenticated mode does not verify."""


def xor(a: bytes, b: bytes) -> bytes:
    """a XOR b over their common length (the one XOR of byte strings in mptool)."""
    n = min(len(a), len(b))
    return (int.from_bytes(a[:n], "big") ^ int.from_bytes(b[:n], "big")).to_bytes(n, "big")


# --------------------------------------------------------------------------- CFB1


def cfb1(encrypt_block: BlockFn, block_size: int, iv: bytes, bits: str, *, decrypt: bool) -> str:
    """CFB with a 1-bit segment (SP 800-38A §6.3); data and result are strings of '0'/'1'."""
    width = block_size * 8
    mask = (1 << width) - 1
    register = int.from_bytes(iv, "big")
    out = []
    for bit in bits:
        top = encrypt_block(register.to_bytes(block_size, "big"))[0] >> 7
        value = int(bit)
        result = value ^ top
        out.append("1" if result else "0")
        feedback = value if decrypt else result
        register = ((register << 1) | feedback) & mask
    return "".join(out)


def cfb8(encrypt_block: BlockFn, block_size: int, iv: bytes, data: bytes, *, decrypt: bool) -> bytes:
    """CFB with an 8-bit segment (SP 800-38A §6.3 with s = 8), for ciphers OpenSSL lacks it for (SM4)."""
    register = iv
    out = bytearray()
    for byte in data:
        result = byte ^ encrypt_block(register)[0]
        out.append(result)
        register = register[1:] + bytes([byte if decrypt else result])
    return bytes(out)


def ctr(encrypt_block: BlockFn, block_size: int, iv: bytes, data: bytes) -> bytes:
    """CTR (SP 800-38A §6.5) with the whole counter block incremented big-endian, as OpenSSL does."""
    blocks = -(-len(data) // block_size)
    start, mod = int.from_bytes(iv, "big"), 1 << (8 * block_size)
    counters = b"".join(((start + i) % mod).to_bytes(block_size, "big") for i in range(blocks))
    return xor(data, encrypt_block(counters)[: len(data)]) if data else b""


# --------------------------------------------------------------------------- CCM


def _ccm_format(nonce: bytes, aad: bytes, msg_len: int, tag_len: int) -> tuple[bytes, bytes]:
    """B0 and the formatted associated data of SP 800-38C Appendix A.2."""
    if not 7 <= len(nonce) <= 13:
        raise ValueError(f"CCM nonce must be 7 to 13 bytes, got {len(nonce)}")
    if tag_len not in (4, 6, 8, 10, 12, 14, 16):
        raise ValueError(f"CCM tag length must be 4, 6, ..., 16 bytes, got {tag_len}")
    q = 15 - len(nonce)
    if msg_len >= 1 << (8 * q):
        raise ValueError("CCM message too long for this nonce length")
    flags = (0x40 if aad else 0) | (((tag_len - 2) // 2) << 3) | (q - 1)
    b0 = bytes([flags]) + nonce + msg_len.to_bytes(q, "big")
    if not aad:
        return b0, b""
    if len(aad) < 0xFF00:
        header = len(aad).to_bytes(2, "big")
    elif len(aad) < 1 << 32:
        header = b"\xff\xfe" + len(aad).to_bytes(4, "big")
    else:
        header = b"\xff\xff" + len(aad).to_bytes(8, "big")
    blob = header + aad
    blob += bytes(-len(blob) % 16)
    return b0, blob


def _cbc_mac(encrypt_block: BlockFn, data: bytes) -> bytes:
    state = bytes(16)
    for i in range(0, len(data), 16):
        state = encrypt_block(xor(state, data[i : i + 16]))
    return state


def _ccm_keystream(encrypt_block: BlockFn, nonce: bytes, blocks: int) -> bytes:
    q = 15 - len(nonce)
    prefix = bytes([q - 1]) + nonce
    counters = b"".join(prefix + i.to_bytes(q, "big") for i in range(blocks + 1))
    return encrypt_block(counters)


def ccm_encrypt(encrypt_block: BlockFn, nonce: bytes, aad: bytes, plaintext: bytes, tag_len: int) -> tuple[bytes, bytes]:
    """CCM generation-encryption (SP 800-38C §6.1) for a 128-bit block cipher: (ciphertext, tag)."""
    b0, header = _ccm_format(nonce, aad, len(plaintext), tag_len)
    padded = plaintext + bytes(-len(plaintext) % 16)
    mac = _cbc_mac(encrypt_block, b0 + header + padded)
    stream = _ccm_keystream(encrypt_block, nonce, len(padded) // 16)
    ciphertext = xor(plaintext, stream[16 : 16 + len(plaintext)])
    tag = xor(mac[:tag_len], stream[:tag_len])
    return ciphertext, tag


def ccm_decrypt(encrypt_block: BlockFn, nonce: bytes, aad: bytes, ciphertext: bytes, tag: bytes) -> bytes:
    """CCM decryption-verification (SP 800-38C §6.2); raises :class:`AuthenticationError`."""
    _ccm_format(nonce, aad, len(ciphertext), len(tag))
    blocks = -(-len(ciphertext) // 16)
    stream = _ccm_keystream(encrypt_block, nonce, blocks)
    plaintext = xor(ciphertext, stream[16 : 16 + len(ciphertext)])
    _, expected = ccm_encrypt(encrypt_block, nonce, aad, plaintext, len(tag))
    if not hmac.compare_digest(expected, tag):
        raise AuthenticationError("CCM tag does not verify")
    return plaintext


# --------------------------------------------------------------------------- GCM

_R = 0xE1 << 120


def _gf_mult(x: int, y: int) -> int:
    """Multiplication in GF(2^128) with GCM's bit order (SP 800-38D §6.3, Algorithm 1)."""
    z = 0
    v = y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _R if v & 1 else v >> 1
    return z


def _times_x(v: int) -> int:
    return (v >> 1) ^ _R if v & 1 else v >> 1


def _reduction_table() -> tuple[int, ...]:
    """RED[v]: the reduction terms of multiplying the low 4 bits v by x^4."""
    out = []
    for v in range(16):
        for _ in range(4):
            v = _times_x(v)
        out.append(v)
    return tuple(out)


_RED4 = _reduction_table()


def _h_table(h: int) -> tuple[int, ...]:
    """M[v] = v(x)·H for every 4-bit polynomial v (bit 3 is the coefficient of x^0)."""
    powers = [h]
    for _ in range(3):
        powers.append(_times_x(powers[-1]))
    table = []
    for v in range(16):
        acc = 0
        for k in range(4):
            if v & (8 >> k):
                acc ^= powers[k]
        table.append(acc)
    return tuple(table)


def _gf_mult_table(x: int, table: tuple[int, ...]) -> int:
    """x·H with the 4-bit table of H (Shoup's method): Horner over the 32 nibbles of x."""
    z = 0
    for shift in range(0, 128, 4):
        z = (z >> 4) ^ _RED4[z & 0xF] ^ table[(x >> shift) & 0xF]
    return z


def _ghash(h: int, data: bytes) -> int:
    table = _h_table(h)
    y = 0
    for i in range(0, len(data), 16):
        y = _gf_mult_table(y ^ int.from_bytes(data[i : i + 16], "big"), table)
    return y


def _pad16(data: bytes) -> bytes:
    return data + bytes(-len(data) % 16)


def _gcm_core(encrypt_block: BlockFn, iv: bytes, aad: bytes, data: bytes, *, decrypt: bool) -> tuple[bytes, bytes]:
    if not iv:
        raise ValueError("GCM IV must not be empty")
    h = int.from_bytes(encrypt_block(bytes(16)), "big")
    if len(iv) == 12:
        j0 = int.from_bytes(iv + b"\x00\x00\x00\x01", "big")
    else:
        j0 = _ghash(h, _pad16(iv) + bytes(8) + (8 * len(iv)).to_bytes(8, "big"))
    blocks = -(-len(data) // 16)
    high, low = j0 >> 32 << 32, j0 & 0xFFFFFFFF
    counters = b"".join((high | ((low + i) & 0xFFFFFFFF)).to_bytes(16, "big") for i in range(blocks + 1))
    stream = encrypt_block(counters)
    out = xor(data, stream[16 : 16 + len(data)]) if data else b""
    ciphertext = data if decrypt else out
    lengths = (8 * len(aad)).to_bytes(8, "big") + (8 * len(ciphertext)).to_bytes(8, "big")
    s = _ghash(h, _pad16(aad) + _pad16(ciphertext) + lengths)
    tag = xor(stream[:16], s.to_bytes(16, "big"))
    return out, tag


def gcm_encrypt(encrypt_block: BlockFn, iv: bytes, aad: bytes, plaintext: bytes, tag_len: int = 16) -> tuple[bytes, bytes]:
    """GCM authenticated encryption (SP 800-38D §7.1) for any IV length: (ciphertext, tag)."""
    ciphertext, tag = _gcm_core(encrypt_block, iv, aad, plaintext, decrypt=False)
    return ciphertext, tag[:tag_len]


def gcm_decrypt(encrypt_block: BlockFn, iv: bytes, aad: bytes, ciphertext: bytes, tag: bytes) -> bytes:
    """GCM authenticated decryption (SP 800-38D §7.2); raises :class:`AuthenticationError`."""
    if not 1 <= len(tag) <= 16:
        raise ValueError(f"GCM tag must be 1 to 16 bytes, got {len(tag)}")
    plaintext, full = _gcm_core(encrypt_block, iv, aad, ciphertext, decrypt=True)
    if not hmac.compare_digest(full[: len(tag)], tag):
        raise AuthenticationError("GCM tag does not verify")
    return plaintext


# --------------------------------------------------------------------------- XTS

#: Tweak conventions: how the tweak is multiplied by alpha between blocks.
XTS_IEEE = "ieee"  #: IEEE 1619-2018 §5.2: little-endian tweak, x^128 + x^7 + x^2 + x + 1, feedback 0x87
XTS_GB = "gb"  #: GB/T 17964-2021 XTS: big-endian, bit-reflected tweak (GCM order), feedback 0xE1 << 120


def _next_tweak(tweak: bytes, convention: str) -> bytes:
    if convention == XTS_IEEE:
        t = int.from_bytes(tweak, "little")
        t = ((t << 1) ^ (0x87 if t >> 127 else 0)) & ((1 << 128) - 1)
        return t.to_bytes(16, "little")
    t = int.from_bytes(tweak, "big")
    t = (t >> 1) ^ _R if t & 1 else t >> 1
    return t.to_bytes(16, "big")


def _tweaks(encrypt_block_k2: BlockFn, iv: bytes, count: int, convention: str) -> list[bytes]:
    tweak = encrypt_block_k2(iv)
    out = []
    for _ in range(count):
        out.append(tweak)
        tweak = _next_tweak(tweak, convention)
    return out


def _xex(block_fn: BlockFn, blocks: list[bytes], tweaks: list[bytes]) -> list[bytes]:
    masked = b"".join(xor(b, t) for b, t in zip(blocks, tweaks))
    done = block_fn(masked)
    return [xor(done[16 * i : 16 * i + 16], t) for i, t in enumerate(tweaks)]


def _bits_to_int(data: bytes, nbits: int) -> int:
    return int.from_bytes(data, "big") >> (8 * len(data) - nbits)


def _int_to_bits(value: int, nbits: int) -> bytes:
    nbytes = -(-nbits // 8)
    return (value << (8 * nbytes - nbits)).to_bytes(nbytes, "big")


def xts(
    encrypt_k1: BlockFn,
    decrypt_k1: BlockFn,
    encrypt_k2: BlockFn,
    iv: bytes,
    data: bytes,
    *,
    decrypt: bool,
    convention: str = XTS_IEEE,
    bit_length: int | None = None,
) -> bytes:
    """XTS encryption/decryption of one data unit with ciphertext stealing (IEEE 1619 §5.3/§5.4).

    ``bit_length`` allows data units that are not a whole number of bytes (the CAVP
    XTSGen files test such lengths); the unused low bits of the last byte are zero.
    """
    nbits = 8 * len(data) if bit_length is None else bit_length
    if nbits < 128:
        raise ValueError("XTS data unit must be at least one 128-bit block")
    if len(data) != -(-nbits // 8):
        raise ValueError("XTS data length does not match the bit length")
    full, partial = divmod(nbits, 128)
    value = _bits_to_int(data, nbits)
    total = full + (1 if partial else 0)
    blocks = [((value >> (nbits - 128 * (i + 1))) & ((1 << 128) - 1)).to_bytes(16, "big") for i in range(full)]
    tweaks = _tweaks(encrypt_k2, iv, total, convention)
    block_fn = decrypt_k1 if decrypt else encrypt_k1
    if not partial:
        return b"".join(_xex(block_fn, blocks, tweaks))
    tail = value & ((1 << partial) - 1)
    head = _xex(block_fn, blocks[:-1], tweaks[: full - 1]) if full > 1 else []
    # Ciphertext stealing: the second-to-last block uses the last tweak when decrypting.
    t_last_full, t_partial = (tweaks[full], tweaks[full - 1]) if decrypt else (tweaks[full - 1], tweaks[full])
    cc = int.from_bytes(_xex(block_fn, [blocks[-1]], [t_last_full])[0], "big")
    stolen = cc & ((1 << (128 - partial)) - 1)
    last_out = cc >> (128 - partial)
    pp = ((tail << (128 - partial)) | stolen).to_bytes(16, "big")
    second_last = int.from_bytes(_xex(block_fn, [pp], [t_partial])[0], "big")
    result = 0
    for block in head:
        result = (result << 128) | int.from_bytes(block, "big")
    result = (result << 128) | second_last
    result = (result << partial) | last_out
    return _int_to_bits(result, nbits)
