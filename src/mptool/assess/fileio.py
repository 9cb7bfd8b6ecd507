"""Atomic writes inside a case directory (a reader never sees half a file): the core writer."""

from __future__ import annotations

from pathlib import Path

from mptool.core.outputs import write_atomic


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    write_atomic(path, data)


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_atomic(path, text.encode("utf-8"))
