"""Who may see what. A coordinator sees the region; a municipality key sees its own progress, the proposals'
assignments to its own dwellings and the households in them, and nothing else: every other thing answers
404 exactly as a thing that does not exist, so a key cannot even learn that it exists.

Instance versions never change once stored, so the lookups a municipality view needs (dwelling ->
municipality, household records) are parsed once per instance and kept in a small cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import HTTPException
from sqlalchemy.orm import Session

from matcher.api.proposal_views import InstanceIndex
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
