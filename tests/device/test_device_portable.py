"""Issue 15: the device runner is portable (stdin/stdout pipes of subprocess, a reader thread, the
platform's ctypes loader), so ``device test --sdf VENDOR.dll`` works on Windows. These tests run
that same code path on Linux; the source scan is in tests/core/test_portability.py."""

from __future__ import annotations

import ctypes
import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from mptool.device.commands import library_problem
from mptool.device.runner import _event, termination
from mptool.device.sdf.binding import load_library

_BITS = struct.calcsize("P") * 8


def _pe(dll: bool, machine: int) -> bytes:
    """The first bytes of a PE file: DOS header with e_lfanew, "PE\\0\\0", COFF header."""
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", 0x80)
    coff = struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, 0xF0, 0x2002 if dll else 0x0002)
    return dos.ljust(0x80, b"\0") + b"PE\0\0" + coff + bytes(256)


def test_pe_dll_of_this_pythons_size_is_a_library() -> None:
    ours = 0x8664 if _BITS == 64 else 0x014C
    other = 0x014C if _BITS == 64 else 0x8664
    assert library_problem(_pe(True, ours)) is None
    assert "not a DLL" in (library_problem(_pe(False, ours)) or "")
    problem = library_problem(_pe(True, other)) or ""
    assert f"cannot be loaded into this {_BITS}-bit Python" in problem


def test_elf_and_macho_headers() -> None:
    elf = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<H", 3)
    assert library_problem(elf) is None
    assert "ELF type 2" in (library_problem(elf[:16] + struct.pack("<H", 2)) or "")
    dylib = b"\xcf\xfa\xed\xfe" + struct.pack("<III", 0x01000007, 3, 6)
    assert library_problem(dylib) is None
    assert "Mach-O file type 2" in (library_problem(dylib[:12] + struct.pack("<I", 2)) or "")
    assert "no ELF, PE or Mach-O header" in (library_problem(b"hello world, not a library") or "")


def test_a_pe_dll_passes_the_library_check_and_fails_at_loading_here(tmp_path: Path) -> None:
    """On Linux a Windows DLL gets past the header check and is refused by the loader (exit 3,
    one line): the same door a real DLL goes through on Windows."""
    dll = tmp_path / "vendor_sdf.dll"
    dll.write_bytes(_pe(True, 0x8664 if _BITS == 64 else 0x014C))
    res = run_cli(["device", "test", "--sdf", str(dll), "--check", "device.sdf.info"])
    assert res.exit_code == 3 and "Traceback" not in res.stderr, res.stderr
    assert "vendor_sdf.dll" in res.stderr and "no ELF, PE or Mach-O" not in res.stderr


def test_termination_names_signals_windows_exceptions_and_exit_codes() -> None:
    assert termination(-11) == "SIGSEGV"
    assert termination(0xC0000005) == "STATUS_ACCESS_VIOLATION"
    assert termination(0xC0000135) == "exception 0xC0000135"
    assert termination(3) == "exit status 3"


def test_only_event_lines_are_events() -> None:
    assert _event(b'{"event": "start", "check": "device.sdf.info"}\n') == {"event": "start", "check": "device.sdf.info"}
    for line in (b"vendor banner v1.2\n", b"{not json\n", b'{"no": "event"}\n', b"[1, 2]\n"):
        assert _event(line) is None


def test_calling_conventions() -> None:
    import _ctypes

    assert isinstance(load_library(_ctypes.__file__), ctypes.CDLL)
    if not hasattr(ctypes, "WinDLL"):
        with pytest.raises(ValueError, match="Windows only"):
            load_library(_ctypes.__file__, "stdcall")
        res = run_cli(["device", "test", "--sdf", _ctypes.__file__, "--calling-convention", "stdcall"])
        assert res.exit_code == 2 and "Windows only" in res.stderr


_CHATTY = r"""
#include <stdio.h>
int SDF_OpenDevice(void **device) { printf("chatty vendor library 1.0\n{\"event\": \"fatal\", \"message\": \"forged\"}\n"); fflush(stdout); *device = (void *)1; return 0; }
int SDF_CloseDevice(void *device) { return 0; }
int SDF_OpenSession(void *device, void **session) { puts("session opened"); fflush(stdout); *session = (void *)2; return 0; }
int SDF_CloseSession(void *session) { return 0; }
"""


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build a test library")
def test_a_library_printing_on_stdout_does_not_garble_the_events(tmp_path: Path) -> None:
    """The child gives the events a descriptor of their own and points stdout at stderr, so a
    vendor library's printf (here even a forged event line) is not read as an event."""
    source = tmp_path / "chatty.c"
    source.write_text(_CHATTY)
    library = tmp_path / "libchatty.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    out = tmp_path / "e.json"
    res = run_cli(["device", "test", "--sdf", str(library), "--check", "device.sdf.info", "-f", "json", "-o", str(out)])
    assert res.exit_code in (0, 1, 4) and "forged" not in res.stderr and "Traceback" not in res.stderr, res.stderr
    [info] = [r for r in json.loads(out.read_text())["results"] if r["check"] == "device.sdf.info"]
    assert info["status"] == "skipped", info  # the library has no SDF_GetDeviceInfo: the child said so, in an event
