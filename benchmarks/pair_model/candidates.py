"""The pair model's candidate pairs (benchmarks only): compatible pairs that some feasible proposal could
actually use, with their school options.

A compatible pair (rules 1-6) can still be useless: the household may be larger than what its dwelling's
municipality may still take, the dwelling may sit in a group already at its cap, or the children may find
no school of their kind in range with enough free seats for all of them. Dropping such pairs before the
model is built is valid (no feasible proposal uses them) and shrinks the model; locks pin their household
and non-shared dwelling, which removes every competing pair of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matcher.facts import Facts, FloatArray, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.rules import Pairs


@dataclass(frozen=True)
class SchoolOptions:
    """For one school kind: each (candidate, school) combination the children of that kind could use."""

    candidate: IntArray  # index into Candidates
    school: IntArray
    km: FloatArray
    cost_km: IntArray

    def __len__(self) -> int:
        return len(self.candidate)


@dataclass(frozen=True)
class Candidates:
    household: IntArray
    dwelling: IntArray
    schools: dict[str, SchoolOptions]
    removed: dict[str, int] = field(default_factory=dict)  # pairs dropped, by reason, for stats

    def __len__(self) -> int:
        return len(self.household)


def usable_candidates(facts: Facts, pairs: Pairs) -> Candidates:
    """Drop compatible pairs that no feasible proposal can use; attach the school options of the rest."""
    household = pairs.household.astype(np.int64)
    dwelling = pairs.dwelling.astype(np.int64)
    removed: dict[str, int] = {}

    keep = _fits_municipality_cap(facts, household, dwelling) & _group_has_room(facts, dwelling)
    removed["municipality_or_group_cap"] = int((~keep).sum())
    keep &= _respects_locks(facts, household, dwelling)
    removed["locks"] = int(len(keep) - keep.sum()) - removed["municipality_or_group_cap"]
    household, dwelling = household[keep], dwelling[keep]

    options = {kind: _school_options(facts, household, dwelling, kind) for kind in SCHOOL_KINDS}
    reachable = np.ones(len(household), dtype=np.bool_)
    for column, kind in enumerate(SCHOOL_KINDS):
        needs = facts.households.kids[household, column] > 0
        has_option = np.zeros(len(household), dtype=np.bool_)
        has_option[options[kind].candidate] = True
        reachable &= ~needs | has_option
    removed["no_school_in_reach"] = int((~reachable).sum())
    if not reachable.all():
        household, dwelling = household[reachable], dwelling[reachable]
        options = {kind: _school_options(facts, household, dwelling, kind) for kind in SCHOOL_KINDS}
    return Candidates(household=household, dwelling=dwelling, schools=options, removed=removed)


def _fits_municipality_cap(facts: Facts, household: IntArray, dwelling: IntArray) -> np.ndarray:
    cap = facts.municipalities.cap[facts.dwellings.municipality[dwelling]]
    return facts.households.size[household] <= cap


def _group_has_room(facts: Facts, dwelling: IntArray) -> np.ndarray:
    full_groups = np.flatnonzero(facts.groups.cap <= 0)
    if len(full_groups) == 0:
        return np.ones(len(dwelling), dtype=np.bool_)
    in_full_group = np.zeros(len(facts.dwellings), dtype=np.bool_)
    for g in full_groups:
        in_full_group[facts.groups.dwellings[g]] = True
    return ~in_full_group[dwelling]


def _respects_locks(facts: Facts, household: IntArray, dwelling: IntArray) -> np.ndarray:
    """A locked household takes only its locked dwelling; a locked non-shared dwelling only its household."""
    locks = facts.instance.locks
    if not locks:
        return np.ones(len(household), dtype=np.bool_)
    locked_dwelling_of = np.full(len(facts.households), -1, dtype=np.int64)
    locked_household_of = np.full(len(facts.dwellings), -1, dtype=np.int64)
    for lock in locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        locked_dwelling_of[h] = d
        if not facts.dwellings.shared[d]:
            locked_household_of[d] = h
    household_ok = (locked_dwelling_of[household] < 0) | (locked_dwelling_of[household] == dwelling)
    dwelling_ok = (locked_household_of[dwelling] < 0) | (locked_household_of[dwelling] == household)
    return household_ok & dwelling_ok


def _school_options(facts: Facts, household: IntArray, dwelling: IntArray, kind: str) -> SchoolOptions:
    """Expand each candidate needing this kind into its schools in range that have seats for all its children."""
    column = SCHOOL_KINDS.index(kind)
    reach = facts.reach[kind]
    kids = facts.households.kids[household, column]
    needing = np.flatnonzero(kids > 0)
    begin = reach.start[dwelling[needing]]
    count = reach.start[dwelling[needing] + 1] - begin
    candidate = np.repeat(needing, count)
    offsets = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    position = np.repeat(begin, count) + offsets
    school = reach.school[position]
    enough_seats = facts.schools.seats[school] >= facts.households.kids[household[candidate], column]
    return SchoolOptions(
        candidate=candidate[enough_seats].astype(np.int64),
        school=school[enough_seats].astype(np.int64),
        km=reach.km[position][enough_seats],
        cost_km=reach.cost_km[position][enough_seats],
    )
