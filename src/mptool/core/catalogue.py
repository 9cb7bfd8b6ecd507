"""The check catalogue: every check with its title, cited clause, rule ids and finding codes
(and, from ``core/i18n/zh.yaml``, its Chinese title and finding meanings).

It is generated from the domains' ``CHECKS`` tables and committed as
``mptool/schemas/checks-v1.json``, like the evidence schema: evidence consumers rely on the ids
and codes it lists, so a test fails when one disappears or changes meaning (additions are fine,
once committed). Regenerate with ``python -m mptool.core.catalogue --write``.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from mptool.core.registry import CheckSpec, load_all

CATALOGUE_ID = "mptool.checks/1"
CATALOGUE_FILE = "checks-v1.json"


def spec_entry(spec: CheckSpec) -> dict[str, Any]:
    """One check as the catalogue lists it."""
    return {
        "id": spec.id,
        "domain": spec.domain,
        "title": spec.title,
        "reference": spec.reference,
        "rule_ids": list(spec.rule_ids),
        "findings": dict(sorted(spec.finding_codes.items())),
        "description": spec.description,
        "title_zh": spec.title_zh,
        "findings_zh": dict(sorted(spec.finding_codes_zh.items())),
    }


def generate() -> dict[str, Any]:
    """The catalogue of this build."""
    return {"catalogue": CATALOGUE_ID, "checks": [spec_entry(spec) for spec in load_all()]}


def render(catalogue: dict[str, Any]) -> str:
    """The committed text form (stable: sorted ids, two-space indent, UTF-8)."""
    return json.dumps(catalogue, ensure_ascii=False, indent=2) + "\n"


def committed_path() -> Path:
    """Where the committed catalogue lives in the source tree (or the installed package)."""
    return Path(str(resources.files("mptool.schemas"))) / CATALOGUE_FILE


def committed() -> dict[str, Any]:
    """The committed catalogue."""
    return json.loads(committed_path().read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    """``--write`` regenerates the committed file; otherwise print the catalogue."""
    text = render(generate())
    if argv == ["--write"]:
        committed_path().write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
