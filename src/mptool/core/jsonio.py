"""Reading JSON that comes from outside the process (evidence files, seal manifests, score
records, vector files, exports): whatever JSON or Python refuses is one :class:`JSONInputError`.

``json.loads`` raises three unrelated kinds of error on hostile input: ``JSONDecodeError`` on bad
syntax, ``RecursionError`` on deep nesting (``[[[[…`` 100,000 deep; not a ``ValueError``, so a
caller's ``except ValueError`` let it through as exit 128, issue 21) and ``ValueError`` on an
integer of more than 4,300 digits (Python's ``int_max_str_digits``). Callers catch one type.
"""

from __future__ import annotations

import json
from typing import Any


class JSONInputError(ValueError):
    """Bytes that are not JSON mptool can read; ``line`` is 1-based where JSON says, else None."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def loads(data: bytes | str) -> Any:
    """``json.loads``, with every refusal a :class:`JSONInputError` (a ``ValueError``)."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise JSONInputError(f"not JSON: {exc.msg}", exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise JSONInputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise JSONInputError("not JSON mptool reads: nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits (sys.int_max_str_digits)
        raise JSONInputError(f"not JSON mptool reads: {str(exc).split('; use sys.')[0]}") from None
