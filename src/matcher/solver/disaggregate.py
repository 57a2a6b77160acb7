"""From counts to named placements and back.

``placements`` turns the counts of a class-model solution into a list of placements: within a household
class the longest-waiting members take the places, in arc order; a pool hands its households to its
placement arcs in order; households with children take the dwellings of their cell, everybody else the
dwellings of the class still free, filling a shared dwelling before opening the next (so a shared class
never uses more dwellings than the model counted); schools follow the school counts, a lock's named
school first. Every choice is made in a fixed order, so the same counts give the same proposal.

Households on a keep arc (a re-plan's ``previous`` pairs) are the members of the class whose previous
dwelling lies in the arc's cell, and they take their own previous dwelling back before anybody else is
given a dwelling: the model counted them as kept, and the capacities it kept per cell and per class leave
room for everybody else in what remains.

``counts`` is the inverse: the counts that represent a solution (for warm starts), using the direct arc
wherever one exists, so that tie bonuses are counted exactly, and the keep arc exactly for the households
placed in their previous dwelling.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver.network import DIRECT, NO_CELL, Network


@dataclass(frozen=True)
class Counts:
    """A value for every variable of the class model."""

    entry: IntArray
    flow: IntArray
    school: dict[str, IntArray]
    used: dict[int, int]  # dwellings used per shared dwelling class


def placements(facts: Facts, network: Network, counts: Counts) -> Solution:
    households_on = _households_per_arc(network, counts)
    dwelling_of = _dwellings_for(facts, network, households_on)
    schools_of = _schools_for(facts, network, counts, households_on)
    solution = [Placement(h, dwelling_of[h], schools_of.get(h, {})) for h in sorted(dwelling_of)]
    return solution


def _households_per_arc(network: Network, counts: Counts) -> list[list[int]]:
    """Which households travel along each placement arc: on a keep arc, members whose previous dwelling lies
    in its cell (longest waiting first); on every other arc, the longest-waiting members not yet placed."""
    left = [deque(members.tolist()) for members in network.households.members]  # members not yet placed
    on_arc: list[list[int]] = [[] for _ in range(network.placements)]

    def take(c: int, n: int) -> list[int]:
        return [left[c].popleft() for _ in range(n)]

    for a in np.flatnonzero(network.keeps & (counts.flow > 0)).tolist():  # first: they need particular members
        c, cell = int(network.placement_class[a]), int(network.cell[a])
        on_arc[a] = [h for h in left[c] if network.previous_cell[h] == cell][:int(counts.flow[a])]
        gone = set(on_arc[a])
        left[c] = deque(h for h in left[c] if h not in gone)
    for a in np.flatnonzero((network.placement_pool == DIRECT) & ~network.keeps & (counts.flow > 0)).tolist():
        on_arc[a] = take(int(network.placement_class[a]), int(counts.flow[a]))
    in_pool: list[deque[int]] = [deque() for _ in range(len(network.pool_type))]
    for j in np.flatnonzero(counts.entry > 0).tolist():
        in_pool[int(network.entry_pool[j])].extend(take(int(network.entry_class[j]), int(counts.entry[j])))
    for a in np.flatnonzero((network.placement_pool >= 0) & (counts.flow > 0)).tolist():
        pool = in_pool[int(network.placement_pool[a])]
        on_arc[a] = [pool.popleft() for _ in range(int(counts.flow[a]))]
    return on_arc


def _dwellings_for(facts: Facts, network: Network, households_on: list[list[int]]) -> dict[int, int]:
    """Households with children into the dwellings of their cell, then the others into what is left."""
    capacity = facts.dwellings.households_capacity
    free = capacity.copy()
    dwelling_of: dict[int, int] = {}
    for a in np.flatnonzero(network.keeps).tolist():
        for h in households_on[a]:
            dwelling_of[h] = facts.previous[h]
            free[facts.previous[h]] -= 1
    order = np.lexsort((np.arange(network.placements), network.cell < 0))  # arcs with a cell first
    for a in order.tolist():
        if not households_on[a] or network.keeps[a]:
            continue
        rows = (network.dwellings.cells[int(network.cell[a])] if network.cell[a] != NO_CELL
                else network.dwellings.members[int(network.dwelling_class[a])])
        candidates = iter(rows.tolist())
        d = next(candidates)
        for h in households_on[a]:
            while free[d] == 0:
                d = next(candidates)
            dwelling_of[h] = d
            free[d] -= 1
    return dwelling_of


def _schools_for(facts: Facts, network: Network, counts: Counts, households_on: list[list[int]]
                 ) -> dict[int, dict[str, int]]:
    locked_school: dict[tuple[int, str], int] = {}
    for lock in facts.instance.locks:
        for kind, school_id in lock.named_schools().items():
            locked_school[(facts.household_index[lock.household], kind)] = facts.school_index[school_id]
    schools_of: dict[int, dict[str, int]] = defaultdict(dict)
    for column, kind in enumerate(SCHOOL_KINDS):
        choices = network.schools[kind]
        seats: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (cell, kids) -> [(school, n)]
        for i in np.flatnonzero(counts.school[kind] > 0).tolist():
            seats[(int(choices.cell[i]), int(choices.kids[i]))].append((int(choices.school[i]),
                                                                         int(counts.school[kind][i])))
        waiting: dict[tuple[int, int], list[int]] = defaultdict(list)
        for a in np.flatnonzero((network.kids[:, column] > 0) & (network.cell >= 0)).tolist():
            waiting[(int(network.cell[a]), int(network.kids[a, column]))].extend(households_on[a])
        for key, households in waiting.items():
            left = {school: n for school, n in seats[key]}
            locked_first = sorted(households, key=lambda h: (h, kind) not in locked_school)
            for h in locked_first:
                school = locked_school.get((h, kind))
                if school is None or left.get(school, 0) == 0:
                    school = next(s for s, n in left.items() if n > 0)
                left[school] -= 1
                schools_of[h][kind] = school
    return schools_of


def counts(facts: Facts, network: Network, solution: Solution) -> Counts | None:
    """The counts that represent a solution, or None if some placement has no arc (it then cannot be a warm
    start: the solution breaks a pruning that every feasible solution keeps)."""
    h_class, d_class, cell_of = network.households.of, network.dwellings.of, network.dwellings.cell_of
    direct = {(int(c), int(k), int(r)): a for a, (c, k, r) in enumerate(zip(
        network.placement_class.tolist(), network.dwelling_class.tolist(), network.cell.tolist(), strict=True))
        if network.placement_pool[a] == DIRECT and not network.keeps[a]}
    keep_arc = {(int(network.placement_class[a]), int(network.cell[a])): int(a)
                for a in np.flatnonzero(network.keeps).tolist()}
    pooled = {(int(p), int(k), int(r)): a for a, (p, k, r) in enumerate(zip(
        network.placement_pool.tolist(), network.dwelling_class.tolist(), network.cell.tolist(), strict=True))
        if p != DIRECT}
    entry_of = {(int(c), int(p)): j for j, (c, p) in enumerate(zip(network.entry_class.tolist(),
                                                                  network.entry_pool.tolist(), strict=True))}
    pool_of = {(int(t), int(s), *map(int, kids)): p for p, (t, s, kids) in enumerate(zip(
        network.pool_type.tolist(), network.pool_size.tolist(), network.pool_kids.tolist(), strict=True))}
    choice_of = {kind: {(int(r), int(k), int(s)): i for i, (r, k, s) in enumerate(zip(
        network.schools[kind].cell.tolist(), network.schools[kind].kids.tolist(),
        network.schools[kind].school.tolist(), strict=True))} for kind in SCHOOL_KINDS}
    entry = np.zeros(network.entries, dtype=np.int64)
    flow = np.zeros(network.placements, dtype=np.int64)
    school = {kind: np.zeros(len(network.schools[kind]), dtype=np.int64) for kind in SCHOOL_KINDS}
    used_dwellings: dict[int, set[int]] = defaultdict(set)
    kids = facts.households.kids
    for placement in solution:
        h, d = placement.household, placement.dwelling
        c, k = int(h_class[h]), int(d_class[d])
        r = int(cell_of[d]) if (kids[h] > 0).any() else NO_CELL
        if c < 0 or k < 0:
            return None
        keep = keep_arc.get((c, int(network.previous_cell[h]))) if facts.previous.get(h) == d else None
        if keep is not None:
            r = int(network.cell[keep])
            flow[keep] += 1
        elif (c, k, r) in direct:
            flow[direct[(c, k, r)]] += 1
        else:
            p = pool_of.get((int(network.dwellings.type_of_class[k]), int(facts.households.size[h]),
                             *map(int, kids[h])))
            if p is None or (c, p) not in entry_of or (p, k, r) not in pooled:
                return None
            entry[entry_of[(c, p)]] += 1
            flow[pooled[(p, k, r)]] += 1
        for kind, s in placement.schools.items():
            i = choice_of[kind].get((r, int(kids[h, SCHOOL_KINDS.index(kind)]), s))
            if i is None:
                return None
            school[kind][i] += 1
        used_dwellings[k].add(d)
    used = {k: len(dwellings) for k, dwellings in used_dwellings.items()}
    return Counts(entry=entry, flow=flow, school=school, used=used)
