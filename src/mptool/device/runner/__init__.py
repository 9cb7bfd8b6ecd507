"""Running the device checks in a child process, so that a crashing or hanging library is reported.

:func:`run_checks` starts ``python -m mptool.device.runner.child``, sends it the job on its
stdin and reads its events, one JSON line each, from its stdout: two ordinary pipes of
``subprocess``, which exist on Linux, macOS and Windows alike (no ``pass_fds``, no selecting on
a pipe: a reader thread hands the lines over a queue, so the per-check timeout is kept the same
way everywhere). When the child dies (a signal such as SIGSEGV, or on Windows an exception code
such as STATUS_ACCESS_VIOLATION) or exceeds the per-check timeout, the check it was running
gets an ``error`` result with ``device.sdf.library_crashed`` (or ``library_timeout``), naming
how it ended and the last SDF function called, and a new child runs the remaining checks.
mptool itself never loads the vendor library.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import IO, Any

from mptool.core.errors import InputError, debug_enabled
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import get


@dataclass
class Job:
    """What the child runs: the library, the checks and their options."""

    library: str
    subject: str
    checks: list[str]
    options: dict[str, Any]
    timeout: float = 300.0


def signal_name(code: int) -> str:
    """The name of the signal that ended a child (``code`` is the negative return code)."""
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


#: Windows exception codes a crashing library ends a process with (NTSTATUS, ntstatus.h)
WINDOWS_EXCEPTIONS: dict[int, str] = {
    0xC0000005: "STATUS_ACCESS_VIOLATION",
    0xC000001D: "STATUS_ILLEGAL_INSTRUCTION",
    0xC0000094: "STATUS_INTEGER_DIVIDE_BY_ZERO",
    0xC00000FD: "STATUS_STACK_OVERFLOW",
    0xC0000374: "STATUS_HEAP_CORRUPTION",
    0xC0000409: "STATUS_STACK_BUFFER_OVERRUN",
}


def termination(code: int) -> str:
    """How a child ended, from its return code: a POSIX signal (negative), a Windows exception
    code (an NTSTATUS of severity error, 0xC0000000 and above) or an exit status."""
    if code < 0:
        return signal_name(code)
    if code >= 0xC0000000:
        return WINDOWS_EXCEPTIONS.get(code, f"exception 0x{code:08X}")
    return f"exit status {code}"


def _crash_result(check_id: str, subject: str, code: str, message: str, **data: Any) -> CheckResult:
    spec = get(check_id)
    finding = Finding(code=spec.declared(code), severity=Severity.ERROR, message=message, data=data)
    return spec.result(Status.ERROR, subject=subject, findings=[finding])


def _lines(stream: IO[bytes], out: "queue.Queue[bytes | None]") -> None:
    """Reader thread: each line of ``stream``, then None at its end."""
    try:
        for line in stream:
            out.put(line)
    finally:
        out.put(None)


def _run_child(job: Job, checks: list[str], results: dict[str, CheckResult], progress: Any = None) -> tuple[str | None, str | None, dict[str, Any]]:
    """Run one child over ``checks``. Returns (check in flight when it died, how it died, data)."""
    stderr = tempfile.TemporaryFile()
    env = dict(os.environ)
    env.setdefault("PYTHONFAULTHANDLER", "1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mptool.device.runner.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
    )
    payload = {"library": job.library, "subject": job.subject, "checks": checks, "options": job.options, "debug": debug_enabled()}
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(json.dumps(payload).encode("utf-8"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    lines: queue.Queue[bytes | None] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stdout, lines), name="mptool-device-events", daemon=True)
    reader.start()
    current: str | None = None
    last_call: str | None = None
    started = time.monotonic()
    fatal: dict[str, Any] | None = None
    timed_out = False
    while True:
        remaining = job.timeout - (time.monotonic() - started)
        if remaining <= 0:
            timed_out = True
            proc.kill()
            break
        try:
            line = lines.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        if line is None:
            break
        event = _event(line)
        if event is None:
            continue
        kind = event["event"]
        if kind == "start":
            current, last_call, started = event["check"], None, time.monotonic()
            if progress is not None:
                progress(current)
        elif kind == "call":
            last_call = event["function"]
        elif kind == "result":
            results[event["check"]] = CheckResult.model_validate(event["result"])
            current = None
        elif kind == "fatal":
            fatal = event
    code = proc.wait()
    reader.join(timeout=5)
    proc.stdout.close()
    stderr.seek(0)
    tail = stderr.read()[-2000:].decode("utf-8", "replace")
    stderr.close()
    if fatal is not None:
        raise InputError(job.subject, fatal["message"] + (" (for mptool's soft device: run `mptool device softsdf --init DIR` first)" if fatal.get("kind") == "open" else ""))
    if timed_out:
        return current, "timeout", {"last_function": last_call, "timeout_s": job.timeout}
    if code != 0 or current is not None:
        data: dict[str, Any] = {"last_function": last_call, "termination": termination(code)}
        if tail.strip() and debug_enabled():
            data["stderr_tail"] = tail.strip().splitlines()[-12:]
        if current is None and len(results) < len(checks):
            current = next(c for c in checks if c not in results)
        return current, "crash", data
    return None, None, {}


def _event(line: bytes) -> dict[str, Any] | None:
    """One event line of the child; anything else on its stdout (None) is ignored."""
    if not line.startswith(b"{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def run_checks(job: Job, progress: Any = None) -> list[CheckResult]:
    """Every check of ``job`` in order: results from the child, crash/timeout results where it died."""
    results: dict[str, CheckResult] = {}
    pending = list(job.checks)
    while pending:
        victim, how, data = _run_child(job, pending, results, progress)
        if victim is None:
            break
        if how == "timeout":
            results[victim] = _crash_result(victim, job.subject, "device.sdf.library_timeout", f"no answer within {job.timeout:g} s (last SDF function: {data.get('last_function') or 'none'}); the child process was killed", **data)
        else:
            results[victim] = _crash_result(
                victim,
                job.subject,
                "device.sdf.library_crashed",
                f"the library killed the checking process ({data['termination']}) in {data.get('last_function') or 'an unknown function'}; mptool ran the remaining checks in a new process",
                **data,
            )
        pending = [c for c in pending if c not in results]
    return [results[c] for c in job.checks if c in results]
