"""Shared fixtures: where the example instances live, and small instance builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "instances" / "examples"  # the one place that names the examples folder


def example_names() -> list[str]:
    """Every example instance that has a reference proposal; fails loudly when the folder is missing."""
    if not EXAMPLES.is_dir():
        raise RuntimeError(f"the example instances are missing: expected them in {EXAMPLES}")
    return sorted(p.name.removesuffix(".proposal.json") for p in EXAMPLES.glob("*.proposal.json"))


def load_example(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    instance = json.loads((EXAMPLES / f"{name}.json").read_text())
    proposal = json.loads((EXAMPLES / f"{name}.proposal.json").read_text())
    return instance, proposal
