"""``mptool assess``: thin CLI layer over :mod:`mptool.assess.commands`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
  mptool assess report case/ -o report.docx      the 2023-template report (-o report.html for HTML, --lang en)
  mptool assess report case/ -o r.docx --template institution.docx
  mptool assess export case/ -o report-data.json
  mptool assess seal case/ --sign-key sm2.key --sign-cert sm2.pem
  mptool assess verify case/
  mptool assess score workspace/                 every system; records in workspace/scores/ (exit 4: a case skipped)
  mptool assess status workspace/ --today 2026-07-01   phases, scores, stale flags, milestones (exit 1: missed)
  mptool assess summary workspace/ -o summary.docx     the annual summary (-f html | -f json)
  mptool assess diff last-year/case/ case/       复测 comparison (two cases or two workspaces)
  mptool assess report case/ -o r.docx --previous last-year/case/   section 2.7 from the comparison
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
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Workspace: worker processes (default: the cores, 1 below 8 systems).")
@evidence_options
def score(target: str, lang: str | None, rule_set: str | None, all_na_group: str | None, jobs: int | None, out: OutputOptions) -> None:
    """Score an assessment: judgements, units, layers, risk rows, total and conclusion.

    Exit 1 when the conclusion is 不符合 (--fail-on warn: when it is not 符合). Given a
    workspace (a directory of case directories), score every system and record each score
    in scores/; a broken case is reported and skipped (exit 4), never aborting the rest.
    """
    from mptool.assess.commands import is_workspace, render_text, score_command

    builder = out.builder()
    if is_workspace(target):
        _score_workspace(target, builder, rule_set, all_na_group, jobs, out)
    scored, code = score_command(target, builder, out.fail_on, rule_set_id=rule_set, all_na_group=all_na_group)
    evidence = builder.build(out.fail_on, exit_code=code)
    line = _tr().label("assess.wrote_score", "wrote {path} (conclusion {conclusion}, exit code {code})", path=out.output, conclusion=scored.conclusion, code=evidence.exit_code)
    _emit(out, evidence, render_text(scored, _lang(lang)), line)


def _emit(out: OutputOptions, evidence: Any, text: str, line: str | None = None) -> None:
    """Write the text (or JSON) report and the side JSON evidence: both or neither, then exit."""
    from mptool.core.i18n import localize
    from mptool.core.outputs import write_all_or_none
    from mptool.render.json import dumps

    evidence = localize(evidence, language())
    evidence_bytes = dumps(evidence).encode("utf-8")
    outputs = [(out.output, evidence_bytes if out.format == "json" else text.encode("utf-8"))]
    if out.json_output:
        outputs.append((out.json_output, evidence_bytes))
    write_all_or_none(outputs)
    if not out.quiet and out.output != "-":
        click.echo("mptool: " + (line or _tr().label("assess.wrote", "wrote {path} (exit code {code})", path=out.output, code=evidence.exit_code)), err=True)
    click.get_current_context().exit(evidence.exit_code)


def _score_workspace(target: str, builder: object, rule_set: str | None, all_na_group: str | None, jobs: int | None, out: OutputOptions) -> None:
    from mptool.assess.commands import workspace_score_command
    from mptool.assess.commands import render_batch

    if rule_set is not None or all_na_group is not None:
        raise click.UsageError("--rule-set/--all-na-group apply to one case: a workspace scores each case with its own scoring:")
    outcomes, code = workspace_score_command(target, builder, out.fail_on, out.progress, jobs)  # type: ignore[arg-type]
    for o in outcomes:
        if o.error and not out.quiet:
            click.echo("mptool: " + _tr().label("assess.skipped_system", "skipped {system}: {error}", system=o.system.name, error=o.error), err=True)
    _emit(out, builder.build(out.fail_on, exit_code=code), render_batch(outcomes, _lang(None)))  # type: ignore[attr-defined]


_TODAY = click.option("--today", metavar="YYYY-MM-DD", default=None, help="The date milestones and validity are judged at (default: SOURCE_DATE_EPOCH's date, else today).")


@group.command(epilog=exit_code_epilog())
@click.argument("workspace", metavar="WORKSPACE")
@_TODAY
@evidence_options
def status(workspace: str, today: str | None, out: OutputOptions) -> None:
    """Where every system of a workspace stands: phase, judgements, recorded score, stale flags, milestones.

    Exit 1 when a plan.yaml milestone date has passed below its percentage; 4 when a case cannot be read.
    """
    from mptool.assess.commands import status_command
    from mptool.assess.commands import render_status

    builder = out.builder()
    result, code = status_command(workspace, builder, today, out.progress)
    _emit(out, builder.build(out.fail_on, exit_code=code), render_status(result, _lang(None)))


@group.command(epilog=exit_code_epilog())
@click.argument("workspace", metavar="WORKSPACE")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write the summary to FILE (atomically); '-' is stdout (json/html).")
@click.option("-f", "--format", "format_", type=click.Choice(["docx", "html", "json"]), default=None, help="Word (default), HTML, or the JSON evidence with summary.portfolio; default from the -o suffix.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the document (default: the root --lang/MPTOOL_LANG if given, else zh).")
@_TODAY
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("--deterministic", is_flag=True, help="Pin timestamps (SOURCE_DATE_EPOCH or 1970-01-01).")
def summary(workspace: str, output: str | None, format_: str | None, lang: str | None, today: str | None, quiet: bool, no_progress: bool, deterministic: bool) -> None:
    """The annual summary of a workspace: per system results, conclusion counts, score distribution,
    frequent problems, open remediation items, systems due for re-assessment.

    Built from the scores recorded by `mptool assess score WORKSPACE`; stale ones are flagged.
    Exit 4 (the summary still written) when a case cannot be read.
    """
    from mptool.assess.commands import summary_command
    from mptool.cli.output import command_name, raw_arguments
    from mptool.core.progress import Progress
    from mptool.core.report import ReportBuilder
    from mptool.render.json import dumps

    if format_ is None:
        suffix = _suffix(output)
        format_ = suffix if suffix in ("docx", "html", "json") else "docx"
    if output is None:
        if format_ == "docx":
            raise click.UsageError("a Word summary needs -o FILE.docx (or -f html|json for stdout)")
        output = "-"
    ctx = click.get_current_context()
    builder = ReportBuilder(command_name(ctx), raw_arguments(ctx), deterministic=deterministic)
    content, portfolio = summary_command(workspace, builder, format_, _lang(lang), today, Progress.for_terminal(quiet=quiet, no_progress=no_progress))
    from mptool.core.i18n import localize

    evidence = localize(builder.build(exit_code=4 if any(s["error"] for s in portfolio["per_system"]) else 0), language())
    write_atomic(output, content if content is not None else dumps(evidence).encode("utf-8"))
    if not quiet:
        for name in portfolio["stale"]:
            click.echo("mptool: " + _tr().label("assess.stale_score", "stale score: {system} (re-run mptool assess score {workspace})", system=name, workspace=workspace), err=True)
        if output != "-":
            c = portfolio["conclusions"]
            wrote = _tr().label(
                "assess.wrote_summary",
                "wrote {path} ({systems} systems: compliant {compliant}, basically compliant {basically}, non-compliant {non}; mean score {mean})",
                path=output, systems=portfolio["systems"], compliant=c["符合"], basically=c["基本符合"], non=c["不符合"], mean=portfolio["mean_score"],
            )
            click.echo("mptool: " + wrote, err=True)
    broken = [s["system"] for s in portfolio["per_system"] if s["error"]]
    if broken and not quiet:
        click.echo("mptool: " + _tr().label("assess.incomplete_summary", "incomplete summary: cannot read {systems}", systems=", ".join(broken)), err=True)
    click.get_current_context().exit(4 if broken else 0)


@group.command(epilog=exit_code_epilog())
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@evidence_options
def diff(old: str, new: str, out: OutputOptions) -> None:
    """复测 comparison of two cases or two workspaces: D/A/K and score deltas, fixed/new/unchanged
    problems, risk-level changes, total and conclusion change. Exit 4 when a system cannot be scored."""
    from mptool.assess.commands import diff_command
    from mptool.assess.commands import render_diff

    builder = out.builder()
    result = diff_command(old, new, builder, out.progress)
    code = 4 if result.get("broken") else 0
    _emit(out, builder.build(out.fail_on, exit_code=code), render_diff(result, _lang(None)))  # type: ignore[arg-type]


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


def _suffix(output: str | None) -> str:
    """The lower-case suffix of an output file's name ('' without one): what chooses a default format."""
    name = (output or "").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@click.option("-o", "--output", required=True, metavar="FILE", help="Write the report to FILE (atomically); '-' is stdout.")
@click.option("--format", "format_", type=click.Choice(["docx", "html"]), default=None, help="Word, or one self-contained HTML file; default from the -o suffix (.html/.htm: html, else docx).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the report (default: the root --lang/MPTOOL_LANG if given, else zh).")
@click.option("--template", metavar="INSTITUTION.docx", default=None, help="Render through an institution's docxtpl template (fields: mptool assess export).")
@click.option("--previous", metavar="CASE", default=None, help="The previous assessment's case: fills section 2.7 (前次测评情况) from the 复测 comparison.")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
def report(target: str, output: str, format_: str | None, lang: str | None, template: str | None, previous: str | None, quiet: bool) -> None:
    """Write the 《商用密码应用安全性评估报告》 (2023 template) of a case.

    A case with gaps (indicators not judged, proposals not confirmed) still renders: each gap
    is marked 待确认 in the document and listed on stderr, exit 4.
    """
    from mptool.assess.commands import report_command

    suffix = _suffix(output)
    by_suffix = {"html": "html", "htm": "html", "docx": "docx"}.get(suffix)
    if format_ is None:
        format_ = by_suffix or "docx"
    elif by_suffix is not None and by_suffix != format_:
        raise click.UsageError(f"--format {format_} but -o {output} names a .{suffix} file: drop --format or rename the output")
    if template is not None and format_ == "html":
        raise click.UsageError("--template renders Word: do not combine it with HTML output (--format html or -o *.html)")
    result = report_command(target, format_, _lang(lang), template, previous)
    write_atomic(output, result.content)
    _gaps(result.gaps, quiet)
    if not quiet and output != "-":
        s = result.scored
        from mptool.assess.commands import conclusion_text

        tr = _tr()
        pending = tr.label("assess.pending", "to be confirmed")
        total = s.result.total if s.result.total is not None else pending
        conclusion = conclusion_text(s.conclusion, language()) if s.conclusion else pending
        wrote = tr.label("assess.wrote_report", "wrote {path} (score {total}, conclusion {conclusion}, {gaps} to be confirmed)", path=output, total=total, conclusion=conclusion, gaps=len(result.gaps))
        click.echo("mptool: " + wrote, err=True)
    click.get_current_context().exit(4 if result.gaps else 0)


@group.command(epilog=exit_code_epilog())
@click.argument("target", metavar="FILE|DIR")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Write report-data JSON to FILE (atomically).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the texts in the model (default: the root --lang/MPTOOL_LANG if given, else zh).")
@click.option("--previous", metavar="CASE", default=None, help="The previous assessment's case (section 2.7).")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
def export(target: str, output: str, lang: str | None, previous: str | None, quiet: bool) -> None:
    """Write the whole report model (mptool.report-data/1, JSON Schema in mptool/schemas) for templates.

    Exit 4 when the case has gaps (待确认), listed on stderr.
    """
    from mptool.assess.commands import export_command

    result = export_command(target, _lang(lang), previous)
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
