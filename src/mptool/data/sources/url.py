"""What a SOURCE argument names, and how it is shown: passwords are never shown.

A SOURCE is a SQLAlchemy URL (``sqlite:///app.db``, ``postgresql://user:pw@host/db``,
``mysql://…``, ``mariadb://…``) or a path to a SQLite file, a CSV file or a JSON-lines file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mptool.core.errors import InputError

#: URL scheme (before any ``+driver``) -> source kind
SCHEMES: dict[str, str] = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}
#: The driver used when a URL names none (the extras ``mptool[postgresql]`` / ``mptool[mysql]``).
DEFAULT_DRIVERS: dict[str, str] = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
CSV_SUFFIXES = (".csv", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
SQLITE_MAGIC = b"SQLite format 3\x00"

_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:/@]*)(?::(?P<password>[^@]*))?@")


def mask(source: str) -> str:
    """``source`` with the password of a URL replaced by ``***`` (anything else unchanged)."""
    match = _USERINFO.match(source)
    if not match or match.group("password") is None:
        return source
    return f"{match.group('scheme')}{match.group('user')}:***@{source[match.end():]}"


def password_of(source: str) -> str | None:
    """The password written in a URL, if any (only to scrub it from driver messages)."""
    match = _USERINFO.match(source)
    if not match or not match.group("password"):
        return None
    from urllib.parse import unquote

    return unquote(match.group("password"))


@dataclass(frozen=True)
class SourceSpec:
    """A classified SOURCE: its kind, what may be shown of it, and the URL or path to open."""

    kind: str  #: sqlite | postgresql | mysql | csv | jsonl
    display: str  #: the source with any password masked: the only form written anywhere
    url: str | None = None  #: the SQLAlchemy URL to connect to (servers)
    path: Path | None = None  #: the file (sqlite, csv, jsonl)
    scheme: str = ""


def classify(source: str) -> SourceSpec:
    """Classify ``source``; InputError (exit 3) for an unknown scheme or a missing/unknown file."""
    display = mask(source)
    if "://" in source:
        scheme = source.split("://", 1)[0].lower()
        base = scheme.split("+", 1)[0]
        kind = SCHEMES.get(base)
        if kind is None:
            raise InputError(display, f"unknown scheme {scheme!r}: expected sqlite://, postgresql://, mysql:// or mariadb:// (or a .sqlite/.csv/.jsonl file)")
        if kind == "sqlite":
            rest = source.split("://", 1)[1]
            if not rest.startswith("/") or rest in ("/", ""):
                raise InputError(display, "a SQLite URL names a database file: sqlite:///relative/path.db or sqlite:////absolute/path.db")
            return _file(Path(rest[1:].split("?", 1)[0]), display, forced="sqlite")
        url = source
        if "+" not in scheme:
            url = f"{base}+{DEFAULT_DRIVERS[base]}://" + source.split("://", 1)[1]
        return SourceSpec(kind=kind, display=display, url=url, scheme=base)
    return _file(Path(source), display)


def _file(path: Path, display: str, forced: str | None = None) -> SourceSpec:
    if not path.exists():
        raise InputError(display, "no such file")
    if path.is_dir():
        raise InputError(display, "is a directory, not a database file or export")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    if forced == "sqlite" or head == SQLITE_MAGIC:
        if head != SQLITE_MAGIC:
            raise InputError(display, "not a SQLite database (no 'SQLite format 3' header)")
        return SourceSpec(kind="sqlite", display=display, path=path, scheme="sqlite")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return SourceSpec(kind="csv", display=display, path=path)
    if suffix in JSONL_SUFFIXES:
        return SourceSpec(kind="jsonl", display=display, path=path)
    raise InputError(display, "not a SQLite database, CSV (.csv/.tsv) or JSON-lines (.jsonl/.ndjson) file")
