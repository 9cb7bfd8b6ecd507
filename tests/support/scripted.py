"""Scripted TCP exchanges on 127.0.0.1 for the cleartext tests: a one-connection server thread and
a client playing the two halves of a protocol transcript over real sockets."""

from __future__ import annotations

import socket
import threading
import time


def _play(sock: socket.socket, script: list[tuple[str, bytes]]) -> None:
    """``("send", bytes)`` or ``("recv", b"")`` steps in order on one connected socket."""
    sock.settimeout(5)
    for step, data in script:
        if step == "send":
            sock.sendall(data)
        else:
            sock.recv(65536)
        time.sleep(0.05)


def _server(port: int, script: list[tuple[str, bytes]]) -> threading.Thread:
    """A one-connection TCP server playing ``script``."""
    listener = socket.create_server(("127.0.0.1", port))

    def run() -> None:
        conn, _ = listener.accept()
        with conn, listener:
            _play(conn, script)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _client(port: int, script: list[tuple[str, bytes]]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        _play(sock, script)


def exchange(port: int, steps: list[tuple[str, bytes]]) -> None:
    """Run a scripted exchange: ``("c", bytes)`` the client sends, ``("s", bytes)`` the server sends."""
    server = _server(port, [("send", d) if who == "s" else ("recv", b"") for who, d in steps])
    _client(port, [("send", d) if who == "c" else ("recv", b"") for who, d in steps])
    server.join(10)
