"""Reading sampled rows, read-only, from a database (SQLAlchemy) or an export file.

:func:`read_sample` returns the values of the requested columns for the same sampled rows.
Nothing is ever written: SQLite is opened with ``mode=ro``, PostgreSQL sessions start with
``default_transaction_read_only=on`` and MySQL/MariaDB sessions with ``SET SESSION TRANSACTION
READ ONLY``. Every problem (unreachable server, wrong credentials, unknown table or column)
becomes an :class:`~mptool.core.errors.InputError` naming the source with its password masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.data.sources.url import SourceSpec, classify, mask, password_of

__all__ = ["Sample", "SampleRequest", "SourceSpec", "classify", "mask", "password_of", "read_sample"]

ORDERS = ("random", "first")


@dataclass(frozen=True)
class SampleRequest:
    """Which rows and columns to read."""

    table: str | None
    columns: tuple[str, ...]
    rows: int = 200
    order: str = "random"  #: random | first (in primary-key order when the table has one)
    where: str | None = None
    seed: int | None = None  #: for random sampling of export files (databases sample server-side)


@dataclass
class Sample:
    """The sampled values, column by column, row-aligned."""

    spec: SourceSpec
    columns: dict[str, list[Any]]
    rows_sampled: int
    rows_total: int | None = None
    details: dict[str, Any] = field(default_factory=dict)  #: driver, server version, order used


def normalise(value: Any) -> str | bytes | None:
    """A stored value as str (text, numbers, dates as text) or bytes (BLOB/bytea/VARBINARY)."""
    if value is None or isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return str(value)


def read_sample(source: str, request: SampleRequest) -> Sample:
    """Sample ``request.rows`` rows of ``request.columns`` from ``source``."""
    spec = classify(source)
    if spec.kind in ("csv", "jsonl"):
        from mptool.data.sources.files import read_file_sample

        return read_file_sample(spec, request)
    from mptool.data.sources.sql import read_sql_sample

    return read_sql_sample(spec, request, password_of(source))
