"""How stored values are encoded: raw bytes, hex, Base64 or plain text.

A column's encoding is decided over all its values: hex or Base64 when at least
:data:`MAJORITY` of the non-null string values decode as such. Strings of decimal digits are
hex only when the decoded bytes are text (hex of ASCII digits is all digits too); otherwise
they are numbers stored as text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAJORITY = 0.9
_HEX = re.compile(r"\A(?:[0-9a-fA-F]{2})+\Z")
_DIGITS = re.compile(r"\A[0-9]+\Z")
_B64 = re.compile(r"\A[A-Za-z0-9+/]*={0,2}\Z")
_B64URL = re.compile(r"\A[A-Za-z0-9_\-]*={0,2}\Z")
ENCODINGS = ("raw", "hex", "base64", "base64url", "text")


def is_text(data: bytes) -> bool:
    """UTF-8 that is (at least 95 %) printable characters or common whitespace."""
    if not data:
        return False
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(1 for ch in decoded if ch.isprintable() or ch in "\t\r\n")
    return printable >= 0.95 * len(decoded)


def _hex(value: str) -> bytes | None:
    value = value.strip()
    if len(value) < 2 or not _HEX.match(value):
        return None
    return bytes.fromhex(value)


def _b64(value: str, urlsafe: bool = False) -> bytes | None:
    value = value.strip()
    if len(value) < 4 or len(value) % 4 or not (_B64URL if urlsafe else _B64).match(value):
        return None
    try:
        return (base64.urlsafe_b64decode if urlsafe else base64.b64decode)(value.encode("ascii"))
    except (binascii.Error, ValueError):
        return None


_DECODERS = {"hex": _hex, "base64": _b64, "base64url": lambda v: _b64(v, urlsafe=True)}


@dataclass(frozen=True)
class Decoded:
    """A column's values as bytes, and how they were stored."""

    encoding: str  #: raw | hex | base64 | base64url | text (of the majority of values)
    values: list[bytes]  #: every non-null value, decoded
    share: float  #: share of non-null values in that encoding
    nulls: int
    undecodable: int  #: non-null values not in the column's encoding (kept as their UTF-8 bytes)


def detect(values: Sequence[str | bytes | None], forced: str = "auto") -> Decoded:
    """Decide the column encoding (or use ``forced``) and decode every non-null value."""
    present = [v for v in values if v is not None]
    nulls = len(values) - len(present)
    strings = [v for v in present if isinstance(v, str)]
    if forced == "auto":
        encoding = "raw" if len(strings) * 2 < len(present) or not present else "text"
        if strings and encoding == "text":
            for name in ("hex", "base64", "base64url"):
                decoded = [_DECODERS[name](s) for s in strings]
                ok = [d for d in decoded if d is not None]
                if len(ok) < MAJORITY * len(strings):
                    continue
                if name == "hex" and all(_DIGITS.match(s.strip()) for s in strings) and sum(map(is_text, ok)) < MAJORITY * len(ok):
                    continue  # decimal numbers, not hex
                if name == "base64url" and all(_B64.match(s.strip()) for s in strings):
                    continue  # plain Base64 already refused
                encoding = name
                break
    else:
        encoding = forced
    out: list[bytes] = []
    matching = 0
    undecodable = 0
    for value in present:
        if isinstance(value, bytes):
            if encoding == "raw":
                matching += 1
                out.append(value)
                continue
            value_bytes = value
            decoded_value = _DECODERS[encoding](value.decode("ascii", "replace")) if encoding in _DECODERS else None
        else:
            value_bytes = value.encode("utf-8")
            decoded_value = _DECODERS[encoding](value) if encoding in _DECODERS else (value_bytes if encoding in ("text", "raw") else None)
        if decoded_value is None:
            undecodable += 1
            out.append(value_bytes)
        else:
            matching += 1
            out.append(decoded_value)
    share = matching / len(present) if present else 0.0
    return Decoded(encoding=encoding, values=out, share=share, nulls=nulls, undecodable=undecodable)


def decode_one(value: str | bytes | None, encoding: str) -> bytes | None:
    """One value in a known encoding (None when it is not in that encoding)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value if encoding == "raw" else _DECODERS.get(encoding, lambda _v: None)(value.decode("ascii", "replace"))
    if encoding in _DECODERS:
        return _DECODERS[encoding](value)
    return value.encode("utf-8")
