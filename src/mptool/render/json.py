"""The only serializer of evidence: canonical JSON with sorted keys, UTF-8, Chinese readable."""

from __future__ import annotations

import json
from typing import Any

from mptool.core.model import OPTIONAL_KEYS, Evidence


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    """The evidence as plain JSON-compatible data (``title_zh``/``message_zh`` only when set)."""
    data = evidence.model_dump(mode="json", by_alias=True)
    for result in data["results"]:
        _drop_unset(result)
        for finding in result["findings"]:
            _drop_unset(finding)
    return data


def _drop_unset(entry: dict[str, Any]) -> None:
    for key in OPTIONAL_KEYS:
        if entry.get(key, "") is None:
            del entry[key]


def dumps(evidence: Evidence) -> str:
    """Serialise evidence: sorted keys, 2-space indent, non-ASCII kept, trailing newline.

    Non-finite floats are refused (JSON has no NaN); domain code must record them as null.
    """
    return dumps_data(evidence_to_dict(evidence))


def dumps_data(data: Any) -> str:
    """Serialise any JSON data the same canonical way (used for catalogues and schemas too).

    A name that is not UTF-8 (a path argument with a byte such as 0xFF, which Python carries as a
    lone surrogate) is recorded with that byte escaped as ``\\xff``, so the output is always UTF-8.
    """
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
