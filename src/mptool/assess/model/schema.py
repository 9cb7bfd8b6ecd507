"""The JSON Schema of the assessment file, generated from :mod:`mptool.assess.model.file`.

Run ``python -m mptool.assess.model.schema`` to regenerate the committed
``mptool/schemas/assessment-v1.schema.json``; a test fails while the two differ.
"""

from __future__ import annotations

from typing import Any

from mptool.assess.model.file import SCHEMA_ID, AssessmentFile
from mptool.core.schema import canonical_text, committed_text, model_schema, write_committed

SCHEMA_RESOURCE = "assessment-v1.schema.json"


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`AssessmentFile` (YAML input, as data)."""
    return model_schema(AssessmentFile, schema_id=SCHEMA_ID, title="mptool assessment file, version 1", mode="validation")


def schema_text() -> str:
    """The canonical text of the generated schema."""
    return canonical_text(generate_schema())


def committed_schema_text() -> str:
    """The committed schema shipped in the package."""
    return committed_text(SCHEMA_RESOURCE)


def main() -> None:
    """Regenerate the committed schema file."""
    print(f"wrote {write_committed(SCHEMA_RESOURCE, generate_schema())}")


if __name__ == "__main__":
    main()
