"""JSON Schemas generated from pydantic models and committed inside the package.

The evidence schema (``mptool/schemas/evidence-v1.schema.json``) comes from
:mod:`mptool.core.model_schema` (the pydantic mirror of :mod:`mptool.core.model`); other
committed schemas (the assessment file) use the same helpers. Run ``python -m mptool.core.schema`` to regenerate the evidence schema after changing the model;
a test fails while the two differ.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from mptool.core.model import SCHEMA_ID
from mptool.core.model_schema import Evidence

SCHEMA_RESOURCE = "evidence-v1.schema.json"
SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


def model_schema(model: type[BaseModel], *, schema_id: str, title: str, mode: Literal["validation", "serialization"]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``model``, with its id and title."""
    schema = model.model_json_schema(by_alias=True, mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://mptool.invalid/schemas/{schema_id}"
    schema["title"] = title
    return schema


def canonical_text(schema: dict[str, Any]) -> str:
    """The committed text form of a schema (sorted keys, two-space indent, UTF-8, newline)."""
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def committed_text(resource: str) -> str:
    """A committed schema file shipped in the package (``mptool/schemas/<resource>``)."""
    return resources.files("mptool.schemas").joinpath(resource).read_text(encoding="utf-8")


def write_committed(resource: str, schema: dict[str, Any]) -> Path:
    """Regenerate a committed schema file in the source tree; returns its path."""
    target = SCHEMAS_DIR / resource
    target.write_text(canonical_text(schema), encoding="utf-8")
    return target


def generate_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`~mptool.core.model.Evidence`."""
    return model_schema(Evidence, schema_id=SCHEMA_ID, title="mptool evidence, version 1", mode="serialization")


def committed_schema_text() -> str:
    """The committed evidence schema."""
    return committed_text(SCHEMA_RESOURCE)


def committed_schema() -> dict[str, Any]:
    """The committed evidence schema as data."""
    return json.loads(committed_schema_text())


def main() -> None:
    """Regenerate the committed evidence schema file."""
    print(f"wrote {write_committed(SCHEMA_RESOURCE, generate_schema())}")


if __name__ == "__main__":
    main()
