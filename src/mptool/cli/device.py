"""``mptool device``: thin CLI layer over :mod:`mptool.device.commands`."""

from __future__ import annotations

import click

from mptool.cli.output import OutputOptions, evidence_options
from mptool.core.errors import exit_code_epilog

_TEST_EXAMPLES = """\b
Examples:
  mptool device test --sdf /opt/vendor/libswsds.so --key-index 1 --password-file pw.txt -f json -o device.json
  MPTOOL_SDF_PASSWORD=… mptool device test --sdf ./softsdf/libsoftsdf.so
  mptool device test --softsdf ./softsdf --password 12345678    build + init + test the soft device
\b
A check that crashes the library ends 'error' with device.sdf.library_crashed and the run
continues in a new process (exit 4 when nothing failed). The password never enters evidence.
"""

_SOFT_EXAMPLES = """\b
Examples:
  mptool device softsdf --build ./softsdf                    prints the library path
  mptool device softsdf --init ./softsdf --password 12345678 creates the key store
  mptool device softsdf --build ./broken --fault sm4-key     a deliberately faulty device
\b
Faults: sm4-key, sm3, sm2-sign, random, crash, hang.  --without: hash, 2023.
"""

_LAB_EXAMPLES = """\b
Examples:
  mptool device lab ./lab --softsdf ./softsdf --password 12345678 --export-keys ./lab/keys.json
  mptool device lab ./lab --sdf /opt/vendor/libswsds.so --key-index 2 --password-file pw.txt --records 500
  mptool device lab ./lab --sdf ./softsdf/libsoftsdf.so --password 12345678 --export-keys -   keys of an existing lab
\b
Creates DIR/lab.sqlite (synthetic customers; id_card_enc/phone_enc SM4-CBC by the device, row_mac
HMAC-SM3 by the device), DIR/lab.json and DIR/README.md with the `mptool data sample` rehearsal.
--export-keys writes the session keys in clear: LAB ONLY.
"""


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """GM/T 0018 (SDF) server crypto machines: test a vendor library; build the soft device."""


def _password(password: str | None, password_file: str | None) -> str | None:
    if password_file is None:
        return password
    from mptool.core.inputs import read_input

    data, _record = read_input(password_file)
    return data.decode("utf-8").rstrip("\r\n")


@group.command(epilog=f"{_TEST_EXAMPLES}\n{exit_code_epilog()}")
@click.option("--sdf", "sdf", metavar="LIB.so", default=None, help="The vendor's SDF shared library (.so, .dll or .dylib).")
@click.option("--softsdf", "softsdf", metavar="DIR", default=None, help="Test mptool's soft device in DIR (built and initialised there when needed).")
@click.option("--calling-convention", type=click.Choice(["cdecl", "stdcall"]), default="cdecl", show_default=True, help="cdecl: GM/T 0018's plain C prototypes; stdcall: a Windows DLL whose header adds __stdcall (differs on 32-bit Windows only).")
@click.option("--key-index", type=click.IntRange(min=1), default=1, show_default=True, help="Key index for signing, decryption and key import.")
@click.option("--password", envvar="MPTOOL_SDF_PASSWORD", default=None, help="Private-key access password of --key-index (env MPTOOL_SDF_PASSWORD). Never recorded.")
@click.option("--password-file", metavar="FILE", default=None, help="Read the access password from FILE (first line).")
@click.option("--random-bits", type=click.IntRange(min=1000), default=1_000_000, show_default=True, help="Bits per random sequence for GM/T 0005.")
@click.option("--random-count", type=click.IntRange(min=1), default=20, show_default=True, help="Number of random sequences collected.")
@click.option("--max-index", type=click.IntRange(min=1, max=4096), default=16, show_default=True, help="Key indices 1..N probed by the inventory.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300.0, show_default=True, help="Seconds one check may take before the library is declared hung.")
@click.option("--check", "checks", multiple=True, metavar="ID", help="Run only this check (repeatable), e.g. device.sdf.sm4_kat.")
@evidence_options
def test(sdf: str | None, softsdf: str | None, calling_convention: str, key_index: int, password: str | None, password_file: str | None, random_bits: int, random_count: int, max_index: int, timeout: float, checks: tuple[str, ...], out: OutputOptions) -> None:
    """Run the GM/T 0018 device checks (info, random, SM3/SM4/MAC/HMAC/SM2, keys, errors) through an SDF library."""
    from mptool.device.commands import TestOptions, run_test

    builder = out.builder()
    options = TestOptions(sdf, softsdf, key_index, _password(password, password_file), random_bits, random_count, max_index, timeout, checks, calling_convention)
    run_test(builder, options, progress=out.progress)
    out.finish(builder)


@group.command(epilog=f"{_SOFT_EXAMPLES}\n{exit_code_epilog()}")
@click.option("--build", "build_dir", metavar="DIR", default=None, help="Compile the soft device into DIR/libsoftsdf.so (system cc + libcrypto) and print its path.")
@click.option("--init", "init_dir", metavar="DIR", default=None, help="Create the key store in DIR (sign + enc SM2 pairs per index, KEKs).")
@click.option("--password", envvar="MPTOOL_SDF_PASSWORD", default=None, help="Access password of the key store (≥ 8 bytes; env MPTOOL_SDF_PASSWORD).")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Break one function on purpose (sm4-key, sm3, sm2-sign, random, crash, hang).")
@click.option("--without", multiple=True, metavar="GROUP", help="Leave functions out (hash, 2023).")
@click.option("--key-pairs", type=click.IntRange(min=1, max=1024), default=4, show_default=True, help="Key indices created by --init.")
@click.option("--keks", type=click.IntRange(min=0, max=1024), default=4, show_default=True, help="KEK indices created by --init.")
def softsdf(build_dir: str | None, init_dir: str | None, password: str | None, faults: tuple[str, ...], without: tuple[str, ...], key_pairs: int, keks: int) -> None:
    """Build mptool's simulated server crypto machine (a GM/T 0018 shared library) and create its key store."""
    from mptool.device.commands import softsdf as run

    for line in run(build_dir, init_dir, password, faults, without, key_pairs, keks):
        click.echo(line)


@group.command(epilog=f"{_LAB_EXAMPLES}\n{exit_code_epilog()}")
@click.argument("directory", metavar="DIR")
@click.option("--sdf", "sdf", metavar="LIB.so", default=None, help="The SDF library the application uses.")
@click.option("--softsdf", "softsdf", metavar="DIR", default=None, help="Use mptool's soft device in DIR (built and initialised there when needed).")
@click.option("--key-index", type=click.IntRange(min=1), default=1, show_default=True, help="Key index whose encryption key pair wraps the session keys (and signs, for --integrity sm2).")
@click.option("--password", envvar="MPTOOL_SDF_PASSWORD", default=None, help="Private-key access password of --key-index (env MPTOOL_SDF_PASSWORD). Never recorded.")
@click.option("--password-file", metavar="FILE", default=None, help="Read the access password from FILE (first line).")
@click.option("--records", type=click.IntRange(min=1, max=1_000_000), default=200, show_default=True, help="Synthetic records written.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the synthetic records.")
@click.option("--integrity", type=click.Choice(["hmac-sm3", "sm2"]), default="hmac-sm3", show_default=True, help="row_mac: HMAC-SM3 by the device (2023), or an SM2 signature by its signing key.")
@click.option("--export-keys", metavar="FILE|-", default=None, help="LAB ONLY: write the session keys in clear to FILE (mode 0600; '-' prints them on stderr). With an existing lab, only this is done.")
@click.option("--force", is_flag=True, help="Re-create DIR/lab.sqlite when it exists.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300.0, show_default=True, help="Seconds the application may take before the library is declared hung.")
@evidence_options
def lab(directory: str, sdf: str | None, softsdf: str | None, key_index: int, password: str | None, password_file: str | None, records: int, seed: int, integrity: str, export_keys: str | None, force: bool, timeout: float, out: OutputOptions) -> None:
    """A lab application storing synthetic records SM4-encrypted and MACed through the SDF device (SQLite)."""
    from mptool.device.commands import LabOptions, run_lab

    builder = out.builder()
    options = LabOptions(directory, sdf, softsdf, _password(password, password_file), key_index, records, seed, integrity, export_keys, force, timeout)
    for line in run_lab(builder, options):
        click.echo(line, err=True)
    out.finish(builder)
