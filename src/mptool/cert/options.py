"""Parsing the options shared by the cert commands (--at, --sm2-id, --purpose)."""

from __future__ import annotations

import datetime as _dt

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError

DEFAULT_SM2_ID = DEFAULT_USER_ID
#: ENTL is a 16-bit bit length (GB/T 32918.2 §5.5): at most 8191 bytes of ID
MAX_SM2_ID = 8191


def parse_at(value: str | None, now: _dt.datetime | None = None) -> _dt.datetime:
    """The validation time: ISO 8601 (``Z`` or an offset; no offset means UTC), default now."""
    if value is None:
        return now or _dt.datetime.now(tz=_dt.timezone.utc)
    try:
        moment = _dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError("--at", f"not an ISO 8601 time: {value!r} (e.g. 2026-11-27T12:00:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc)


def parse_sm2_id(value: str | None) -> bytes:
    """The SM2 user ID: text (UTF-8) or ``hex:…``; default the GM/T 0009 / GB/T 35276 user ID."""
    if value is None:
        return DEFAULT_SM2_ID
    if value.startswith("hex:"):
        try:
            raw = bytes.fromhex(value[4:])
        except ValueError:
            raise InputError("--sm2-id", "hex: must be followed by an even number of hex digits") from None
    else:
        raw = value.encode("utf-8")
    if len(raw) > MAX_SM2_ID:
        raise InputError("--sm2-id", f"{len(raw)} bytes; ENTL allows at most {MAX_SM2_ID}")
    return raw


def sm2_id_parameter(user_id: bytes) -> dict[str, object]:
    """How the SM2 user ID is recorded in evidence parameters."""
    try:
        text: str | None = user_id.decode("ascii")
    except UnicodeDecodeError:
        text = None
    return {"text": text, "hex": user_id.hex(), "default": user_id == DEFAULT_SM2_ID}
