"""Who may see what. A coordinator sees the region; a municipality key sees its own progress, the proposals'
assignments to its own dwellings and the households in them, and nothing else: every other thing answers
404 exactly as a thing that does not exist, so a key cannot even learn that it exists.

Instance versions never change once stored, so the lookups a municipality view needs (dwelling ->
municipality, household records) are parsed once per instance and kept in a small cache.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from matcher.storage import repository as repo
from matcher.storage.models import InstanceRecord, SolveRecord
from matcher.storage.repository import storable

INDEX_CACHE_SIZE = 64


def not_found(what: str, identifier: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{what} {identifier!r} not found")


def could_exist(identifier: str) -> bool:
    """Ids with NUL characters or unpaired surrogates can never have been stored (and PostgreSQL refuses to
    even compare them): such an id simply does not exist."""
    try:
        storable(identifier)
    except ValueError:
        return False
    return True


def require_coordinator(actor: repo.Actor) -> None:
    """Routes for the coordinator only look, to any other key, like routes that do not exist."""
    if not actor.is_coordinator:
        raise HTTPException(status_code=404, detail="Not Found")


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


class IndexCache:
    def __init__(self, size: int = INDEX_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[str, InstanceIndex] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, instance: InstanceRecord) -> InstanceIndex:
        with self._lock:
            if instance.id in self._entries:
                self._entries.move_to_end(instance.id)
                return self._entries[instance.id]
        index = InstanceIndex.parse(instance.document)
        with self._lock:
            self._entries[instance.id] = index
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return index


def found_instance(session: Session, instance_id: str) -> InstanceRecord:
    """The stored instance version, or 404."""
    record = repo.get_instance(session, instance_id) if could_exist(instance_id) else None
    if record is None:
        raise not_found("instance", instance_id)
    return record


def visible_solve(session: Session, actor: repo.Actor, solve_id: str) -> SolveRecord:
    """The solve, if it exists and this key may see it (a municipality: its instance covers the municipality)."""
    solve = repo.get_solve(session, solve_id) if could_exist(solve_id) else None
    if solve is None:
        raise not_found("solve", solve_id)
    if not actor.is_coordinator and not repo.instance_covers(session, solve.instance_id, str(actor.municipality)):
        raise not_found("solve", solve_id)
    return solve


def visible_assignments(proposal: dict[str, Any], index: InstanceIndex, actor: repo.Actor) -> list[dict[str, Any]]:
    assignments = [a for a in proposal.get("assignments") or [] if isinstance(a, dict)]
    if actor.is_coordinator:
        return assignments
    return [a for a in assignments if index.municipality_of(str(a.get("dwelling"))) == actor.municipality]


def municipality_view(proposal: dict[str, Any], index: InstanceIndex, actor: repo.Actor) -> dict[str, Any]:
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
