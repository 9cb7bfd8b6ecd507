#!/usr/bin/env python3
"""Benchmark ``mptool proto analyze`` against tshark on a 100 MB+ capture of mostly bulk TLS.

Makes the capture (unless ``--capture FILE`` exists already): two network namespaces joined by a
veth pair with MTU 1500 and TSO/GSO/GRO off (so frames are wire-sized), ``openssl s_server
-WWW`` in one, in the other SHORT TLS 1.2 and SHORT TLS 1.3 fetches plus one download of a
random file of BULK_MB MB, tcpdump -s 0 on the veth. Then times, RUNS times each:

* ``mptool proto analyze --no-cert-checks -f json`` (a subprocess; wall time and peak RSS),
* ``tshark -Y tls.handshake.type -T fields`` extracting version, type, suite and SNI.

Needs root and the Debian packages openssl, tcpdump, iproute2, ethtool, tshark.
Usage: scripts/bench_proto.py [--capture FILE] [--runs N] [--bulk-mb N] [--short N]
Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.ipsec import netns_pair  # noqa: E402
from support.peers import self_signed, stop, tcpdump, wait_port  # noqa: E402

PORT = 4433


def _ns(ns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *cmd]


def make_capture(path: Path, bulk_mb: int, short: int) -> None:
    """Record the benchmark capture into ``path``."""
    work = Path(tempfile.mkdtemp(prefix="bench-proto-"))
    try:
        cert, key = self_signed(work, "server")
        (work / "big.bin").write_bytes(os.urandom(bulk_mb << 20))
        (work / "small.txt").write_bytes(b"x" * 2000)
        with netns_pair("mpb") as p:
            for ns, ifname in ((p.west, p.west_if), (p.east, p.east_if)):
                subprocess.run(_ns(ns, "ethtool", "-K", ifname, "tso", "off", "gso", "off", "gro", "off"), check=True, capture_output=True)
            server = subprocess.Popen(
                _ns(p.east, "openssl", "s_server", "-accept", str(PORT), "-cert", str(cert), "-key", str(key), "-WWW", "-naccept", str(2 * short + 1)),
                cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            try:
                time.sleep(0.5)
                with tcpdump(path, f"tcp port {PORT}", interface=p.west_if, netns=p.west):
                    for i in range(2 * short):
                        version = "-tls1_2" if i % 2 else "-tls1_3"
                        _fetch(p.west, p.east_ip, version, "/small.txt")
                    _fetch(p.west, p.east_ip, "-tls1_2", "/big.bin")
            finally:
                stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fetch(ns: str, host: str, version: str, url: str) -> None:
    subprocess.run(
        _ns(ns, "openssl", "s_client", "-connect", f"{host}:{PORT}", version, "-quiet", "-ign_eof"),
        input=f"GET {url} HTTP/1.0\r\n\r\n".encode(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False,
    )


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall time and CPU time (user + system) of ``cmd``, and the peak RSS (KiB) of the children so far.

    CPU time is the fairer figure on a machine shared with other jobs: waiting for a core does
    not count.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capture", type=Path, default=Path(tempfile.gettempdir()) / "mptool-bench-proto.pcap")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bulk-mb", type=int, default=110)
    parser.add_argument("--short", type=int, default=100, help="short fetches per TLS version")
    args = parser.parse_args()
    if not args.capture.exists():
        make_capture(args.capture, args.bulk_mb, args.short)
    size = args.capture.stat().st_size
    mptool = [sys.executable, "-m", "mptool", "proto", "analyze", str(args.capture), "--no-cert-checks", "-f", "json", "-o", os.devnull, "-q"]
    tshark = ["tshark", "-r", str(args.capture), "-Y", "tls.handshake.type", "-T", "fields",
              "-e", "tls.record.version", "-e", "tls.handshake.type", "-e", "tls.handshake.ciphersuite", "-e", "tls.handshake.extensions_server_name"]
    out = subprocess.run([sys.executable, "-m", "mptool", "proto", "analyze", str(args.capture), "--no-cert-checks", "-f", "json", "-q"], capture_output=True, check=False)
    import json

    evidence = json.loads(out.stdout)
    summary = next(r for r in evidence["results"] if r["check"] == "proto.capture.summary")["measurements"]
    print(f"capture: {size:,} bytes, {summary['packets']:,} packets, {evidence['summary']['tls_connections']} TLS connections")
    print()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print()
    print("| reader | run | wall s | MB/s (wall) | CPU s | MB/s (CPU) | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for name, cmd in (("mptool proto analyze", mptool), ("tshark 4.0 -Y tls.handshake.type -T fields", tshark)):
        if name.startswith("tshark") and not shutil.which("tshark"):
            continue
        for run in range(1, args.runs + 1):
            wall, cpu, rss = timed(cmd)
            print(f"| {name} | {run} | {wall:.2f} | {size / wall / 1e6:.0f} | {cpu:.2f} | {size / cpu / 1e6:.0f} | {rss / 1024:.0f} |")


if __name__ == "__main__":
    main()
