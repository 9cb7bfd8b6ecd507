#!/usr/bin/env python3
"""Time ``proto analyze`` of this checkout against another build on 20,000 short TLS connections.

The capture is the hostile many-connections capture of the tests (tests/support/hostile_captures),
every connection judged, at most 1,100 listed. Runs alternate between the builds so both see the
same load. Usage: scripts/bench_reason_codes.py RUNS OTHER_SRC (e.g. a ``git archive`` of an older
commit's src/ into /tmp/ref/src). Prints a Markdown row per build: runs, median wall s, median CPU
s, evidence bytes.
"""
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "support")]
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hostile_captures import many_connections  # noqa: E402



def main() -> None:
    """Make the capture once, time each build RUNS times (alternating), print the table rows."""
    capture = Path("/tmp/mptool-bench-many20k.pcap.gz")
    if not capture.exists():
        der = x509.load_pem_x509_certificate((ROOT / "vectors/certs/rsa/ee-cert.pem").read_bytes()).public_bytes(Encoding.DER)
        capture.write_bytes(many_connections(20_000, der))
    builds = {"this checkout": str(ROOT / "src"), "other": sys.argv[2]}
    rows: dict[str, list[tuple[float, float, int]]] = {label: [] for label in builds}
    for run in range(int(sys.argv[1])):
        for label, src in builds.items():
            out = Path(f"/tmp/mptool-bench-many20k-{run}-{len(rows[label])}-{label.split()[0]}.json")
            before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run([sys.executable, "-m", "mptool", "proto", "analyze", str(capture), "-f", "json", "-o", str(out), "--no-progress", "-q"],
                           env=dict(os.environ, PYTHONPATH=src), check=False)
            wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            rows[label].append((wall, cpu, out.stat().st_size))
            out.unlink()
    for label, runs in rows.items():
        walls, cpus = sorted(r[0] for r in runs), sorted(r[1] for r in runs)
        print(f"| {label} | {len(runs)} | {walls[len(walls) // 2]:.2f} | {cpus[len(cpus) // 2]:.2f} | {runs[0][2]:,} |")


if __name__ == "__main__":
    main()
