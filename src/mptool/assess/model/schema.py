"""The JSON Schema of the assessment file, generated from :mod:`mptool.assess.model.file`.

Run ``python -m mptool.assess.model.schema`` to regenerate the committed
``mptool/schemas/assessment-v1.schema.json``; a test fails while the two differ.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from mptool.assess.model.file import SCHEMA_ID, AssessmentFile

SCHEMA_RESOURCE = "assessment-v1.schema.json"


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`AssessmentFile` (YAML input, as data)."""
    schema = AssessmentFile.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://mptool.invalid/schemas/{SCHEMA_ID}"
    schema["title"] = "mptool assessment file, version 1"
    return schema


def schema_text() -> str:
    """The canonical text of the generated schema."""
    return json.dumps(generate_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def committed_schema_text() -> str:
    """The committed schema shipped in the package."""
    return resources.files("mptool.schemas").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def main() -> None:
    """Regenerate the committed schema file."""
    target = Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_RESOURCE
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
