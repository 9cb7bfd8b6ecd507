"""Telling what layout random data were handed in: raw bytes, '0'/'1' text, hex text, xxd or hexdump.

A file of ASCII '0'/'1' digits tested as raw bytes fails every item (each byte is 0x30 or 0x31),
which looks like a broken generator rather than a wrong option. :func:`sniff` looks at the start
of an input and :func:`suggestion` says which option reads it as meant.
"""

from __future__ import annotations

import re

#: Bytes looked at (the start of the input).
HEAD_BYTES = 1 << 16
#: Fewer meaningful characters than this are not judged (a short file may be anything).
MIN_CHARACTERS = 64

_WHITESPACE = frozenset(b" \t\r\n\v\f")
_BINARY_DIGITS = frozenset(b"01")
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
#: ``xxd``: "00000000: 3a4f 1b2c …  text"
_XXD = re.compile(rb"^[0-9a-f]{6,16}: (?:[0-9a-f]{2,4} ){2,}", re.MULTILINE)
#: ``hexdump -C``: "00000000  3a 4f 1b …  |text|"
_HEXDUMP_C = re.compile(rb"^[0-9a-f]{7,16}  (?:[0-9a-f]{2} ){4,}", re.MULTILINE)
#: ``hexdump`` / ``od -x``: "0000000 4f3a 2c1b …"
_HEXDUMP = re.compile(rb"^[0-9a-f]{7,16} (?:[0-9a-f]{4} ){3,}", re.MULTILINE)

LAYOUTS = ("ascii", "hex", "xxd", "hexdump", "text")


def sniff(head: bytes) -> str | None:
    """The text layout of ``head`` (``ascii``, ``hex``, ``xxd``, ``hexdump``, other printable ``text``), or None for anything else.

    None means raw bytes, or too little to tell (under :data:`MIN_CHARACTERS` non-blank characters).
    """
    head = head[:HEAD_BYTES]
    if len(head) == HEAD_BYTES:  # the last line may be cut: judge whole lines only
        head = head[: head.rfind(b"\n") + 1] or head
    characters = bytes(b for b in head if b not in _WHITESPACE)
    if len(characters) < MIN_CHARACTERS:
        return None
    present = set(characters)
    if present <= _BINARY_DIGITS:
        return "ascii"
    lines = [line for line in head.splitlines() if line.strip()]
    # listings first: plain hexdump is hex digits and spaces too, but with offsets and swapped bytes
    for layout, pattern in (("xxd", _XXD), ("hexdump", _HEXDUMP_C), ("hexdump", _HEXDUMP)):
        if len(pattern.findall(head)) >= max(1, (len(lines) * 9) // 10):
            return layout
    if present <= _HEX_DIGITS:
        return "hex"
    if all(0x20 <= b < 0x7F for b in present):
        return "text"  # random bytes are never all printable ASCII over 64 characters (p < 0.37^64)
    return None


def suggestion(layout: str) -> str:
    """What to give instead, for a layout :func:`sniff` found."""
    if layout == "ascii":
        return "it looks like ASCII '0'/'1' digits, not raw bytes: give --input-format ascii"
    if layout == "hex":
        return "it looks like hex text, not raw bytes: give --input-format hex"
    if layout == "text":
        return "it is printable text (a note, Base64, decimal numbers?), not raw random bytes: convert it to bytes first"
    tool = "xxd -r FILE > FILE.bin" if layout == "xxd" else "xxd -r -p after removing the offsets, or dump again with xxd -p"
    return f"it looks like a {layout} listing (offsets, hex and text columns): turn it back into bytes ({tool}) and test the .bin, or dump with 'xxd -p' and give --input-format hex"
