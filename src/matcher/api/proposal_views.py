"""What a key sees of a proposal: a coordinator all of it; a municipality its own dwellings' assignments and the
households in them (``municipality_view``), looked up in the instance's records (``InstanceIndex``).

Apart from ``access.py`` (the 404s and the stored records) because a question's solve process scopes its answer
with these too, and should not load FastAPI and SQLAlchemy for it: half a second of the question's time limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from matcher.roles import Actor


@dataclass(frozen=True)
class InstanceIndex:
    """The records of one instance version, by id."""

    municipalities: dict[str, dict[str, Any]]
    dwellings: dict[str, dict[str, Any]]
    households: dict[str, dict[str, Any]]
    locks: list[tuple[str, str]]

    @classmethod
    def parse(cls, document_text: str) -> InstanceIndex:
        return cls.of(json.loads(document_text))

    @classmethod
    def of(cls, document: dict[str, Any]) -> InstanceIndex:
        return cls(municipalities={str(m["id"]): m for m in document["municipalities"]},
                   dwellings={str(d["id"]): d for d in document["dwellings"]},
                   households={str(h["id"]): h for h in document["households"]},
                   locks=[(str(lock["household"]), str(lock["dwelling"])) for lock in document.get("locks") or []])

    def municipality_of(self, dwelling: str) -> str | None:
        record = self.dwellings.get(dwelling)
        return None if record is None else str(record["municipality"])

    def persons(self, household: str) -> int:
        record = self.households.get(household)
        return 0 if record is None else len(record["members"])


def visible_assignments(proposal: dict[str, Any], index: InstanceIndex, actor: Actor) -> list[dict[str, Any]]:
    assignments = [a for a in proposal.get("assignments") or [] if isinstance(a, dict)]
    if actor.is_coordinator:
        return assignments
    return [a for a in assignments if index.municipality_of(str(a.get("dwelling"))) == actor.municipality]


def municipality_view(proposal: dict[str, Any], index: InstanceIndex, actor: Actor) -> dict[str, Any]:
    """The proposal as one municipality may see it: its dwellings' assignments and the households in them."""
    assignments = visible_assignments(proposal, index, actor)
    return {
        "format": proposal.get("format"),
        "instance": proposal.get("instance"),
        "status": proposal.get("status"),
        "assignments": assignments,
        "unassigned": [],
        "municipalities": [m for m in proposal.get("municipalities") or [] if m.get("id") == actor.municipality],
        "households": [index.households[a["household"]] for a in assignments if a["household"] in index.households],
        "dwellings": [index.dwellings[a["dwelling"]] for a in assignments if a["dwelling"] in index.dwellings],
    }
