"""``proto probe`` against hostile peers it starts itself on 127.0.0.1 (issue 21): a resolver
that never answers, servers that send endless data, absurd lengths, nothing at all, or a
certificate whose UTCTime lacks ``Z``. Every run ends within --timeout/--time-limit and
--max-connections with evidence (a subprocess bound catches a hang; nothing is timed)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import validate_evidence
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from support.proto_peers import sm2_pki  # noqa: F401 (fixture)

from mptool.proto.tls import messages as m
from mptool.proto.tls.record import Record

TLCP = 0x0101

#: Runs the CLI with socket.getaddrinfo replaced for names ending in .hostile (sleeps an hour).
FAKE_RESOLVER = """
import socket, sys, time
real = socket.getaddrinfo
def fake(host, port, family=0, type=0, proto=0, flags=0):
    if str(host).endswith(".hostile"):
        if flags & socket.AI_NUMERICHOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        time.sleep(3600)  # a DNS server that never answers
    return real(host, port, family, type, proto, flags)
socket.getaddrinfo = fake
from mptool.cli import cli
cli.main(args=sys.argv[1:], prog_name="mptool")
"""


def _probe(tmp_path: Path, target: str, *extra: str) -> dict:
    out = tmp_path / "probe.json"
    args = ["proto", "probe", target, "--timeout", "1", "--time-limit", "4", "--max-connections", "6", "-f", "json", "-o", str(out), "--no-progress", *extra]
    proc = subprocess.run([sys.executable, "-c", FAKE_RESOLVER, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1, 4), proc.stderr
    assert "Traceback" not in proc.stderr
    evidence = validate_evidence(json.loads(out.read_text()))
    assert evidence["summary"]["connections"] <= 6
    return evidence


def _codes(evidence: dict, check: str) -> list[str]:
    return [f["code"] for r in evidence["results"] if r["check"] == check for f in r["findings"]]


def test_silent_resolver_is_bounded_by_the_timeout(tmp_path: Path) -> None:
    evidence = _probe(tmp_path, "server.hostile:443", "--tlcp")
    assert "proto.probe.resolve" in _codes(evidence, "proto.probe.tlcp")


class HostileServer:
    """Accepts on 127.0.0.1 and runs ``behave(conn)`` for each connection in a thread."""

    def __init__(self, behave: Callable[[socket.socket], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.behave = behave
        self.stopped = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(10)
                conn.recv(65536)
                self.behave(conn)
            except OSError:
                pass

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def hostile() -> Iterator[Callable[[Callable[[socket.socket], None]], HostileServer]]:
    servers: list[HostileServer] = []

    def start(behave: Callable[[socket.socket], None]) -> HostileServer:
        servers.append(HostileServer(behave))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _endless(conn: socket.socket) -> None:
    """A ServerHello header claiming 256 KiB - 1, then handshake records of zeros forever."""
    conn.sendall(Record(22, TLCP, b"\x02\x03\xff\xff").encode())
    chunk = Record(22, TLCP, b"\0" * 16384).encode()
    while True:
        conn.sendall(chunk)


def _huge_lengths(conn: socket.socket) -> None:
    """Record and handshake lengths at their maxima (a 16 MiB ServerHello in a 64 KiB record)."""
    conn.sendall(b"\x16\x01\x01\xff\xff" + b"\x02\xff\xff\xff" + os.urandom(2000))


def _silence(conn: socket.socket) -> None:
    threading.Event().wait(10)


@pytest.mark.parametrize("behave", [_endless, _huge_lengths, _silence], ids=["endless", "huge-lengths", "silence"])
@pytest.mark.parametrize("protocol", ["--tlcp", "--tls"])
def test_hostile_server_is_bounded(tmp_path: Path, hostile, behave, protocol: str) -> None:
    server = hostile(behave)
    evidence = _probe(tmp_path, f"127.0.0.1:{server.port}", protocol)
    check = "proto.probe.tlcp" if protocol == "--tlcp" else "proto.probe.tls"
    assert [r for r in evidence["results"] if r["check"] == check]


def _no_z(der: bytes) -> bytes:
    at = der.index(b"\x17\x0d")
    return der[: at + 14] + b"0" + der[at + 15 :]


def test_server_certificate_without_z_does_not_crash_the_probe(tmp_path: Path, hostile, sm2_pki) -> None:
    sign = _no_z(x509.load_pem_x509_certificate((sm2_pki / "server_sign.pem").read_bytes()).public_bytes(Encoding.DER))
    enc = _no_z(x509.load_pem_x509_certificate((sm2_pki / "server_enc.pem").read_bytes()).public_bytes(Encoding.DER))

    def answer(conn: socket.socket) -> None:
        flight = m.ServerHello(TLCP, os.urandom(32), 0xE013, session_id=os.urandom(32)).encode() + m.encode_certificate([sign, enc]) + m.handshake(m.SERVER_HELLO_DONE, b"")
        conn.sendall(Record(22, TLCP, flight).encode())
        conn.recv(65536)

    server = hostile(answer)
    evidence = _probe(tmp_path, f"127.0.0.1:{server.port}", "--tlcp")
    assert [r for r in evidence["results"] if r["check"] == "proto.probe.tlcp"]
