"""Loading a vendor SDF library with ctypes and calling it with the GM/T 0018 prototypes.

Every pointer argument is passed as an address (``c_void_p``) and every ``unsigned int`` as
``c_uint``; return values are the 32-bit SDR_* codes. A function the library does not export is
reported by :meth:`SDFLibrary.missing` so that checks are skipped with the reason.

Calling convention: GM/T 0018-2012 §6 declares every function as a plain C prototype
(``int SDF_OpenDevice(void **phDeviceHandle);``) with no calling-convention keyword, i.e. the
C default, cdecl: :class:`ctypes.CDLL` on Linux, macOS and Windows alike. A vendor whose Windows
header adds ``__stdcall`` to the prototypes needs ``stdcall`` (:class:`ctypes.WinDLL`; Windows
only). The two differ on 32-bit x86 only: 64-bit Windows has a single calling convention.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable
from typing import Any

from mptool.device.sdf.constants import error_name

#: function -> argument kinds: p = pointer (address), u = unsigned int. Prototypes of GM/T 0018.
PROTOTYPES: dict[str, str] = {
    "SDF_OpenDevice": "p",
    "SDF_CloseDevice": "p",
    "SDF_OpenSession": "pp",
    "SDF_CloseSession": "p",
    "SDF_GetDeviceInfo": "pp",
    "SDF_GenerateRandom": "pup",
    "SDF_GetPrivateKeyAccessRight": "pupu",
    "SDF_ReleasePrivateKeyAccessRight": "pu",
    "SDF_ExportSignPublicKey_ECC": "pup",
    "SDF_ExportEncPublicKey_ECC": "pup",
    "SDF_GenerateKeyPair_ECC": "puupp",
    "SDF_GenerateKeyWithIPK_ECC": "puupp",
    "SDF_GenerateKeyWithEPK_ECC": "puuppp",
    "SDF_ImportKeyWithISK_ECC": "pupp",
    "SDF_ExchangeDigitEnvelopeBaseOnECC": "puuppp",
    "SDF_GenerateKeyWithKEK": "puuuppp",
    "SDF_ImportKeyWithKEK": "puupup",
    "SDF_DestroyKey": "pp",
    "SDF_ExternalVerify_ECC": "puppup",
    "SDF_InternalSign_ECC": "pupup",
    "SDF_InternalVerify_ECC": "pupup",
    "SDF_ExternalEncrypt_ECC": "puppup",
    "SDF_ExternalDecrypt_ECC": "pupppp",
    "SDF_InternalEncrypt_ECC": "puupup",
    "SDF_InternalDecrypt_ECC": "puuppp",
    "SDF_Encrypt": "ppuppupp",
    "SDF_Decrypt": "ppuppupp",
    "SDF_CalculateMAC": "ppuppupp",
    "SDF_AuthEnc": "ppupupupupppp",
    "SDF_AuthDec": "ppupupupppupp",
    "SDF_HashInit": "puppu",
    "SDF_HashUpdate": "ppu",
    "SDF_HashFinal": "ppp",
    "SDF_HMACInit": "ppu",
    "SDF_HMACUpdate": "ppu",
    "SDF_HMACFinal": "ppp",
}

_KINDS = {"p": ctypes.c_void_p, "u": ctypes.c_uint}


class SDFCallError(Exception):
    """An SDF function returned a code other than SDR_OK where success was required."""

    def __init__(self, function: str, code: int) -> None:
        super().__init__(f"{function} returned {error_name(code)}")
        self.function = function
        self.code = code


def addr(obj: Any) -> int | None:
    """The address of a ctypes object (None stays NULL)."""
    return None if obj is None else ctypes.addressof(obj)


#: calling conventions of ``device test --calling-convention``
CONVENTIONS = ("cdecl", "stdcall")


def load_library(path: str, convention: str = "cdecl") -> Any:
    """The library loaded with the loader of ``convention`` (see the module docstring); OSError
    when it cannot be loaded, ValueError for stdcall where there is no such loader."""
    if convention == "stdcall":
        loader = getattr(ctypes, "WinDLL", None)
        if loader is None:
            raise ValueError("the stdcall calling convention exists on Windows only")
        return loader(path)
    return ctypes.CDLL(path)


class SDFLibrary:
    """A loaded SDF library (:func:`load_library`; OSError when it cannot be loaded)."""

    def __init__(self, path: str, convention: str = "cdecl") -> None:
        self.path = path
        self.dll = load_library(path, convention)
        self._functions: dict[str, Any] = {}
        for name, kinds in PROTOTYPES.items():
            try:
                function = getattr(self.dll, name)
            except AttributeError:
                continue
            function.argtypes = [_KINDS[k] for k in kinds]
            function.restype = ctypes.c_int
            self._functions[name] = function

    def has(self, name: str) -> bool:
        """Whether the library exports ``name``."""
        if name in self._functions:
            return True
        try:
            getattr(self.dll, name)
        except AttributeError:
            return False
        return True

    def missing(self, names: Iterable[str]) -> list[str]:
        """The functions of ``names`` the library does not export."""
        return [n for n in names if not self.has(n)]

    def call(self, name: str, *args: Any) -> int:
        """Call ``name``; returns its code as an unsigned 32-bit value."""
        return int(self._functions[name](*args)) & 0xFFFFFFFF

    def ok(self, name: str, *args: Any) -> None:
        """Call ``name`` and raise :class:`SDFCallError` unless it returns SDR_OK."""
        code = self.call(name, *args)
        if code != 0:
            raise SDFCallError(name, code)


class Session:
    """An open device and session: ``with Session(lib) as s: lib.call(..., s.handle, ...)``."""

    def __init__(self, lib: SDFLibrary) -> None:
        self.lib = lib
        self.device = ctypes.c_void_p()
        self.session = ctypes.c_void_p()

    @property
    def handle(self) -> int | None:
        """The session handle to pass as the first argument."""
        return self.session.value

    def __enter__(self) -> "Session":
        self.lib.ok("SDF_OpenDevice", addr(self.device))
        try:
            self.lib.ok("SDF_OpenSession", self.device.value, addr(self.session))
        except BaseException:
            self.lib.call("SDF_CloseDevice", self.device.value)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.lib.call("SDF_CloseSession", self.session.value)
        self.lib.call("SDF_CloseDevice", self.device.value)
