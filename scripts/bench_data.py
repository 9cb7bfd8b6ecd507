#!/usr/bin/env python3
"""Benchmark ``mptool data sample``: 10,000 rows sampled from SQLite and judged (issue target < 10 s).

Usage: .venv/bin/python scripts/bench_data.py [--rows 10000] [--repeat 3]

Builds a temporary SQLite table (SM4-CBC BLOB column with the IV prefixed, Base64-of-plaintext
column, HMAC-SM3 column over id|name) with ``cryptography``, then times the whole CLI as a
subprocess (startup included) for: protection only; with --key (decryption search + all rows
decrypted); with --key and --mac-column (HMAC-SM3 verified on every row). Prints Markdown.
"""

from __future__ import annotations

import argparse
import base64
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ROOT = Path(__file__).resolve().parents[1]
KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
MAC_KEY = b"bench-mac-key-16"
#: Evidence goes to a temporary file: never ``-o /dev/null`` (mptool writes atomically with a rename,
#: which as root would replace the device node with a regular file).
OUT = Path(tempfile.gettempdir()) / f"mptool-bench-data-{os.getpid()}.json"


def build(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, phone BLOB, name_b64 TEXT, mac TEXT)")
    rows = []
    for i in range(n):
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        data = padder.update(f"1{i:010d}".encode()) + padder.finalize()
        enc = Cipher(algorithms.SM4(KEY), modes.CBC(iv)).encryptor()
        name = base64.b64encode(f"用户{i:05d}".encode()).decode()
        h = hmac.HMAC(MAC_KEY, hashes.SM3())
        h.update(f"{i}|{name}".encode())
        rows.append((i, iv + enc.update(data) + enc.finalize(), name, h.finalize().hex()))
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()


def run(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mptool", "data", "sample", *args, "-f", "json", "-o", str(OUT), "-q"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        build(db, ns.rows)
        base = [str(db), "--table", "t", "-c", "phone", "-c", "name_b64", "--rows", str(ns.rows)]
        cases = {
            "protection only (encoding, entropy, repeats, GM/T 0005 on up to 10^6 bits), 2 columns": base,
            "+ `--key` (decryption search on 32 values, then every value decrypted)": [*base, "--key", KEY.hex()],
            "+ `--key` + `--mac-column` (HMAC-SM3 verified on every row)": [*base, "--key", KEY.hex(), "--mac-column", "mac", "--mac-key", MAC_KEY.hex(), "--mac-over", "id,name_b64"],
            "`--version` (interpreter + CLI startup, for reference)": None,
        }
        print(f"machine: nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
        print()
        print(f"| `data sample`, {ns.rows:,} rows from SQLite, random order (median of {ns.repeat}) | time |")
        print("|---|---:|")
        for label, args in cases.items():
            times = []
            for _ in range(ns.repeat):
                if args is None:
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "mptool", "--version"], capture_output=True, check=True)
                    times.append(time.perf_counter() - start)
                else:
                    times.append(run(args))
            print(f"| {label} | {statistics.median(times):.2f} s |")
    OUT.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
