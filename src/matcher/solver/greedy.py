"""First come, first served: what a coordinator does by hand, used as CP-SAT's warm start and as a baseline.

Locks first; then households by waiting time, longest first; each takes the first candidate dwelling
(fewest unused bedrooms, then input order) that keeps every capacity rule, with the nearest school of each
needed kind that still has seats for all its children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.facts import Facts
from matcher.format import SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver.candidates import Candidates


@dataclass
class _Capacity:
    """What is still free while the greedy fills the region."""

    dwelling_places: np.ndarray
    municipality_persons: np.ndarray
    group_dwellings: np.ndarray
    school_seats: np.ndarray
    dwelling_used: np.ndarray

    @classmethod
    def of(cls, facts: Facts) -> _Capacity:
        return cls(
            dwelling_places=facts.dwellings.households_capacity.copy(),
            municipality_persons=facts.municipalities.cap.copy(),
            group_dwellings=facts.groups.cap.copy(),
            school_seats=facts.schools.seats.copy(),
            dwelling_used=np.zeros(len(facts.dwellings), dtype=np.bool_),
        )


def greedy_solution(facts: Facts, candidates: Candidates, locked: list[Placement]) -> Solution:
    """A feasible solution that keeps ``locked`` (the locks with the schools ``check_locks`` found for them)."""
    free = _Capacity.of(facts)
    options_of = _school_options_by_candidate(candidates)
    placed: dict[int, Placement] = {}
    for placement in locked:
        _take(facts, free, placement)
        placed[placement.household] = placement
    by_household = _candidates_by_household(facts, candidates)
    waiting_order = np.argsort(-facts.households.waiting_days, kind="stable")
    for h in waiting_order.tolist():
        if h in placed:
            continue
        for c in by_household[h]:
            placement = _try_place(facts, candidates, options_of, free, c)
            if placement is not None:
                placed[h] = placement
                break
    return [placed[h] for h in sorted(placed)]


def _candidates_by_household(facts: Facts, candidates: Candidates) -> list[list[int]]:
    """Each household's candidates, best fitting first: fewest unused bedrooms, then dwelling order."""
    unused = np.maximum(0, facts.dwellings.bedrooms[candidates.dwelling] - facts.households.need[candidates.household])
    order = np.lexsort((candidates.dwelling, unused, candidates.household))
    by_household: list[list[int]] = [[] for _ in range(len(facts.households))]
    for c in order.tolist():
        by_household[int(candidates.household[c])].append(c)
    return by_household


def _school_options_by_candidate(candidates: Candidates) -> dict[str, dict[int, list[tuple[int, int]]]]:
    """Per kind and candidate: (school, option index), nearest first (options come sorted by distance)."""
    result: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for kind, options in candidates.schools.items():
        per_candidate: dict[int, list[tuple[int, int]]] = {}
        for o, (c, s) in enumerate(zip(options.candidate.tolist(), options.school.tolist(), strict=True)):
            per_candidate.setdefault(c, []).append((s, o))
        result[kind] = per_candidate
    return result


def _try_place(facts: Facts, candidates: Candidates, options_of: dict[str, dict[int, list[tuple[int, int]]]],
               free: _Capacity, c: int) -> Placement | None:
    """Place candidate c if every capacity allows it, with the nearest schools that have seats."""
    h, d = int(candidates.household[c]), int(candidates.dwelling[c])
    m = int(facts.dwellings.municipality[d])
    new_groups = facts.dwellings.groups[d] if not free.dwelling_used[d] else np.zeros(0, dtype=np.int64)
    if (free.dwelling_places[d] < 1 or free.municipality_persons[m] < facts.households.size[h]
            or (free.group_dwellings[new_groups] < 1).any()):
        return None
    schools: dict[str, int] = {}
    for column, kind in enumerate(SCHOOL_KINDS):
        kids = int(facts.households.kids[h, column])
        if kids == 0:
            continue
        nearest = next((s for s, _ in options_of[kind].get(c, []) if free.school_seats[s] >= kids), None)
        if nearest is None:
            return None
        schools[kind] = nearest
    placement = Placement(household=h, dwelling=d, schools=schools)
    _take(facts, free, placement)
    return placement


def _take(facts: Facts, free: _Capacity, placement: Placement) -> None:
    """Book the places, persons, group dwellings and school seats that a placement uses."""
    h, d = placement.household, placement.dwelling
    if not free.dwelling_used[d]:
        free.group_dwellings[facts.dwellings.groups[d]] -= 1
        free.dwelling_used[d] = True
    free.dwelling_places[d] -= 1
    free.municipality_persons[int(facts.dwellings.municipality[d])] -= int(facts.households.size[h])
    for kind, s in placement.schools.items():
        free.school_seats[s] -= int(facts.households.kids[h, SCHOOL_KINDS.index(kind)])
