"""The only serializer of evidence: canonical JSON with sorted keys, UTF-8, Chinese readable.

The canonical form is what ``json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False,
allow_nan=False)`` writes, plus a newline. orjson writes the same bytes for the same data ten to
twenty times faster (issue 20; why orjson: docs/architecture.md), except for floats that Python
writes with an exponent (``1e-05`` where orjson writes ``0.00001``), which are handed to orjson
pre-formatted (:class:`orjson.Fragment` of ``repr``). Whatever orjson does not take as it is
(non-finite floats, which are refused; non-string keys; integers beyond 64 bits; lone
surrogates; other types) goes through :mod:`json` exactly as before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import orjson

from mptool.core.model import Evidence

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


class _Unusual(Exception):
    """The data hold something the fast writer leaves to :mod:`json`."""


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    """The evidence as plain JSON-compatible data (``title_zh``/``message_zh`` only when set)."""
    return evidence.canonical_data(_plain_float)


def _plain_float(value: float) -> float | None:
    return value if value - value == 0 else None  # non-finite: null, as the evidence model records it


def dumps(evidence: Evidence) -> str:
    """Serialise evidence: sorted keys, 2-space indent, non-ASCII kept, trailing newline."""
    return dumps_bytes(evidence).decode("utf-8")


def dumps_bytes(evidence: Evidence) -> bytes:
    """:func:`dumps` as UTF-8 bytes (what the output files hold)."""
    try:
        return orjson.dumps(_without_gc(evidence.canonical_data, _fragment_float), option=_OPTIONS)
    except (orjson.JSONEncodeError, _Unusual):
        return _dumps_json(evidence_to_dict(evidence)).encode("utf-8")


def _without_gc(build: Callable[[Any], Any], floats: Any) -> Any:
    """``build(floats)`` with the cyclic garbage collector paused: the JSON data is a tree of new
    dicts and lists (no cycles, nothing for it to find), and with tens of thousands of results
    its passes over every live object took a third of the time (issue 20, cert lint)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build(floats)
    finally:
        if enabled:
            gc.enable()


def _fragment_float(value: float) -> Any:
    if value - value != 0:
        return None  # non-finite: null, as the evidence model records it
    return _exact_float(value)


def _exact_float(value: float) -> Any:
    """A finite float as orjson must write it to match :mod:`json`: pre-formatted when ``repr`` has an exponent."""
    text = float.__repr__(value)
    return orjson.Fragment(text) if "e" in text else value


def dumps_data(data: Any) -> str:
    """Serialise any JSON data the same canonical way (used for catalogues and schemas too).

    Non-finite floats are refused (JSON has no NaN). A name that is not UTF-8 (a path argument
    with a byte such as 0xFF, which Python carries as a lone surrogate) is recorded with that
    byte escaped as ``\\xff``, so the output is always UTF-8.
    """
    try:
        return orjson.dumps(_canonical(data), option=_OPTIONS).decode("utf-8")
    except (orjson.JSONEncodeError, _Unusual):
        return _dumps_json(data)


def _canonical(value: Any) -> Any:
    """``value`` for orjson: floats with an exponent pre-formatted; :class:`_Unusual` for anything else."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if value - value != 0:
            raise _Unusual  # json refuses it with its own message
        return _exact_float(value)
    if kind is dict:
        return {k: _canonical(v) for k, v in value.items()}  # a non-string key: orjson refuses, json takes over
    if kind is list or kind is tuple:
        return [_canonical(v) for v in value]
    raise _Unusual


def _dumps_json(data: Any) -> str:
    import json  # the fallback writer: imported when orjson cannot take the data
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(_escape_surrogates(data), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return text


def _escape_surrogates(value: Any) -> Any:
    """``value`` with every string's undecodable bytes (lone surrogates) written as ``\\xNN``."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {_escape_surrogates(k): _escape_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_surrogates(v) for v in value]
    return value
