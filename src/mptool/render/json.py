"""The only serializer of evidence: canonical JSON with sorted keys, UTF-8, Chinese readable."""

from __future__ import annotations

import json
from typing import Any

from mptool.core.model import Evidence


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    """The evidence as plain JSON-compatible data."""
    return evidence.model_dump(mode="json", by_alias=True)


def dumps(evidence: Evidence) -> str:
    """Serialise evidence: sorted keys, 2-space indent, non-ASCII kept, trailing newline.

    Non-finite floats are refused (JSON has no NaN); domain code must record them as null.
    """
    return dumps_data(evidence_to_dict(evidence))


def dumps_data(data: Any) -> str:
    """Serialise any JSON data the same canonical way (used for catalogues and schemas too)."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
