"""What every device check gets: the loaded library, the options and helpers over the SDF calls.

The helpers turn GM/T 0018 structures into mptool values and back, and obtain session keys that
mptool knows (so that the device's symmetric results can be checked by mptool's own SM4/HMAC):

- :meth:`DeviceContext.import_known_key`: mptool SM2-encrypts a chosen key (a standard's
  example key) to the device's encryption public key of ``--key-index``; the device imports it
  with ``SDF_ImportKeyWithISK_ECC`` (GM/T 0018-2012 6.3, needs the access password): known answers.
- :meth:`DeviceContext.generate_shared_key`: the device generates a session key and wraps it
  under mptool's own SM2 public key (``SDF_GenerateKeyWithEPK_ECC``); mptool unwraps it and
  cross-checks the device's results with its own implementation (no password needed).
"""

from __future__ import annotations

import ctypes
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mptool.algo.api import SM2P256V1, sm2
from mptool.core.bundled import data_path
from mptool.device.sdf.binding import SDFCallError, SDFLibrary, Session, addr
from mptool.device.sdf.constants import SDR_NOTSUPPORT, SGD_SM2_3, error_name
from mptool.device.sdf.structs import ECCrefPublicKey, ecc_cipher_type, get_field, point_of, public_key, put_field

#: room for C in the ECCCipher buffers mptool hands to a library
CIPHER_ROOM = 1024


@lru_cache(maxsize=1)
def gm_examples() -> dict[str, Any]:
    """The GB/T 32905/32907/32918 and GM/T 0042 examples bundled in vectors/algo/gm/ (see its SOURCES.md)."""
    return json.loads(data_path("algo", "gm", "gm_standard_examples.json").read_text(encoding="utf-8"))


def example(section: str, ident: str) -> dict[str, Any]:
    """One example of the bundled file by section and id."""
    for item in gm_examples()[section]:
        if item["id"] == ident:
            return item
    raise KeyError(f"{section}/{ident}")


class NotSupported(Exception):
    """The library exports the function but answers SDR_NOTSUPPORT (the check is skipped)."""


@dataclass
class DeviceContext:
    """A library under test and the options of ``mptool device test``."""

    lib: SDFLibrary
    subject: str
    key_index: int = 1
    password: bytes | None = None
    random_bits: int = 1_000_000
    random_count: int = 20
    max_index: int = 16
    notes: dict[str, Any] = field(default_factory=dict)

    def session(self) -> Session:
        """A new device + session (context manager)."""
        return Session(self.lib)

    def call(self, name: str, *args: Any) -> int:
        """Call an SDF function; SDR_NOTSUPPORT becomes :class:`NotSupported`."""
        code = self.lib.call(name, *args)
        if code == SDR_NOTSUPPORT:
            raise NotSupported(f"{name} answers {error_name(code)}")
        return code

    def ok(self, name: str, *args: Any) -> None:
        """Call and require SDR_OK (:class:`SDFCallError` otherwise)."""
        code = self.call(name, *args)
        if code != 0:
            raise SDFCallError(name, code)

    # ---- keys and structures
    def access(self, s: Session, index: int | None = None) -> None:
        """Obtain the private-key access right of ``index`` (default ``--key-index``) with ``--password``."""
        index = self.key_index if index is None else index
        assert self.password is not None
        buf = ctypes.create_string_buffer(self.password, len(self.password))
        self.ok("SDF_GetPrivateKeyAccessRight", s.handle, index, addr(buf), len(self.password))

    def export_public(self, s: Session, kind: str, index: int) -> tuple[int, tuple[int, int] | None, ECCrefPublicKey]:
        """``SDF_Export{Sign,Enc}PublicKey_ECC``: (code, point or None, the raw structure)."""
        key = ECCrefPublicKey()
        code = self.call(f"SDF_Export{kind}PublicKey_ECC", s.handle, index, addr(key))
        return code, (point_of(key) if code == 0 else None), key

    @staticmethod
    def cipher(c1: tuple[int, int], c3: bytes, c2: bytes) -> ctypes.Structure:
        """An ECCCipher holding (C1, C3, C2)."""
        value = ecc_cipher_type(max(len(c2), CIPHER_ROOM))()
        put_field(value.x, c1[0].to_bytes(32, "big"))
        put_field(value.y, c1[1].to_bytes(32, "big"))
        ctypes.memmove(ctypes.addressof(value.M), c3, 32)
        value.L = len(c2)
        ctypes.memmove(ctypes.addressof(value.C), c2, len(c2))
        return value

    @staticmethod
    def empty_cipher() -> ctypes.Structure:
        """An ECCCipher buffer for the library to fill."""
        return ecc_cipher_type(CIPHER_ROOM)()

    @staticmethod
    def cipher_bytes(value: ctypes.Structure) -> bytes:
        """An ECCCipher as raw C1(x||y) || C3 || C2 (mptool's ``c1c3c2`` without 04)."""
        length = min(int(value.L), CIPHER_ROOM)
        return get_field(value.x) + get_field(value.y) + bytes(value.M) + bytes(value.C)[:length]

    def encrypt_to_device(self, s: Session, data: bytes) -> ctypes.Structure:
        """mptool SM2-encrypts ``data`` to the encryption public key of ``--key-index``."""
        code, point, _raw = self.export_public(s, "Enc", self.key_index)
        if code != 0 or point is None:
            raise SDFCallError("SDF_ExportEncPublicKey_ECC", code)
        raw = sm2.encrypt(point, data, order="c1c3c2", point_prefix=False)
        c1 = (int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"))
        return self.cipher(c1, raw[64:96], raw[96:])

    def import_known_key(self, s: Session, key: bytes) -> int | None:
        """A handle of ``key`` imported through ``SDF_ImportKeyWithISK_ECC`` (None when impossible)."""
        if self.password is None or self.lib.missing(["SDF_ImportKeyWithISK_ECC", "SDF_ExportEncPublicKey_ECC", "SDF_GetPrivateKeyAccessRight"]):
            return None
        self.access(s)
        wrapped = self.encrypt_to_device(s, key)
        handle = ctypes.c_void_p()
        self.ok("SDF_ImportKeyWithISK_ECC", s.handle, self.key_index, addr(wrapped), addr(handle))
        return handle.value

    def generate_shared_key(self, s: Session) -> tuple[int, bytes] | None:
        """(handle, key): a 128-bit session key the device wraps under mptool's SM2 key (None when impossible)."""
        if self.lib.missing(["SDF_GenerateKeyWithEPK_ECC"]):
            return None
        d = sm2.generate_private_key()
        x, y = sm2.public_key_from_private(d)
        wrapped = self.empty_cipher()
        handle = ctypes.c_void_p()
        key = public_key(x, y)
        self.ok("SDF_GenerateKeyWithEPK_ECC", s.handle, 128, SGD_SM2_3, addr(key), addr(wrapped), addr(handle))
        key = sm2.decrypt(d, self.cipher_bytes(wrapped), order="c1c3c2").plaintext
        return handle.value, key

    def destroy(self, s: Session, handle: int | None) -> None:
        """``SDF_DestroyKey`` when the library has it."""
        if handle is not None and self.lib.has("SDF_DestroyKey"):
            self.lib.call("SDF_DestroyKey", s.handle, handle)


def on_curve(point: tuple[int, int]) -> bool:
    """Whether ``point`` is a valid point of sm2p256v1."""
    try:
        sm2.check_point(SM2P256V1, point, "public key")
    except sm2.SM2Error:
        return False
    return True
