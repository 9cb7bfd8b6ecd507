"""Exit codes and the exceptions that carry them."""

from __future__ import annotations

import enum
import os


class ExitCode(enum.IntEnum):
    """Process exit codes; the one table documented in README, docs and every ``--help``."""

    OK = 0  #: completed, no finding at or above ``--fail-on``
    FINDINGS = 1  #: findings at or above ``--fail-on`` (and only that)
    USAGE = 2  #: usage error (bad option, bad argument combination)
    INPUT = 3  #: input error: missing, unreadable, unparseable, wrong size
    INCOMPLETE = 4  #: a check errored or a backend lacks a feature; evidence still written
    INTERNAL = 128  #: internal bug


EXIT_CODE_TABLE: tuple[tuple[int, str], ...] = (
    (0, "completed, no finding at or above --fail-on"),
    (1, "findings at or above --fail-on"),
    (2, "usage error"),
    (3, "input error: missing, unreadable, unparseable or wrong-size input"),
    (4, "incomplete: a check errored or a backend lacks a feature (evidence still written)"),
    (128, "internal bug (traceback only with --debug)"),
)


def exit_code_epilog() -> str:
    """The exit-code table as plain text for ``--help`` epilogs."""
    lines = ["Exit codes:"]
    lines += [f"  {code:<4} {text}" for code, text in EXIT_CODE_TABLE]
    return "\b\n" + "\n".join(lines)


_debug = False


def set_debug(enabled: bool) -> None:
    """Set by the CLI root from ``--debug`` at every invocation."""
    global _debug
    _debug = enabled


def debug_enabled() -> bool:
    """Whether ``--debug`` (or ``MPTOOL_DEBUG=1``) is in effect: tracebacks are printed and recorded."""
    return _debug or os.environ.get("MPTOOL_DEBUG", "") not in ("", "0")


class MptoolError(Exception):
    """An error that ends the command with a one-line message and a documented exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(MptoolError):
    """A missing, unreadable, unparseable or wrong-size input (exit 3).

    ``source`` names the file or argument at fault; it leads the one-line message.
    """

    exit_code = ExitCode.INPUT

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class UsageError(MptoolError):
    """A bad combination of options that click itself cannot detect (exit 2)."""

    exit_code = ExitCode.USAGE
