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

    from mptool.cli.output import gbt39786_level, language, stdout_console
    from mptool.core.gbt39786 import DEFAULT_LEVEL, cite
    from mptool.core.i18n import Translator

    tr = Translator(language())
    level = gbt39786_level() or DEFAULT_LEVEL
    table = Table(title=tr.label("checks.title", "{count} registered checks", count=len(specs)))
    table.add_column(tr.label("checks.id", "Id"), overflow="fold")
    table.add_column(tr.label("checks.name", "Title"), overflow="fold")
    table.add_column(tr.label("checks.reference", "Reference"), overflow="fold")
    for s in specs:
        table.add_row(s.id, tr.title(s.id, s.title), cite(s.reference, level)[0])
    stdout_console(160).print(table)


@click.command(epilog=exit_code_epilog())
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the evidence every command emits."""
    from mptool.core.schema import committed_schema_text

    click.echo(committed_schema_text(), nl=False)
