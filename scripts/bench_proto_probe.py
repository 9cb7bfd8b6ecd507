#!/usr/bin/env python3
"""Benchmark of ``proto probe``/``serve``: TLCP handshakes, record protection, whole probes.

Usage: .venv/bin/python scripts/bench_proto_probe.py [--handshakes 20] [--pki DIR]

- TLCP handshakes: client and server of this package in one process (two threads) on
  127.0.0.1, per suite, each with application data; reports handshakes/s and ms each.
- Record protection: seal + open of 1 MiB of application data in 16 KiB records.
- Whole probes: ``mptool proto probe --tlcp`` against ``mptool proto serve`` (client keys given,
  10 connections) and ``--tls`` against ``openssl s_server`` (default configuration), wall time.

The SM2 PKI is made with the system openssl in a temporary directory unless --pki names one
(files ca.pem, {server,client}_{sign,enc}.{pem,key}).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from mptool.proto.probe.keys import load_certificates, load_private_key
from mptool.proto.tls.transport import RecordStream
from mptool.proto.tlcp.suites import IMPLEMENTED
from mptool.proto.tlcp.channel import Channel, Credentials
from mptool.proto.tlcp.client import ClientLog, client_handshake
from mptool.proto.tlcp.server import ServerConfig, ServerLog, server_handshake
from mptool.proto.tlcp.crypto import RecordCipher, key_block

SM2_ID = "distid:1234567812345678"


def make_pki(d: Path) -> None:
    """SM2 root CA and server/client signing and encryption certificates (openssl CLI)."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("genpkey", "-algorithm", "SM2", "-out", "ca.key")
    run("req", "-new", "-x509", "-key", "ca.key", "-sm3", "-sigopt", SM2_ID, "-subj", "/CN=bench root", "-days", "2", "-out", "ca.pem")
    for name in ("server_sign", "server_enc", "client_sign", "client_enc"):
        run("genpkey", "-algorithm", "SM2", "-out", f"{name}.key")
        run("req", "-new", "-key", f"{name}.key", "-sm3", "-sigopt", SM2_ID, "-subj", f"/CN={name.split('_')[0]}", "-out", f"{name}.csr")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-sm3", "-sigopt", SM2_ID, "-vfyopt", SM2_ID, "-days", "2", "-out", f"{name}.pem")


def credentials(d: Path, who: str) -> Credentials:
    """The TLCP identity of ``who`` (server or client)."""
    chain = load_certificates(str(d / f"{who}_sign.pem")).ders + load_certificates(str(d / f"{who}_enc.pem")).ders
    return Credentials(load_private_key(str(d / f"{who}_sign.key")).d, load_private_key(str(d / f"{who}_enc.key")).d, chain)


def bench_handshakes(d: Path, count: int) -> None:
    server, client = credentials(d, "server"), credentials(d, "client")
    print(f"TLCP handshakes (client + server in one process, {count} each, with application data)")
    for suite in IMPLEMENTED.values():
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]

        def serve() -> None:
            for _ in range(count):
                sock, _ = listener.accept()
                with sock:
                    server_handshake(Channel(RecordStream(sock, time.monotonic() + 30)), ServerConfig(server, suites=(suite.id,)), ServerLog())

        thread = threading.Thread(target=serve)
        thread.start()
        started = time.perf_counter()
        for _ in range(count):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                log = ClientLog([suite.id])
                client_handshake(Channel(RecordStream(sock, time.monotonic() + 30)), log, credentials=client, application_data=b"ping")
                assert log.completed
        elapsed = time.perf_counter() - started
        thread.join()
        listener.close()
        print(f"  {suite.hex_id} {suite.name:<18} {count / elapsed:6.1f} handshakes/s  {1000 * elapsed / count:6.1f} ms each")


def bench_records() -> None:
    print("Record protection, 1 MiB in 16 KiB records, seal + open")
    data = os.urandom(16384)
    for suite in (IMPLEMENTED[0xE013], IMPLEMENTED[0xE053]):
        kb = key_block(b"m" * 48, b"c" * 32, b"s" * 32, suite)
        writer = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv)
        reader = RecordCipher(suite, kb.client_mac, kb.client_key, kb.client_iv)
        started = time.perf_counter()
        for _ in range(64):
            reader.open(23, writer.seal(23, data))
        elapsed = time.perf_counter() - started
        print(f"  {suite.mode.upper()} ({suite.name}): {1 / elapsed:6.1f} MiB/s")


def bench_probes(d: Path) -> None:
    mptool = [sys.executable, "-m", "mptool"]
    serve = subprocess.Popen(
        [*mptool, "proto", "serve", "--tlcp", "--port", "0", "--sign-cert", str(d / "server_sign.pem"), "--sign-key", str(d / "server_sign.key"),
         "--enc-cert", str(d / "server_enc.pem"), "--enc-key", str(d / "server_enc.key"), "--ca", str(d / "ca.pem"), "--max-connections", "10",
         "-f", "json", "-o", os.devnull],
        stderr=subprocess.PIPE,
    )
    assert serve.stderr is not None
    port = int(re.search(rb"127\.0\.0\.1:(\d+)", serve.stderr.readline()).group(1))  # type: ignore[union-attr]
    client = [f"--client-{k}-{t}" for k in ("sign", "enc") for t in ("cert", "key")]
    files = [str(d / f"client_{k}.{'pem' if t == 'cert' else 'key'}") for k in ("sign", "enc") for t in ("cert", "key")]
    args = [x for pair in zip(client, files) for x in pair]
    started = time.perf_counter()
    subprocess.run([*mptool, "proto", "probe", f"127.0.0.1:{port}", "--tlcp", *args, "--ca", str(d / "ca.pem"), "-f", "json", "-o", os.devnull], check=False, stderr=subprocess.DEVNULL)
    print(f"probe --tlcp vs serve (10 connections, 4 full handshakes, cert checks): {time.perf_counter() - started:.2f} s wall")
    serve.wait(timeout=30)

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.pem", "-subj", "/CN=localhost", "-days", "2"], cwd=d, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        tls_port = s.getsockname()[1]
    server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{tls_port}", "-cert", str(d / "rsa.pem"), "-key", str(d / "rsa.key"), "-www", "-quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", tls_port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    started = time.perf_counter()
    done = subprocess.run([*mptool, "proto", "probe", f"localhost:{tls_port}", "--tls", "-f", "json"], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    connections = re.search(r'"connections": (\d+)', done.stdout)
    print(f"probe --tls vs openssl s_server defaults: {elapsed:.2f} s wall, {connections.group(1) if connections else '?'} connections")
    server.terminate()
    server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handshakes", type=int, default=20)
    parser.add_argument("--pki", type=Path, default=None)
    args = parser.parse_args()
    print(f"nproc={os.cpu_count()} load={os.getloadavg()[0]:.2f} python={sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        d = args.pki or Path(tmp)
        if args.pki is None:
            make_pki(d)
        bench_handshakes(d, args.handshakes)
        bench_records()
        bench_probes(d)


if __name__ == "__main__":
    main()
