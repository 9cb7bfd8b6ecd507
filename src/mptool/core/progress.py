"""Progress reporting: a rich progress bar on stderr, only on a terminal.

Domain code receives a :class:`Progress` and calls ``with progress.task("...", total) as advance:``;
it never decides itself whether a bar is shown.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

Advance = Callable[[float], None]


class Progress:
    """Shows progress on stderr when enabled; does nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_terminal(cls, *, quiet: bool = False, no_progress: bool = False) -> "Progress":
        """Enabled only when stderr is a terminal and neither --quiet nor --no-progress is given."""
        return cls(enabled=not quiet and not no_progress and sys.stderr.isatty())

    @contextlib.contextmanager
    def task(self, description: str, total: float | None) -> Iterator[Advance]:
        """A task with ``total`` units of work; yields a function that advances it."""
        if not self.enabled:
            yield _no_advance
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with RichProgress(*columns, console=Console(stderr=True), transient=True) as bar:
            task_id = bar.add_task(description, total=total)
            yield lambda n=1: bar.advance(task_id, n)


def _no_advance(n: float = 1) -> None:
    return None


DISABLED = Progress(enabled=False)
