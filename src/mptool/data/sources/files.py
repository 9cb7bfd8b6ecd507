"""Exports handed over as files: CSV (header row) and JSON lines (one object per line)."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from typing import Any

from mptool.core import jsonio
from mptool.core.errors import InputError, UsageError
from mptool.data.sources.model import Sample, SampleRequest, normalise
from mptool.data.sources.url import SourceSpec

csv.field_size_limit(1 << 26)


def _csv_rows(spec: SourceSpec) -> Iterator[dict[str, Any]]:
    assert spec.path is not None
    delimiter = "\t" if spec.path.suffix.lower() == ".tsv" else ","
    with spec.path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        if not reader.fieldnames:
            raise InputError(spec.display, "empty CSV file (no header row)")
        yield {"__fields__": list(reader.fieldnames)}
        yield from reader


def _jsonl_rows(spec: SourceSpec) -> Iterator[dict[str, Any]]:
    assert spec.path is not None
    with spec.path.open("r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = jsonio.loads(line)
            except jsonio.JSONInputError as exc:  # issue 21: deep nesting and huge integers were exit 128
                raise InputError(spec.display, f"line {number}: {exc.problem}") from None
            if not isinstance(row, dict):
                raise InputError(spec.display, f"line {number}: not a JSON object")
            yield row


def read_file_sample(spec: SourceSpec, request: SampleRequest) -> Sample:
    """First N rows, or a uniform random sample of N rows (reservoir sampling, ``--seed``)."""
    if request.where:
        raise UsageError("--where filters database rows; it does not apply to CSV/JSON-lines exports")
    rng = random.Random(request.seed)
    chosen: list[dict[str, Any]] = []
    seen: set[str] = set()
    total = 0
    try:
        rows = _csv_rows(spec) if spec.kind == "csv" else _jsonl_rows(spec)
        for row in rows:
            if "__fields__" in row and spec.kind == "csv":
                seen.update(row["__fields__"])
                continue
            seen.update(row)
            total += 1
            if len(chosen) < request.rows:
                chosen.append(row)
            elif request.order == "random":
                slot = rng.randrange(total)
                if slot < request.rows:
                    chosen[slot] = row
            else:
                continue
    except UnicodeDecodeError:
        raise InputError(spec.display, "not UTF-8 text") from None
    except csv.Error as exc:
        raise InputError(spec.display, f"not a valid CSV file: {exc}") from None
    except OSError as exc:
        raise InputError(spec.display, f"cannot read: {exc.strerror or exc}") from None
    for wanted in request.columns:
        if wanted not in seen:
            raise InputError(spec.display, f"no column {wanted!r} in the export")
    values = {wanted: [normalise(row.get(wanted)) for row in chosen] for wanted in request.columns}
    if spec.kind == "csv":  # CSV has no NULL: an empty field is one
        values = {k: [None if v == "" else v for v in vs] for k, vs in values.items()}
    order = "first" if request.order == "first" else f"random (reservoir sampling, seed {request.seed})"
    return Sample(spec=spec, columns=values, rows_sampled=len(chosen), rows_total=total, details={"format": spec.kind, "order": order, "read_only": True})
