"""Databases through SQLAlchemy Core: SQLite (built in), PostgreSQL (psycopg), MySQL/MariaDB (PyMySQL)."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote

from mptool.core.errors import InputError
from mptool.data.sources.model import Sample, SampleRequest, normalise
from mptool.data.sources.url import SourceSpec

CONNECT_TIMEOUT = 10
_EXTRAS = {"psycopg": "postgresql", "psycopg2": "postgresql", "pymysql": "mysql", "mysqldb": "mysql"}


def _one_line(exc: BaseException, secret: str | None) -> str:
    """The first line of a driver's message, with the password scrubbed (drivers may echo DSNs)."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip()
    args = getattr(original, "args", ())
    if isinstance(args, tuple) and len(args) == 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
        text = f"({args[0]}) {args[1]}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[0] if lines else type(original).__name__
    if secret:
        line = line.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return line[:300]


def _engine(spec: SourceSpec, secret: str | None) -> Any:
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    if spec.kind == "sqlite":
        assert spec.path is not None
        uri = f"file:{quote(str(spec.path.resolve()))}?mode=ro"
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)
    assert spec.url is not None
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT}
    if spec.kind == "postgresql":
        connect_args["options"] = "-c default_transaction_read_only=on"
    try:
        engine = create_engine(spec.url, poolclass=NullPool, connect_args=connect_args)
    except NoSuchModuleError:
        raise InputError(spec.display, "SQLAlchemy has no such dialect or driver") from None
    except ModuleNotFoundError as exc:
        extra = _EXTRAS.get((exc.name or "").split(".")[0], spec.kind)
        raise InputError(spec.display, f"the database driver {exc.name!r} is not installed: pip install 'mptool[{extra}]'") from None
    except ArgumentError as exc:
        raise InputError(spec.display, f"not a valid database URL: {_one_line(exc, secret)}") from None
    if spec.kind == "mysql":

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION TRANSACTION READ ONLY")

    return engine


def read_sql_sample(spec: SourceSpec, request: SampleRequest, secret: str | None) -> Sample:
    """Sample rows with one SELECT (ORDER BY random() or the primary key, LIMIT n)."""
    from sqlalchemy import column, func, inspect, select, table, text
    from sqlalchemy.exc import DBAPIError, NoSuchTableError, SQLAlchemyError

    if request.table is None:
        raise InputError(spec.display, "give --table: a database holds several tables")
    engine = _engine(spec, secret)
    schema, _, name = request.table.rpartition(".")
    schema_or_none = schema or None
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            try:
                available = {c["name"]: c for c in inspector.get_columns(name, schema=schema_or_none)}
            except NoSuchTableError:
                available = {}
            if not available:
                raise InputError(spec.display, f"no table {request.table!r} (or it has no columns the account may read)")
            lowered = {k.lower(): k for k in available}
            resolved = []
            for wanted in request.columns:
                found = wanted if wanted in available else lowered.get(wanted.lower())
                if found is None:
                    raise InputError(spec.display, f"table {request.table!r} has no column {wanted!r}")
                resolved.append(found)
            pk = inspector.get_pk_constraint(name, schema=schema_or_none).get("constrained_columns") or []
            tbl = table(name, *[column(c) for c in sorted(set(resolved) | set(pk))], schema=schema_or_none)
            query = select(*[tbl.c[c] for c in resolved])
            count_query = select(func.count()).select_from(tbl)
            if request.where:
                query = query.where(text(request.where))
                count_query = count_query.where(text(request.where))
            if request.order == "random":
                query = query.order_by(func.random())
                order = "random (server-side ORDER BY random())"
            elif pk:
                query = query.order_by(*[tbl.c[c] for c in pk])
                order = f"first, by primary key ({', '.join(pk)})"
            else:
                order = "first, in the table's storage order (no primary key)"
            rows = conn.execute(query.limit(request.rows)).fetchall()
            total = conn.execute(count_query).scalar()
            server = conn.dialect.server_version_info
            details = {
                "dialect": conn.dialect.name,
                "driver": conn.dialect.driver,
                "server_version": ".".join(str(p) for p in server) if server else None,
                "order": order,
                "read_only": True,
            }
    except InputError:
        raise
    except DBAPIError as exc:
        stage = "cannot connect" if exc.connection_invalidated or "connect" in type(exc.orig).__name__.lower() else "query failed"
        if isinstance(exc.orig, sqlite3.Error) or "OperationalError" in type(exc).__name__:
            stage = "database error"
        raise InputError(spec.display, f"{stage}: {_one_line(exc, secret)}") from None
    except SQLAlchemyError as exc:
        raise InputError(spec.display, _one_line(exc, secret)) from None
    except ModuleNotFoundError as exc:
        extra = _EXTRAS.get((exc.name or "").split(".")[0], spec.kind)
        raise InputError(spec.display, f"the database driver {exc.name!r} is not installed: pip install 'mptool[{extra}]'") from None
    finally:
        engine.dispose()
    values = {wanted: [normalise(row[i]) for row in rows] for i, wanted in enumerate(request.columns)}
    return Sample(spec=spec, columns=values, rows_sampled=len(rows), rows_total=int(total) if total is not None else None, details=details)
