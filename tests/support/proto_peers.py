"""Peers and PKI for the active-probe tests: an SM2 PKI made with the system openssl, and peers
(``mptool proto serve``, ``openssl s_server``, plain TCP stubs) started on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import peers

OPENSSL = "openssl"
SM2_ID = "distid:1234567812345678"


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=60)


def _leaf(pki: Path, name: str, subject: str, usage: str) -> None:
    _run(OPENSSL, "genpkey", "-algorithm", "SM2", "-out", f"{name}.key", cwd=pki)
    _run(OPENSSL, "req", "-new", "-key", f"{name}.key", "-sm3", "-sigopt", SM2_ID, "-subj", subject, "-out", f"{name}.csr", cwd=pki)
    (pki / f"{name}.ext").write_text(f"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,{usage}\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _run(
        OPENSSL, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-sm3", "-sigopt", SM2_ID, "-vfyopt", SM2_ID, "-days", "30", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
        cwd=pki,
    )


@pytest.fixture(scope="session")
def sm2_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root CA and TLCP server/client signing and encryption certificates (SM2, SM3 with the default ID)."""
    peers.require(OPENSSL)
    pki = tmp_path_factory.mktemp("sm2pki")
    _run(OPENSSL, "genpkey", "-algorithm", "SM2", "-out", "ca.key", cwd=pki)
    _run(
        OPENSSL, "req", "-new", "-x509", "-key", "ca.key", "-sm3", "-sigopt", SM2_ID, "-subj", "/C=CN/O=mptool test/CN=mptool test SM2 root",
        "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem",
        cwd=pki,
    )
    enc_usage = "keyEncipherment,dataEncipherment,keyAgreement"
    _leaf(pki, "server_sign", "/C=CN/O=mptool test/CN=localhost", "digitalSignature")
    _leaf(pki, "server_enc", "/C=CN/O=mptool test/CN=localhost", enc_usage)
    _leaf(pki, "client_sign", "/C=CN/O=mptool test/CN=client", "digitalSignature")
    _leaf(pki, "client_enc", "/C=CN/O=mptool test/CN=client", enc_usage)
    return pki


@pytest.fixture(scope="session")
def server_files(sm2_pki: Path) -> list[str]:
    """The serve options naming the server's keys and certificates and the CA."""
    pki = sm2_pki
    return [
        "--sign-cert", str(pki / "server_sign.pem"), "--sign-key", str(pki / "server_sign.key"),
        "--enc-cert", str(pki / "server_enc.pem"), "--enc-key", str(pki / "server_enc.key"), "--ca", str(pki / "ca.pem"),
    ]


@pytest.fixture(scope="session")
def client_files(sm2_pki: Path) -> list[str]:
    """The probe options naming the client's keys and certificates."""
    pki = sm2_pki
    return [
        "--client-sign-cert", str(pki / "client_sign.pem"), "--client-sign-key", str(pki / "client_sign.key"),
        "--client-enc-cert", str(pki / "client_enc.pem"), "--client-enc-key", str(pki / "client_enc.key"),
    ]


@dataclass
class ServeProcess:
    """A running ``mptool proto serve`` subprocess and where its evidence goes."""

    process: subprocess.Popen[bytes]
    port: int
    evidence: Path

    def finish(self, timeout: float = 20) -> tuple[int, str]:
        """Wait for the server to exit (it stops by itself at --max-connections); return code and stderr."""
        try:
            _, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGTERM)
            _, err = self.process.communicate(timeout=10)
        return self.process.returncode, err.decode()


def start_serve(args: list[str], evidence: Path) -> ServeProcess:
    """Start ``mptool proto serve --tlcp --port 0 ARGS`` and wait for its 'listening' line."""
    cmd = [sys.executable, "-m", "mptool", "proto", "serve", "--tlcp", "--port", "0", *args, "-f", "json", "-o", str(evidence)]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    line = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            line = process.stderr.readline()
            match = re.search(rb"listening on (?:127\.0\.0\.1|::1):(\d+)", line)
            if match:
                return ServeProcess(process, int(match.group(1)), evidence)
            if not line and process.poll() is not None:
                break
    process.kill()
    raise AssertionError(f"mptool proto serve did not start: {line!r} {process.stderr.read()!r}")


@pytest.fixture
def tlcp_serve(tmp_path: Path) -> Iterator[object]:
    """Factory: start ``mptool proto serve --tlcp`` with options; killed after the test if still running."""
    started: list[ServeProcess] = []

    def start(*args: str) -> ServeProcess:
        server = start_serve(list(args), tmp_path / f"serve{len(started)}.json")
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.communicate(timeout=10)


@pytest.fixture
def openssl_tls_server(tmp_path: Path) -> Iterator[object]:
    """Factory: ``openssl s_server`` (tests/support/peers.py) with a self-signed certificate and options; returns the port."""
    stack = contextlib.ExitStack()
    count = [0]

    def start(*options: str, key: str = "rsa:2048") -> int:
        count[0] += 1
        cert, keyfile = peers.self_signed(tmp_path, f"tls{count[0]}", key=key)
        port = peers.free_port()
        stack.enter_context(peers.openssl_server(port, cert, keyfile, options))
        started.append(cert)
        return port

    started: list[Path] = []
    start.certificates = started  # type: ignore[attr-defined]

    with stack:
        yield start


class StubServer:
    """A TCP server on 127.0.0.1 that either sends a banner and closes, or accepts and stays silent."""

    def __init__(self, banner: bytes | None) -> None:
        self.banner = banner
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            if self.banner is None:
                self.held.append(conn)
            else:
                conn.sendall(self.banner)
                conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def stub_server() -> Iterator[object]:
    """Factory of :class:`StubServer` instances, closed after the test."""
    servers: list[StubServer] = []

    def make(banner: bytes | None) -> StubServer:
        server = StubServer(banner)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()

