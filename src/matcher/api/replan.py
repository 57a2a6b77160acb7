"""A re-plan: the next instance version, with the accepted pairs locked and the declined pairs forbidden.

Accepted pairs keep the schools the proposal named for them, so a family that said yes keeps its school
places too. A pair that was locked earlier and is declined now loses its lock (plans do fall through).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matcher.storage.models import DecisionRecord
from matcher.storage.repository import ACCEPT, DECLINE

Pair = tuple[str, str]


@dataclass
class Replan:
    document: dict[str, Any]
    locks_added: list[dict[str, Any]] = field(default_factory=list)
    forbidden_added: list[dict[str, Any]] = field(default_factory=list)
    locks_removed: list[dict[str, Any]] = field(default_factory=list)


def _pair(record: Mapping[str, Any]) -> Pair:
    return str(record.get("household")), str(record.get("dwelling"))


def decline_reason(decision: DecisionRecord) -> str:
    who = decision.decided_by_municipality or decision.decided_by_role
    when = decision.decided_at.date().isoformat()
    return f"declined by {who} on {when}" + (f": {decision.reason}" if decision.reason else "")


def replanned_document(document: dict[str, Any], proposal: dict[str, Any],
                       standing: Mapping[Pair, DecisionRecord]) -> Replan:
    """The instance document of the next version, given the decisions that stand on the proposal."""
    assignments = {_pair(a): a for a in proposal.get("assignments") or []}
    result = Replan(copy.deepcopy(document))
    locks: list[dict[str, Any]] = list(result.document.get("locks") or [])
    forbidden: list[dict[str, Any]] = list(result.document.get("forbidden") or [])
    locked = {_pair(lock) for lock in locks}
    barred = {_pair(record) for record in forbidden}
    for pair, decision in standing.items():
        if decision.decision == ACCEPT and pair not in locked:
            lock: dict[str, Any] = {"household": pair[0], "dwelling": pair[1]}
            schools = {kind: school for kind, school in (assignments.get(pair, {}).get("schools") or {}).items()
                       if school is not None}
            if schools:
                lock["schools"] = schools
            locks.append(lock)
            result.locks_added.append(lock)
        elif decision.decision == DECLINE:
            if pair in locked:
                result.locks_removed.extend(lock for lock in locks if _pair(lock) == pair)
                locks = [lock for lock in locks if _pair(lock) != pair]
            if pair not in barred:
                record = {"household": pair[0], "dwelling": pair[1], "reason": decline_reason(decision)}
                forbidden.append(record)
                result.forbidden_added.append(record)
    result.document["locks"] = locks
    result.document["forbidden"] = forbidden
    return result
