"""Benchmark of ``mptool device``: soft-device build time, SDF_GenerateRandom throughput, and a full
``device test`` run with the default random sample (20 × 10^6 bits). Numbers go to docs/benchmarks.md.

    .venv/bin/python scripts/bench_device.py
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mptool.device.api import build_softsdf, init_softsdf
from mptool.device.sdf.binding import SDFLibrary, Session, addr

PASSWORD = "bench-password"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        library = build_softsdf(Path(tmp))
        print(f"build libsoftsdf.so: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        init_softsdf(Path(tmp), PASSWORD.encode())
        print(f"init key store (4 indices, 4 KEKs): {time.perf_counter() - start:.2f} s")
        lib = SDFLibrary(str(library))
        total = 20 * 1_000_000 // 8
        with Session(lib) as s:
            buf = ctypes.create_string_buffer(65536)
            start = time.perf_counter()
            done = 0
            while done < total:
                lib.ok("SDF_GenerateRandom", s.handle, 65536, addr(buf))
                done += 65536
            elapsed = time.perf_counter() - start
        print(f"SDF_GenerateRandom, 64 KiB calls: {done / elapsed / 1e6:.1f} MB/s ({done} bytes in {elapsed:.3f} s)")
        for count in (20, 100):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "mptool", "device", "test", "--sdf", str(library), "--password", PASSWORD,
                            "--random-count", str(count), "-f", "json", "-o", str(Path(tmp) / "ev.json"), "-q"], check=False)
            print(f"device test, all checks, random {count} × 10^6 bits: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
