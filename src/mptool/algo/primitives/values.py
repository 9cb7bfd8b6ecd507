"""Values given on the command line, in the forms people paste them.

- hex: ``00112233``, with spaces, colons or dashes, ``0x``-prefixed, or ``hex:…``;
- C arrays and escapes: ``{0x00, 0x11, 0x22}``, ``0x00,0x11``, ``\x00\x11``;
- ``b64:…`` (Base64), ``text:…`` / ``utf8:…`` (the UTF-8 bytes of the text, e.g. a key of
  16 characters or a plaintext of digits that would otherwise read as hex);
- ``@path``: the raw bytes of a file.

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

#: Largest value read from ``@path`` (keys, messages, records, and bulk data such as a 100 MB
#: ciphertext: a regular file is read with one allocation of its size, and values are converted
#: to hex for the evidence only on a mismatch).
MAX_FILE_VALUE = 1 << 30
_HEX_SEPARATORS = re.compile(r"[\s:-]")


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
    """Decode a literal value (every form of the module docstring but ``@path``)."""
    prefix, colon, rest = text.partition(":")
    if colon and prefix in ("text", "utf8"):
        return rest.encode("utf-8")
    if colon and prefix == "b64":
        try:
            return base64.b64decode(rest, validate=True)
        except (binascii.Error, ValueError):
            raise InputError(option, "expected base64 after 'b64:'") from None
    if colon and prefix == "hex":
        text = rest
    array = _c_array(text)
    if array is not None:
        return array
    cleaned = _HEX_SEPARATORS.sub("", text)
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    bad = next((c for c in cleaned if c not in "0123456789abcdefABCDEF"), None)
    if bad is not None:
        raise InputError(option, f"expected hex digits, found {bad!r}{_suggestion(text)}")
    if len(cleaned) % 2:
        raise InputError(option, f"expected an even number of hex digits, got {len(cleaned)} digits{_suggestion(text)}")
    return bytes.fromhex(cleaned)


_C_BYTE = re.compile(r"(?:0[xX])?[0-9a-fA-F]{1,2}")


def _c_array(text: str) -> bytes | None:
    """The bytes of ``{0x01, 0x02}``, ``0x01,0x02`` or ``\\x01\\x02`` (None when ``text`` is not such a list)."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    escaped = "\\x" in body
    if not escaped and "," not in body and not re.search(r"0[xX][0-9a-fA-F]{1,2}[\s,]", body):
        return None
    tokens = [t for t in re.split(r"[\s,]+|\\x", body) if t]
    if not tokens or not all(_C_BYTE.fullmatch(t) for t in tokens):
        return None
    return bytes(int(t, 16) for t in tokens)


def _suggestion(text: str) -> str:
    """What the person probably meant, for an error message."""
    stripped = text.strip()
    if len(stripped) >= 4 and len(stripped) % 4 == 0 and re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", stripped):
        try:
            base64.b64decode(stripped, validate=True)
            return f" (it looks like Base64: give it as b64:{stripped[:12]}{'…' if len(stripped) > 12 else ''})"
        except (binascii.Error, ValueError):
            pass
    if stripped.isprintable():
        return " (to give text, write text:… for its UTF-8 bytes; a file as @path)"
    return " (or @file, b64:…, text:…)"


def expect_length(option: str, data: bytes, sizes: tuple[int, ...], what: str) -> None:
    """Raise InputError unless ``len(data)`` is one of ``sizes``."""
    if len(data) not in sizes:
        expected = " or ".join(f"{s} bytes ({2 * s} hex digits)" for s in sizes)
        raise InputError(option, f"{what} must be {expected}, got {len(data)} bytes")


def printable_text(data: bytes) -> str | None:
    """The UTF-8 text of ``data`` when it is printable (newlines and tabs allowed), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text and all(c.isprintable() or c in "\n\r\t" for c in text) else None
