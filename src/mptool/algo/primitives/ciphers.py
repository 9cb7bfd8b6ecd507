"""Block ciphers SM4, AES, DES and 3DES in every mode mptool judges, through ``cryptography``.

The backend (OpenSSL via ``cryptography``) does ECB/CBC/CFB/CFB8/OFB/CTR/GCM and AES-CCM/AES-XTS;
:mod:`mptool.algo.primitives.blockmodes` composes CFB1, SM4-CFB8, 3DES-CTR, SM4-CCM, SM4-XTS, the GB/T 17964 XTS tweak
convention and GCM with IV lengths OpenSSL refuses over the backend's ECB.

Mode names: ``ecb cbc cfb cfb1 cfb8 ofb ctr gcm ccm xts`` (``cfb`` is full-block CFB: CFB128 for
SM4/AES, CFB64 for DES/3DES; ``cfb128``/``cfb64`` are accepted aliases).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.decrepit.ciphers import modes as decrepit_modes
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from mptool.algo.primitives import blockmodes
from mptool.algo.primitives.blockmodes import XTS_GB, XTS_IEEE, AuthenticationError

__all__ = ["AuthenticationError", "CIPHERS", "MODES", "XTS_GB", "XTS_IEEE", "decrypt", "encrypt"]


@dataclass(frozen=True)
class CipherInfo:
    """A block cipher: block size and accepted key sizes in bytes."""

    name: str
    block_size: int
    key_sizes: tuple[int, ...]
    standard: str


CIPHERS: dict[str, CipherInfo] = {
    "sm4": CipherInfo("sm4", 16, (16,), "GB/T 32907-2016"),
    "aes": CipherInfo("aes", 16, (16, 24, 32), "FIPS 197"),
    "des": CipherInfo("des", 8, (8,), "FIPS 46-3 (withdrawn)"),
    "3des": CipherInfo("3des", 8, (16, 24), "NIST SP 800-67r2"),
}

MODES: tuple[str, ...] = ("ecb", "cbc", "cfb", "cfb1", "cfb8", "ofb", "ctr", "gcm", "ccm", "xts")
MODE_ALIASES = {"cfb128": "cfb", "cfb64": "cfb"}
#: Modes that need no IV.
NO_IV_MODES = frozenset({"ecb"})
#: Authenticated modes (a tag binds key, IV, AAD and data).
AEAD_MODES = frozenset({"gcm", "ccm"})


def normalise_mode(mode: str) -> str:
    """Lower-case mode name with aliases resolved."""
    mode = mode.lower()
    return MODE_ALIASES.get(mode, mode)


def check_key(name: str, key: bytes, mode: str = "ecb") -> None:
    """Raise ValueError when ``key`` has a length the cipher (and XTS's double key) does not take."""
    info = CIPHERS[name]
    sizes = tuple(2 * k for k in info.key_sizes) if mode == "xts" else info.key_sizes
    if len(key) not in sizes:
        expected = " or ".join(str(s) for s in sizes)
        raise ValueError(f"{name.upper()}{'-XTS' if mode == 'xts' else ''} key must be {expected} bytes, got {len(key)}")


def backend_algorithm(name: str, key: bytes) -> algorithms.BlockCipherAlgorithm:
    """The ``cryptography`` cipher object (single DES as 3DES with K1 = K2 = K3, 2-key 3DES as K1 K2 K1)."""
    if name == "sm4":
        return algorithms.SM4(key)
    if name == "aes":
        return algorithms.AES(key)
    if name == "des":
        return TripleDES(key * 3)
    return TripleDES(key if len(key) == 24 else key + key[:8])


@lru_cache(maxsize=64)
def ecb_functions(name: str, key: bytes) -> tuple[blockmodes.BlockFn, blockmodes.BlockFn]:
    """(encrypt, decrypt) functions over whole blocks in ECB mode for one key."""
    check_key(name, key)
    cipher = Cipher(backend_algorithm(name, key), modes.ECB())

    def enc(data: bytes) -> bytes:
        e = cipher.encryptor()
        return e.update(data) + e.finalize()

    def dec(data: bytes) -> bytes:
        d = cipher.decryptor()
        return d.update(data) + d.finalize()

    return enc, dec


_STREAM_MODES = {"cbc": modes.CBC, "cfb": decrepit_modes.CFB, "cfb8": decrepit_modes.CFB8, "ofb": decrepit_modes.OFB, "ctr": modes.CTR}


def stream_mode(mode: str, iv: bytes) -> modes.Mode:
    """The ``cryptography`` mode object of an IV-taking unauthenticated mode."""
    if mode not in _STREAM_MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return _STREAM_MODES[mode](iv)


def _check_iv(name: str, mode: str, iv: bytes) -> None:
    size = CIPHERS[name].block_size
    if mode in NO_IV_MODES:
        if iv:
            raise ValueError("ECB takes no IV")
        return
    if mode in ("cbc", "cfb", "cfb1", "cfb8", "ofb", "ctr", "xts") and len(iv) != (16 if mode == "xts" else size):
        what = "tweak" if mode == "xts" else "IV"
        raise ValueError(f"{name.upper()}-{mode.upper()} {what} must be {16 if mode == 'xts' else size} bytes, got {len(iv)}")


def _gcm_backend_ok(iv: bytes, tag_len: int) -> bool:
    return 8 <= len(iv) <= 128 and 4 <= tag_len <= 16


def encrypt(
    name: str,
    mode: str,
    key: bytes,
    data: bytes,
    *,
    iv: bytes = b"",
    aad: bytes = b"",
    tag_len: int = 16,
    xts_convention: str = XTS_IEEE,
    bit_length: int | None = None,
) -> tuple[bytes, bytes]:
    """Encrypt ``data``; returns (ciphertext, tag) with an empty tag for unauthenticated modes.

    No padding is applied: block modes need a whole number of blocks (see :func:`pad`).
    """
    return _run(name, mode, key, data, iv=iv, aad=aad, tag=b"", tag_len=tag_len, decrypting=False, xts_convention=xts_convention, bit_length=bit_length)


def decrypt(
    name: str,
    mode: str,
    key: bytes,
    data: bytes,
    *,
    iv: bytes = b"",
    aad: bytes = b"",
    tag: bytes = b"",
    xts_convention: str = XTS_IEEE,
    bit_length: int | None = None,
) -> bytes:
    """Decrypt ``data``; authenticated modes verify ``tag`` and raise :class:`AuthenticationError`."""
    return _run(name, mode, key, data, iv=iv, aad=aad, tag=tag, tag_len=len(tag), decrypting=True, xts_convention=xts_convention, bit_length=bit_length)[0]


def _run(name: str, mode: str, key: bytes, data: bytes, *, iv: bytes, aad: bytes, tag: bytes, tag_len: int, decrypting: bool, xts_convention: str, bit_length: int | None) -> tuple[bytes, bytes]:
    mode = normalise_mode(mode)
    if name not in CIPHERS:
        raise ValueError(f"unknown cipher {name!r}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    check_key(name, key, mode)
    _check_iv(name, mode, iv)
    size = CIPHERS[name].block_size
    if mode in AEAD_MODES:
        if size != 16:
            raise ValueError(f"{mode.upper()} needs a 128-bit block cipher, not {name.upper()}")
        return _aead(name, mode, key, data, iv=iv, aad=aad, tag=tag, tag_len=tag_len, decrypting=decrypting)
    if mode == "xts":
        return _xts(name, key, data, iv=iv, decrypting=decrypting, convention=xts_convention, bit_length=bit_length), b""
    if mode == "cfb1":
        raise ValueError("CFB1 works on bit strings: use cfb1_bits()")
    if mode in ("ecb", "cbc") and len(data) % size:
        raise ValueError(f"{name.upper()}-{mode.upper()} data must be a multiple of {size} bytes (use padding), got {len(data)}")
    if mode == "ecb":
        enc, dec = ecb_functions(name, key)
        return (dec if decrypting else enc)(data), b""
    try:
        cipher = Cipher(backend_algorithm(name, key), stream_mode(mode, iv))
        ctx = cipher.decryptor() if decrypting else cipher.encryptor()
    except UnsupportedAlgorithm:
        enc, _ = ecb_functions(name, key)
        if mode == "cfb8":
            return blockmodes.cfb8(enc, CIPHERS[name].block_size, iv, data, decrypt=decrypting), b""
        if mode == "ctr":
            return blockmodes.ctr(enc, CIPHERS[name].block_size, iv, data), b""
        raise ValueError(f"the backend has no {name.upper()}-{mode.upper()}") from None
    return ctx.update(data) + ctx.finalize(), b""


def _aead(name: str, mode: str, key: bytes, data: bytes, *, iv: bytes, aad: bytes, tag: bytes, tag_len: int, decrypting: bool) -> tuple[bytes, bytes]:
    enc, _ = ecb_functions(name, key)
    if mode == "gcm":
        if not _gcm_backend_ok(iv, tag_len):
            if decrypting:
                return blockmodes.gcm_decrypt(enc, iv, aad, data, tag), b""
            return blockmodes.gcm_encrypt(enc, iv, aad, data, tag_len)
        algo = backend_algorithm(name, key)
        if decrypting:
            ctx = Cipher(algo, modes.GCM(iv, tag, min_tag_length=len(tag))).decryptor()
            ctx.authenticate_additional_data(aad)
            out = ctx.update(data)
            try:
                out += ctx.finalize()
            except Exception as exc:  # cryptography raises InvalidTag
                raise AuthenticationError("GCM tag does not verify") from exc
            return out, b""
        ctx = Cipher(algo, modes.GCM(iv)).encryptor()
        ctx.authenticate_additional_data(aad)
        out = ctx.update(data) + ctx.finalize()
        return out, ctx.tag[:tag_len]
    if name == "aes":
        aesccm = AESCCM(key, tag_length=tag_len)
        if decrypting:
            try:
                return aesccm.decrypt(iv, data + tag, aad or None), b""
            except Exception as exc:
                if "nonce" in str(exc).lower() or "tag" in str(exc).lower() and "length" in str(exc).lower():
                    raise ValueError(str(exc)) from None
                raise AuthenticationError("CCM tag does not verify") from exc
        sealed = aesccm.encrypt(iv, data, aad or None)
        return sealed[:-tag_len], sealed[-tag_len:]
    if decrypting:
        return blockmodes.ccm_decrypt(enc, iv, aad, data, tag), b""
    return blockmodes.ccm_encrypt(enc, iv, aad, data, tag_len)


def _xts(name: str, key: bytes, data: bytes, *, iv: bytes, decrypting: bool, convention: str, bit_length: int | None) -> bytes:
    half = len(key) // 2
    if name == "aes" and convention == XTS_IEEE and bit_length in (None, 8 * len(data)) and len(data) >= 16 and key[:half] != key[half:]:
        ctx = Cipher(algorithms.AES(key), modes.XTS(iv))
        c = ctx.decryptor() if decrypting else ctx.encryptor()
        return c.update(data) + c.finalize()
    if CIPHERS[name].block_size != 16:
        raise ValueError("XTS needs a 128-bit block cipher")
    enc1, dec1 = ecb_functions(name, key[:half])
    enc2, _ = ecb_functions(name, key[half:])
    return blockmodes.xts(enc1, dec1, enc2, iv, data, decrypt=decrypting, convention=convention, bit_length=bit_length)


def cfb1_bits(name: str, key: bytes, iv: bytes, bits: str, *, decrypt: bool) -> str:
    """CFB1 over a string of '0'/'1' (CAVP CFB1 files give data as bit strings)."""
    check_key(name, key)
    _check_iv(name, "cfb1", iv)
    enc, _ = ecb_functions(name, key)
    return blockmodes.cfb1(enc, CIPHERS[name].block_size, iv, bits, decrypt=decrypt)


#: Piece size of :func:`encrypt_pieces`.
PIECE_BYTES = 1 << 20


def encrypt_pieces(name: str, mode: str, key: bytes, data: bytes, *, iv: bytes = b"", padding: str = "none") -> Iterator[bytes] | None:
    """The ciphertext of ``pad(data, block, padding)`` piece by piece, or None where it cannot be
    computed so (AEAD modes, XTS, a mode the backend lacks, data :func:`encrypt` would refuse).

    The pieces joined equal ``encrypt(name, mode, key, pad(data, …), iv=iv)[0]``; neither the
    padded plaintext nor the whole ciphertext is ever built, so a 100 MB value is compared with
    the captured ciphertext without a second 100 MB buffer (issue 20).
    """
    mode = normalise_mode(mode)
    if name not in CIPHERS or (mode != "ecb" and mode not in _STREAM_MODES):
        return None
    size = CIPHERS[name].block_size
    padded = mode in ("ecb", "cbc")
    full = len(data) - len(data) % size if padded else len(data)
    tail = pad(data[full:], size, padding) if padded else b""
    if padded and len(tail) % size:
        return None  # not whole blocks and no padding: encrypt() says why
    try:
        check_key(name, key, mode)
        _check_iv(name, mode, iv)
        ctx = Cipher(backend_algorithm(name, key), modes.ECB() if mode == "ecb" else stream_mode(mode, iv)).encryptor()
    except (ValueError, UnsupportedAlgorithm):
        return None

    def pieces() -> Iterator[bytes]:
        body = memoryview(data)[:full]
        for offset in range(0, full, PIECE_BYTES):
            yield ctx.update(body[offset : offset + PIECE_BYTES])
        if tail:
            yield ctx.update(tail)
        yield ctx.finalize()

    return pieces()


def pad(data: bytes, block_size: int, padding: str) -> bytes:
    """Apply ``pkcs7`` (PKCS#7 / GB/T 17964 Annex C style), ``zero`` or ``none`` padding."""
    if padding == "pkcs7":
        n = block_size - len(data) % block_size
        return data + bytes([n]) * n
    if padding == "zero":
        return data + bytes(-len(data) % block_size)
    return data


def unpad(data: bytes, block_size: int, padding: str) -> bytes:
    """Remove padding; raise ValueError when PKCS#7 padding is malformed."""
    if padding != "pkcs7":
        return data
    if not data or len(data) % block_size:
        raise ValueError("PKCS#7: data is not a whole number of blocks")
    n = data[-1]
    if not 1 <= n <= block_size or data[-n:] != bytes([n]) * n:
        raise ValueError("PKCS#7: invalid padding bytes")
    return data[:-n]
