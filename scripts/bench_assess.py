"""Benchmark: scoring a 41-indicator × 30-object level-3 assessment in-process.

Usage: .venv/bin/python scripts/bench_assess.py [--repeat N]

Builds a case with 30 technical objects spread over the four layers (every object judged on
every technical indicator of its layer, mixed D/A/K/Ra/Rk, a few 不适用 and compensations) and
all 19 management indicators, then times (1) the Decimal engine alone and (2) the whole
``score_case`` (YAML load with line numbers + validation + engine + risk rows).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from mptool.assess.api import score_case
from mptool.assess.indicators import TECHNICAL_LAYERS, catalogue
from mptool.assess.rules import rule_set
from mptool.assess.rules.engine import ObjectInput, score


def build_case() -> tuple[str, list[ObjectInput], dict[str, str], int]:
    cat = catalogue()
    level = 3
    objects = [(f"obj{n:02d}", TECHNICAL_LAYERS[n % 4]) for n in range(30)]
    lines = ["schema: mptool.assessment/1", "system: {name: 基准系统, level: 3}", "objects:"]
    lines += [f"  - {{id: {oid}, layer: {layer}}}" for oid, layer in objects]
    lines.append("judgements:")
    items: list[ObjectInput] = []
    n = 0
    for oid, layer in objects:
        for ind in cat.at_level(level):
            if ind.kind != "technical" or ind.layer != layer:
                continue
            n += 1
            if n % 11 == 0:
                lines.append(f"  - {{object: {oid}, indicator: {ind.id}, result: 不适用, reason: 基准}}")
                items.append(ObjectInput(oid, ind.id, na=True))
                continue
            d, a, k = n % 7 != 0, n % 3 != 0, n % 5 != 0
            ra = ["1", "0.5", "0.2"][n % 3]
            rk = ["1", "1.2"][n % 2]
            lines.append(f"  - {{object: {oid}, indicator: {ind.id}, D: {str(d).lower()}, A: {str(a).lower()}, K: {str(k).lower()}, Ra: {ra}, Rk: {rk}}}")
            items.append(ObjectInput(oid, ind.id, False, d, a, k, Decimal(ra), Decimal(rk)))
    results = ["符合", "部分符合", "不符合"]
    management = {ind.id: results[i % 3] for i, ind in enumerate(i for i in cat.at_level(level) if i.kind == "management")}
    lines.append("management:")
    lines += [f"  - {{indicator: {k}, result: {v}}}" for k, v in management.items()]
    return "\n".join(lines) + "\n", items, management, n


def timed(func, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    text, items, management, judgements = build_case()
    rules = rule_set("quant-2023")
    score(rules, 3, items, management)  # warm caches (catalogue, rules)
    engine = timed(lambda: score(rules, 3, items, management), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "assessment.yaml"
        path.write_text(text, encoding="utf-8")
        full = timed(lambda: score_case(path), args.repeat)
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"case: 41 indicators (level 3), 30 objects, {judgements} technical judgements, 19 management")
    for name, values in (("engine (Decimal scoring + lost points)", engine), ("score_case (YAML load + validate + engine + risks)", full)):
        print(f"{name}: median {statistics.median(values) * 1000:.1f} ms, min {min(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms over {len(values)} runs")


if __name__ == "__main__":
    main()
