"""JSON Schemas of regwatch's outputs, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from models.diff import VersionDiff
from models.document import Document
from models.records import SCHEMA_VERSION, ExtractionResult
from models.search import Hit

SCHEMA_BASE = "https://regwatch.invalid/schema"


def json_schema(what: str = "extract") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one output: extract, document, diff, alert, search."""
    if what == "alert":
        from models.corpus import Alert

        model: Any = Alert
    else:
        model = {
            "extract": ExtractionResult,
            "document": Document,
            "diff": VersionDiff,
            "search": Hit,
        }[what]
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{SCHEMA_BASE}/{what}/{SCHEMA_VERSION}"
    schema["x-regwatch-schema-version"] = SCHEMA_VERSION
    return schema
