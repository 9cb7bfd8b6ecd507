"""PEM blocks (RFC 7468) in linear time: the one PEM reader of mptool.

``-----BEGIN LABEL-----`` … ``-----END LABEL-----``; RFC 1421 header lines (``Proc-Type:`` …)
inside the block are skipped; the base64 body may be wrapped at any width. A BEGIN without its
END is ignored. Each END marker is searched for at most once per label, so a file of many BEGIN
lines without END costs one pass, not one pass per line.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,64})-----")


class PemError(ValueError):
    """A PEM block whose body is not valid base64 (``start`` is the byte offset of its BEGIN)."""

    def __init__(self, label: str, start: int) -> None:
        super().__init__(f"PEM block {label} at byte {start} is not valid base64")
        self.label = label
        self.start = start


@dataclass(frozen=True)
class PemBlock:
    """One PEM block: its label, the decoded bytes and where its BEGIN line starts."""

    label: str
    der: bytes
    start: int


def is_pem(data: bytes) -> bool:
    """Whether ``data`` holds a PEM BEGIN line."""
    return b"-----BEGIN " in data


def pem_blocks(data: bytes, labels: frozenset[str] | None = None) -> Iterator[PemBlock]:
    """Every complete PEM block of ``data`` (only those with a label in ``labels`` when given).

    Raises :class:`PemError` for a selected block whose body is not base64.
    """
    missing: set[bytes] = set()  # labels whose END marker does not occur after some point
    pos = 0
    while (match := _BEGIN.search(data, pos)) is not None:
        label = match.group(1)
        pos = match.end()
        if label in missing:
            continue
        end = data.find(b"-----END " + label + b"-----", match.end())
        if end < 0:
            missing.add(label)
            continue
        pos = end + len(label) + 14
        name = label.decode("ascii")
        if labels is not None and name not in labels:
            continue
        lines = (ln.strip() for ln in data[match.end() : end].splitlines())
        body = b"".join(ln for ln in lines if ln and b":" not in ln)
        try:
            yield PemBlock(name, base64.b64decode(body, validate=True), match.start())
        except (binascii.Error, ValueError):
            raise PemError(name, match.start()) from None
