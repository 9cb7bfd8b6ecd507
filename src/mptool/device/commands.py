"""What ``mptool device test`` and ``mptool device softsdf`` do, behind the thin CLI layer."""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError, UsageError
from mptool.core.inputs import check_readable_file, read_input
from mptool.core.model import CheckResult, Status
from mptool.core.progress import DISABLED, Progress
from mptool.core.report import ReportBuilder
from mptool.device.lab import LabOptions

#: ELF header: magic and e_type ET_DYN (3) at offset 16 (little and big endian)
_ELF_MAGIC = b"\x7fELF"


@dataclass
class TestOptions:
    """The resolved options of ``mptool device test``."""

    sdf: str | None = None
    softsdf: str | None = None
    key_index: int = 1
    password: str | None = None
    random_bits: int = 1_000_000
    random_count: int = 20
    max_index: int = 16
    timeout: float = 300.0
    checks: tuple[str, ...] = field(default_factory=tuple)
    calling_convention: str = "cdecl"  #: cdecl (GM/T 0018's C prototypes) or stdcall (Windows, sdf/binding.py)


def check_library(path: str) -> Path:
    """``path`` must be a readable shared library: an ELF shared object (Linux), a PE DLL
    (Windows) or a Mach-O dylib/bundle (macOS); InputError otherwise (exit 3)."""
    p = check_readable_file(path)
    with p.open("rb") as handle:
        head = handle.read(4096)
    problem = library_problem(head)
    if problem is not None:
        raise InputError(path, f"{problem}: give the vendor's SDF library (.so, .dll or .dylib)")
    return p


#: PE machine types (IMAGE_FILE_MACHINE_*) and their pointer size in bits
_PE_MACHINES = {0x014C: ("x86", 32), 0x8664: ("x86-64", 64), 0xAA64: ("ARM64", 64), 0x01C4: ("ARM", 32)}
_MACHO_MAGICS = {b"\xcf\xfa\xed\xfe": "<", b"\xce\xfa\xed\xfe": "<", b"\xfe\xed\xfa\xcf": ">", b"\xfe\xed\xfa\xce": ">"}


def library_problem(head: bytes) -> str | None:
    """Why the first bytes of a file are not a shared library this Python can load (None: they are).

    ELF: type ET_DYN (3). PE (Microsoft PE/COFF): the COFF header's IMAGE_FILE_DLL (0x2000) flag,
    and a machine of this Python's pointer size (a 32-bit DLL cannot be loaded into a 64-bit
    Python). Mach-O: file type MH_DYLIB (6) or MH_BUNDLE (8), or a universal (fat) binary.
    """
    import struct

    if head[:4] == _ELF_MAGIC:
        if len(head) < 18:
            return "not a shared library (truncated ELF header)"
        e_type = int.from_bytes(head[16:18], "little" if head[5] == 1 else "big")
        return None if e_type == 3 else f"not a shared library (ELF type {e_type}, expected ET_DYN)"
    if head[:2] == b"MZ":
        if len(head) < 0x40:
            return "not a shared library (truncated DOS header)"
        pe = int.from_bytes(head[0x3C:0x40], "little")
        if head[pe : pe + 4] != b"PE\0\0" or len(head) < pe + 24:
            return "not a shared library (an MZ file without a PE header in its first 4 KiB)"
        machine, characteristics = int.from_bytes(head[pe + 4 : pe + 6], "little"), int.from_bytes(head[pe + 22 : pe + 24], "little")
        if not characteristics & 0x2000:
            return "not a shared library (a PE executable, not a DLL)"
        name, bits = _PE_MACHINES.get(machine, (f"machine 0x{machine:04X}", 0))
        ours = struct.calcsize("P") * 8
        if bits and bits != ours:
            return f"a {bits}-bit DLL ({name}) cannot be loaded into this {ours}-bit Python (use a {bits}-bit Python)"
        return None
    if head[:4] in _MACHO_MAGICS:
        if len(head) < 16:
            return "not a shared library (truncated Mach-O header)"
        filetype = struct.unpack(_MACHO_MAGICS[head[:4]] + "I", head[12:16])[0]
        return None if filetype in (6, 8) else f"not a shared library (Mach-O file type {filetype}, expected a dylib or bundle)"
    if head[:4] in (b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca"):
        return None  # universal binary: the loader picks the slice
    return "not a shared library (no ELF, PE or Mach-O header)"


def prepare_softsdf(directory: str, password: str | None) -> Path:
    """Build and initialise the soft device in ``directory`` when needed; the library path."""
    from mptool.device.softsdf import LIBRARY_NAME, build, init_keystore

    target = Path(directory)
    library = target / LIBRARY_NAME
    if not library.exists():
        build(target)
    if not (target / "softsdf-keys.bin").exists():
        if password is None:
            raise UsageError("--softsdf: the directory has no key store yet: give --password to create it")
        init_keystore(target, password.encode("utf-8"))
    return library


def run_test(builder: ReportBuilder, options: TestOptions, progress: Progress = DISABLED) -> None:
    """Run the device checks against the library and add results, parameters and the device summary."""
    from mptool.device.checks import IMPLEMENTATIONS
    from mptool.device.runner import Job, run_checks

    if (options.sdf is None) == (options.softsdf is None):
        raise UsageError("give exactly one of --sdf LIB.so and --softsdf DIR")
    if options.calling_convention == "stdcall" and not hasattr(ctypes, "WinDLL"):
        raise UsageError("--calling-convention stdcall: the stdcall convention exists on Windows only (elsewhere every library is cdecl)")
    if options.softsdf is not None:
        name = str(prepare_softsdf(options.softsdf, options.password))
    else:
        assert options.sdf is not None
        name = options.sdf
    path = check_library(name)
    _data, record = read_input(name)
    builder.add_input(record)
    unknown = [c for c in options.checks if c not in IMPLEMENTATIONS]
    if unknown:
        raise UsageError(f"--check: unknown check {', '.join(unknown)} (known: {', '.join(IMPLEMENTATIONS)})")
    checks = list(options.checks) or list(IMPLEMENTATIONS)
    builder.parameters.update(
        {
            "library": name,
            "key_index": options.key_index,
            "password_given": options.password is not None,
            "random_bits": options.random_bits,
            "random_count": options.random_count,
            "max_index": options.max_index,
            "timeout_s": options.timeout,
            "calling_convention": options.calling_convention,
            "checks": checks,
            "sm2_user_id": DEFAULT_USER_ID.decode(),
            "sm2_ciphertext_layout": "ECCCipher x||y||M(C3)||L||C (C1C3C2)",
        }
    )
    job = Job(
        library=str(path.resolve()),
        subject=os.path.basename(name),
        checks=checks,
        options={
            "key_index": options.key_index,
            "password": options.password,
            "random_bits": options.random_bits,
            "random_count": options.random_count,
            "max_index": options.max_index,
            "calling_convention": options.calling_convention,
        },
        timeout=options.timeout,
    )
    with progress.task("device checks", len(checks)) as advance:
        seen: list[str] = []

        def step(check_id: str) -> None:
            if seen:
                advance(1)
            seen.append(check_id)

        results = run_checks(job, progress=step)
    builder.extend(results)
    builder.summary_extra["device"] = device_summary(results)


#: check -> the algorithm it proves
ALGORITHM_OF: dict[str, str] = {
    "device.sdf.sm3_kat": "SM3",
    "device.sdf.sm4_kat": "SM4",
    "device.sdf.mac": "SM4-MAC",
    "device.sdf.hmac": "HMAC-SM3",
    "device.sdf.sm2_sign": "SM2-sign",
    "device.sdf.sm2_verify": "SM2-verify",
    "device.sdf.sm2_encrypt": "SM2-encrypt",
}


def _state(result: CheckResult | None) -> str:
    if result is None:
        return "not run"
    return {Status.PASS: "correct", Status.WARN: "correct", Status.FAIL: "wrong"}.get(result.status, f"not tested ({result.status.value})")


def _random_caveat(result: CheckResult) -> str:
    """How much a failed random check weighs (its failed items, the chance a perfect source fails such a set)."""
    from mptool.rng.api import failure_caveat

    caveat = failure_caveat((result.measurements or {}).get("gmt0005") or {})
    return f" ({caveat})" if caveat else ""


def device_summary(results: list[CheckResult]) -> dict[str, Any]:
    """The evidence contract read by ``mptool assess`` (docs/device.md): product, algorithms, indicators."""
    by_id = {r.check: r for r in results}
    info = by_id.get("device.sdf.info")
    m = info.measurements if info is not None else {}
    product = {k: m.get(k) for k in ("vendor", "model", "serial", "device_version", "standard_version")} if m else {}
    algorithms = {name: _state(by_id.get(check)) for check, name in ALGORITHM_OF.items()}
    correct = sorted(n for n, s in algorithms.items() if s == "correct")
    wrong = sorted(n for n, s in algorithms.items() if s == "wrong")

    def status(check: str) -> Status | None:
        r = by_id.get(check)
        return r.status if r is not None else None

    rnd, inv, err = status("device.sdf.random"), status("device.sdf.key_inventory"), status("device.sdf.error_handling")
    indicators: list[dict[str, Any]] = []
    high_risk: list[dict[str, str]] = []
    key_reasons: list[str] = []
    k_value: bool | None
    if Status.FAIL in (rnd, inv, err):
        k_value = False
        if rnd is Status.FAIL:
            caveat = _random_caveat(by_id["device.sdf.random"])
            key_reasons.append(f"SDF_GenerateRandom output fails GM/T 0005-2021: keys generated inside the device are suspect{caveat}")
            high_risk.append({"id": "HR-KEY-GEN", "reason": f"the device's random numbers fail GM/T 0005-2021{caveat}"})
        if inv is Status.FAIL:
            key_reasons.append("no valid SM2 key pair found inside the device")
        if err is Status.FAIL:
            key_reasons.append("the device grants private-key use without the right password or index")
    elif rnd in (Status.PASS, Status.WARN) and inv in (Status.PASS, Status.WARN) and err in (Status.PASS, Status.WARN):
        k_value = True
        key_reasons.append("keys are generated and kept inside the device (sign/enc pairs by index), its random numbers pass GM/T 0005-2021, private-key use needs the access password")
    else:
        k_value = None
        key_reasons.append("not every key-management check ran (random, key_inventory, error_handling): no proposal")
    indicators.append({"indicator": "GEN-KEY", "factor": "K", "K": k_value, "reason": "; ".join(key_reasons), "checks": ["device.sdf.random", "device.sdf.key_inventory", "device.sdf.error_handling"]})
    if wrong:
        a_value: bool | None = False
        a_reason = f"the device gives wrong answers for {', '.join(wrong)}: it does not implement the standard algorithm"
    elif correct:
        a_value = True
        a_reason = f"GM algorithms verified through the device: {', '.join(correct)}"
    else:
        a_value, a_reason = None, "no algorithm check completed"
    indicators.append({"indicator": "GEN-ALG", "factor": "A", "A": a_value, "reason": a_reason, "checks": sorted(ALGORITHM_OF)})
    indicators.append(
        {
            "indicator": "GEN-PROD",
            "factor": "K",
            "K": None,
            "confirm_required": True,
            "reason": "the product certificate (商用密码产品认证证书) and GB/T 37092 security level are checked from documents; device reports "
            + (f"{product.get('vendor')} {product.get('model')} serial {product.get('serial')}, StandardVersion {product.get('standard_version')}" if product else "no device information"),
            "checks": ["device.sdf.info"],
        }
    )
    return {
        "product": product,
        "algorithms": algorithms,
        "gm_algorithms_correct": correct,
        "gm_algorithms_wrong": wrong,
        "random_gmt0005": _state(by_id.get("device.sdf.random")).replace("correct", "pass").replace("wrong", "fail"),
        "indicators": indicators,
        "high_risk_candidates": high_risk,
    }


def softsdf(build_dir: str | None, init_dir: str | None, password: str | None, faults: tuple[str, ...], without: tuple[str, ...], key_pairs: int, keks: int) -> list[str]:
    """``mptool device softsdf``: build and/or initialise; the lines to print (paths)."""
    from mptool.device.softsdf import build, init_keystore

    if build_dir is None and init_dir is None:
        raise UsageError("give --build DIR, --init DIR or both")
    lines: list[str] = []
    if build_dir is not None:
        lines.append(str(build(build_dir, faults, without).resolve()))
    elif faults or without:
        raise UsageError("--fault/--without need --build DIR")
    if init_dir is not None:
        if password is None:
            raise UsageError("--init needs --password (or MPTOOL_SDF_PASSWORD): the access password of every key index")
        for path in init_keystore(init_dir, password.encode("utf-8"), key_pairs, keks):
            lines.append(str(path.resolve()))
    return lines



def run_lab(builder: ReportBuilder, options: LabOptions) -> list[str]:
    """``mptool device lab``: the lab application on the device; the lines to print on stderr (lab-only keys)."""
    from mptool.device.lab import run_lab as run

    if (options.sdf is None) == (options.softsdf is None):
        raise UsageError("give exactly one of --sdf LIB.so and --softsdf DIR")
    if options.password is None:
        raise UsageError("the lab application needs the access password of --key-index (--password, --password-file or MPTOOL_SDF_PASSWORD)")
    name = str(prepare_softsdf(options.softsdf, options.password)) if options.softsdf is not None else str(options.sdf)
    check_library(name)
    _data, record = read_input(name)
    builder.add_input(record)
    return run(builder, options, name)
