"""``mptool cert``: thin CLI layer over :mod:`mptool.cert`."""

from __future__ import annotations

import click

from mptool.algo import DEFAULT_SM2_USER_ID
from mptool.cli.output import OutputOptions, evidence_options
from mptool.cli.trust import trust_option
from mptool.core.errors import exit_code_epilog

PURPOSES = ["any", "server", "client", "codesign"]
PROFILES = ["root", "subca", "ee-sign", "ee-enc"]
SM2_ID_HELP = f"SM2 user ID for ZA (text, or hex:…); default {DEFAULT_SM2_USER_ID.decode()} (GM/T 0009)."


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """Certificate format checks (GM/T 0015, GB/T 20518, RFC 5280) and chain verification with SM2."""


@group.command(epilog=exit_code_epilog())
@click.argument("certs", nargs=-1, required=True, metavar="CERT|DIR...")
@click.option("--profile", type=click.Choice(PROFILES), default=None, help="Check every certificate against this profile instead of detecting it.")
@click.option("--sm2-id", "sm2_id", metavar="ID", default=None, help=SM2_ID_HELP)
@click.option("--at", "at", metavar="TIME", default=None, help="Warn on a certificate that is expired or not yet valid at TIME (ISO 8601); default: validity at a time is not judged.")
@evidence_options
def lint(certs: tuple[str, ...], profile: str | None, sm2_id: str | None, at: str | None, out: OutputOptions) -> None:
    """Format and profile checks of certificates (PEM, DER, bundles, .p7b, directories).

    Each result is one rule of cert-rules.md on one certificate; findings cite the rule id
    and the editions (GM/T 0015-2012/-2023, GB/T 20518-2018, RFC 5280). Non-DER encoding is a finding.
    Base64 without PEM armour is read too. Each certificate's subject, issuer, serial, validity,
    key and SM3/SHA-256 fingerprints are recorded (summary.certificates). In a DIR, files that
    hold no certificate are skipped with the reason (exit 4 when nothing fails).

    Example: mptool cert lint server_sign.pem --profile ee-sign --at 2026-12-01T00:00:00Z -f json
    """
    from mptool.cert.commands import run_lint

    builder = out.builder()
    run_lint(builder, certs, profile=profile, sm2_id_text=sm2_id, progress=out.progress, at_text=at)
    out.finish(builder)


@group.command(epilog=exit_code_epilog())
@click.argument("leaf", metavar="LEAF")
@click.option("--intermediates", "intermediates", multiple=True, metavar="FILE|DIR", help="Untrusted intermediate certificates (repeatable; bundles allowed).")
@trust_option()
@click.option("--at", "at", metavar="TIME", default=None, help="Validation time, ISO 8601 (default: now, UTC).")
@click.option("--sm2-id", "sm2_id", metavar="ID", default=None, help=SM2_ID_HELP)
@click.option("--crl", "crls", multiple=True, metavar="FILE", help="CRL to check revocation against (repeatable; PEM or DER).")
@click.option("--purpose", type=click.Choice(PURPOSES), default="any", show_default=True, help="Required usage of the leaf (extKeyUsage).")
@click.option("--name", metavar="HOST|IP", default=None, help="Peer name the leaf must match (subjectAltName; CN when there is no SAN).")
@click.option("--policy", "policies", multiple=True, metavar="OID", help="Acceptable certificate policy (repeatable; the user-initial-policy-set of RFC 5280 §6.1.1; default anyPolicy).")
@click.option("--explicit-policy", is_flag=True, help="Require a valid policy for the whole path (initial-explicit-policy).")
@click.option("--inhibit-policy-mapping", is_flag=True, help="Do not honour policyMappings (initial-policy-mapping-inhibit).")
@click.option("--inhibit-any-policy", is_flag=True, help="anyPolicy in a certificate does not match every policy (initial-any-policy-inhibit).")
@evidence_options
def chain(
    leaf: str,
    intermediates: tuple[str, ...],
    trust: tuple[str, ...],
    at: str | None,
    sm2_id: str | None,
    crls: tuple[str, ...],
    purpose: str,
    name: str | None,
    policies: tuple[str, ...],
    explicit_policy: bool,
    inhibit_policy_mapping: bool,
    inhibit_any_policy: bool,
    out: OutputOptions,
) -> None:
    """Build every candidate path from LEAF to a trust anchor and validate it (RFC 5280 §6.1).

    SM2 signatures are verified with ZA over the original TBS bytes; RSA and ECDSA through
    cryptography. Exit 0 when a valid path exists, 1 when none does. If LEAF is a bundle, the
    first certificate is the leaf and the others are intermediates.

    With --crl the revocation status of every certificate below the anchor must be determined
    from the CRLs given (RFC 5280 §6.3; delta CRLs, distribution points, indirect CRLs and CRLs
    signed by another key of the CA are processed), else the path fails. Certificate policies are
    processed per RFC 5280 §6.1 (--policy, --explicit-policy, --inhibit-policy-mapping,
    --inhibit-any-policy); the resulting policy set is in the evidence.

    Example: mptool cert chain server_sign.pem --intermediates sub-ca.pem --trust root-ca.pem --at 2026-01-01T00:00:00Z
    """
    from mptool.cert.commands import PolicyInputs, run_chain

    builder = out.builder()
    _require_pinned_time(out, at)
    policy = PolicyInputs(policies, explicit_policy, inhibit_policy_mapping, inhibit_any_policy)
    run_chain(builder, leaf, intermediates=intermediates, trust=trust, crls=crls, at_text=at, sm2_id_text=sm2_id, purpose=purpose, name=name, policy=policy)
    out.finish(builder)


@group.command(epilog=exit_code_epilog())
@click.argument("sign", metavar="SIGN")
@click.argument("enc", metavar="ENC")
@click.option("--at", "at", metavar="TIME", default=None, help="Validation time, ISO 8601 (default: now, UTC).")
@evidence_options
def pair(sign: str, enc: str, at: str | None, out: OutputOptions) -> None:
    """TLCP signing/encryption certificate pair check (same subject and issuer, key usages, validity).

    Example: mptool cert pair server_sign.pem server_enc.pem
    """
    from mptool.cert.commands import run_pair

    builder = out.builder()
    _require_pinned_time(out, at)
    run_pair(builder, sign, enc, at_text=at)
    out.finish(builder)


@group.command(epilog=exit_code_epilog())
@click.argument("suite", metavar="SUITE.json|-", default="-")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Write the LimboResult JSON to FILE (atomically); '-' is stdout.")
@click.option("--evidence", metavar="FILE", default=None, help="Also write mptool JSON evidence (one result per case, with totals) to FILE.")
@click.option("--sm2-id", "sm2_id", metavar="ID", default=None, help=SM2_ID_HELP)
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
@click.pass_context
def limbo(ctx: click.Context, suite: str, output: str, evidence: str | None, sm2_id: str | None, quiet: bool) -> None:
    """x509-limbo harness: read a limbo test suite (file or '-'), write LimboResult JSON.

    Each test case becomes SUCCESS or FAILURE from mptool's own path validation; cases with
    features mptool does not support are SKIPPED (never guessed). Exit 0 unless the harness
    itself fails (bad suite: exit 3).

    Example: mptool cert limbo limbo.json -o results.json --evidence limbo-evidence.json
    """
    from mptool.cert.commands import run_limbo
    from mptool.cli.output import OutputOptions, command_name, raw_arguments, write_atomic
    from mptool.core.report import FailOn, ReportBuilder

    builder = ReportBuilder(command_name(ctx), raw_arguments(ctx))
    data, totals = run_limbo(builder, suite, sm2_id_text=sm2_id)
    write_atomic(output, data)
    if evidence is not None:
        OutputOptions("json", evidence, None, FailOn.NEVER, True, True, False).write(builder.build(FailOn.NEVER))
    if not quiet:
        click.echo("mptool: limbo " + ", ".join(f"{k} {v}" for k, v in totals.items()), err=True)


def _require_pinned_time(out: OutputOptions, at: str | None) -> None:
    """Under --deterministic the validation time must be pinned too, or runs would differ."""
    from mptool.core.report import fixed_timestamp

    if out.deterministic and at is None and fixed_timestamp() is None:
        raise click.UsageError("--deterministic needs --at TIME (or SOURCE_DATE_EPOCH): the default validation time, now, differs between runs")
