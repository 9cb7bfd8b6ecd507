#!/usr/bin/env python3
"""Where ``mptool proto analyze`` spends its time, phase by phase, in one process (issue 20).

Times (wall and CPU of the process, all threads) the phases of one run on CAPTURE, the same way
the CLI runs them: imports of the analysis code, the packet loop (reading, the digests in their
background thread, decoding and TLS/SSH/IKE state), the results (judges, certificate checks,
compaction), building the evidence and writing it as JSON. Python start-up is measured apart as
``python -c pass`` and ``import mptool.cli`` in fresh processes.

Usage: scripts/profile_proto_analyze.py CAPTURE [--runs N] [--no-cert-checks] [--cprofile FILE]
Prints a Markdown table (median of the runs) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


class Phases:
    """Accumulates (wall, CPU) per named phase."""

    def __init__(self) -> None:
        self.times: dict[str, tuple[float, float]] = {}
        self._mark = (time.perf_counter(), time.process_time())

    def lap(self, name: str) -> None:
        now = (time.perf_counter(), time.process_time())
        self.times[name] = (now[0] - self._mark[0], now[1] - self._mark[1])
        self._mark = now


def one_run(capture: str, cert_checks: bool, hook: Callable[[Phases], None] | None = None) -> dict[str, tuple[float, float]]:
    """One analysis of ``capture`` in this process, timed by phase."""
    phases = Phases()
    from mptool.core.report import ReportBuilder
    from mptool.proto import analyze
    from mptool.render.json import dumps

    phases.lap("imports (analysis, evidence model)")
    builder = ReportBuilder(command="proto analyze", arguments=[capture])
    analyze_one = analyze.analyze_one
    laps: dict[str, Any] = {}

    def timed_one(*args: Any, **kwargs: Any) -> dict[str, int]:
        original = analyze.Analyzer.finish

        def finish(self: Any) -> Any:
            phases.lap("packet loop + digests")
            return original(self)

        analyze.Analyzer.finish = finish  # type: ignore[method-assign]
        try:
            return analyze_one(*args, **kwargs)
        finally:
            analyze.Analyzer.finish = original  # type: ignore[method-assign]
            laps["done"] = True

    analyze.analyze_one = timed_one  # type: ignore[assignment]
    try:
        analyze.analyze_captures(builder, [capture], cert_checks=cert_checks)
    finally:
        analyze.analyze_one = analyze_one  # type: ignore[assignment]
    phases.lap("results (judges, certificates)")
    evidence = builder.build()
    phases.lap("evidence model (build)")
    with open(os.devnull, "wb") as sink:
        sink.write(dumps(evidence).encode("utf-8"))
    phases.lap("JSON (render + write)")
    return phases.times


def fresh(code: str) -> tuple[float, float]:
    """Wall and CPU time of ``python -c code`` in a new process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("capture")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-cert-checks", action="store_true")
    parser.add_argument("--cprofile", metavar="FILE", help="also write a cProfile of one more run to FILE")
    args = parser.parse_args()
    if not os.path.isfile(args.capture):
        sys.exit(f"{args.capture}: no such file")
    rows: dict[str, list[tuple[float, float]]] = {"Python start-up (python -c pass)": [], "import mptool.cli (click, CLI)": []}
    for _ in range(args.runs):
        rows["Python start-up (python -c pass)"].append(fresh("pass"))
        rows["import mptool.cli (click, CLI)"].append(fresh("import mptool.cli"))
    # each run in a new process: imports are only cold once
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, args.capture, "--inner", *(["--no-cert-checks"] if args.no_cert_checks else [])], capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            name, wall, cpu = line.rsplit("\t", 2)
            rows.setdefault(name, []).append((float(wall), float(cpu)))
    print(f"load average: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print("| phase | wall s (median) | CPU s (median) |")
    print("|---|---:|---:|")
    for name, values in rows.items():
        walls, cpus = sorted(v[0] for v in values), sorted(v[1] for v in values)
        print(f"| {name} | {walls[len(walls) // 2]:.3f} | {cpus[len(cpus) // 2]:.3f} |")
    if args.cprofile:
        import cProfile

        cProfile.run(f"one_run({args.capture!r}, {not args.no_cert_checks})", args.cprofile)


if __name__ == "__main__":
    if "--inner" in sys.argv:
        times = one_run(sys.argv[1], "--no-cert-checks" not in sys.argv)
        for phase, (w, c) in times.items():
            print(f"{phase}\t{w:.4f}\t{c:.4f}")
    else:
        main()
