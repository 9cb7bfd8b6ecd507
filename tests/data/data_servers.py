"""Real PostgreSQL and MariaDB servers for the tests: started in a temporary data directory on
127.0.0.1 (a free port), as the unprivileged user ``nobody`` when the tests run as root, and stopped
afterwards. A server whose binaries are missing skips the tests that need it (CI installs them)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "mptool_audit"
PASSWORD = "S3cret-Pw_for-tests"


def _check(cmd: list, **kw: object) -> None:
    """Run a server tool; on failure raise with its output (initdb/pg_ctl explain themselves on stderr)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if proc.returncode:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stdout[-1500:]} {proc.stderr[-1500:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> dict:
    """subprocess kwargs: drop to nobody when root (PostgreSQL refuses root; MariaDB wants --user)."""
    if os.geteuid() != 0:
        return {}
    return {"user": "nobody", "group": "nogroup"}


def _workdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, "nobody", "nogroup")
    return path


def _wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server did not listen on port {port}")


@contextlib.contextmanager
def postgres() -> Iterator[tuple[str, int]]:
    """Yield (URL with password, port) of a fresh PostgreSQL cluster holding database ``app``."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("PostgreSQL binaries not installed (Debian package postgresql)")
    bindir = Path(bins[-1]).parent
    work = _workdir("mptool-pg-")
    data = work / "data"
    pwfile = work / "pw"
    pwfile.write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(pwfile, "nobody", "nogroup")
    port = _free_port()
    kw = _run_as()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "HOME": str(work)}
    try:
        _check([bindir / "initdb", "-D", data, "-U", USER, "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8"], env=env, cwd=work, **kw)
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {work} -c fsync=off"
        _check([bindir / "pg_ctl", "-D", data, "-o", opts, "-l", work / "log", "-w", "-t", "60", "start"], env=env, cwd=work, **kw)
        _wait_port(port)
        from sqlalchemy import create_engine, text

        admin = create_engine(f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE app"))
        admin.dispose()
        yield f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/app", port
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True, env=env, cwd=work, **kw)
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def mariadb() -> Iterator[tuple[str, int]]:
    """Yield (URL with password, port) of a fresh MariaDB server holding database ``app``."""
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin") or shutil.which("mysqld", path="/usr/sbin")
    install = shutil.which("mariadb-install-db")
    if not server or not install:
        pytest.skip("MariaDB binaries not installed (Debian package mariadb-server)")
    work = _workdir("mptool-maria-")
    data = work / "data"
    sock = work / "sock"
    port = _free_port()
    user = ["--user=nobody"] if os.geteuid() == 0 else []
    proc = None
    try:
        _check([install, "--no-defaults", f"--datadir={data}", *user, "--auth-root-authentication-method=normal", "--skip-test-db"], cwd=work)
        proc = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", f"--socket={sock}", f"--port={port}", "--bind-address=127.0.0.1", f"--pid-file={work / 'pid'}", f"--log-error={work / 'log'}", f"--tmpdir={work}", "--skip-name-resolve", "--innodb-buffer-pool-size=16M", *user],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=work,
        )
        _wait_port(port)
        import pymysql

        conn = pymysql.connect(unix_socket=str(sock), user="root", password="")
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE app CHARACTER SET utf8mb4")
            cur.execute(f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}'")
            cur.execute(f"GRANT ALL ON app.* TO '{USER}'@'%'")
        conn.commit()
        conn.close()
        yield f"mariadb://{USER}:{PASSWORD}@127.0.0.1:{port}/app?charset=utf8mb4", port
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(work, ignore_errors=True)
