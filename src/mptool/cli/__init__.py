"""The command line: a thin layer that parses options, calls domain code and renders evidence.

Command groups are loaded lazily, so ``mptool --help`` and ``mptool algo …`` never import
scapy or scipy. Every error is mapped to the documented exit codes here, in one place.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from mptool.cli.lazy import LazyGroup
from mptool.core.errors import ExitCode, MptoolError, debug_enabled, exit_code_epilog, set_debug

#: name -> ("module:attribute", one-line help). The help is here so listing commands imports nothing.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "algo": ("mptool.cli.algo:group", "Known-answer validation of SM2/SM3/SM4/AES/DES/RSA and checks of values from a system."),
    "rng": ("mptool.cli.rng:group", "GM/T 0005-2021 randomness tests on collected random data."),
    "cert": ("mptool.cli.cert:group", "Certificate format checks (GM/T 0015, GB/T 20518, RFC 5280) and chain verification."),
    "proto": ("mptool.cli.proto:group", "TLS/TLCP/RFC 8998/IKE/IPSec analysis of captures and probing of live endpoints."),
    "assess": ("mptool.cli.assess:group", "The 密评 assessment: D/A/K per object, the 2023 score, high risk and conclusion."),
    "data": ("mptool.cli.data:group", "Stored data: sample a database column or export and judge its encryption and integrity (APP-SCONF/APP-SINTEG)."),
    "device": ("mptool.cli.device:group", "GM/T 0018 (SDF) server crypto machines through the vendor library; mptool's soft SDF device."),
    "checks": ("mptool.cli.meta:checks", "List every registered check: id, title, cited clause."),
    "schema": ("mptool.cli.meta:schema", "Print the JSON Schema of the evidence format."),
    "lab": ("mptool.cli.lab:group", "Lab setups that make reference captures as root: the GM/T 0022 IPSec lab (two namespaces, responder, initiator, tcpdump)."),
    "demo": ("mptool.cli.demo:demo", "Run every command group on bundled sample data and write the evidence."),
}


class MptoolGroup(LazyGroup):
    """Root group: lazy subcommands, the raw argv kept for evidence, and the exit-code mapping."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The help texts of LAZY_COMMANDS: listing the commands imports none of them.
        rows = [(name, help_text) for name, (_target, help_text) in sorted(LAZY_COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        argv = list(args)
        ctx = super().make_context(info_name, args, parent=parent, **extra)
        ctx.meta["mptool.argv"] = argv
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except MptoolError as exc:
            click.echo(f"mptool: error: {exc.message}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # the one place where a bug becomes exit 128
            if debug_enabled():
                import traceback

                traceback.print_exc(file=sys.stderr)
            click.echo(f"mptool: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", err=True)
            ctx.exit(int(ExitCode.INTERNAL))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from mptool.core.versions import backend_versions, tool_version

    click.echo(f"mptool {tool_version()}")
    for name, version in sorted(backend_versions().items()):
        click.echo(f"  {name} {version}")
    ctx.exit(0)


@click.group(
    cls=MptoolGroup,
    lazy_commands={name: target for name, (target, _help) in LAZY_COMMANDS.items()},
    epilog=exit_code_epilog(),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version, help="Show the version of mptool and of its backends.")
@click.option("--debug", is_flag=True, help="Print tracebacks of internal errors and record them in evidence.")
@click.option("--lang", "lang", default=None, metavar="en|zh", help="Language of the text reports: en (default) or zh (中文); also MPTOOL_LANG. JSON keeps English keys and adds title_zh/message_zh.")
@click.option("--level", "level", type=click.IntRange(1, 4), default=None, metavar="1..4", help="GB/T 39786 level of the system: checks cite that level's clause numbers and mark indicators it lacks (default 3).")
@click.option("--record-secrets", is_flag=True, help="Record keys, passwords and plaintexts verbatim in the evidence (lab use only; by default only their SM3 fingerprint and length).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, lang: str | None, level: int | None, record_secrets: bool) -> None:
    """mptool: crypto testing for commercial cryptography assessment (商用密码应用安全性评估).

    Every command emits JSON evidence (-f json) with input digests, parameters,
    backend versions and per-check verdicts; exit codes gate CI.
    """
    set_debug(debug)
    ctx.meta["mptool.record_secrets"] = record_secrets
    ctx.meta["mptool.level"] = level
    ctx.meta["mptool.lang"], ctx.meta["mptool.lang_explicit"] = _language(lang)


def _language(option: str | None) -> tuple[str, bool]:
    """(language, whether it was asked for) from --lang, else MPTOOL_LANG, else English."""
    from mptool.core.i18n import DEFAULT_LANG, env_lang, normalize

    if option is not None:
        lang = normalize(option)
        if lang is None:
            raise click.BadParameter(f"{option!r}: unknown language (use en or zh)", param_hint="--lang")
        return lang, True
    try:
        from_env = env_lang()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return (from_env, True) if from_env else (DEFAULT_LANG, False)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="mptool")
