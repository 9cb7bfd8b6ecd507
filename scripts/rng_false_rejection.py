#!/usr/bin/env python3
"""How often a good generator fails the GM/T 0005-2021 set decision, measured against the formula.

Usage: .venv/bin/python scripts/rng_false_rejection.py --sequences 20 --bits 20000 --sets 3000

Each set is read from os.urandom (the kernel's generator, taken as a perfect source) and judged as
``mptool rng test`` judges it (``mptool.rng.api.test_bytes``). Prints the share of failing sets,
its 95 % interval, and ``mptool.rng.decision.perfect_source_failure`` for the same set; the numbers
are recorded in docs/rng.md ("What a set can show").
"""

from __future__ import annotations

import argparse
import math
import os
import time

from mptool.rng.api import test_bytes
from mptool.rng.decision import perfect_source_failure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=20, help="sequences per set (s)")
    parser.add_argument("--bits", type=int, default=20_000, help="bits per sequence")
    parser.add_argument("--sets", type=int, default=1000, help="sets to draw")
    args = parser.parse_args()
    failing, items, started = 0, 0, time.perf_counter()
    for _ in range(args.sets):
        _results, verdict = test_bytes(os.urandom(args.sequences * args.bits // 8), bits=args.bits, subject="urandom")
        items = verdict["items"]
        failing += verdict["verdict"] != "pass"
    share = failing / args.sets
    half = 1.96 * math.sqrt(share * (1 - share) / args.sets)
    print(
        f"{args.sets} sets of {args.sequences} × {args.bits} bits ({items} items): {failing} fail, {share:.3f} "
        f"(95 % {max(0.0, share - half):.3f}–{share + half:.3f}); formula {perfect_source_failure(args.sequences, items):.3f}; "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
