"""ctypes layouts of the GM/T 0018 structures (GM/T 0018-2012 clause 5; ECCCipher as in 2012/2023).

ECC coordinates, scalars and signature halves sit big-endian and right-aligned in 64-byte fields
(``ECCref_MAX_LEN`` = 64): a 256-bit SM2 value occupies the last 32 bytes.
"""

from __future__ import annotations

import ctypes

ECCREF_MAX_LEN = 64
FIELD = 32  # bytes of an SM2 (256-bit) value


class DeviceInfo(ctypes.Structure):
    """DEVICEINFO."""

    _fields_ = [
        ("IssuerName", ctypes.c_ubyte * 40),
        ("DeviceName", ctypes.c_ubyte * 16),
        ("DeviceSerial", ctypes.c_ubyte * 16),
        ("DeviceVersion", ctypes.c_uint),
        ("StandardVersion", ctypes.c_uint),
        ("AsymAlgAbility", ctypes.c_uint * 2),
        ("SymAlgAbility", ctypes.c_uint),
        ("HashAlgAbility", ctypes.c_uint),
        ("BufferSize", ctypes.c_uint),
    ]


class ECCrefPublicKey(ctypes.Structure):
    """ECCrefPublicKey: bits, x[64], y[64]."""

    _fields_ = [("bits", ctypes.c_uint), ("x", ctypes.c_ubyte * ECCREF_MAX_LEN), ("y", ctypes.c_ubyte * ECCREF_MAX_LEN)]


class ECCrefPrivateKey(ctypes.Structure):
    """ECCrefPrivateKey: bits, K[64]."""

    _fields_ = [("bits", ctypes.c_uint), ("K", ctypes.c_ubyte * ECCREF_MAX_LEN)]


class ECCSignature(ctypes.Structure):
    """ECCSignature: r[64], s[64]."""

    _fields_ = [("r", ctypes.c_ubyte * ECCREF_MAX_LEN), ("s", ctypes.c_ubyte * ECCREF_MAX_LEN)]


def ecc_cipher_type(length: int) -> type[ctypes.Structure]:
    """ECCCipher with room for ``length`` bytes of C (x[64], y[64], M[32], L, C[length])."""

    class ECCCipher(ctypes.Structure):
        _fields_ = [
            ("x", ctypes.c_ubyte * ECCREF_MAX_LEN),
            ("y", ctypes.c_ubyte * ECCREF_MAX_LEN),
            ("M", ctypes.c_ubyte * 32),
            ("L", ctypes.c_uint),
            ("C", ctypes.c_ubyte * max(1, length)),
        ]

    return ECCCipher


def put_field(array: ctypes.Array, value: bytes) -> None:  # type: ignore[type-arg]
    """Store a 32-byte big-endian value right-aligned in a 64-byte field."""
    ctypes.memset(ctypes.addressof(array), 0, ECCREF_MAX_LEN)
    ctypes.memmove(ctypes.addressof(array) + ECCREF_MAX_LEN - len(value), value, len(value))


def get_field(array: ctypes.Array) -> bytes:  # type: ignore[type-arg]
    """The last 32 bytes of a 64-byte field."""
    return bytes(array)[ECCREF_MAX_LEN - FIELD :]


def leading_bytes_zero(array: ctypes.Array) -> bool:  # type: ignore[type-arg]
    """Whether the first 32 bytes of a 64-byte field are zero (a 256-bit value correctly aligned)."""
    return not any(bytes(array)[: ECCREF_MAX_LEN - FIELD])


def public_key(x: int, y: int) -> ECCrefPublicKey:
    """An ECCrefPublicKey for an SM2 point."""
    key = ECCrefPublicKey()
    key.bits = 256
    put_field(key.x, x.to_bytes(FIELD, "big"))
    put_field(key.y, y.to_bytes(FIELD, "big"))
    return key


def point_of(key: ECCrefPublicKey) -> tuple[int, int]:
    """The SM2 point of an ECCrefPublicKey."""
    return int.from_bytes(get_field(key.x), "big"), int.from_bytes(get_field(key.y), "big")
