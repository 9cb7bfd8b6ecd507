"""``mptool checks`` and ``mptool schema``: the check catalogue and the evidence schema."""

from __future__ import annotations

import click

from mptool.core.errors import exit_code_epilog
from mptool.core.registry import DOMAINS


@click.command(epilog=exit_code_epilog())
@click.option("-f", "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--domain", type=click.Choice(DOMAINS), default=None, help="Only this command group.")
def checks(format_: str, domain: str | None) -> None:
    """List every registered check: id, title and the clause it cites."""
    from mptool.core.registry import load_all

    specs = [s for s in load_all() if domain is None or s.domain == domain]
    if format_ == "json":
        from mptool.core.catalogue import spec_entry
        from mptool.render.json import dumps_data

        data = [spec_entry(s) for s in specs]
        click.echo(dumps_data(data), nl=False)
        return
    from rich.table import Table

    from mptool.cli.output import stdout_console

    table = Table(title=f"{len(specs)} registered checks")
    table.add_column("Id", overflow="fold")
    table.add_column("Title", overflow="fold")
    table.add_column("Reference", overflow="fold")
    for s in specs:
        table.add_row(s.id, s.title, s.reference)
    stdout_console(160).print(table)


@click.command(epilog=exit_code_epilog())
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the evidence every command emits."""
    from mptool.core.schema import committed_schema_text

    click.echo(committed_schema_text(), nl=False)
