"""Why a pair can be in no proposal at all, in words a case worker can repeat to the household.

A pair is impossible when it breaks a compatibility rule (rules 1-6 of the format, worded by
``matcher.rules``) or when it can never be used whatever the other households do: the household is larger
than what the dwelling's municipality may still receive, the dwelling belongs to a group whose share cap is
used up, or no school of a kind the children need lies within range with enough free seats. Accepted pairs
(locks) count too: a household that has accepted another dwelling, or a dwelling another household has
accepted, cannot be offered again. Every obstacle that holds is reported, not only the first.

These are exactly the conditions under which adding the pair as a lock makes the instance invalid
(``matcher.solver.locks``), said with the real numbers instead of a lock label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.explain.contributions import KM_DECIMALS
from matcher.facts import Facts, floor_share, haversine_km
from matcher.format import PERCENT, SCHOOL_KINDS
from matcher.rules import broken_rules

SCHOOLS_NAMED = 3  # schools in range named when none has enough seats


@dataclass(frozen=True)
class Obstacle:
    """One reason the pair is impossible."""

    rule: str  # which rule: "rule 2", "municipality cap", "group cap", "school seats", "lock"
    name: str  # machine-readable, e.g. "max_occupants", "municipality_cap", "school_primary"
    text: str  # what a case worker reads, in English
    details: dict[str, Any] = field(default_factory=dict)  # the facts ``text`` states, for the other languages

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "name": self.name, "text": self.text}

    def statement(self) -> dict[str, Any]:
        """The obstacle as a part of an answer: its rule, name and facts (``matcher.explain.words`` words it)."""
        return {"code": "obstacle", "rule": self.rule, "name": self.name, "text": self.text, **self.details}

    def __str__(self) -> str:
        return f"{self.rule} ({self.name}): {self.text}"


def pair_obstacles(facts: Facts, household: int, dwelling: int) -> list[Obstacle]:
    """Every reason the pair can be in no feasible proposal on its own; empty when it could be."""
    obstacles = [Obstacle(f"rule {broken.rule}", broken.name, broken.text, broken.details)
                 for broken in broken_rules(facts, household, dwelling)]
    obstacles += _lock_obstacles(facts, household, dwelling)
    obstacles += _municipality_cap(facts, household, dwelling)
    obstacles += _group_caps(facts, dwelling)
    obstacles += [obstacle for kind in SCHOOL_KINDS for obstacle in _school_seats(facts, household, dwelling, kind)]
    return obstacles


def _lock_obstacles(facts: Facts, household: int, dwelling: int) -> list[Obstacle]:
    """Accepted pairs are final: a lock binds its household, and its dwelling's places."""
    instance = facts.instance
    h_id, d_id = facts.households.ids[household], facts.dwellings.ids[dwelling]
    obstacles = []
    own = [lock.dwelling for lock in instance.locks if lock.household == h_id and lock.dwelling != d_id]
    if own:
        obstacles.append(Obstacle("lock", "household_locked",
                                  f"the household has already accepted dwelling {own[0]} (a lock)",
                                  {"dwelling": own[0]}))
    others = [lock.household for lock in instance.locks if lock.dwelling == d_id and lock.household != h_id]
    places = int(facts.dwellings.households_capacity[dwelling])
    if len(others) >= places:
        accepted = ", ".join(others)
        text = (f"the dwelling has already been accepted by {accepted} (a lock)" if places == 1 else
                f"all {places} places of the dwelling have already been accepted, by {accepted} (locks)")
        obstacles.append(Obstacle("lock", "dwelling_locked", text, {"households": others, "places": places}))
    return obstacles


def _municipality_cap(facts: Facts, household: int, dwelling: int) -> list[Obstacle]:
    m = int(facts.dwellings.municipality[dwelling])
    size, cap = int(facts.households.size[household]), int(facts.municipalities.cap[m])
    if size <= cap:
        return []
    record = facts.instance.municipalities[m]
    share = facts.instance.policy.max_over_target_share
    allowed = floor_share(record.target * (1 + share))
    left = "no places left" if cap == 0 else f"room for {cap} more person(s)"
    return [Obstacle("municipality cap", "municipality_cap",
                     f"{_municipality_name(facts, m)} has {left} this half-year (target {record.target} + "
                     f"{share * PERCENT:g}% allows {allowed}, {record.housed} already housed); the household has "
                     f"{size} persons",
                     {"municipality": _municipality_name(facts, m), "cap": cap, "target": record.target,
                      "percent": share * PERCENT, "allowed": allowed, "housed": record.housed, "persons": size})]


def _municipality_name(facts: Facts, m: int) -> str:
    record = facts.instance.municipalities[m]
    return f"{record.name} ({record.id})" if record.name and record.name != record.id else record.id


def _group_caps(facts: Facts, dwelling: int) -> list[Obstacle]:
    obstacles = []
    for g in facts.dwellings.groups[dwelling].tolist():
        if facts.groups.cap[g] > 0:
            continue
        group = facts.instance.groups[g]
        share = facts.instance.group_max_share(group)
        kind = f" ({group.kind})" if group.kind else ""
        obstacles.append(Obstacle("group cap", "group_cap",
                                  f"the dwelling is in group {group.id}{kind}: at most {share * PERCENT:g}% of its "
                                  f"{group.units} dwellings may house status holders and {group.status_holder_units} "
                                  f"already do, so it may receive no more",
                                  {"group": group.id, "kind": group.kind, "percent": share * PERCENT,
                                   "units": group.units, "used": group.status_holder_units}))
    return obstacles


def _school_seats(facts: Facts, household: int, dwelling: int, kind: str) -> list[Obstacle]:
    column = SCHOOL_KINDS.index(kind)
    kids = int(facts.households.kids[household, column])
    if kids == 0:
        return []
    reach = facts.reach[kind]
    in_range = reach.school[reach.of(dwelling)]
    seats = facts.schools.seats[in_range]
    if (seats >= kids).any():
        return []
    policy = facts.instance.policy
    low, high = policy.ages(kind)
    limit = policy.max_school_km.for_kind(kind)
    children = f"{kids} child{'ren' if kids != 1 else ''} aged {low}-{high}"
    seen = _schools_seen(facts, dwelling, kind, in_range)
    return [Obstacle("school seats", f"school_{kind}",
                     f"the household has {children}; no {kind} school within {limit:g} km of the dwelling has "
                     f"{kids} free seat{'s' if kids != 1 else ''} ({_schools_seen_text(kind, seen)})",
                     {"kind": kind, "kids": kids, "low": low, "high": high, "limit_km": limit, "seen": seen})]


def _schools_seen(facts: Facts, dwelling: int, kind: str, in_range: np.ndarray) -> dict[str, Any]:
    """What is there: the schools in range with their free seats (``in_range``, ``more``), or the nearest school
    out of range (``nearest``), or none of the kind in the region (neither)."""
    reach = facts.reach[kind]
    if len(in_range):
        km = reach.km[reach.of(dwelling)]
        named = [{"school": facts.schools.ids[s], "km": round(float(km[i]), KM_DECIMALS),
                  "free": int(facts.schools.seats[s])} for i, s in enumerate(in_range.tolist()[:SCHOOLS_NAMED])]
        return {"in_range": named, "more": max(0, len(in_range) - SCHOOLS_NAMED)}
    of_kind = np.flatnonzero(facts.schools.kind == SCHOOL_KINDS.index(kind))
    if len(of_kind) == 0:
        return {}
    d, s = facts.dwellings, facts.schools
    km = haversine_km(d.lat[dwelling], d.lon[dwelling], s.lat[of_kind], s.lon[of_kind])
    nearest = int(np.argmin(km))
    return {"nearest": {"school": s.ids[of_kind[nearest]], "km": round(float(km[nearest]), KM_DECIMALS)}}


def _schools_seen_text(kind: str, seen: dict[str, Any]) -> str:
    if "in_range" in seen:
        named = [f"{school['school']} {school['km']:.{KM_DECIMALS}f} km, {school['free']} free"
                 for school in seen["in_range"]]
        return "in range: " + "; ".join(named) + (f" and {seen['more']} more" if seen["more"] else "")
    if "nearest" in seen:
        nearest = seen["nearest"]
        return f"none in range; the nearest, {nearest['school']}, is {nearest['km']:.{KM_DECIMALS}f} km away"
    return f"the region has no {kind} school"

