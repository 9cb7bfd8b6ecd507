"""Running the device checks in a child process, so that a crashing or hanging library is reported.

:func:`run_checks` starts ``python -m mptool.device.runner.child``, sends it the job on stdin
and reads its events. When the child dies (a signal such as SIGSEGV) or exceeds the per-check
timeout, the check it was running gets an ``error`` result with ``device.sdf.library_crashed``
(or ``library_timeout``), naming the signal and the last SDF function called, and a new child
runs the remaining checks. mptool itself never loads the vendor library.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from mptool.core.errors import InputError, UsageError, debug_enabled
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


def _crash_result(check_id: str, subject: str, code: str, message: str, **data: Any) -> CheckResult:
    spec = get(check_id)
    finding = Finding(code=spec.declared(code), severity=Severity.ERROR, message=message, data=data)
    return spec.result(Status.ERROR, subject=subject, findings=[finding])


def _run_child(job: Job, checks: list[str], results: dict[str, CheckResult], progress: Any = None) -> tuple[str | None, str | None, dict[str, Any]]:
    """Run one child over ``checks``. Returns (check in flight when it died, how it died, data)."""
    read_fd, write_fd = os.pipe()
    stderr = tempfile.TemporaryFile()
    env = dict(os.environ)
    env.setdefault("PYTHONFAULTHANDLER", "1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mptool.device.runner.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        pass_fds=(write_fd,),
        env=env,
    )
    os.close(write_fd)
    payload = {"library": job.library, "subject": job.subject, "checks": checks, "options": job.options, "fd": write_fd, "debug": debug_enabled()}
    assert proc.stdin is not None
    try:
        proc.stdin.write(json.dumps(payload).encode("utf-8"))
        proc.stdin.close()
    except BrokenPipeError:
        pass
    current: str | None = None
    last_call: str | None = None
    started = time.monotonic()
    buffer = b""
    fatal: dict[str, Any] | None = None
    timed_out = False
    sel = selectors.DefaultSelector()
    sel.register(read_fd, selectors.EVENT_READ)
    with os.fdopen(read_fd, "rb", buffering=0) as reader:
        while True:
            remaining = job.timeout - (time.monotonic() - started)
            if remaining <= 0:
                timed_out = True
                proc.kill()
                break
            if not sel.select(timeout=min(remaining, 1.0)):
                continue
            chunk = reader.read(65536)
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                event = json.loads(line)
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
    sel.close()
    code = proc.wait()
    stderr.seek(0)
    tail = stderr.read()[-2000:].decode("utf-8", "replace")
    stderr.close()
    if fatal is not None:
        raise InputError(job.subject, fatal["message"] + (" (for mptool's soft device: run `mptool device softsdf --init DIR` first)" if fatal.get("kind") == "open" else ""))
    if timed_out:
        return current, "timeout", {"last_function": last_call, "timeout_s": job.timeout}
    if code != 0 or current is not None:
        how = signal_name(code) if code < 0 else f"exit status {code}"
        data: dict[str, Any] = {"last_function": last_call, "termination": how}
        if tail.strip() and debug_enabled():
            data["stderr_tail"] = tail.strip().splitlines()[-12:]
        if current is None and len(results) < len(checks):
            current = next(c for c in checks if c not in results)
        return current, "crash", data
    return None, None, {}


def run_checks(job: Job, progress: Any = None) -> list[CheckResult]:
    """Every check of ``job`` in order: results from the child, crash/timeout results where it died."""
    if os.name != "posix":  # pass_fds and selecting on a pipe are POSIX-only (README: what runs where)
        raise UsageError("the device checks run on Linux (and other POSIX systems) only: the SDF library is run in a child process over a POSIX pipe")
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
