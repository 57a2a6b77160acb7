"""Shared fixtures: where the contract's example instances live, and small instance builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"


def shared_example_names() -> list[str]:
    """Every example instance that has a reference proposal; fails loudly when shared/ is missing."""
    if not SHARED_EXAMPLES.is_dir():
        raise RuntimeError(f"the contract's examples are missing: expected them in {SHARED_EXAMPLES}")
    return sorted(p.name.removesuffix(".proposal.json") for p in SHARED_EXAMPLES.glob("*.proposal.json"))


def load_example(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    instance = json.loads((SHARED_EXAMPLES / f"{name}.json").read_text())
    proposal = json.loads((SHARED_EXAMPLES / f"{name}.proposal.json").read_text())
    return instance, proposal


@pytest.fixture
def shared_examples() -> Path:
    shared_example_names()
    return SHARED_EXAMPLES
