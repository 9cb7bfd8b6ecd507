"""``mptool rng``: thin CLI layer over :mod:`mptool.rng`."""

from __future__ import annotations

import click

from mptool.cli.output import OutputOptions, evidence_options
from mptool.core.errors import exit_code_epilog

_EXAMPLES = """\b
Examples:
  mptool rng test sample.bin                              one sequence: the whole file
  mptool rng test collected.bin --bits 1000000 --count 1000 -f json -o evidence.json
  mptool rng test data.e --input-format ascii --bits 1000000 --param block_frequency.m=128
  mptool rng test samples/ --profile factory              one sequence per file
"""


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """GM/T 0005-2021 randomness tests on random numbers collected from a system or device."""


@group.command(epilog=f"{_EXAMPLES}\n{exit_code_epilog()}")
@click.argument("source", metavar="FILE|DIR|-")
@click.option("--input-format", type=click.Choice(["binary", "ascii", "hex"]), default=None, help="binary (default): raw bytes, MSB first; ascii: '0'/'1' digits, whitespace ignored; hex: hex digits, whitespace ignored. Without this option, a file that looks like '0'/'1' text, hex or an xxd/hexdump listing is refused with the option that reads it.")
@click.option("--bits", type=click.IntRange(min=1), default=None, metavar="N", help="Bits per sequence (default: the whole file, or each whole file of a DIR).")
@click.option("--count", type=click.IntRange(min=1), default=None, metavar="S", help="Number of sequences taken from the start of the input (default: as many whole sequences as it holds).")
@click.option("--param", "params", multiple=True, metavar="TEST.NAME=VALUE[,VALUE…]", help="Replace a test's parameter list, e.g. block_frequency.m=128, serial.m=16, rank.probabilities=exact (repeatable).")
@click.option("--profile", type=click.Choice(["factory", "power-on", "single"]), default=None, help="GM/T 0062-2018 product-test preset (sequence length, set size, tests); --bits/--count override it.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N", help="Worker processes for a set of sequences (default: every core, fewer for very long sequences so that memory stays under 1 GiB).")
@evidence_options
def test(source: str, input_format: str | None, bits: int | None, count: int | None, params: tuple[str, ...], profile: str | None, jobs: int | None, out: OutputOptions) -> None:
    """Run the 15 GM/T 0005-2021 tests on one sequence or a set of sequences.

    Every item (a test with one parameter value) records its P-value and Q-value; a set of
    sequences also records the pass count against the threshold computed from the set size
    and the uniformity P_T of the Q-values (clause 6). The run passes when every item does.

    One sequence says little: a perfect source fails one of the 27 items about one time in four;
    the report says so and points at the set decision (--count 1000, --profile factory). A whole
    file of more than 10^8 bits needs --bits. In a DIR, files that cannot be a sequence are
    recorded as skipped with the reason (exit 4 when nothing fails).
    """
    from mptool.rng.commands import RunOptions, run_suite

    builder = out.builder()
    options = RunOptions(source, input_format, bits, count, params, profile, jobs)
    run_suite(builder, options, progress=out.progress)
    out.finish(builder)
