"""First come, first served over candidate pairs: the pair model's warm start (benchmarks only).

matcher's own greedy (``matcher.solver.greedy.greedy_by_class``) follows the same rule over classes.
"""

from __future__ import annotations

import numpy as np

from benchmarks.pair_model.candidates import Candidates
from matcher.facts import Facts
from matcher.format import SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver.capacity import Capacity


def greedy_solution(facts: Facts, candidates: Candidates, locked: list[Placement]) -> Solution:
    """A feasible solution that keeps ``locked`` (the locks with the schools ``check_locks`` found for them)."""
    free = Capacity.of(facts)
    options_of = _school_options_by_candidate(candidates)
    placed: dict[int, Placement] = {}
    for placement in locked:
        free.take(facts, placement)
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
               free: Capacity, c: int) -> Placement | None:
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
    free.take(facts, placement)
    return placement
