"""``proto serve`` against hostile clients on 127.0.0.1 (issue 21): idle sockets, garbage,
slowloris, oversized records, a flood of connections, too few file descriptors, a certificate
whose UTCTime lacks ``Z``. The server keeps serving a real client, every connection is a
result, a signal ends the run with the evidence written, never exit 128."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from conftest import run_cli, validate_evidence
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from support.proto_peers import client_files, server_files, sm2_pki, tlcp_serve  # noqa: F401 (fixtures)

from mptool.proto.tls import messages as m
from mptool.proto.tls.record import Record

TLCP = 0x0101


def _probe(port: int) -> dict:
    result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--tlcp", "--timeout", "10", "-f", "json"])
    assert result.exit_code in (0, 1, 4), result.stderr
    return result.json()


def _completed(evidence: dict) -> bool:
    [tlcp] = [r for r in evidence["results"] if r["check"] == "proto.probe.tlcp"]
    assert tlcp["measurements"]["handshake_completed"] is True, tlcp
    return True


class _Server:
    """``proto serve`` with its stderr in a file (thousands of per-connection lines must not
    fill a pipe nobody reads)."""

    def __init__(self, tmp_path: Path, args: list[str], preexec=None) -> None:
        self.evidence = tmp_path / "serve.json"
        self.log = tmp_path / "serve.log"
        cmd = [sys.executable, "-m", "mptool", "proto", "serve", "--tlcp", "--port", "0", *args, "-f", "json", "-o", str(self.evidence)]
        with self.log.open("wb") as err:
            self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=preexec)
        for _ in range(600):
            text = self.log.read_text(errors="replace")
            if "listening on" in text:
                self.port = int(text.split("listening on", 1)[1].split("\n", 1)[0].rsplit(":", 1)[1])
                return
            assert self.process.poll() is None, text
            time.sleep(0.05)
        raise AssertionError("proto serve did not start")

    def stop(self) -> dict:
        """SIGTERM; the server must exit on its own (a bound, not a timing) with its evidence."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        err = self.log.read_text(errors="replace")
        assert self.process.returncode in (0, 1), err[-2000:]
        assert "Traceback" not in err
        return validate_evidence(json.loads(self.evidence.read_text()))


def _clients(evidence: dict) -> list[dict]:
    return [r for r in evidence["results"] if r["check"] == "proto.serve.tlcp_client" and "connection" in r["measurements"]]


def _probed_while_open(server: _Server, socks: list[socket.socket], probes: int = 1) -> dict:
    """A real TLCP client (``proto probe``) completes ``probes`` handshakes while ``socks`` are
    open; then the server is stopped, the sockets closed, and its evidence returned."""
    try:
        for _ in range(probes):
            assert _completed(_probe(server.port))
    finally:
        evidence = server.stop()
        for sock in socks:
            sock.close()
    return evidence


def _hello(suite: int = 0xE013) -> bytes:
    body = m.ClientHello(TLCP, os.urandom(32), [suite]).encode()
    return Record(22, TLCP, body).encode()


def test_idle_sockets_do_not_deny_a_real_client(tmp_path, server_files) -> None:
    server = _Server(tmp_path, [*server_files, "--handshake-timeout", "60"])
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(300)]
    evidence = _probed_while_open(server, idle)  # before: queued behind 300 x 60 s / 4 workers
    clients = _clients(evidence)
    assert len(clients) == evidence["summary"]["connections"] >= 301
    assert sum(c["measurements"].get("ended_by") == "stopped" for c in clients) == 300


def test_hostile_clients_while_serving(tmp_path, server_files) -> None:
    server = _Server(tmp_path, [*server_files, "--handshake-timeout", "30", "--max-pending", "512"])
    port = server.port
    garbage = socket.create_connection(("127.0.0.1", port))
    garbage.sendall(os.urandom(4096))
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(_hello()[:3])  # slowloris: a few bytes, then nothing
    oversized = socket.create_connection(("127.0.0.1", port))
    oversized.sendall(struct.pack("!BHH", 22, TLCP, 0xFFFF) + b"\0" * 1000)  # record longer than allowed
    fragments = socket.create_connection(("127.0.0.1", port))
    fragments.sendall(Record(22, TLCP, b"\x01\x00\xff\xff").encode() + Record(22, TLCP, b"\0" * 16000).encode() * 80)  # > 1 MiB
    hostile = [garbage, slow, oversized, fragments]
    for _ in range(2000):  # a flood: connect, close at once
        sock = socket.create_connection(("127.0.0.1", port))
        sock.close()
    evidence = _probed_while_open(server, hostile)
    clients = _clients(evidence)
    assert len(clients) == evidence["summary"]["connections"] >= 2006
    ended = {c["measurements"]["connection"]: c["measurements"].get("ended_by") for c in clients}
    assert ended[1] == "not_tls" and ended[3] == "not_tls" and ended[4] in ("too_much_data", "decode_error")
    assert ended[2] == "stopped"
    assert sum(c["measurements"]["handshake_completed"] for c in clients) >= 1


def _stalled_after_hello(port: int, partial: bool) -> socket.socket:
    """A client that sends a complete ClientHello (so the server starts its handshake), then
    nothing (``partial``: the first 3 bytes of its next record, then nothing: slowloris)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(_hello() + (Record(22, TLCP, b"\x10\x00\x00\x00").encode()[:3] if partial else b""))
    return sock


def test_stalled_handshakes_do_not_hold_the_workers(tmp_path: Path, server_files) -> None:
    """1,500 hostile connections, 1,000 of them stalled inside a handshake (before: each held one
    of the --workers threads until its deadline, so 2 of them denied service for 60 s)."""
    want = 1500 + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:  # the test process holds the hostile sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    server = _Server(tmp_path, [*server_files, "--handshake-timeout", "60", "--workers", "2", "--max-pending", "2048"])
    hostile = [_stalled_after_hello(server.port, partial=index % 2 == 1) for index in range(1000)]
    hostile += [socket.create_connection(("127.0.0.1", server.port)) for _ in range(500)]  # idle
    evidence = _probed_while_open(server, hostile, probes=2)  # the probe's own bound: --timeout 10 per read
    clients = _clients(evidence)
    assert len(clients) == evidence["summary"]["connections"] >= 1502
    completed = [c for c in clients if c["measurements"]["handshake_completed"]]
    assert len(completed) >= 2
    stopped = [c for c in clients if c["measurements"].get("ended_by") == "stopped"]
    assert len(stopped) >= 1500  # every hostile connection was still open (and recorded) at the end


def test_too_few_file_descriptors_are_recorded(tmp_path: Path, server_files) -> None:
    limit = 48

    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    server = _Server(tmp_path, [*server_files, "--handshake-timeout", "60"], preexec=lower)
    socks = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2 * limit)]
    time.sleep(1)  # let the server run into EMFILE (not asserted on: the evidence says what happened)
    for sock in socks:
        sock.close()
    try:
        assert _completed(_probe(server.port))
    finally:
        evidence = server.stop()
    [listener] = [r for r in evidence["results"] if r["check"] == "proto.serve.listener"]
    assert listener["status"] == "warn" and listener["measurements"]["accept_errors"] >= 1
    assert "EMFILE" in listener["measurements"]["problem"]
    assert len(_clients(evidence)) == evidence["summary"]["connections"] > limit


def _no_z(der: bytes) -> bytes:
    """The certificate with its first UTCTime's ``Z`` replaced by a digit (no time zone)."""
    at = der.index(b"\x17\x0d")
    assert der[at + 14 : at + 15] == b"Z"
    return der[: at + 14] + b"0" + der[at + 15 :]


def test_client_certificate_without_z_is_still_a_result(tlcp_serve, server_files, sm2_pki) -> None:
    server = tlcp_serve(*server_files, "--client-auth", "--suites", "E013", "--max-connections", "1")
    der = x509.load_pem_x509_certificate((sm2_pki / "client_sign.pem").read_bytes()).public_bytes(Encoding.DER)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(_hello())
        sock.settimeout(10)
        got = b""
        while b"\x0e\x00\x00\x00" not in got:  # ServerHelloDone
            chunk = sock.recv(65536)
            assert chunk
            got += chunk
        sock.sendall(Record(22, TLCP, m.encode_certificate([_no_z(der)])).encode())
    code, err = server.finish()
    assert code in (0, 1), err
    evidence = validate_evidence(json.loads(server.evidence.read_text()))
    assert evidence["summary"]["connections"] == 1
    [client] = _clients(evidence)
    assert client["measurements"]["client_certificate_count"] == 1


def test_empty_host_is_a_usage_error(server_files) -> None:
    result = run_cli(["proto", "serve", "--tlcp", "--host", "", "--port", "0", *server_files])
    assert result.exit_code == 2 and "0.0.0.0" in result.stderr and "Traceback" not in result.stderr


def test_oversized_finished_is_a_client_error_not_exit_4(tlcp_serve, server_files) -> None:
    """A Finished whose handshake header claims 16 MiB (inside a small encrypted record)."""
    from mptool.proto.tlcp.channel import Channel
    from mptool.proto.tlcp.client import ClientLog, client_handshake
    from mptool.proto.tls.transport import ConnectionProblem, RecordStream

    server = tlcp_serve(*server_files, "--suites", "E013", "--max-connections", "1")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        channel = Channel(RecordStream(sock, time.monotonic() + 10))
        send = channel.send_handshake

        def oversized(message: bytes) -> None:
            send(b"\x14\xff\xff\xff" + message[4:] if message[:1] == b"\x14" else message)

        channel.send_handshake = oversized  # type: ignore[method-assign]
        try:
            client_handshake(channel, ClientLog([0xE013]), application_data=b"x")
        except ConnectionProblem:
            pass
    code, err = server.finish()
    assert code in (0, 1), err  # before: the DecodeError escaped as an internal error (exit 4)
    evidence = validate_evidence(json.loads(server.evidence.read_text()))
    [client] = _clients(evidence)
    assert client["status"] == "fail" and client["measurements"]["ended_by"] == "decode_error"
