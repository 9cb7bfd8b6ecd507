"""What ``mptool data sample`` does, behind the thin CLI layer.

Reads the sample (:mod:`mptool.data.sources`), judges every column (:mod:`mptool.data.judge`,
:mod:`mptool.data.checks.column`) and adds one ``data.column.protection`` result per column, one
``data.column.decrypt`` result per column with ``--key`` and one ``data.column.integrity`` result
for ``--mac-column``. Secrets never reach the evidence: the URL's password is masked and the
values of ``--key``/``--mac-key`` are recorded by fingerprint (:mod:`mptool.core.secrets`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError, UsageError
from mptool.core.report import ReportBuilder
from mptool.data.checks import column as checks
from mptool.data.judge import analysis, decrypt, encoding, integrity
from mptool.data.sources import SampleRequest, classify, mask, read_sample

ALGORITHMS = ("auto", "sm4", "aes")
MODES = ("auto", *decrypt.ALL_MODES)
_HEX = re.compile(r"[\s:]")


@dataclass(frozen=True)
class SampleOptions:
    """The options of ``data sample`` as given (secrets still unparsed)."""

    source: str
    table: str | None
    columns: tuple[str, ...]
    rows: int = 200
    order: str = "random"
    where: str | None = None
    seed: int | None = None
    encoding: str = "auto"
    key: str | None = None
    algorithm: str = "auto"
    mode: str = "auto"
    iv: str | None = None
    mac_column: str | None = None
    mac_key: str | None = None
    mac_over: tuple[str, ...] = ()
    sign_key: str | None = None
    sign_id: str = DEFAULT_USER_ID.decode()
    randomness: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def mask_arguments(arguments: Sequence[str], source: str) -> list[str]:
    """The recorded arguments (secret option values already fingerprinted by the CLI) with the
    password of the database URL masked."""
    return [mask(arg) if arg == source or "://" in arg else arg for arg in arguments]


def parse_secret(option: str, value: str) -> bytes:
    """A key given as hex, ``env:NAME`` (hex in an environment variable) or ``file:PATH`` (hex or raw bytes).

    The error never repeats the value.
    """
    if value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise InputError(option, f"environment variable {name} is not set")
        text = os.environ[name]
    elif value.startswith("file:"):
        path = Path(value[5:])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(option, f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            return bytes.fromhex(_HEX.sub("", raw.decode("ascii")))
        except (UnicodeDecodeError, ValueError):
            return raw
    else:
        text = value
    cleaned = _HEX.sub("", text).removeprefix("0x")
    try:
        key = bytes.fromhex(cleaned)
    except ValueError:
        raise InputError(option, "not hex (give the key as hex, env:VARIABLE or file:PATH)") from None
    if not key:
        raise InputError(option, "empty key")
    return key


def _sign_public_key(value: str) -> tuple[Any, Any]:
    """An SM2 public key from hex (04||X||Y or compressed) or a PEM/DER certificate or
    SubjectPublicKeyInfo file, through algo's one SM2 key loader; and the file's input record
    (None for hex)."""
    from mptool.algo import api as algo
    from mptool.core.inputs import read_input

    path = Path(value)
    if path.is_file():
        data, record = read_input(value, max_size=1 << 20)
        return algo.load_sm2_public_key(data, f"--sign-key {value}"), record
    try:
        point_bytes = bytes.fromhex(_HEX.sub("", value))
    except ValueError:
        raise InputError("--sign-key", "neither a certificate/public-key file nor a hex public key") from None
    return algo.load_sm2_public_key(point_bytes, "--sign-key"), None


def _file_record(path: Path) -> Any:
    from mptool.core.inputs import open_input

    with open_input(str(path), allow_empty=True) as reader:
        reader.drain()
        return reader.record()


def sample_evidence(builder: ReportBuilder, options: SampleOptions) -> None:
    """Sample the columns, judge them, and add the results to ``builder``."""
    builder.arguments = mask_arguments(builder.arguments, options.source)
    spec = classify(options.source)
    if not options.columns and not options.mac_column:
        raise UsageError("give at least one --column (or --mac-column)")
    if (options.mac_key is None) == (options.sign_key is None) and options.mac_column:
        raise UsageError("--mac-column needs --mac-key (HMAC-SM3) or --sign-key (SM2 signature), one of them")
    if options.mac_column is None and (options.mac_key or options.sign_key or options.mac_over):
        raise UsageError("--mac-key, --sign-key and --mac-over need --mac-column")
    if options.key is None and (options.algorithm != "auto" or options.mode != "auto" or options.iv):
        raise UsageError("--algorithm, --mode and --iv need --key")
    key = parse_secret("--key", options.key) if options.key is not None else None
    iv = bytes.fromhex(_HEX.sub("", options.iv)) if options.iv else None
    if key is not None and not decrypt.candidates(key, options.algorithm, options.mode, iv):
        raise InputError("--key", f"{len(key)}-byte key: no {options.algorithm} cipher takes a key of that length")
    verifier, key_record = None, None
    if options.mac_column:
        if options.mac_key is not None:
            verifier = integrity.Verifier("HMAC-SM3", key=parse_secret("--mac-key", options.mac_key))
        else:
            public_key, key_record = _sign_public_key(options.sign_key or "")
            verifier = integrity.Verifier("SM2", public_key=public_key, user_id=options.sign_id.encode("utf-8"))
    mac_over = options.mac_over or options.columns
    wanted = list(dict.fromkeys([*options.columns, *((options.mac_column,) if options.mac_column else ()), *(mac_over if options.mac_column else ())]))
    request = SampleRequest(options.table, tuple(wanted), options.rows, options.order, options.where, options.seed)
    sample = read_sample(options.source, request)
    if spec.path is not None:
        builder.add_input(_file_record(spec.path))
    if key_record is not None:
        builder.add_input(key_record)
    table = options.table or (spec.path.stem if spec.path else "")
    builder.parameters.update(
        source={"kind": spec.kind, "display": spec.display, **sample.details},
        table=options.table,
        columns=list(options.columns),
        rows_requested=options.rows,
        rows_sampled=sample.rows_sampled,
        rows_total=sample.rows_total,
        order=options.order,
        where=options.where,
        seed=options.seed,
        encoding=options.encoding,
        randomness=options.randomness,
    )
    if key is not None:
        builder.parameters["decrypt"] = {"key_bytes": len(key), "algorithm": options.algorithm, "mode": options.mode, "iv_given": iv is not None}
    if verifier is not None:
        builder.parameters["integrity"] = {
            "mac_column": options.mac_column,
            "over": list(mac_over),
            "algorithm": verifier.algorithm,
            **({"key_bytes": len(verifier.key)} if verifier.algorithm == "HMAC-SM3" else {"user_id": options.sign_id}),
        }
    verdicts: dict[str, str] = {}
    for name in options.columns:
        subject = f"{table}.{name}" if table else name
        decoded = encoding.detect(sample.columns[name], options.encoding)
        stats = analysis.analyse(decoded.values)
        randomness = analysis.randomness(decoded.values, subject) if options.randomness and stats.values else None
        decryption = decrypt.decrypt_values(decoded.values, key, algorithm=options.algorithm, mode=options.mode, iv=iv) if key is not None and decoded.values and stats.text_share < analysis.TEXT_MAJORITY else None
        result = checks.judge_protection(subject, decoded, stats, randomness, decryption)
        builder.add(result)
        verdicts[subject] = result.measurements["verdict"]
        if decryption is not None:
            builder.add(checks.judge_decryption(subject, decryption))
    if verifier is not None and options.mac_column:
        subject = f"{table}.{options.mac_column}" if table else options.mac_column
        over_rows = list(zip(*[sample.columns[c] for c in mac_over])) if mac_over else [() for _ in range(sample.rows_sampled)]
        verification = integrity.verify_rows(over_rows, sample.columns[options.mac_column], list(mac_over), verifier)
        result = checks.judge_integrity(subject, verification)
        builder.add(result)
        verdicts[subject] = result.measurements["verdict"]
    builder.summary_extra["data"] = {"columns": len(verdicts), "verdicts": verdicts}
