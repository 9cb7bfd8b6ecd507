"""Building the soft SDF device with the system C compiler and creating its key store.

``build(DIR)`` compiles the package's ``softsdf.c`` against OpenSSL 3 libcrypto (Debian
``gcc`` + ``libssl-dev``) into ``DIR/libsoftsdf.so``; ``init_keystore(DIR, password)`` calls the
library's own ``SOFTSDF_InitKeyStore`` so that the key pairs are generated inside the "device".
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from mptool.core.errors import InputError

LIBRARY_NAME = "libsoftsdf.so"

#: --fault NAME -> (C macro, what it breaks): one deliberately faulty function per build
FAULTS: dict[str, tuple[str, str]] = {
    "sm4-key": ("SOFTSDF_FAULT_SM4_KEY", "SDF_Encrypt/SDF_Decrypt schedule SM4 round keys from a key with one bit flipped"),
    "sm3": ("SOFTSDF_FAULT_SM3", "SDF_HashFinal returns a digest with one bit flipped"),
    "sm2-sign": ("SOFTSDF_FAULT_SM2_SIGN", "SDF_InternalSign_ECC computes s = (1+d)^-1 (k + r d) instead of (k - r d)"),
    "random": ("SOFTSDF_FAULT_RANDOM", "SDF_GenerateRandom sets the low bit of every byte"),
    "crash": ("SOFTSDF_FAULT_CRASH", "SDF_InternalSign_ECC writes through a NULL pointer (segfault)"),
    "hang": ("SOFTSDF_FAULT_HANG", "SDF_CalculateMAC never returns (a hung device: --timeout)"),
}
#: --without GROUP -> (C macro, what is left out)
WITHOUT: dict[str, tuple[str, str]] = {
    "hash": ("SOFTSDF_WITHOUT_HASH", "no SDF_HashInit/Update/Final and no SDF_HMAC* functions"),
    "2023": ("SOFTSDF_WITHOUT_2023", "no GM/T 0018-2023 additions (SDF_HMAC*, SDF_AuthEnc/AuthDec); StandardVersion 1"),
}

_TOOLCHAIN_HINT = "install a C compiler and the OpenSSL 3 headers (Debian: apt-get install gcc libssl-dev)"


def _compiler() -> str | None:
    cc = os.environ.get("CC") or "cc"
    return shutil.which(cc) or shutil.which("gcc")


def toolchain_problem() -> str | None:
    """Why the soft device cannot be built here (None when a compiler and libssl-dev are present)."""
    if os.name != "posix":
        return "the soft device is built with cc and OpenSSL as a POSIX shared library (Linux, macOS); on Windows, `device test --sdf VENDOR.dll` tests a vendor's library"
    cc = _compiler()
    if cc is None:
        return f"no C compiler (cc/gcc) on PATH: {_TOOLCHAIN_HINT}"
    probe = subprocess.run([cc, "-E", "-x", "c", "-"], input=b"#include <openssl/evp.h>\n", capture_output=True)
    if probe.returncode != 0:
        return f"OpenSSL headers not found (openssl/evp.h): {_TOOLCHAIN_HINT}"
    return None


def source_dir() -> Path:
    """The directory holding softsdf.c and sdf.h (package data)."""
    return Path(str(resources.files("mptool.device.softsdf")))


def build(directory: str | os.PathLike[str], faults: tuple[str, ...] = (), without: tuple[str, ...] = ()) -> Path:
    """Compile the soft device into ``directory``; returns the library's path (InputError on failure)."""
    target = Path(directory)
    for name in faults:
        if name not in FAULTS:
            raise InputError("--fault", f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
    for name in without:
        if name not in WITHOUT:
            raise InputError("--without", f"unknown group {name!r} (known: {', '.join(WITHOUT)})")
    problem = toolchain_problem()
    if problem:
        raise InputError("softsdf", problem)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(directory), f"cannot create the directory: {exc.strerror or exc}") from None
    src = source_dir()
    output = target / LIBRARY_NAME
    tmp = target / f".{LIBRARY_NAME}.{os.getpid()}.tmp"
    defines = [f"-D{FAULTS[n][0]}" for n in faults] + [f"-D{WITHOUT[n][0]}" for n in without]
    command = [
        _compiler() or "cc", "-shared", "-fPIC", "-O2", "-std=c99", "-Wall", "-Wno-deprecated-declarations",
        "-fvisibility=hidden", *defines, "-I", str(src), "-o", str(tmp), str(src / "softsdf.c"), "-lcrypto",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        first = (done.stderr.strip().splitlines() or ["no output"])[0]
        raise InputError("softsdf.c", f"compilation failed: {first}")
    os.replace(tmp, output)
    (target / "BUILD-OPTIONS").write_text(" ".join(defines) + "\n", encoding="utf-8")
    return output


def init_keystore(directory: str | os.PathLike[str], password: bytes, key_pairs: int = 4, keks: int = 4) -> list[Path]:
    """Create the key store in ``directory`` with the library built there (built first if absent)."""
    target = Path(directory)
    if len(password) < 8:
        raise InputError("--password", "the access password must have at least 8 bytes (GM/T 0018-2023)")
    library = target / LIBRARY_NAME
    if not library.exists():
        build(target)
    lib = ctypes.CDLL(str(library.resolve()))
    init = lib.SOFTSDF_InitKeyStore
    init.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    init.restype = ctypes.c_int
    code = init(str(target).encode(), password, len(password), key_pairs, keks) & 0xFFFFFFFF
    if code != 0:
        from mptool.device.sdf.constants import error_name

        raise InputError(str(directory), f"SOFTSDF_InitKeyStore failed: {error_name(code)}")
    return [target / "softsdf-keys.bin", target / "softsdf-master.key"]
