#!/usr/bin/env python3
"""Rewrite the generated figures quoted in the docs (``<!-- figure:NAME -->value<!-- /figure -->``).

Figures: ``bundled-vectors`` — the number of known-answer vectors ``mptool algo verify`` runs on
the bundled set. Run after changing the bundled vectors; tests/algo/test_verify_vectors.py fails
while a quoted figure differs from the measured one.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURE = re.compile(r"<!-- figure:(?P<name>[a-z-]+) -->(?P<value>[^<]*)<!-- /figure -->")
#: The files that quote figures.
QUOTING = ("README.md", "docs/algo.md", "vectors/algo/SOURCES.md")


def measure() -> dict[str, str]:
    """Every figure's current value, formatted as the docs show it."""
    out = subprocess.run([sys.executable, "-m", "mptool", "algo", "verify", "-f", "json", "--no-progress"], capture_output=True, text=True, check=False)
    run = json.loads(out.stdout)["summary"]["vectors_run"]
    return {"bundled-vectors": f"{run:,}"}


def quoted(text: str) -> list[tuple[str, str]]:
    """(name, value) of every figure quoted in ``text``."""
    return [(m["name"], m["value"]) for m in FIGURE.finditer(text)]


def main() -> int:
    figures = measure()
    for name in QUOTING:
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        path.write_text(FIGURE.sub(lambda m: f"<!-- figure:{m['name']} -->{figures[m['name']]}<!-- /figure -->", text), encoding="utf-8")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
