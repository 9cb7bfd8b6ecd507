"""Benchmark: the 2023-template report of a 41-indicator × 30-object level-3 assessment.

Usage: .venv/bin/python scripts/bench_report.py [--repeat N]

Reuses the case of scripts/bench_assess.py (30 technical objects over the four layers, every
object judged on every technical indicator of its layer, all 19 management indicators) and times,
in-process: score_case, the report model with its three matplotlib charts, the Word rendering
(python-docx) and the HTML rendering. The first repetition includes the imports (matplotlib,
python-docx), as a CLI run would.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_assess import build_case  # noqa: E402

from mptool.assess.api import score_case  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text, _items, _management, judgements = build_case()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "assessment.yaml"
        path.write_text(text, encoding="utf-8")
        rows: dict[str, list[float]] = {"score_case": [], "report model + charts": [], "docx": [], "html": [], "total": []}
        sizes = {}
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            scored = score_case(path)
            t1 = time.perf_counter()
            from mptool.assess.report.data import build_report_data

            data = build_report_data(scored)
            t2 = time.perf_counter()
            from mptool.assess.report.docx import render_docx

            docx = render_docx(data)
            t3 = time.perf_counter()
            from mptool.assess.report.html import render_html

            html = render_html(data)
            t4 = time.perf_counter()
            for key, value in zip(rows, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
                rows[key].append(value)
            sizes = {"docx bytes": len(docx), "html bytes": len(html.encode()), "appendix A rows": len(data["records"])}
    print(f"machine: {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()} python {platform.python_version()}")
    print(f"case: 41 indicators, 30 objects, {judgements} technical judgements; {sizes}")
    for key, values in rows.items():
        print(f"{key:<24} first {values[0]:.3f} s   median {statistics.median(values):.3f} s   min {min(values):.3f} s")


if __name__ == "__main__":
    main()
