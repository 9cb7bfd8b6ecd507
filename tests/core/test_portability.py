"""Issue 15: everything but the lab parts stays free of Linux-only calls, so it runs on Windows too.

The lab parts (README, "What runs where") are the device domain (SDF libraries in a child
process over a POSIX pipe, the soft device built with cc) and the TLCP test server. Elsewhere a
POSIX-only module or call is a failure here, unless the line guards it (``hasattr(os, …)``).
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "mptool"
LAB = ("device/", "proto/tlcp/serve", "cli/device.py")
POSIX_ONLY = re.compile(
    r"^\s*(?:import|from)\s+(?:fcntl|termios|resource|pwd|grp|posix|pty|tty)\b"
    r"|os\.(?:fork|forkpty|getuid|geteuid|getgid|setsid|killpg|setpgid|getpgid|sched_getaffinity|mkfifo|sysconf|uname|getloadavg)\b"
    r"|signal\.(?:SIGKILL|SIGALRM|SIGHUP|SIGUSR1|SIGUSR2|SIGCHLD|alarm|setitimer)\b"
    r"|get_context\(\s*[\"'](?:fork|forkserver)[\"']"
    r"|pass_fds\s*="
    r"|[\"']/proc/"
    r"|preexec_fn\s*="
)


def test_no_linux_only_calls_outside_the_lab_modules() -> None:
    offending = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(LAB):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if POSIX_ONLY.search(line) and "hasattr(os" not in line:
                offending.append(f"{relative}:{number}: {line.strip()}")
    assert not offending, "POSIX-only calls outside the lab modules:\n" + "\n".join(offending)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The pattern is not vacuous: it catches each kind of call it is meant to."""
    for line in ("import fcntl", "os.fork()", "uid = os.getuid()", "p.send_signal(signal.SIGKILL)", 'get_context("forkserver")', "open('/proc/self/status')", "Popen(cmd, pass_fds=(3,))"):
        assert POSIX_ONLY.search(line), line
    for line in ("from importlib import resources", 'get_context(_START_METHOD)', "signal.SIGINT", "os.cpu_count()"):
        assert not POSIX_ONLY.search(line), line
