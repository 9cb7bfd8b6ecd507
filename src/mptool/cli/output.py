"""Options shared by every command that produces evidence, and how evidence is written.

A command decorated with :func:`evidence_options` receives ``out: OutputOptions``; it builds
its results with ``out.builder()`` and ends with ``out.finish(builder)``, which renders
text or JSON, writes files atomically and exits with the documented code.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mptool.core.errors import ExitCode, MptoolError
from mptool.core.model import Evidence
from mptool.core.progress import Progress
from mptool.core.report import FailOn, ReportBuilder
from mptool.core.secrets import mask_arguments

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])


class OutputFileError(MptoolError):
    """The output file cannot be written (exit 3: the named file is the problem)."""

    exit_code = ExitCode.INPUT


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` (``-`` is stdout) so that a reader never sees half a file."""
    if path == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputFileError(f"{path}: is a directory, cannot write output there")
    if target.exists() and not target.is_file():
        # a device or a pipe (-o /dev/null, a FIFO): write into it, never rename a file over it
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise OutputFileError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def command_name(ctx: click.Context) -> str:
    """The command path without the program name, e.g. ``"algo verify"``."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def raw_arguments(ctx: click.Context) -> list[str]:
    """The arguments as given on the command line (after the program name), with every secret
    option's value replaced by its SM3 fingerprint unless ``--record-secrets`` was given."""
    root = ctx.find_root()
    argv = list(root.meta.get("mptool.argv", []))
    return argv if root.meta.get("mptool.record_secrets") else mask_arguments(argv)


@dataclass
class OutputOptions:
    """The resolved shared options of one evidence-producing command."""

    format: str
    output: str
    json_output: str | None
    fail_on: FailOn
    quiet: bool
    no_progress: bool
    deterministic: bool

    @property
    def progress(self) -> Progress:
        """Progress bars: on stderr, only on a terminal, never with --quiet/--no-progress."""
        return Progress.for_terminal(quiet=self.quiet, no_progress=self.no_progress)

    def builder(self) -> ReportBuilder:
        """A report builder for the current command, with its name and raw arguments."""
        ctx = click.get_current_context()
        return ReportBuilder(command_name(ctx), raw_arguments(ctx), deterministic=self.deterministic)

    def finish(self, builder: ReportBuilder, **build_kwargs: Any) -> None:
        """Build the evidence, write every requested output, and exit with its code."""
        evidence = builder.build(self.fail_on, **build_kwargs)
        self.write(evidence)
        click.get_current_context().exit(evidence.exit_code)

    def write(self, evidence: Evidence) -> None:
        """Render and write the report (and the side JSON evidence) atomically."""
        from mptool.render.json import dumps

        if self.format == "json":
            write_atomic(self.output, dumps(evidence).encode("utf-8"))
        else:
            write_atomic_text_report(evidence, self.output)
        if self.json_output:
            write_atomic(self.json_output, dumps(evidence).encode("utf-8"))
        if not self.quiet and self.output != "-":
            click.echo(f"mptool: wrote {self.output} (status {evidence.summary.status.value}, exit code {evidence.exit_code})", err=True)


def write_atomic_text_report(evidence: Evidence, path: str) -> None:
    """Render the rich text report to stdout (colour on a terminal) or to a file (plain)."""
    from rich.console import Console

    from mptool.render.text import render

    if path == "-":
        terminal = sys.stdout.isatty()
        render(evidence, Console(file=sys.stdout, width=None if terminal else 120, soft_wrap=False))
        return
    buffer = io.StringIO()
    render(evidence, Console(file=buffer, width=120, color_system=None, force_terminal=False))
    write_atomic(path, buffer.getvalue().encode("utf-8"))


def evidence_options(func: F) -> F:
    """Add the shared output options and pass them to the command as ``out``."""

    @click.option("-f", "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format on the output.")
    @click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Write the report to FILE (atomically); '-' is stdout.")
    @click.option("--json-output", metavar="FILE", default=None, help="Also write the JSON evidence to FILE ('-' is stdout).")
    @click.option("--fail-on", type=click.Choice([f.value for f in FailOn]), default="error", show_default=True, help="Lowest result level that makes the exit code 1.")
    @click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
    @click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
    @click.option("--deterministic", is_flag=True, help="Pin timestamps (SOURCE_DATE_EPOCH or 1970-01-01) so runs are byte-identical.")
    @functools.wraps(func)
    def wrapper(*args: Any, format_: str, output: str, json_output: str | None, fail_on: str, quiet: bool, no_progress: bool, deterministic: bool, **kwargs: Any) -> Any:
        if json_output == "-" and output == "-":
            raise click.UsageError("--json-output - and the report both on stdout: give -o FILE for the report")
        out = OutputOptions(format_, output, json_output, FailOn(fail_on), quiet, no_progress, deterministic)
        return func(*args, out=out, **kwargs)

    return wrapper  # type: ignore[return-value]


def stdout_console(min_width: int = 120) -> "Console":
    """A rich console on stdout: full colour on a terminal, plain and wide enough otherwise."""
    from rich.console import Console

    terminal = sys.stdout.isatty()
    return Console(file=sys.stdout, width=None if terminal else min_width)
