"""``mptool rng``: thin CLI layer over :mod:`mptool.randomness`."""

from __future__ import annotations

import click

from mptool.core.errors import exit_code_epilog


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """(Not yet implemented: the commands of this group land with issue 4.)"""
