"""First come, first served: what a coordinator does by hand, used as the tiers' warm start and as a baseline
(``--method greedy``).

Locks first; then households by waiting time, longest first; each takes the first dwelling it can have
(fewest unused bedrooms, then input order) that keeps every capacity rule, with the nearest school of each
needed kind that still has seats for all its children. It runs over the classes of the placement network,
so no pair is ever listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver.capacity import Capacity
from matcher.solver.network import Network


def greedy_by_class(facts: Facts, network: Network, locked: list[Placement]) -> Solution:
    """First come, first served over the placement network: no pair is ever listed.

    Every member of a household class has the same candidate *targets* (dwelling classes, or cells for
    households with children), ordered by unused bedrooms, then the target's first dwelling. A target's
    dwellings share municipality, groups and (for a cell) school reach, so one check decides for all of
    them; capacities only ever shrink while the greedy fills the region, so a target that fails a member
    of a class fails every later member too, and each class walks its list once, skipping full targets,
    full municipalities and full groups with one vectorised test per household.
    """
    free = Capacity.of(facts)
    placed: dict[int, Placement] = {}
    for lock in locked:
        free.take(facts, lock)
        placed[lock.household] = lock
    state = _TargetState.of(facts, network, free)
    targets = _class_targets(facts, network, state)
    position = np.zeros(len(network.households), dtype=np.int64)
    waiting_order = np.argsort(-facts.households.waiting_days, kind="stable")
    for h in waiting_order.tolist():
        c = int(network.households.of[h])
        if h in placed or c < 0:
            continue
        own = targets[c]
        size = int(facts.households.size[h])
        while position[c] < len(own):
            rest = own[position[c]:]
            open_ = state.open_for(rest, size)
            if not open_.any():
                position[c] = len(own)
                break
            position[c] += int(np.argmax(open_))
            placement = state.place(facts, free, h, int(own[position[c]]))
            if placement is not None:
                placed[h] = placement
                break
            position[c] += 1
    return [placed[h] for h in sorted(placed)]


@dataclass
class _TargetState:
    """Per target (dwelling classes first, then cells): its dwellings, municipality, and what is left."""

    dwellings: list[IntArray]
    municipality: IntArray
    places: IntArray  # places left in the target's dwellings
    blocked: np.ndarray  # a group of the target is full and no dwelling of it has been started
    next_free: IntArray  # index into the target's dwellings of the first that may have a place
    classes: int
    cell_of: IntArray
    class_of: IntArray
    free_persons: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def of(cls, facts: Facts, network: Network, free: Capacity) -> _TargetState:
        dwellings = list(network.dwellings.members) + list(network.dwellings.cells)
        first = np.array([rows[0] for rows in dwellings], dtype=np.int64)
        places = np.array([int(free.dwelling_places[rows].sum()) for rows in dwellings], dtype=np.int64)
        state = cls(dwellings=dwellings, municipality=facts.dwellings.municipality[first], places=places,
                    blocked=np.zeros(len(dwellings), dtype=np.bool_), next_free=np.zeros(len(dwellings), np.int64),
                    classes=len(network.dwellings), cell_of=network.dwellings.cell_of, class_of=network.dwellings.of)
        for t, rows in enumerate(dwellings):
            state.blocked[t] = state._blocked(facts, free, rows)
        state.free_persons = free.municipality_persons  # the live array the bookings update
        return state

    def open_for(self, targets: IntArray, size: int) -> np.ndarray:
        room = self.free_persons[self.municipality[targets]] >= size
        return (self.places[targets] > 0) & ~self.blocked[targets] & room

    def place(self, facts: Facts, free: Capacity, h: int, t: int) -> Placement | None:
        """Place h in the first dwelling of target t that takes it (a started shared one if groups are full)."""
        rows = self.dwellings[t]
        while self.next_free[t] < len(rows) and free.dwelling_places[rows[self.next_free[t]]] < 1:
            self.next_free[t] += 1
        for d in rows[self.next_free[t]:].tolist():
            if free.dwelling_places[d] < 1:
                continue
            if not free.dwelling_used[d] and (free.group_dwellings[facts.dwellings.groups[d]] < 1).any():
                continue  # an empty dwelling would need a group place; a started shared one does not
            schools = _nearest_schools(facts, free, h, d)
            if schools is None:
                return None  # the target's dwellings reach the same schools
            placement = Placement(household=h, dwelling=d, schools=schools)
            full_groups_before = free.group_dwellings <= 0
            free.take(facts, placement)
            self._booked(facts, free, d, newly_full=np.flatnonzero((free.group_dwellings <= 0) & ~full_groups_before))
            return placement
        return None

    def _booked(self, facts: Facts, free: Capacity, d: int, newly_full: IntArray) -> None:
        for t in (int(self.class_of[d]), self.classes + int(self.cell_of[d])):
            self.places[t] -= 1
        if len(newly_full):
            members = np.unique(np.concatenate([facts.groups.dwellings[g] for g in newly_full.tolist()]))
            touched = {int(self.class_of[m]) for m in members.tolist() if self.class_of[m] >= 0}
            touched |= {self.classes + int(self.cell_of[m]) for m in members.tolist() if self.cell_of[m] >= 0}
            for t in touched:
                self.blocked[t] = self._blocked(facts, free, self.dwellings[t])

    @staticmethod
    def _blocked(facts: Facts, free: Capacity, rows: IntArray) -> bool:
        first = int(rows[0])
        if not (free.group_dwellings[facts.dwellings.groups[first]] < 1).any():
            return False
        return not (free.dwelling_used[rows] & (free.dwelling_places[rows] > 0)).any()


def _class_targets(facts: Facts, network: Network, state: _TargetState) -> list[IntArray]:
    """Per household class, the targets it can reach, best fitting first (fewest unused bedrooms, then the
    target's first dwelling)."""
    pooled = network.placement_pool >= 0
    target = np.where(network.cell >= 0, state.classes + network.cell, network.dwelling_class)
    by_pool = np.argsort(network.placement_pool, kind="stable")
    pool_sorted = network.placement_pool[by_pool]
    begin = np.searchsorted(pool_sorted, network.entry_pool, side="left")
    end = np.searchsorted(pool_sorted, network.entry_pool, side="right")
    lengths = end - begin
    owner = np.concatenate([np.repeat(network.entry_class, lengths), network.placement_class[~pooled]])
    picks = np.repeat(begin - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(int(lengths.sum()))
    arcs = np.concatenate([by_pool[picks], np.flatnonzero(~pooled)]).astype(np.int64)
    chosen = target[arcs]
    first = np.array([rows[0] for rows in state.dwellings], dtype=np.int64)[chosen]
    need = facts.households.need[network.households.representative][owner]
    unused = np.maximum(0, facts.dwellings.bedrooms[first] - need)
    order = np.lexsort((first, unused, owner))
    owner, chosen = owner[order], chosen[order]
    bounds = np.searchsorted(owner, np.arange(len(network.households) + 1))
    return [chosen[bounds[c]:bounds[c + 1]] for c in range(len(network.households))]


def _nearest_schools(facts: Facts, free: Capacity, h: int, d: int) -> dict[str, int] | None:
    schools: dict[str, int] = {}
    for column, kind in enumerate(SCHOOL_KINDS):
        kids = int(facts.households.kids[h, column])
        if kids == 0:
            continue
        reach = facts.reach[kind]
        in_range = reach.school[reach.of(d)]
        nearest = next((int(s) for s in in_range.tolist() if free.school_seats[s] >= kids), None)
        if nearest is None:
            return None
        schools[kind] = nearest
    return schools
