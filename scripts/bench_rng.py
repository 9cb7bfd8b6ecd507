#!/usr/bin/env python3
"""Benchmark ``mptool rng``: one 10^6-bit sequence on one core, sets through the CLI, 10^8 bits.

Usage: .venv/bin/python scripts/bench_rng.py [--sets 1000] [--skip-large] [--repeat 5]
       .venv/bin/python scripts/bench_rng.py --compare-src /tmp/main_src/src --sets 1000 --rounds 2
         (issue 20: the set run interleaved with another checkout's code, e.g.
          `git archive 188877c src | tar -x -C /tmp/main_src`; wall, CPU of the process tree and
          their ratios, with the load average, and the per-phase profile of a batch in process)

Prints a Markdown report (machine, load, numbers) for docs/benchmarks.md. Data: NIST's data.e
for the single sequence; sets and the 10^8-bit sequence are generated from a seeded PCG64
(numpy), written to a temporary directory. Peak memory is the largest sum of VmRSS over the
process tree of the CLI (main process, forkserver and workers), sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mptool.core.bundled import data_path  # noqa: E402
from mptool.rng.battery import FUNCTIONS, evaluate  # noqa: E402
from mptool.rng.params import resolve  # noqa: E402
from mptool.rng.sequence import BitSequence  # noqa: E402


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()[:10]
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"nproc: {nproc}\n" + "\n".join(lscpu)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def data_e() -> np.ndarray:
    raw = np.frombuffer(data_path("rng", "data.e").read_bytes(), dtype=np.uint8)
    return (raw[(raw == 48) | (raw == 49)] - 48)[:1_000_000].copy()


def single_sequence(repeat: int) -> list[str]:
    bits = data_e()
    plan = resolve(bits.size)
    evaluate(bits, plan.tests)  # warm-up (imports, caches)
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        evaluate(bits, plan.tests)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    lines = [
        f"- full 27-item suite, one 10^6-bit sequence (data.e), one process, {repeat} runs: "
        f"wall best {min(wall):.3f} s / median {statistics.median(wall):.3f} s; CPU best {min(cpu):.3f} s (load {load()})",
    ]
    per_test = []
    for test, sets in plan.tests.items():
        for params in sets:
            seq = BitSequence(bits)
            if test in ("serial", "approximate_entropy"):
                seq.pattern_counts(6)  # shared by both tests, counted once in the suite
            t0 = time.perf_counter()
            FUNCTIONS[test](seq, **params)
            per_test.append(f"{test} {','.join(f'{k}={v}' for k, v in params.items())}: {1000 * (time.perf_counter() - t0):.1f} ms")
    lines.append("- per item (ms, one run): " + "; ".join(per_test))
    return lines


def _tree_rss(root: int, cpu: dict[int, float] | None = None) -> int:
    """RSS of the process tree under ``root``; ``cpu`` gets each process's user+system seconds so far."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry)] = int(fields.get("PPid", "0").strip())
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        if cpu is not None:
            try:
                stat_fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu[pid] = (int(stat_fields[11]) + int(stat_fields[12])) / ticks
            except (OSError, IndexError, ValueError):
                pass
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def run_cli(args: list[str], src: str | None = None, cpu: dict[int, float] | None = None) -> tuple[float, int]:
    """Wall time and peak tree RSS of one CLI run; ``cpu`` collects the tree's CPU seconds (sampled).

    ``src``: run the code of that source tree instead (PYTHONPATH first on the path).
    """
    peak = 0
    command = [sys.executable, "-m", "mptool", "rng", "test", *args, "-f", "json", "-o", os.devnull, "--quiet"]
    env = dict(os.environ, PYTHONPATH=src) if src else None
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid, cpu))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if code not in (0, 1):
        raise SystemExit(f"mptool exited {code}")
    return wall, peak


def write_random(path: Path, nbytes: int, seed: int) -> None:
    rng = np.random.Generator(np.random.PCG64(seed))
    with path.open("wb") as handle:
        left = nbytes
        while left:
            size = min(left, 1 << 24)
            handle.write(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
            left -= size


def compare(reference: str, sets: int, rounds: int) -> None:
    """Interleaved set runs, reference code then this checkout's, ``rounds`` times (issue 20)."""
    print(f"load average at start: {load()}\n")
    print("| round | code | wall | CPU (process tree) | peak memory | load average after |\n|---|---|---:|---:|---:|---|")
    walls: dict[str, list[float]] = {"reference": [], "this": []}
    cpus: dict[str, list[float]] = {"reference": [], "this": []}
    with tempfile.TemporaryDirectory(prefix="mptool-bench-rng-") as tmp:
        path = Path(tmp) / "set.bin"
        write_random(path, sets * 125_000, seed=2024)
        for round_ in range(1, rounds + 1):
            for name, src in (("reference", reference), ("this", None)):
                cpu: dict[int, float] = {}
                wall, peak = run_cli([str(path), "--bits", "1000000", "--count", str(sets)], src=src, cpu=cpu)
                walls[name].append(wall)
                cpus[name].append(sum(cpu.values()))
                print(f"| {round_} | {name} | {wall:.1f} s | {sum(cpu.values()):.1f} s | {peak / 2**20:.0f} MiB | {load()} |")
    wall_ratio = statistics.median(walls["this"]) / statistics.median(walls["reference"])
    cpu_ratio = statistics.median(cpus["this"]) / statistics.median(cpus["reference"])
    print(f"\nratios this/reference (medians): wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}; "
          f"CPU / 2 cores = {statistics.median(cpus['this']) / 2:.1f} s, the wall time on 2 idle cores\n")
    print(batch_profile())


def batch_profile(batch: int = 16) -> str:
    """Where the time of a set goes, per phase: reading and packing, items of a batch of ``batch`` sequences."""
    from mptool.rng import battery
    from mptool.rng.checks import linear_complexity

    rng = np.random.Generator(np.random.PCG64(7))
    raw = rng.integers(0, 256, batch * 125_000, dtype=np.uint8)
    t0 = time.process_time()
    sequences = [np.unpackbits(raw[i * 125_000 : (i + 1) * 125_000]) for i in range(batch)]
    packed = [np.packbits(s).tobytes() for s in sequences]
    unpack = time.process_time() - t0
    plan = resolve(1_000_000)
    battery.evaluate_batch(sequences[:2], plan.tests)  # warm-up
    phases: dict[str, float] = {"decode, pack and unpack": unpack}
    t0 = time.process_time()
    for params in plan.tests["linear_complexity"]:
        linear_complexity.block_complexities(sequences, params["m"])
    phases["linear complexity (one pass for the batch)"] = time.process_time() - t0
    for test, sets in plan.tests.items():
        if test == "linear_complexity":
            continue
        t0 = time.process_time()
        for sequence in sequences:
            seq = BitSequence(sequence)
            if test in ("serial", "approximate_entropy"):
                seq.pattern_counts(6)
            for params in sets:
                FUNCTIONS[test](seq, **params)
        phases[test] = time.process_time() - t0
    t0 = time.process_time()
    battery.evaluate_batch(sequences, plan.tests)
    whole = time.process_time() - t0
    del packed
    rows = "\n".join(f"| {name} | {1000 * value / batch:.1f} |" for name, value in sorted(phases.items(), key=lambda kv: -kv[1]))
    return f"Per sequence of 10^6 bits, in a batch of {batch} (CPU ms; load {load()}; whole batch {1000 * whole / batch:.1f} ms per sequence):\n\n| phase | CPU ms |\n|---|---:|\n{rows}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=1000, help="sequences of 10^6 bits in the set benchmark")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="skip the 10^8-bit runs")
    parser.add_argument("--compare-src", metavar="DIR", help="interleave the set run with the code of DIR (a src/ tree)")
    parser.add_argument("--rounds", type=int, default=2, help="with --compare-src: interleaved rounds")
    args = parser.parse_args()
    if args.compare_src:
        compare(args.compare_src, args.sets, args.rounds)
        return
    print("## rng\n\n```\n" + machine() + "\n```\n")
    print(f"load average at start: {load()}\n")
    for line in single_sequence(args.repeat):
        print(line)
    with tempfile.TemporaryDirectory(prefix="mptool-bench-rng-") as tmp:
        sets = Path(tmp) / "set.bin"
        write_random(sets, args.sets * 125_000, seed=2024)
        for jobs in (2, 1):
            wall, peak = run_cli([str(sets), "--bits", "1000000", "--count", str(args.sets), "--jobs", str(jobs)])
            print(f"- {args.sets} × 10^6 bits, CLI, --jobs {jobs}: wall {wall:.1f} s ({wall / args.sets:.3f} s per sequence), peak memory (process tree) {peak / 2**20:.0f} MiB (load {load()})")
        if not args.skip_large:
            large = Path(tmp) / "large.bin"
            write_random(large, 2 * 12_500_000, seed=2025)
            wall, peak = run_cli([str(large), "--bits", "100000000", "--count", "1"])
            print(f"- 1 × 10^8 bits (30 items), CLI: wall {wall:.1f} s, peak memory {peak / 2**20:.0f} MiB (load {load()})")
            wall, peak = run_cli([str(large), "--bits", "100000000", "--count", "2", "--jobs", "2"])
            print(f"- 2 × 10^8 bits, CLI, --jobs 2: wall {wall:.1f} s, peak memory {peak / 2**20:.0f} MiB (load {load()})")
            print(split_dft_check(large))


def split_dft_check(path: Path) -> str:
    """The bounded-memory split DFT against one direct FFT (≈ 1.7 GB) on the first 10^8 bits."""
    import math

    from mptool.rng.checks.correlation import DFT_THRESHOLD_FACTOR
    from mptool.rng.spectrum import count_below

    bits = np.unpackbits(np.fromfile(path, dtype=np.uint8, count=12_500_000))
    threshold = math.sqrt(DFT_THRESHOLD_FACTOR * bits.size)
    t0 = time.perf_counter()
    split = count_below(bits, threshold)
    t1 = time.perf_counter()
    direct = count_below(bits, threshold, direct_max=bits.size)
    t2 = time.perf_counter()
    same = "equal" if split == direct else "DIFFERENT"
    return f"- DFT count on 10^8 bits: split {split} ({t1 - t0:.1f} s), direct FFT {direct} ({t2 - t1:.1f} s): {same}"


if __name__ == "__main__":
    main()
