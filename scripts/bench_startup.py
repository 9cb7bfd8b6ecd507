#!/usr/bin/env python3
"""Start-up benchmark (issue 20): whole-process time of short mptool commands against
``python -c "import click, rich"``, interleaved, wall and CPU (user + system from ``wait4``).

    .venv/bin/python scripts/bench_startup.py [--runs 15] [--compare-src /tmp/main_src/src]

Byte code is compiled first (``compileall``) for the tree under test, so that neither side pays
for compiling mptool's modules (the environment may set PYTHONDONTWRITEBYTECODE). Each round
runs every command once, in turn; best and median per command are printed, and the ratios of
the best times to the click + rich import.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, CPU s of the process, exit code) of one run with output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare-src", type=Path, help="a reference source tree (its src/ directory) run with PYTHONPATH")
    args = parser.parse_args()
    python = sys.executable
    script = str(Path(sys.prefix) / "bin" / "mptool")  # the console script, as a person runs it (no runpy)
    trees = {"this": ROOT / "src"}
    if args.compare_src:
        trees["reference"] = args.compare_src
    for tree in trees.values():
        compileall.compile_dir(str(tree / "mptool"), quiet=1)
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands: list[tuple[str, list[str], dict[str, str]]] = [("python -c 'import click, rich'", [python, "-c", "import click, rich"], base_env)]
    # the floor of any text report rendered with rich (what the reference does not import)
    commands.append(("python -c 'import click, rich.console, rich.table'", [python, "-c", "import click, rich.console, rich.table"], base_env))
    for label, tree in trees.items():
        env = {**base_env, "PYTHONPATH": str(tree)}
        commands.append((f"{label}: mptool --version", [script, "--version"], env))
        commands.append((f"{label}: mptool algo verify sm3 … -q", [script, "algo", "verify", "sm3", "--data", "616263", "--digest", SM3_ABC, "-q"], env))
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in commands}
    load_before = os.getloadavg()
    for _ in range(args.runs):
        for label, argv, env in commands:
            wall, cpu, code = run_once(argv, env)
            if code != 0:
                raise SystemExit(f"{label}: exit code {code}")
            times[label].append((wall, cpu))
    load_after = os.getloadavg()
    print(f"nproc {os.cpu_count()}, load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {args.runs} interleaved rounds")
    base_wall = min(w for w, _ in times[commands[0][0]])
    base_cpu = min(c for _, c in times[commands[0][0]])
    print(f"{'command':52s} {'wall best':>9s} {'median':>7s} {'CPU best':>9s} {'median':>7s} {'ratio wall':>10s} {'ratio CPU':>9s}")
    for label, _, _ in commands:
        walls = [w for w, _ in times[label]]
        cpus = [c for _, c in times[label]]
        print(f"{label:52s} {min(walls):9.3f} {statistics.median(walls):7.3f} {min(cpus):9.3f} {statistics.median(cpus):7.3f} {min(walls) / base_wall:10.2f} {min(cpus) / base_cpu:9.2f}")


if __name__ == "__main__":
    main()
