"""The one reader of proposal documents: JSON types taken literally, every error a problem naming field and record.

The checker, the accountability questions, the spreadsheet export and the report, and the service all read
proposals through here, so a malformed document gets the same words wherever it is submitted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.exceptions import InstanceInvalid, Problem, ProposalInvalid
from matcher.format import PROPOSAL_FORMAT, Proposal
from matcher.validation import read_json


def read_proposal(source: str | bytes | Path) -> Any:
    """The JSON document of a proposal (text, bytes or a file path); unreadable JSON raises ``ProposalInvalid``."""
    try:
        return read_json(source)
    except InstanceInvalid as error:
        raise ProposalInvalid(error.problems) from None


def load_proposal(source: str | bytes | Path | dict[str, Any]) -> Proposal:
    """A proposal that must say it is one (``format``); every problem raises ``ProposalInvalid``."""
    data = source if isinstance(source, dict) else read_proposal(source)
    if isinstance(data, dict) and data.get("format") != PROPOSAL_FORMAT:
        found = json.dumps(data["format"]) if "format" in data else "nothing"
        raise ProposalInvalid([Problem("format", None, f'must be "{PROPOSAL_FORMAT}", got {found}', "format")])
    return parse_proposal(data)


def parse_proposal(data: Any) -> Proposal:
    """The proposal model, taking JSON types literally (no "3" for 3); wrong shapes raise ``ProposalInvalid``."""
    if not isinstance(data, dict):
        raise ProposalInvalid([Problem("", None, "must be a JSON object", "type")])
    try:
        # The format field is judged by the checker (a "format" violation), not by the reader.
        return Proposal.model_validate({**data, "format": PROPOSAL_FORMAT}, strict=True)
    except ValidationError as error:
        raise ProposalInvalid([_reading_problem(detail, data) for detail in error.errors(include_url=False)]) from None


def _reading_problem(detail: Any, data: dict[str, Any]) -> Problem:
    location = [part for part in detail["loc"] if isinstance(part, int) or not _is_pydantic_tag(part)]
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if detail["type"] == "missing":
        message = "is required"
    else:
        text = str(detail["msg"])
        message = f"{text[:1].lower()}{text[1:]}, got {_show(detail.get('input'))}"
    return Problem(path, _record_label(data, location), message, str(detail["type"]))


def _is_pydantic_tag(part: str) -> bool:
    """Union and literal branches add tags such as ``'literal[...]'`` or ``'str'`` to an error's location."""
    return "[" in part or part in {"str", "int", "float", "bool", "none", "dict", "list"}


def _record_label(data: dict[str, Any], location: list[Any]) -> str | None:
    """``h00012 -> d00007`` for an assignment, the household for an unassigned entry, the id of a municipality."""
    if len(location) < 2 or not isinstance(location[1], int):
        return None
    records = data.get(location[0])
    if not isinstance(records, list) or location[1] >= len(records) or not isinstance(records[location[1]], dict):
        return None
    record = records[location[1]]
    if location[0] == "assignments":
        return f"{record.get('household', '?')} -> {record.get('dwelling', '?')}"
    label = record.get("household", record.get("id", record.get("name")))
    return label if isinstance(label, str) else None


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."
