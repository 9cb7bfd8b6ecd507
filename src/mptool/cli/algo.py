"""``mptool algo``: algorithm validation (thin layer over :mod:`mptool.algos`)."""

from __future__ import annotations

import click

from mptool.cli.output import OutputOptions, evidence_options
from mptool.core.errors import exit_code_epilog


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """Known-answer validation of SM2, SM3, SM4, AES, DES/3DES and RSA, and checks of values from a system."""


@group.command(epilog=exit_code_epilog())
@click.argument("files", nargs=-1, required=True, metavar="FILE|-...")
@click.option("--expect", "expected", metavar="HEX", default=None, help="Expected SM3 or SHA-256 digest (one FILE only).")
@evidence_options
def digest(files: tuple[str, ...], expected: str | None, out: OutputOptions) -> None:
    """Record the SM3 and SHA-256 digests of files (e.g. firmware, configuration) as evidence.

    With --expect, the digest is compared with the expected value (SM3 or SHA-256,
    told apart by which one matches; a mismatch of both is a failure).
    """
    from mptool.algos.digest import digest_files

    if expected is not None and len(files) != 1:
        raise click.UsageError("--expect takes exactly one FILE")
    builder = out.builder()
    digest_files(builder, files, expected, progress=out.progress)
    out.finish(builder)
