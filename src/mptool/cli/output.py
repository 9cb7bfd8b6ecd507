"""Options shared by every command that produces evidence, and how evidence is written.

A command decorated with :func:`evidence_options` receives ``out: OutputOptions``; it builds
its results with ``out.builder()`` and ends with ``out.finish(builder)``, which renders
text or JSON, writes files atomically and exits with the documented code.
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mptool.core.outputs import write_all_or_none, write_atomic  # noqa: F401 (write_atomic: used by cli/cert.py, cli/assess.py)
from mptool.core.model import Evidence
from mptool.core.progress import Progress
from mptool.core.report import FailOn, ReportBuilder
from mptool.core.secrets import SECRET_OPTIONS, mask_arguments

#: Secret options of this CLI beyond the core list (``proto probe --psk``).

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])


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
    return argv if root.meta.get("mptool.record_secrets") else mask_arguments(argv, SECRET_OPTIONS)


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
        return ReportBuilder(command_name(ctx), raw_arguments(ctx), deterministic=self.deterministic, level=gbt39786_level())

    def finish(self, builder: ReportBuilder, **build_kwargs: Any) -> None:
        """Build the evidence, write every requested output, and exit with its code."""
        evidence = builder.build(self.fail_on, **build_kwargs)
        self.write(evidence, shown=builder.shown)
        click.get_current_context().exit(evidence.exit_code)

    def write(self, evidence: Evidence, shown: list[tuple[str, str]] | None = None) -> None:
        """Render and write the report (and the side JSON evidence) atomically.

        ``shown`` lines (what the person asked to see, e.g. a decrypted plaintext) go into the
        text report only, never into the JSON evidence.
        """
        from mptool.core.i18n import Translator, localize

        lang = language()
        evidence = localize(evidence, lang)
        report = _json_bytes(evidence) if self.format == "json" else text_report(evidence, self.output, shown, lang)
        outputs = [(self.output, report)]
        if self.json_output:
            outputs.append((self.json_output, _json_bytes(evidence)))
        write_all_or_none(outputs)  # both outputs or neither
        if not self.quiet and self.output != "-":
            tr = Translator(lang)
            status = tr.status(evidence.summary.status) if tr.zh else evidence.summary.status.value
            line = tr.label("wrote", "wrote {path} (status {status}, exit code {code})", path=self.output, status=status, code=evidence.exit_code)
            click.echo(f"mptool: {line}", err=True)


def _json_bytes(evidence: Evidence) -> bytes:
    from mptool.render.json import dumps_bytes  # imported for JSON only: a text report needs no JSON writer

    return dumps_bytes(evidence)


def language() -> str:
    """The report language of this run (root ``--lang`` or ``MPTOOL_LANG``; ``en`` by default)."""
    ctx = click.get_current_context(silent=True)
    return str(ctx.find_root().meta.get("mptool.lang", "en")) if ctx is not None else "en"


def language_asked() -> str | None:
    """The language the person asked for with ``--lang``/``MPTOOL_LANG`` (None: nothing asked)."""
    ctx = click.get_current_context(silent=True)
    return language() if ctx is not None and ctx.find_root().meta.get("mptool.lang_explicit") else None


def gbt39786_level() -> int | None:
    """The root option ``--level`` (None when not given: citations stay at level 3)."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().meta.get("mptool.level") if ctx is not None else None


def record_secrets() -> bool:
    """Whether the root option ``--record-secrets`` was given (secrets kept verbatim in evidence)."""
    return bool(click.get_current_context().find_root().meta.get("mptool.record_secrets"))


def text_report(evidence: Evidence, path: str, shown: list[tuple[str, str]] | None = None, lang: str = "en") -> bytes:
    """The rich text report: with colour for a terminal on stdout, plain (120 columns) otherwise."""
    from rich.console import Console

    from mptool.render.text import render

    terminal = path == "-" and sys.stdout.isatty()
    buffer = io.StringIO()
    # emoji=False: names and values are shown as given (a file named ':x:' is not an emoji), and
    # rich's table of emoji codes is not loaded (start-up, issue 20)
    console = Console(file=buffer, width=None if terminal else 120, color_system="auto" if terminal else None, force_terminal=terminal, soft_wrap=False, emoji=False)
    render(evidence, console, shown, lang=lang)
    # a path argument that is not UTF-8 keeps its bytes as lone surrogates: write them as \xNN
    return buffer.getvalue().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").encode("utf-8")


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
        if json_output is not None and output != "-" and json_output != "-" and same_file(output, json_output):
            raise click.UsageError(f"-o {output} and --json-output {json_output} name the same file: one would overwrite the other")
        out = OutputOptions(format_, output, json_output, FailOn(fail_on), quiet, no_progress, deterministic)
        return func(*args, out=out, **kwargs)

    return wrapper  # type: ignore[return-value]


def same_file(first: str, second: str) -> bool:
    """Whether two output paths name one file (the same path, or one through a symlink).

    A character device (``/dev/null``) named twice is no conflict: nothing is replaced there."""
    import os
    import stat

    try:
        if os.path.exists(first) and os.path.exists(second):
            return os.path.samefile(first, second) and not stat.S_ISCHR(os.stat(first).st_mode)
        return os.path.normcase(os.path.realpath(first)) == os.path.normcase(os.path.realpath(second))
    except (OSError, ValueError):
        return False


def stdout_console(min_width: int = 120) -> "Console":
    """A rich console on stdout: full colour on a terminal, plain and wide enough otherwise."""
    from rich.console import Console

    terminal = sys.stdout.isatty()
    return Console(file=sys.stdout, width=None if terminal else min_width)
