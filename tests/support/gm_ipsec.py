"""GM/T 0022 peers for tests: mptool's own responder (in a thread or as ``proto serve --ike``)
on 127.0.0.1 or in a namespace the test made, and the key files of the SM2 PKI (support.proto_peers)."""

from __future__ import annotations

import contextlib
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mptool.proto.ipsec.gm.responder import Responder
from mptool.proto.ipsec.gm.session import Credentials
from mptool.proto.ipsec.gm.transport import classify, frame_ike
from mptool.proto.probe.keys import load_key_pair


def credentials(pki: Path, role: str) -> Credentials:
    """``server`` or ``client`` credentials of the PKI."""
    scert, skey = load_key_pair(str(pki / f"{role}_sign.pem"), str(pki / f"{role}_sign.key"))
    ecert, ekey = load_key_pair(str(pki / f"{role}_enc.pem"), str(pki / f"{role}_enc.key"))
    return Credentials(skey.d, ekey.d, scert.ders[0], ecert.ders[0])


def server_args(pki: Path) -> list[str]:
    """``proto serve --ike`` key options."""
    return ["--sign-cert", str(pki / "server_sign.pem"), "--sign-key", str(pki / "server_sign.key"), "--enc-cert", str(pki / "server_enc.pem"), "--enc-key", str(pki / "server_enc.key"), "--ca", str(pki / "ca.pem")]


def client_args(pki: Path) -> list[str]:
    """``proto probe --ike --full`` key options."""
    return [
        "--client-sign-cert", str(pki / "client_sign.pem"), "--client-sign-key", str(pki / "client_sign.key"),
        "--client-enc-cert", str(pki / "client_enc.pem"), "--client-enc-key", str(pki / "client_enc.key"), "--ca", str(pki / "ca.pem"),
    ]


@dataclass
class ThreadResponder:
    """A responder answering on 127.0.0.1:``port`` from a thread; ``errors`` holds anything it raised."""

    responder: Responder
    port: int
    errors: list[BaseException]


@contextlib.contextmanager
def udp_server(handle: Callable[[bytes, str], list[bytes]]) -> Iterator[tuple[int, list[BaseException]]]:
    """A UDP socket on 127.0.0.1 answering each datagram with ``handle(datagram, peer)`` from a
    thread until the block ends; yields (port, exceptions ``handle`` raised)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()
    errors: list[BaseException] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except OSError:
                continue
            try:
                for out in handle(data, f"{peer[0]}:{peer[1]}"):
                    sock.sendto(out, peer)
            except Exception as exc:  # noqa: BLE001 - recorded for the test to fail on
                errors.append(exc)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], errors
    finally:
        stop.set()
        thread.join(5)
        sock.close()


@contextlib.contextmanager
def responder_thread(creds: Credentials, tamper: frozenset[str] = frozenset()) -> Iterator[ThreadResponder]:
    """Run :class:`Responder` on a UDP socket of 127.0.0.1 (RFC 3948 framing) until the block ends."""
    responder = Responder(creds, tamper=tamper)

    def handle(data: bytes, peer: str) -> list[bytes]:
        got = classify(data)
        if got is None:
            return []
        if got[0] == "ike":
            return [frame_ike(out) for out in responder.handle_ike(got[1], peer)]
        return responder.handle_esp(got[1], peer)

    with udp_server(handle) as (port, errors):
        yield ThreadResponder(responder, port, errors)


def wait_sessions(responder: Responder, count: int, timeout: float = 10) -> None:
    """Wait until ``count`` sessions are done (the initiator deleted or rejected, or we failed)."""
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if len(responder.sessions) >= count and all(s.done for s in responder.sessions.values()):
            return
        time.sleep(0.02)


@dataclass
class ServeIke:
    """A running ``mptool proto serve --ike`` and its evidence file."""

    process: subprocess.Popen[bytes]
    port: int
    evidence: Path

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Wait for the server to stop by itself; return code and stderr."""
        _, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, err.decode()


def start_serve_ike(args: Sequence[str], evidence: Path, netns: str | None = None, host: str = "127.0.0.1", port: int = 0) -> ServeIke:
    """Start ``proto serve --ike`` and wait for its 'listening' line."""
    cmd = [sys.executable, "-m", "mptool", "proto", "serve", "--ike", "--host", host, "--port", str(port), *args, "-f", "json", "-o", str(evidence)]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stderr is not None
    ends = time.monotonic() + 30
    while time.monotonic() < ends:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            line = process.stderr.readline()
            match = re.search(rb"listening on [^ ]+:(\d+)", line)
            if match:
                return ServeIke(process, int(match.group(1)), evidence)
            if not line and process.poll() is not None:
                break
    process.kill()
    raise AssertionError(f"proto serve --ike did not start: {process.stderr.read()!r}")
