"""``mptool assess``: thin CLI layer over :mod:`mptool.assess.commands`."""

from __future__ import annotations

import click

from mptool.cli.output import OutputOptions, evidence_options, write_atomic
from mptool.core.errors import exit_code_epilog

_EXAMPLES = """\b
Examples:
  mptool assess init case/ --name 某某业务系统 --level 3
  mptool assess add case/ tlcp.json chain.json --object net-vpn --layer network --name 互联网用户到SSL VPN网关
  mptool assess score case/                      text report in Chinese (--lang en for English)
  mptool assess score case/ -f json -o score.json
  mptool assess check case/
  mptool assess schema > assessment-v1.schema.json
"""


@click.group(epilog=f"{_EXAMPLES}\n{exit_code_epilog()}")
def group() -> None:
    """The 密评 assessment: D/A/K per test object, the 2023 score, high risk and conclusion (GB/T 39786-2021)."""


@group.command(epilog=exit_code_epilog())
@click.argument("directory", metavar="DIR")
@click.option("--name", required=True, help="被测信息系统名称.")
@click.option("--level", type=click.IntRange(1, 4), required=True, help="Level 1-4 (decides which indicators apply).")
def init(directory: str, name: str, level: int) -> None:
    """Create a case directory with a commented assessment.yaml listing every indicator of the level."""
    from mptool.assess.commands import init_case

    path = init_case(directory, name, level)
    click.echo(f"mptool: wrote {path}", err=True)


@group.command(epilog=exit_code_epilog())
@click.argument("directory", metavar="DIR")
@click.argument("evidence", nargs=-1, required=True, metavar="EVIDENCE.json…")
@click.option("--object", "object_id", required=True, metavar="ID", help="Test object the evidence is about.")
@click.option("--layer", type=click.Choice(["physical", "network", "device", "application"]), default=None, help="Layer of a new object.")
@click.option("--name", default=None, help="Name of a new object.")
@click.option("--indicator", "indicators", multiple=True, metavar="ID", help="Only propose for this indicator (repeatable; e.g. which stored data an algo verify run covered).")
def add(directory: str, evidence: tuple[str, ...], object_id: str, layer: str | None, name: str | None, indicators: tuple[str, ...]) -> None:
    """Copy mptool evidence into the case (by SM3 digest) and derive proposals for the object."""
    from mptool.assess.commands import add_evidence

    report = add_evidence(directory, list(evidence), object_id, layer, name, list(indicators))
    mark = lambda v: "?" if v is None else "√" if v else "×"  # noqa: E731
    click.echo(f"evidence added: {len(report.added)}, already in the case: {len(report.known)}" + ("; object created" if report.object_created else ""))
    for p in report.proposals:
        ra = f" Ra={p['Ra']}" if "Ra" in p else ""
        click.echo(f"proposal {p['object']} {p['indicator']}: D{mark(p.get('D'))} A{mark(p.get('A'))} K{mark(p.get('K'))}{ra}")
    for c in report.candidates:
        click.echo(f"high-risk candidate {c['id']} ({c['indicator']}): {c['reason']}")


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the text report.")
@click.option("--rule-set", type=click.Choice(["quant-2023", "quant-2021"]), default=None, help="Override the file's rule set.")
@click.option("--all-na-group", type=click.Choice(["null", "zero"]), default=None, help="A whole group 不适用: no total (null) or the group counts 0.")
@evidence_options
def score(target: str, lang: str, rule_set: str | None, all_na_group: str | None, out: OutputOptions) -> None:
    """Score an assessment: judgements, units, layers, risk rows, total and conclusion.

    Exit 1 when the conclusion is 不符合 (--fail-on warn: when it is not 符合).
    """
    from mptool.assess.commands import render_text, score_command
    from mptool.render.json import dumps

    builder = out.builder()
    scored, code = score_command(target, builder, out.fail_on, rule_set_id=rule_set, all_na_group=all_na_group)
    evidence = builder.build(out.fail_on, exit_code=code)
    if out.format == "json":
        write_atomic(out.output, dumps(evidence).encode("utf-8"))
    else:
        write_atomic(out.output, render_text(scored, lang).encode("utf-8"))
    if out.json_output:
        write_atomic(out.json_output, dumps(evidence).encode("utf-8"))
    if not out.quiet and out.output != "-":
        click.echo(f"mptool: wrote {out.output} (conclusion {scored.conclusion}, exit code {evidence.exit_code})", err=True)
    click.get_current_context().exit(evidence.exit_code)


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@evidence_options
def check(target: str, out: OutputOptions) -> None:
    """Validate an assessment and list what is still missing (no score)."""
    from mptool.assess.commands import check_command

    builder = out.builder()
    check_command(target, builder)
    out.finish(builder)


@group.command(epilog=exit_code_epilog())
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the assessment file format (mptool.assessment/1)."""
    from mptool.assess.commands import schema_text

    click.echo(schema_text(), nl=False)
