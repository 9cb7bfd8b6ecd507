"""``mptool assess``: thin CLI layer over :mod:`mptool.assess.commands`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mptool.cli.output import OutputOptions, evidence_options, language, language_asked, write_atomic
from mptool.core.errors import exit_code_epilog

if TYPE_CHECKING:
    from mptool.core.i18n import Translator

_EXAMPLES = """\b
Examples:
  mptool assess init case/ --name 某某业务系统 --level 3
  mptool assess add case/ tlcp.json chain.json --object net-vpn --layer network --name 互联网用户到SSL VPN网关
  mptool assess score case/                      text report in Chinese (--lang en for English)
  mptool assess score case/ -f json -o score.json
  mptool assess check case/
  mptool assess schema > assessment-v1.schema.json
  mptool assess report case/ -o report.docx      the 2023-template report (--format html, --lang en)
  mptool assess report case/ -o r.docx --template institution.docx
  mptool assess export case/ -o report-data.json
  mptool assess seal case/ --sign-key sm2.key --sign-cert sm2.pem
  mptool assess verify case/
"""


def _lang(option: str | None) -> str:
    """The assessment's language: ``--lang`` of the command, else the root one, else Chinese."""
    return option or language_asked() or "zh"


def _tr() -> "Translator":
    from mptool.core.i18n import Translator

    return Translator(language())


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
    click.echo("mptool: " + _tr().label("assess.init_wrote", "wrote {path}", path=path), err=True)


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
    tr = _tr()
    click.echo(tr.label("assess.added", "evidence added: {added}, already in the case: {known}", added=len(report.added), known=len(report.known))
               + (tr.label("assess.object_created", "; object created") if report.object_created else ""))
    for p in report.proposals:
        ra = f" Ra={p['Ra']}" if "Ra" in p else ""
        click.echo(tr.label("assess.proposal", "proposal {object} {indicator}: D{D} A{A} K{K}{ra}", object=p["object"], indicator=p["indicator"], D=mark(p.get("D")), A=mark(p.get("A")), K=mark(p.get("K")), ra=ra))
    for c in report.candidates:
        click.echo(tr.label("assess.candidate", "high-risk candidate {id} ({indicator}): {reason}", id=c["id"], indicator=c["indicator"], reason=c["reason"]))


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the text report (default: the root --lang/MPTOOL_LANG if given, else zh).")
@click.option("--rule-set", type=click.Choice(["quant-2023", "quant-2021"]), default=None, help="Override the file's rule set.")
@click.option("--all-na-group", type=click.Choice(["null", "zero"]), default=None, help="A whole group 不适用: no total (null) or the group counts 0.")
@evidence_options
def score(target: str, lang: str | None, rule_set: str | None, all_na_group: str | None, out: OutputOptions) -> None:
    """Score an assessment: judgements, units, layers, risk rows, total and conclusion.

    Exit 1 when the conclusion is 不符合 (--fail-on warn: when it is not 符合).
    """
    from mptool.assess.commands import render_text, score_command
    from mptool.render.json import dumps

    builder = out.builder()
    scored, code = score_command(target, builder, out.fail_on, rule_set_id=rule_set, all_na_group=all_na_group)
    from mptool.core.i18n import localize

    evidence = localize(builder.build(out.fail_on, exit_code=code), language())
    if out.format == "json":
        write_atomic(out.output, dumps(evidence).encode("utf-8"))
    else:
        write_atomic(out.output, render_text(scored, _lang(lang)).encode("utf-8"))
    if out.json_output:
        write_atomic(out.json_output, dumps(evidence).encode("utf-8"))
    if not out.quiet and out.output != "-":
        click.echo("mptool: " + _tr().label("assess.wrote_score", "wrote {path} (conclusion {conclusion}, exit code {code})", path=out.output, conclusion=scored.conclusion, code=evidence.exit_code), err=True)
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


def _gaps(gaps: list[dict], quiet: bool) -> None:
    if not quiet:
        for gap in gaps:
            click.echo(f"mptool: 待确认: {gap['message']}", err=True)


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@click.option("-o", "--output", required=True, metavar="FILE", help="Write the report to FILE (atomically); '-' is stdout.")
@click.option("--format", "format_", type=click.Choice(["docx", "html"]), default="docx", show_default=True, help="Word, or one self-contained HTML file.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the report (default: the root --lang/MPTOOL_LANG if given, else zh).")
@click.option("--template", metavar="INSTITUTION.docx", default=None, help="Render through an institution's docxtpl template (fields: mptool assess export).")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
def report(target: str, output: str, format_: str, lang: str | None, template: str | None, quiet: bool) -> None:
    """Write the 《商用密码应用安全性评估报告》 (2023 template) of a case.

    A case with gaps (indicators not judged, proposals not confirmed) still renders: each gap
    is marked 待确认 in the document and listed on stderr, exit 4.
    """
    from mptool.assess.commands import report_command

    if template is not None and format_ == "html":
        raise click.UsageError("--template renders Word: do not combine it with --format html")
    result = report_command(target, format_, _lang(lang), template)
    write_atomic(output, result.content)
    _gaps(result.gaps, quiet)
    if not quiet and output != "-":
        s = result.scored
        total = s.result.total if s.result.total is not None else "待确认"
        click.echo(f"mptool: wrote {output} (综合得分 {total}, 评估结论 {s.conclusion or '待确认'}, 待确认 {len(result.gaps)})", err=True)
    click.get_current_context().exit(4 if result.gaps else 0)


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Write report-data JSON to FILE (atomically).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the texts in the model (default: the root --lang/MPTOOL_LANG if given, else zh).")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
def export(target: str, output: str, lang: str | None, quiet: bool) -> None:
    """Write the whole report model (mptool.report-data/1, JSON Schema in mptool/schemas) for templates.

    Exit 4 when the case has gaps (待确认), listed on stderr.
    """
    from mptool.assess.commands import export_command

    result = export_command(target, _lang(lang))
    write_atomic(output, result.content)
    _gaps(result.gaps, quiet)
    click.get_current_context().exit(4 if result.gaps else 0)


@group.command(epilog=exit_code_epilog())
@click.argument("directory", metavar="DIR")
@click.option("--sign-key", required=True, metavar="KEY", help="SM2 private key (PEM/DER, PKCS#8 or SEC1; encrypted PKCS#8 with --key-pass-file).")
@click.option("--sign-cert", required=True, metavar="CERT", help="The signer's X.509 certificate with the SM2 public key.")
@click.option("--key-pass-file", metavar="FILE", default=None, help="File holding the key's password (never echoed).")
def seal(directory: str, sign_key: str, sign_cert: str, key_pass_file: str | None) -> None:
    """Seal a case for 档案管理: seal/manifest.json (size, SM3, SHA-256 of every file) signed with SM2."""
    from mptool.assess.commands import seal_command

    manifest = seal_command(directory, sign_key, sign_cert, key_pass_file)
    click.echo(_tr().label("assess.sealed", "sealed {files} files of {directory} (signer {signer}); verify: mptool assess verify {directory}", files=len(manifest["files"]), directory=directory, signer=manifest["signer"]["subject"]))


@group.command(epilog=exit_code_epilog())
@click.argument("directory", metavar="DIR")
def verify(directory: str) -> None:
    """Verify a sealed case: the SM2 signature and every file; exit 1 on any added, changed or missing file."""
    from mptool.assess.commands import verify_command

    r = verify_command(directory)
    tr = _tr()
    for key, label, paths in (("changed", "changed", r.changed), ("missing", "missing", r.missing), ("added_file", "added", r.added)):
        for path in paths:
            click.echo(f"{tr.label('assess.' + key, label)}: {path}")
    for problem in r.problems:
        click.echo(f"{tr.label('assess.problem', 'problem')}: {problem}")
    state = tr.label("assess.seal_ok", "seal OK") if r.ok else tr.label("assess.seal_failed", "seal FAILED")
    signature = tr.label("assess.signature_valid", "valid") if r.signature_ok else tr.label("assess.signature_bad", "BAD")
    click.echo(tr.label("assess.seal_line", "{state}: signature {signature}, {files} files sealed, {changed} changed, {missing} missing, {added} added (signer {signer})",
                        state=state, signature=signature, files=r.files, changed=len(r.changed), missing=len(r.missing), added=len(r.added), signer=r.signer.get("subject", "?")))
    click.get_current_context().exit(0 if r.ok else 1)
