"""JSON Schemas of matcher's documents, generated from the pydantic models that read them.

The schemas let people who do not run Python check a document before they send it: an editor (VS Code,
IntelliJ) completes and underlines fields, and municipal IT can validate with any JSON Schema library.
They are committed under ``schemas/`` (``matcher schema --all-to schemas`` or ``make schemas`` rewrites
them, and a test fails when the models and the committed files drift apart).

A schema says what the reader accepts record by record: unknown fields are allowed, and ``null`` stands
for the default wherever a field has one. What needs the whole document (unique ids, references between
records, locks that keep the rules) is checked by ``matcher validate`` alone; docs/format.md lists it.

Adding a format is one line in ``DOCUMENTS``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from matcher.format import INSTANCE_FORMAT, PROPOSAL_FORMAT, Instance, Proposal
from matcher.simulation.result import SIMULATION_FORMAT, SimulationResult
from matcher.simulation.scenario import SCENARIO_FORMAT, Scenario

DIALECT = "https://json-schema.org/draft/2020-12/schema"  # the dialect pydantic generates
SUFFIX = ".schema.json"


@dataclass(frozen=True)
class Document:
    """One kind of document: the model that reads it, and the format name its ``format`` field carries."""

    model: type[BaseModel]
    format: str


DOCUMENTS: dict[str, Document] = {
    "instance": Document(Instance, INSTANCE_FORMAT),
    "proposal": Document(Proposal, PROPOSAL_FORMAT),
    "scenario": Document(Scenario, SCENARIO_FORMAT),
    "simulation": Document(SimulationResult, SIMULATION_FORMAT),
}


def json_schema(name: str) -> dict[str, Any]:
    """The schema of one document kind, as committed in ``schemas/<name>.schema.json``."""
    document = DOCUMENTS[name]
    generated = document.model.model_json_schema(mode="validation")
    return {"$schema": DIALECT, **generated, "title": f"{document.format} document",
            "description": f"A {document.format} document as matcher reads it (see docs/format.md). "
                           "Unknown fields are allowed; null takes the default wherever a field has one. "
                           "Checks across records (unique ids, references) are made by `matcher validate`."}


def render(schema: dict[str, Any]) -> str:
    """Stable text: two-space indents and a final newline, so that a regenerated file diffs cleanly."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def file_name(name: str) -> str:
    return f"{name}{SUFFIX}"


def write_all(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` (created when missing); the paths written, in registry order."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DOCUMENTS:
        path = directory / file_name(name)
        path.write_text(render(json_schema(name)), encoding="utf-8")
        written.append(path)
    return written
