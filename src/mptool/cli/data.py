"""``mptool data``: thin CLI layer over :mod:`mptool.data.commands`."""

from __future__ import annotations

import click

from mptool.algo import DEFAULT_SM2_USER_ID
from mptool.cli.output import OutputOptions, evidence_options
from mptool.core.errors import exit_code_epilog

_EXAMPLES = """\b
Examples:
  mptool data sample app.db --table users --column id_card --column phone
  mptool data sample 'postgresql://audit@db.example/app' --table users --column id_card --key env:SM4_KEY
  mptool data sample 'mysql://audit:PASSWORD@10.0.0.5/app' --table orders --column card_no \\
      --mac-column row_mac --mac-key env:MAC_KEY --mac-over id,card_no,amount -f json -o evidence.json
  mptool data sample export.csv --column name_enc --order first --rows 500
"""


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """Stored data: sample a database column or an export and judge its protection (APP-SCONF, APP-SINTEG)."""


@group.command(epilog=f"{_EXAMPLES}\n{exit_code_epilog()}")
@click.argument("source", metavar="URL|FILE")
@click.option("-t", "--table", default=None, metavar="[SCHEMA.]TABLE", help="Table to sample (not needed for CSV/JSON-lines exports).")
@click.option("-c", "--column", "columns", multiple=True, metavar="COLUMN", help="Column to judge (repeatable).")
@click.option("-n", "--rows", type=click.IntRange(min=1), default=200, show_default=True, help="Rows to sample.")
@click.option("--order", type=click.Choice(["random", "first"]), default="random", show_default=True, help="random rows, or the first rows (in primary-key order when there is one).")
@click.option("--where", default=None, metavar="SQL", help="SQL condition selecting the rows to sample from (databases only; recorded in the evidence).")
@click.option("--seed", type=int, default=None, help="Seed of random sampling from an export file (databases sample server-side).")
@click.option("--encoding", type=click.Choice(["auto", "raw", "hex", "base64", "base64url", "text"]), default="auto", show_default=True, help="How values are stored (auto: detected per column).")
@click.option("--key", default=None, metavar="HEX|env:VAR|file:PATH", help="Key to decrypt the columns with; never recorded (prefer env:VAR over a key on the command line).")
@click.option("--algorithm", type=click.Choice(["auto", "sm4", "aes"]), default="auto", show_default=True, help="Cipher to try with --key (auto: SM4 and AES as the key length allows).")
@click.option("--mode", type=click.Choice(["auto", "gcm", "ecb", "cbc", "ctr", "cfb", "ofb"]), default="auto", show_default=True, help="Mode to try with --key (auto: all; IV/nonce layout detected).")
@click.option("--iv", default=None, metavar="HEX", help="A fixed IV/nonce the system uses (otherwise prefixed, appended and all-zero IVs are tried).")
@click.option("--mac-column", default=None, metavar="COLUMN", help="Column holding an HMAC-SM3 or SM2 signature per row (APP-SINTEG).")
@click.option("--mac-key", default=None, metavar="HEX|env:VAR|file:PATH", help="HMAC-SM3 key for --mac-column; never recorded.")
@click.option("--sign-key", default=None, metavar="HEX|CERT", help="SM2 public key (hex, or a PEM/DER certificate or public-key file) verifying --mac-column as signatures.")
@click.option("--sign-id", default=DEFAULT_SM2_USER_ID.decode(), show_default=True, help="SM2 user ID of the signer (GB/T 35276).")
@click.option("--mac-over", default=None, metavar="COL,COL…", help="Columns the MAC/signature covers, in order (default: the --column list).")
@click.option("--no-randomness", is_flag=True, help="Do not run the GM/T 0005-2021 suite on the sampled bytes.")
@evidence_options
def sample(
    source: str,
    table: str | None,
    columns: tuple[str, ...],
    rows: int,
    order: str,
    where: str | None,
    seed: int | None,
    encoding: str,
    key: str | None,
    algorithm: str,
    mode: str,
    iv: str | None,
    mac_column: str | None,
    mac_key: str | None,
    sign_key: str | None,
    sign_id: str,
    mac_over: str | None,
    no_randomness: bool,
    out: OutputOptions,
) -> None:
    """Sample rows of a column (read-only) and judge whether it is encrypted, encoded or plaintext.

    URL is a SQLAlchemy URL (sqlite:///app.db, postgresql://user:pw@host/db, mysql:// or
    mariadb://…) or a SQLite, CSV or JSON-lines file. Per column the verdict is
    encrypted_established, looks_encrypted_not_verified, encoding_only or plaintext, with the
    APP-SCONF indicator it bears on; --mac-column adds APP-SINTEG. The evidence holds counts,
    lengths, entropy and verdicts only: no sampled value, no password, no key.
    """
    from mptool.data.commands import SampleOptions, sample_evidence

    builder = out.builder()
    options = SampleOptions(
        source=source,
        table=table,
        columns=columns,
        rows=rows,
        order=order,
        where=where,
        seed=seed,
        encoding=encoding,
        key=key,
        algorithm=algorithm,
        mode=mode,
        iv=iv,
        mac_column=mac_column,
        mac_key=mac_key,
        mac_over=tuple(c.strip() for c in mac_over.split(",") if c.strip()) if mac_over else (),
        sign_key=sign_key,
        sign_id=sign_id,
        randomness=not no_randomness,
    )
    sample_evidence(builder, options)
    out.finish(builder)
