#!/usr/bin/env python3
"""Benchmark ``mptool algo``: the whole bundled vector set, parsing, and the evidence forms.

Reports wall time of ``algo verify`` over every bundled vector with 1 and with N worker
processes (best of ``--repeat``), the parse-only time, the time per vector group on one core,
the GB/T 32907 1,000,000-iteration SM4 example, and the latency of ``identify`` and of the
evidence checks on 1 MiB of data. Numbers go to docs/benchmarks.md (section algo); nothing
here is asserted by the tests.

    .venv/bin/python scripts/bench_algo.py [--repeat 3] [--jobs 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from mptool.algo import commands
from mptool.algo.vectors import handlers as kat
from mptool.algo.checks import kat as verify
from mptool.algo.vectors import loader
from mptool.core.report import ReportBuilder


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Smallest wall time over ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bundled_run(jobs: int) -> dict[str, Any]:
    """``algo verify`` over the bundled set with ``jobs`` workers; returns the summary totals."""
    builder = ReportBuilder("algo verify", [])
    verify.run_vectors(builder, verify.bundled_sources(builder), jobs=jobs)
    return dict(builder.summary_extra)


def parse_only() -> int:
    """Parse every bundled file; the number of vectors."""
    root = loader.vectors_dir()
    return sum(len(loader.load(loader.Source(p.relative_to(root).as_posix(), p.read_bytes())).vectors) for p in loader.bundled_files())


def per_group() -> dict[str, tuple[int, float]]:
    """Vectors and seconds per group on one core (parsing excluded)."""
    root = loader.vectors_dir()
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in loader.bundled_files():
        for vector in loader.load(loader.Source(path.relative_to(root).as_posix(), path.read_bytes())).vectors:
            start = time.perf_counter()
            kat.run_vector(vector)
            totals[vector.group][0] += 1
            totals[vector.group][1] += time.perf_counter() - start
    return {g: (int(n), t) for g, (n, t) in sorted(totals.items())}


def evidence_forms(repeat: int) -> dict[str, float]:
    """Seconds for each evidence form on 1 MiB of data (values passed as hex, as on the CLI)."""
    from mptool.algo.primitives import ciphers
    from mptool.algo.checks.evidence import _sm3

    data = os.urandom(1 << 20)
    key, iv = bytes(range(16)), bytes(12)
    ct, tag = ciphers.encrypt("sm4", "gcm", key, data, iv=iv)
    cbc, _ = ciphers.encrypt("sm4", "cbc", key, ciphers.pad(data, 16, "pkcs7"), iv=bytes(16))
    forms = {
        "sm3 (1 MiB)": ("sm3", {"data": data.hex(), "digest": _sm3(data).hex()}),
        "sm4 gcm (1 MiB)": ("sm4", {"mode": "gcm", "key": key.hex(), "iv": iv.hex(), "plaintext": data.hex(), "ciphertext": ct.hex(), "tag": tag.hex()}),
        "sm4 cbc pkcs7 (1 MiB)": ("sm4", {"mode": "cbc", "key": key.hex(), "iv": bytes(16).hex(), "plaintext": data.hex(), "ciphertext": cbc.hex()}),
    }
    out = {}
    for name, (form, options) in forms.items():
        out[name] = best_of(lambda: commands.verify_evidence(ReportBuilder("algo verify", []), form, options), repeat)[0]
    small_ct, small_tag = ciphers.encrypt("sm4", "cbc", key, bytes(64), iv=bytes(16))
    identify_options = {"key": key.hex(), "plaintext": bytes(64).hex(), "ciphertext": small_ct.hex(), "iv": None, "aad": None, "tag": None}
    out["identify (64-byte record)"] = best_of(lambda: commands.run_identify(ReportBuilder("algo identify", []), identify_options), repeat)[0]
    return out


def million_iterations() -> float:
    """GB/T 32907-2016 Annex A example 2 through the KAT runner."""
    from mptool.algo.vectors.gmjson import parse

    gm = json.loads((loader.vectors_dir() / "gm" / "gm_standard_examples.json").read_text())
    vector = next(v for v in parse({"sm4": gm["sm4"]}, "gm").vectors if v.fields.get("iterations"))
    start = time.perf_counter()
    assert kat.run_vector(vector).status == kat.PASS
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args()
    report: dict[str, Any] = {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()}
    report["bundled_1_job_s"], totals = best_of(lambda: bundled_run(1), args.repeat)
    report[f"bundled_{args.jobs}_jobs_s"], _ = best_of(lambda: bundled_run(args.jobs), args.repeat)
    report["totals"] = totals
    report["parse_only_s"], report["vectors_parsed"] = best_of(parse_only, args.repeat)
    report["sm4_million_iterations_s"] = min(million_iterations() for _ in range(args.repeat))
    report["evidence_s"] = evidence_forms(args.repeat)
    report["per_group"] = per_group()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"python {report['python']}, {report['cpus']} CPUs, load average {report['load_average'][0]:.2f}")
    print(f"bundled set: {totals['vectors_run']} vectors, {totals['vectors_failed']} failed, {totals['vectors_skipped']} skipped")
    print(f"  1 job: {report['bundled_1_job_s']:.2f} s; {args.jobs} jobs: {report[f'bundled_{args.jobs}_jobs_s']:.2f} s")
    print(f"  parse only: {report['parse_only_s']:.2f} s for {report['vectors_parsed']} vectors")
    print(f"SM4 1,000,000 iterations: {report['sm4_million_iterations_s']:.2f} s")
    for name, seconds in report["evidence_s"].items():
        print(f"{name}: {1000 * seconds:.1f} ms")
    print("per group, one core, run only (vectors, seconds):")
    for group, (count, seconds) in report["per_group"].items():
        print(f"  {group:18} {count:7d} {seconds:7.2f}")


if __name__ == "__main__":
    main()
