#!/usr/bin/env python3
"""Benchmark ``mptool proto analyze`` against tshark on a 100 MB+ capture of mostly bulk TLS.

Makes the capture (unless ``--capture FILE`` exists already): two network namespaces joined by a
veth pair with MTU 1500 and TSO/GSO/GRO off (so frames are wire-sized) or, with ``--offloads
on``, on (so the capture holds the large TSO/GRO frames a host capture has), ``openssl s_server
-WWW`` in one, in the other SHORT TLS 1.2 and SHORT TLS 1.3 fetches plus one download of a
random file of BULK_MB MB, tcpdump -s 0 on the veth. Then times, RUNS times each, interleaved
(mptool, tshark, mptool, tshark, ...) so both see the same load:

* ``mptool proto analyze -f json`` (a subprocess; wall time, CPU time and peak RSS), with the
  certificate checks unless ``--no-cert-checks``,
* ``tshark -Y tls.handshake.type -T fields -e tls.handshake.ciphersuite`` (issue 20's peer).

Needs root and the Debian packages openssl, tcpdump, iproute2, ethtool, tshark.
Usage: scripts/bench_proto.py [--capture FILE] [--offloads on|off] [--runs N] [--bulk-mb N]
[--short N] [--no-cert-checks]
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


def make_capture(path: Path, bulk_mb: int, short: int, offloads: str = "off") -> None:
    """Record the benchmark capture into ``path``."""
    work = Path(tempfile.mkdtemp(prefix="bench-proto-"))
    try:
        cert, key = self_signed(work, "server")
        (work / "big.bin").write_bytes(os.urandom(bulk_mb << 20))
        (work / "small.txt").write_bytes(b"x" * 2000)
        with netns_pair("mpb") as p:
            for ns, ifname in ((p.west, p.west_if), (p.east, p.east_if)):
                subprocess.run(_ns(ns, "ethtool", "-K", ifname, "tso", offloads, "gso", offloads, "gro", offloads), check=True, capture_output=True)
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


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time and CPU time (user + system) of ``cmd``, and the peak RSS (KiB) of the children so far.

    CPU time is the fairer figure on a machine shared with other jobs: waiting for a core does
    not count.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capture", type=Path, default=None, help="default: mptool-bench-proto[-offloads].pcap in the temporary directory")
    parser.add_argument("--offloads", choices=("on", "off"), default="off", help="TSO/GSO/GRO on the veth when making the capture")
    parser.add_argument("--no-cert-checks", action="store_true", help="time mptool with --no-cert-checks")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bulk-mb", type=int, default=110)
    parser.add_argument("--short", type=int, default=100, help="short fetches per TLS version")
    parser.add_argument("--also", action="append", default=[], metavar="LABEL=PYTHON[:SRC]",
                        help="also time another mptool in the same interleaved series (e.g. the code before a change: ref=.venv/bin/python:/tmp/main_src/src); its evidence must equal this one's")
    args = parser.parse_args()
    capture = args.capture or Path(tempfile.gettempdir()) / ("mptool-bench-proto-offloads.pcap" if args.offloads == "on" else "mptool-bench-proto.pcap")
    if not capture.exists():
        make_capture(capture, args.bulk_mb, args.short, args.offloads)
    size = capture.stat().st_size
    checks = ["--no-cert-checks"] if args.no_cert_checks else []
    analyze = ["-m", "mptool", "proto", "analyze", str(capture), *checks, "-f", "json"]
    variants: list[tuple[str, list[str], dict[str, str] | None]] = [("mptool", [sys.executable, *analyze], None)]
    for spec in args.also:
        label, _, where = spec.partition("=")
        python, _, src = where.partition(":")
        variants.append((label, [python, *analyze], dict(os.environ, PYTHONPATH=src) if src else None))
    evidence = [_evidence([*cmd, "--deterministic"], env) for _, cmd, env in variants]
    summary = next(r for r in evidence[0]["results"] if r["check"] == "proto.capture.summary")["measurements"]
    print(f"capture: {capture.name}, {size:,} bytes, {summary['packets']:,} packets, largest frame {_largest_frame(capture):,} bytes, {evidence[0]['summary']['tls_connections']} TLS connections")
    for (label, _, _), other in zip(variants[1:], evidence[1:]):
        print(f"evidence of {label} {'equals' if other == evidence[0] else 'DIFFERS FROM'} this one's (all but the tool block)")
    tshark = ["tshark", "-r", str(capture), "-Y", "tls.handshake.type", "-T", "fields", "-e", "tls.handshake.ciphersuite"]
    print()
    print(f"load average before: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    names = [label for label, _, _ in variants]
    print("| run | " + " | ".join(f"{n} wall s | {n} CPU s | {n} peak RSS MiB" for n in names) + " | tshark wall s | tshark CPU s | " + " | ".join(f"{n}/tshark wall | {n}/tshark CPU" for n in names) + " |")
    print("|---" * (1 + 3 * len(names) + 2 + 2 * len(names)) + "|")
    ratios: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for run in range(1, args.runs + 1):
        row = [str(run)]
        times = []
        for label, cmd, env in variants:  # interleaved: every variant, then tshark, in each round
            wall, cpu, rss = timed_rss([*cmd, "-o", os.devnull, "-q"], env)
            times.append((wall, cpu))
            row += [f"{wall:.2f}", f"{cpu:.2f}", f"{rss / 1024:.0f}"]
        t_wall, t_cpu, _ = timed_rss(tshark)
        row += [f"{t_wall:.2f}", f"{t_cpu:.2f}"]
        for label, (wall, cpu) in zip(names, times):
            ratios[label].append((wall / t_wall, cpu / t_cpu))
            row += [f"{wall / t_wall:.2f}", f"{cpu / t_cpu:.2f}"]
        print("| " + " | ".join(row) + " |")
    print()
    for label, values in ratios.items():
        walls, cpus = sorted(r[0] for r in values), sorted(r[1] for r in values)
        print(f"median ratio {label}/tshark: wall {walls[len(walls) // 2]:.2f}, CPU {cpus[len(cpus) // 2]:.2f}")
    print(f"load average after: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _evidence(cmd: list[str], env: dict[str, str] | None) -> dict:
    """The JSON evidence of one run, without the machine-dependent tool block."""
    import json

    out = subprocess.run(cmd, capture_output=True, check=False, env=env)
    evidence = json.loads(out.stdout)
    evidence.pop("tool", None)
    return evidence


def timed_rss(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time, CPU time and peak RSS (KiB) of one run of ``cmd`` alone (GNU time's -f would
    need another package; a fork of this process measures only its own child)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child times the command and reports through the pipe
        os.close(read)
        wall, cpu, _ = timed(cmd, env)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(write, f"{wall} {cpu} {rss}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        wall_s, cpu_s, rss_s = pipe.read().split()
    os.waitpid(pid, 0)
    return float(wall_s), float(cpu_s), int(rss_s)


def _largest_frame(capture: Path) -> int:
    """The largest captured frame of a pcap (shows whether the offloads left TSO/GRO frames)."""
    import struct

    largest = 0
    with capture.open("rb") as f:
        f.read(24)
        while head := f.read(16):
            incl = struct.unpack("<IIII", head)[2]
            largest = max(largest, incl)
            f.seek(incl, 1)
    return largest


if __name__ == "__main__":
    main()
