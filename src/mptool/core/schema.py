"""The evidence JSON Schema: generated from the model, committed inside the package.

Run ``python -m mptool.core.schema`` to regenerate ``mptool/schemas/evidence-v1.schema.json``
after changing :mod:`mptool.core.model`; a test fails while the two differ.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from mptool.core.model import SCHEMA_ID, Evidence

SCHEMA_RESOURCE = "evidence-v1.schema.json"


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`~mptool.core.model.Evidence`."""
    schema = Evidence.model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://mptool.invalid/schemas/{SCHEMA_ID}"
    schema["title"] = "mptool evidence, version 1"
    return schema


def committed_schema_text() -> str:
    """The committed schema file shipped in the package."""
    return resources.files("mptool.schemas").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def committed_schema() -> dict[str, Any]:
    """The committed schema as data."""
    return json.loads(committed_schema_text())


def main() -> None:
    """Regenerate the committed schema file."""
    target = Path(__file__).resolve().parent.parent / "schemas" / SCHEMA_RESOURCE
    text = json.dumps(generate_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
