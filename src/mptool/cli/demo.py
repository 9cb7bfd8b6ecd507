"""``mptool demo``: run every command group on bundled sample data."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import click

from mptool.core.errors import exit_code_epilog


def _completed(code: int) -> bool:
    return code in (0, 1)


@click.command(epilog=exit_code_epilog())
@click.option("-d", "--dir", "directory", default="mptool-demo", show_default=True, type=click.Path(file_okay=False), help="Directory for the evidence files.")
@click.pass_context
def demo(ctx: click.Context, directory: str) -> None:
    """Run every command group on bundled sample data and write one evidence file per run.

    Exit 0 when every run completed (its own exit code 0 or 1: sample data may
    contain findings on purpose), otherwise the worst exit code met.
    """
    from rich.table import Table

    from mptool.cli.output import gbt39786_level, language, language_asked, stdout_console

    from mptool.cli import cli
    from mptool.core.demo import DEMO_MODULES, environment
    from mptool.core.i18n import Translator

    tr = Translator(language())
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    table = Table(title=tr.label("demo.title", "mptool demo — evidence in {path}", path=target.resolve()))
    table.add_column(tr.label("demo.group", "group"), no_wrap=True)
    table.add_column(tr.label("demo.run", "run"), no_wrap=True, overflow="ellipsis", max_width=44)
    for key, column in (("exit", "exit"), ("status", "status"), ("results", "results"), ("evidence", "evidence file")):
        table.add_column(tr.label(f"demo.{key}", column), no_wrap=True, overflow="ellipsis")
    # the root options the person gave reach every run (their evidence then cites that level; an
    # assessment case carries its own level, so assess runs get --lang only)
    lang = ["--lang", language_asked()] if language_asked() else []
    level = ["--level", str(gbt39786_level())] if gbt39786_level() else []
    worst = 0
    for group, module_name in DEMO_MODULES.items():
        module = importlib.import_module(module_name)
        prepare = getattr(module, "prepare", None)  # a group that builds on earlier evidence (assess)
        if prepare is not None:
            prepare(target)
        for run in (module.demo_runs(target) if prepare is not None else module.demo_runs()):
            evidence_file = target / f"{run.name}.json"
            argv = [*lang, *(level if group != "assess" else []), *run.argv, "-f", "json", "-o", str(evidence_file), "--quiet", "--no-progress"]
            with environment(run.environment):
                code = cli.main(args=argv, prog_name="mptool", standalone_mode=False)
            code = int(code or 0)
            if not _completed(code):
                worst = max(worst, code)
            status, counts = "—", ""
            if evidence_file.exists():
                data = json.loads(evidence_file.read_text(encoding="utf-8"))
                status = tr.status(data["summary"]["status"]) if tr.zh else data["summary"]["status"]
                counts = ", ".join(f"{tr.status(k) if tr.zh else k} {v}" for k, v in data["summary"]["counts"].items() if v)
            description = tr.demo(run.name, run.description)
            table.add_row(group, description, str(code), status, counts, evidence_file.name)
    stdout_console(150).print(table)
    ctx.exit(worst)
