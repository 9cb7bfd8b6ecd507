"""Real peers for tests: tcpdump captures, openssl s_server/s_client on loopback.

Every helper starts its process itself, binds to 127.0.0.1 (or runs inside a network
namespace the test created), and stops it on exit even when the test fails. A peer that cannot
be started raises (the test fails; nothing is skipped).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

OPENSSL = "openssl"
TCPDUMP = "tcpdump"


def require(tool: str) -> str:
    """The path of ``tool``; fails (does not skip) when the Debian package is missing."""
    path = shutil.which(tool)
    assert path, f"{tool} is required: install the Debian package listed in .ci/apt-packages.txt"
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 10.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until something accepts TCP connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"peer exited with {proc.returncode} before listening on {port}: {_output(proc)}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")


def _output(proc: subprocess.Popen) -> str:
    try:
        out, err = proc.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        return ""
    return ((out or b"") + (err or b"")).decode(errors="replace")[-2000:]


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Stop a process we started (by its pid only) and reap it."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


@contextlib.contextmanager
def tcpdump(path: Path, bpf: str, interface: str = "lo", netns: str | None = None) -> Iterator[Path]:
    """Capture ``bpf`` on ``interface`` (in ``netns``) into ``path`` while the block runs.

    Waits until tcpdump reports it is listening; on exit stops it with SIGINT so the file is
    complete, and waits a moment first so the last packets are written.
    """
    require(TCPDUMP)
    # 32 MiB buffer: no drops on bursts; immediate mode: packets reach tcpdump at once, not when a
    # kernel buffer block times out (else a SIGINT soon after the traffic can leave them unwritten)
    cmd = [TCPDUMP, "-U", "--immediate-mode", "-n", "-s", "0", "-B", "32768", "-i", interface, "-w", str(path), bpf]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        os.set_blocking(proc.stderr.fileno(), False)
        seen = b""
        deadline = time.monotonic() + 15
        while b"listening on" not in seen:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tcpdump did not start: {seen.decode(errors='replace')}")
            chunk = proc.stderr.read() or b""
            seen += chunk
            time.sleep(0.05)
        time.sleep(0.5)  # "listening on" comes slightly before the filter sees packets
        yield path
        time.sleep(0.5)
    finally:
        stop(proc, signal.SIGINT)
    assert path.exists() and path.stat().st_size >= 24, f"tcpdump wrote no capture to {path}"


def self_signed(directory: Path, name: str, key: str = "rsa:2048", digest: str = "sha256") -> tuple[Path, Path]:
    """A self-signed certificate and key for CN=localhost made with openssl (``key``: rsa:N or ec)."""
    require(OPENSSL)
    cert, keyfile = directory / f"{name}.pem", directory / f"{name}.key"
    if key == "ec":
        newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    else:
        newkey = ["-newkey", key]
    subprocess.run(
        [OPENSSL, "req", "-x509", *newkey, f"-{digest}", "-nodes", "-days", "30", "-subj", "/CN=localhost", "-keyout", str(keyfile), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, keyfile


@contextlib.contextmanager
def openssl_server(port: int, cert: Path, key: Path, extra: Sequence[str] = ()) -> Iterator[subprocess.Popen]:
    """``openssl s_server -www`` on 127.0.0.1:``port``; stopped on exit."""
    require(OPENSSL)
    cmd = [OPENSSL, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert), "-key", str(key), "-www", "-naccept", "100", *extra]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc=proc)
        yield proc
    finally:
        stop(proc)


def openssl_client(port: int, extra: Sequence[str] = (), request: bytes = b"GET / HTTP/1.0\r\n\r\n", timeout: float = 30) -> subprocess.CompletedProcess:
    """One ``openssl s_client`` connection to 127.0.0.1:``port`` sending ``request``."""
    require(OPENSSL)
    cmd = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost", "-ign_eof", *extra]
    return subprocess.run(cmd, input=request, capture_output=True, timeout=timeout)
