"""The sampled rows: what was asked for and what was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.data.sources.url import SourceSpec

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
