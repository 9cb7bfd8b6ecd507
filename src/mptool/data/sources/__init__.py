"""Reading sampled rows, read-only, from a database (SQLAlchemy) or an export file.

:func:`read_sample` returns the values of the requested columns for the same sampled rows.
Nothing is ever written: SQLite is opened with ``mode=ro``, PostgreSQL sessions start with
``default_transaction_read_only=on`` and MySQL/MariaDB sessions with ``SET SESSION TRANSACTION
READ ONLY``. Every problem (unreachable server, wrong credentials, unknown table or column)
becomes an :class:`~mptool.core.errors.InputError` naming the source with its password masked.
"""

from __future__ import annotations

from mptool.data.sources.model import ORDERS, Sample, SampleRequest, normalise
from mptool.data.sources.url import SourceSpec, classify, mask, password_of

__all__ = ["ORDERS", "Sample", "SampleRequest", "SourceSpec", "classify", "mask", "password_of", "normalise", "read_sample"]

def read_sample(source: str, request: SampleRequest) -> Sample:
    """Sample ``request.rows`` rows of ``request.columns`` from ``source``."""
    spec = classify(source)
    if spec.kind in ("csv", "jsonl"):
        from mptool.data.sources.files import read_file_sample

        return read_file_sample(spec, request)
    from mptool.data.sources.sql import read_sql_sample

    return read_sql_sample(spec, request, password_of(source))
