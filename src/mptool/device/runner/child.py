"""The child process that loads the vendor library and runs the checks (``python -m mptool.device.runner.child``).

It reads its job from stdin as JSON (the password travels there, never on a command line) and
writes one JSON event per line to its stdout: ``loaded``, ``start`` (a check begins), ``call``
(the SDF function about to be called, when it changes), ``result`` and ``fatal`` (the library
cannot be loaded or opened). If the library kills the process, the parent knows from the last
``start``/``call`` which check and function did it.

Before the library is loaded, the events get a descriptor of their own (a duplicate of stdout)
and stdout itself is pointed at stderr, so whatever the vendor library prints cannot garble the
events (``os.dup``/``os.dup2``: POSIX and Windows alike).
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
from typing import Any


class _Events:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, **event: Any) -> None:
        data = (json.dumps(event, sort_keys=True) + "\n").encode("utf-8")
        while data:  # a pipe may take part of a large result at a time
            data = data[os.write(self.fd, data) :]


def _event_channel() -> int:
    """A descriptor of its own for the events (the original stdout); stdout then goes to stderr."""
    sys.stdout.flush()
    fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return fd


def main() -> int:
    job = json.loads(sys.stdin.read())
    events = _Events(_event_channel())
    faulthandler.enable(file=sys.stderr)
    from mptool.core.errors import set_debug

    set_debug(bool(job.get("debug")))
    from mptool.device.checks import IMPLEMENTATIONS
    from mptool.device.checks.context import DeviceContext, NotSupported
    from mptool.device.sdf.binding import SDFCallError, SDFLibrary, Session
    from mptool.core.model import Finding, Severity, Status

    try:
        lib = SDFLibrary(job["library"], job["options"].get("calling_convention", "cdecl"))
    except (OSError, ValueError) as exc:
        events.send(event="fatal", kind="load", message=str(exc))
        return 0
    if not lib.has("SDF_OpenDevice") or not lib.has("SDF_OpenSession"):
        events.send(event="fatal", kind="not_sdf", message="exports no SDF_OpenDevice/SDF_OpenSession: not a GM/T 0018 SDF library")
        return 0
    last = [""]
    original_call = lib.call

    def traced_call(name: str, *args: Any) -> int:
        if name != last[0]:
            last[0] = name
            events.send(event="call", function=name)
        return original_call(name, *args)

    lib.call = traced_call  # type: ignore[method-assign]
    try:
        with Session(lib):
            pass
    except SDFCallError as exc:
        events.send(event="fatal", kind="open", message=str(exc), code=exc.code)
        return 0
    events.send(event="loaded")
    options = job["options"]
    password = options.get("password")
    ctx = DeviceContext(
        lib=lib,
        subject=job["subject"],
        key_index=int(options["key_index"]),
        password=password.encode("utf-8") if password is not None else None,
        random_bits=int(options["random_bits"]),
        random_count=int(options["random_count"]),
        max_index=int(options["max_index"]),
    )
    for check_id in job["checks"]:
        fn = IMPLEMENTATIONS[check_id]
        spec = fn.spec  # type: ignore[attr-defined]
        events.send(event="start", check=check_id)
        last[0] = ""
        try:
            result = fn(ctx)
        except NotSupported as exc:
            result = spec.skipped_result(ctx.subject, f"{exc} (GM/T 0018: the device does not support it)")
        except SDFCallError as exc:
            finding = Finding(code=f"{check_id}.call_failed", severity=Severity.ERROR, message=str(exc), data={"function": exc.function, "code": f"0x{exc.code:08X}"})
            result = spec.result(Status.FAIL, subject=ctx.subject, findings=[finding])
        except Exception as exc:  # a bug in the check, or an answer it cannot handle
            result = spec.error_result(ctx.subject, exc)
        events.send(event="result", check=check_id, result=result.model_dump(mode="json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
