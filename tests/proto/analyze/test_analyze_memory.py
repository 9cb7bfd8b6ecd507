"""``proto analyze`` memory stays bounded (issue 21): a gzip bomb streams, 20,000 TLS connections
give compact evidence. Peak RSS is measured in a subprocess (``resource.getrusage``); the
bounds are memory bounds, not timings. Measurements are in docs/proto.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from support.hostile_captures import gzip_bomb, many_connections

#: A small launcher runs mptool as its child and reports the child's peak (RUSAGE_CHILDREN):
#: on Linux a process started straight from pytest inherits pytest's peak RSS in ru_maxrss
#: (it survives fork and execve), a grandchild does not.
RUN = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "mptool", *sys.argv[1:]])
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(done.returncode)
"""


def _analyze(capture: Path, out: Path) -> tuple[int, int, dict]:
    proc = subprocess.run([sys.executable, "-c", RUN, "proto", "analyze", str(capture), "-f", "json", "-o", str(out), "--no-progress"], capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    peak = int(proc.stderr.split("PEAK_KIB")[1].split()[0])
    return proc.returncode, peak // 1024, json.loads(out.read_text())


def test_gzip_bomb_streams(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pcap.gz"
    bomb.write_bytes(gzip_bomb(256 << 20))  # 256 MiB of records from about 250 KiB
    assert bomb.stat().st_size < 400 << 10
    _, peak_mib, ev = _analyze(bomb, tmp_path / "out.json")
    summary = next(r for r in ev["results"] if r["check"] == "proto.capture.summary")
    assert summary["measurements"]["captured_bytes"] == (256 << 20) // (16 + 262144) * 262144
    assert peak_mib < 200, f"peak RSS {peak_mib} MiB"  # before: the whole stream inflated at once (> 512 MiB)


def test_twenty_thousand_connections_stay_bounded(tmp_path: Path, data) -> None:
    der = x509.load_pem_x509_certificate((data.root / "certs/rsa/ee-cert.pem").read_bytes()).public_bytes(Encoding.DER)
    capture = tmp_path / "many.pcap.gz"
    capture.write_bytes(many_connections(20_000, der))
    _, peak_mib, ev = _analyze(capture, tmp_path / "out.json")
    assert ev["summary"]["tls_connections"] == 20_000
    channels = [r["measurements"] for r in ev["results"] if r["check"] == "proto.tls.channel"]
    assert len(channels) == ev["summary"]["tls_connections_listed"] <= 1100
    assert len(channels) + sum(m.get("similar_connections", 0) for m in channels) == 20_000
    assert sum(r["check"] == "cert.path.build" for r in ev["results"]) == 1  # one chain, checked once
    assert (tmp_path / "out.json").stat().st_size < 20 << 20
    assert peak_mib < 700, f"peak RSS {peak_mib} MiB"  # before: 2.9 GiB and 254 MB of evidence
