"""Issue 15: everything but the lab parts stays free of Linux-only calls, so it runs on Windows too.

The lab parts (README, "What runs where") are the soft SDF device (built with cc) and the TLCP
test server. Elsewhere, the device runner included, a POSIX-only module or call is a failure
here, unless the line guards it (``hasattr(os, …)``). The device runner and the SDF binding,
which run a vendor's library on Windows too, are held to more: no POSIX pipe, no selecting on a
pipe, no signal that Windows lacks, no platform-bound loader.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "mptool"
LAB = ("device/softsdf/", "proto/tlcp/serve")
#: the code that runs a vendor's SDF library: child process, events, ctypes binding, checks
DEVICE_RUNNER = ("device/runner/", "device/sdf/", "device/checks/", "device/commands.py", "device/lab/", "cli/device.py")
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


#: what the device runner must not use beyond POSIX_ONLY: POSIX pipes and descriptor passing,
#: select/poll on pipes (sockets only on Windows), signals Windows does not have, one loader
PIPE_ONLY = re.compile(
    r"os\.(?:pipe|pipe2|set_blocking|get_blocking|mkfifo|kill)\s*\("
    r"|^\s*(?:import|from)\s+(?:selectors|select)\b"
    r"|\bsignal\.SIG(?!INT\b|TERM\b|ABRT\b|SEGV\b|FPE\b|ILL\b|BREAK\b)[A-Z]+"
    r"|close_fds\s*=\s*False|start_new_session\s*="
    r"|ctypes\.(?:WinDLL|windll|oledll|OleDLL)\s*\("
)


def test_the_device_runner_uses_no_posix_only_calls() -> None:
    """``device test`` runs on Windows: the runner's child, its events and the binding (issue 15)."""
    files = [p for p in sorted(SRC.rglob("*.py")) if p.relative_to(SRC).as_posix().startswith(DEVICE_RUNNER)]
    assert any(p.relative_to(SRC).as_posix() == "device/runner/__init__.py" for p in files)
    offending = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if (POSIX_ONLY.search(line) or PIPE_ONLY.search(line)) and "hasattr(" not in line:
                offending.append(f"{path.relative_to(SRC).as_posix()}:{number}: {line.strip()}")
    assert not offending, "POSIX-only calls in the device runner:\n" + "\n".join(offending)


def test_the_runner_scan_finds_what_it_looks_for() -> None:
    for line in ("read_fd, write_fd = os.pipe()", "import selectors", "proc.send_signal(signal.SIGKILL)", "os.set_blocking(fd, False)", "ctypes.WinDLL(path)", "Popen(cmd, start_new_session=True)"):
        assert PIPE_ONLY.search(line) or POSIX_ONLY.search(line), line
    for line in ("signal.Signals(-code).name", "proc.kill()", "signal.SIGINT", "getattr(ctypes, 'WinDLL', None)", "os.dup2(2, 1)"):
        assert not PIPE_ONLY.search(line) and not POSIX_ONLY.search(line), line


def test_the_scan_finds_what_it_looks_for() -> None:
    """The pattern is not vacuous: it catches each kind of call it is meant to."""
    for line in ("import fcntl", "os.fork()", "uid = os.getuid()", "p.send_signal(signal.SIGKILL)", 'get_context("forkserver")', "open('/proc/self/status')", "Popen(cmd, pass_fds=(3,))"):
        assert POSIX_ONLY.search(line), line
    for line in ("from importlib import resources", 'get_context(_START_METHOD)', "signal.SIGINT", "os.cpu_count()"):
        assert not POSIX_ONLY.search(line), line
