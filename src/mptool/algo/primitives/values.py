"""Values given on the command line: hex, ``@path`` (the raw bytes of a file) or ``b64:…``.

Every value is recorded as an input of the evidence (name, size, SHA-256, SM3): a literal under
the option's name, a file under its path. A malformed value raises :class:`InputError` naming
the option and what was expected.
"""

from __future__ import annotations

import base64
import binascii
import re

from mptool.core.errors import InputError
from mptool.core.inputs import digest_bytes, read_input
from mptool.core.report import ReportBuilder

#: Largest value read from ``@path`` (evidence values are keys, messages, records).
MAX_FILE_VALUE = 64 * 1024 * 1024
_HEX_SEPARATORS = re.compile(r"[\s:]")


def parse_value(option: str, text: str, builder: ReportBuilder | None = None, *, allow_empty: bool = False) -> bytes:
    """Decode one option value and record it as an input of ``builder``."""
    if text.startswith("@"):
        path = text[1:]
        if not path:
            raise InputError(option, "'@' must be followed by a file path")
        data, record = read_input(path, allow_empty=allow_empty, max_size=MAX_FILE_VALUE)
    else:
        data = decode_literal(option, text)
        record = digest_bytes(option, data)
    if not data and not allow_empty:
        raise InputError(option, "is empty")
    if builder is not None:
        builder.add_input(record)
    return data


def decode_literal(option: str, text: str) -> bytes:
    """Hex (optionally ``0x``-prefixed, spaces or colons allowed) or ``b64:`` base64."""
    if text.startswith("b64:"):
        try:
            return base64.b64decode(text[4:], validate=True)
        except (binascii.Error, ValueError):
            raise InputError(option, "expected base64 after 'b64:'") from None
    cleaned = _HEX_SEPARATORS.sub("", text)
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    if len(cleaned) % 2:
        raise InputError(option, f"expected an even number of hex digits (or @file, b64:…), got {len(cleaned)} digits")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        bad = next((c for c in cleaned if c not in "0123456789abcdefABCDEF"), "?")
        raise InputError(option, f"expected hex digits (or @file, b64:…), found {bad!r}") from None


def expect_length(option: str, data: bytes, sizes: tuple[int, ...], what: str) -> None:
    """Raise InputError unless ``len(data)`` is one of ``sizes``."""
    if len(data) not in sizes:
        expected = " or ".join(f"{s} bytes ({2 * s} hex digits)" for s in sizes)
        raise InputError(option, f"{what} must be {expected}, got {len(data)} bytes")
