"""The next instance version after decisions: accepted pairs locked, declined pairs forbidden, the rest previous.

The same for the service (decisions recorded through the API) and for the coordinator without it
(decisions filled in on the exported workbook, ``matcher replan``). Accepted pairs keep the schools the
proposal named for them, so a family that said yes keeps its school places too. A pair that was locked
earlier and is declined now loses its lock (plans do fall through). Every proposed pair nobody has decided
on yet goes into ``previous``, and ``kept_previous`` is ranked right after ``persons_housed``, so that the
re-plan moves nothing a municipality is still looking at unless an overdue household or a person more
housed needs it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matcher.format import OBJECTIVE_NAMES

Pair = tuple[str, str]
KEPT = "kept_previous"
KEPT_AFTER = ("persons_housed", "overdue_housed")  # kept_previous goes right after the first of these present


@dataclass(frozen=True)
class Decision:
    """A municipality's answer on one proposed pair; ``reason`` is the text a forbidden pair carries."""

    accepted: bool
    reason: str | None = None


@dataclass
class Replan:
    document: dict[str, Any]
    locks_added: list[dict[str, Any]] = field(default_factory=list)
    forbidden_added: list[dict[str, Any]] = field(default_factory=list)
    locks_removed: list[dict[str, Any]] = field(default_factory=list)
    previous: list[dict[str, str]] = field(default_factory=list)


def pair_of(record: Mapping[str, Any]) -> Pair:
    return str(record.get("household")), str(record.get("dwelling"))


def with_kept_previous(objectives: list[str]) -> list[str]:
    """The policy's order with ``kept_previous`` right after ``persons_housed`` (or ``overdue_housed``, or first).

    For the default order this is the contract's suggestion: overdue, persons, kept, shortfall, quality.
    """
    if KEPT in objectives:
        return list(objectives)
    for anchor in KEPT_AFTER:
        if anchor in objectives:
            at = objectives.index(anchor) + 1
            return objectives[:at] + [KEPT] + objectives[at:]
    return [KEPT, *objectives]


def next_instance(document: dict[str, Any], proposal: dict[str, Any], decisions: Mapping[Pair, Decision],
                  objectives: list[str] | None = None) -> Replan:
    """The instance document of the next version. ``objectives``: the order to use instead of the policy's
    own order with ``kept_previous`` inserted (``with_kept_previous``)."""
    assignments = {pair_of(a): a for a in proposal.get("assignments") or []}
    result = Replan(copy.deepcopy(document))
    locks: list[dict[str, Any]] = list(result.document.get("locks") or [])
    forbidden: list[dict[str, Any]] = list(result.document.get("forbidden") or [])
    locked = {pair_of(lock) for lock in locks}
    barred = {pair_of(record) for record in forbidden}
    for pair, decision in decisions.items():
        if decision.accepted and pair not in locked:
            lock: dict[str, Any] = {"household": pair[0], "dwelling": pair[1]}
            schools = {kind: school for kind, school in (assignments.get(pair, {}).get("schools") or {}).items()
                       if school is not None}
            if schools:
                lock["schools"] = schools
            locks.append(lock)
            result.locks_added.append(lock)
        elif not decision.accepted:
            if pair in locked:
                result.locks_removed.extend(lock for lock in locks if pair_of(lock) == pair)
                locks = [lock for lock in locks if pair_of(lock) != pair]
            if pair not in barred:
                record = {"household": pair[0], "dwelling": pair[1]}
                if decision.reason:
                    record["reason"] = decision.reason
                forbidden.append(record)
                result.forbidden_added.append(record)
    result.previous = [{"household": h, "dwelling": d} for h, d in assignments
                       if (h, d) not in decisions and (h, d) not in locked]
    result.document["locks"] = locks
    result.document["forbidden"] = forbidden
    result.document["previous"] = result.previous
    policy = result.document.get("policy")
    policy = dict(policy) if isinstance(policy, dict) else {}
    current = policy.get("objectives")
    current = list(current) if isinstance(current, list) else [n for n in OBJECTIVE_NAMES if n != KEPT]
    policy["objectives"] = list(objectives) if objectives is not None else with_kept_previous(current)
    result.document["policy"] = policy
    return result
