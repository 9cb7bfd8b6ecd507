"""Writing output files: atomically where the target is a regular file, streamed otherwise.

A reader never sees half a report: a regular file (or a symlink to one) is written to a
temporary file beside it and renamed over it. A device or a pipe (``-o /dev/null``, a FIFO,
``/dev/stdout``) is never replaced by a regular file: the data are written into it. ``-`` is
stdout. Several outputs of one run are written all or none (:func:`write_all_or_none`). New files
get the permissions the umask allows (0666 & ~umask), as any other program's would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mptool.core.errors import ExitCode, MptoolError

if TYPE_CHECKING:
    from pathlib import Path

# pathlib and tempfile are imported where a file is written: a report on stdout needs neither (issue 20, start-up)


class OutputFileError(MptoolError):
    """The output file cannot be written (exit 3: the named file is the problem)."""

    exit_code = ExitCode.INPUT


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass
class _Staged:
    """One output ready to be committed: a temporary file to rename, or data to stream."""

    name: str
    target: Path | None  #: None for stdout
    data: bytes
    temporary: str | None = None  #: set for regular files

    def commit(self) -> None:
        if self.target is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(self.data)
            sys.stdout.buffer.flush()
        elif self.temporary is None:
            try:
                with open(self.target, "wb") as handle:
                    handle.write(self.data)
            except OSError as exc:
                raise OutputFileError(f"{self.name}: cannot write: {exc.strerror or exc}") from None
        else:
            os.replace(self.temporary, self.target)
            self.temporary = None

    def discard(self) -> None:
        if self.temporary is not None:
            try:
                os.unlink(self.temporary)
            except FileNotFoundError:
                pass
            self.temporary = None


def _stage(name: str, data: bytes) -> _Staged:
    if name == "-":
        return _Staged(name, None, data)
    import tempfile
    from pathlib import Path

    try:
        target = Path(os.fsdecode(name))
        if target.is_symlink():
            target = target.resolve()
        if target.is_dir():
            raise OutputFileError(f"{name}: is a directory, cannot write output there")
        if target.exists() and not target.is_file():
            return _Staged(name, target, data)  # a device or a pipe: streamed at commit
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".tmp", dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise OutputFileError(f"{name}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return _Staged(name, target, data, temporary)


def write_all_or_none(outputs: Sequence[tuple[str, bytes]]) -> None:
    """Write every ``(path, data)``; when one cannot be written, none of the files is."""
    staged: list[_Staged] = []
    try:
        for name, data in outputs:
            staged.append(_stage(name, data))
    except BaseException:
        for item in staged:
            item.discard()
        raise
    for item in sorted(staged, key=lambda s: s.target is None):  # files first, stdout last
        item.commit()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` (``-`` is stdout) so that a reader never sees half a file."""
    write_all_or_none([(os.fspath(path), data)])
