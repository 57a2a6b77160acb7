"""Locks (accepted pairs) must all be kept; an instance whose locks cannot be is invalid input.

Each lock is first checked on its own (compatibility, caps, schools), then all locks together: dwelling
capacity, municipality and group caps, and school seats. The seat question is an assignment problem, so
it goes to a small CP-SAT model with one assumption literal per lock; when it is infeasible, CP-SAT's
sufficient assumptions name the locks that cannot be kept together. When every lock holds, the school
assignment found here is the locked part of every warm start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matcher.facts import DISTANCE_TOLERANCE_KM, Facts, haversine_km
from matcher.format import SCHOOL_KINDS, Lock
from matcher.rules import broken_rules
from matcher.solution import Placement

if TYPE_CHECKING:  # CP-SAT takes half a second to load: imported only when there are locks to seat
    from ortools.sat.python import cp_model

LOCK_CHECK_SECONDS = 10.0


@dataclass(frozen=True)
class LockCheck:
    errors: list[str] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)  # the locks with a feasible school choice

    @property
    def ok(self) -> bool:
        return not self.errors


def check_locks(facts: Facts) -> LockCheck:
    locks = facts.instance.locks
    errors = [error for i, lock in enumerate(locks) for error in _single_lock_errors(facts, i, lock)]
    if errors:
        return LockCheck(errors=errors)
    errors = _joint_capacity_errors(facts)
    if errors:
        return LockCheck(errors=errors)
    if not locks:
        return LockCheck()  # nothing to seat: no need to load CP-SAT for an empty model
    return _assign_lock_schools(facts)


def lock_label(facts: Facts, i: int) -> str:
    lock = facts.instance.locks[i]
    return f"locks[{i}] ({lock.household} -> {lock.dwelling})"


def _single_lock_errors(facts: Facts, i: int, lock: Lock) -> list[str]:
    h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
    label = lock_label(facts, i)
    errors = [f"{label}: breaks rule {rule.rule} ({rule.name}): {rule.text}" for rule in broken_rules(facts, h, d)]
    m = int(facts.dwellings.municipality[d])
    size, cap = int(facts.households.size[h]), int(facts.municipalities.cap[m])
    if size > cap:
        errors.append(f"{label}: breaks the municipality cap: {facts.municipalities.ids[m]} may take {cap} more "
                      f"person(s); the household has {size}")
    for g in facts.dwellings.groups[d].tolist():
        if facts.groups.cap[g] <= 0:
            errors.append(f"{label}: breaks the group cap: group {facts.groups.ids[g]} may receive no more dwellings")
    errors.extend(_lock_school_errors(facts, label, lock, h, d))
    return errors


def _lock_school_errors(facts: Facts, label: str, lock: Lock, h: int, d: int) -> list[str]:
    errors = []
    named = lock.named_schools()
    policy = facts.instance.policy
    for column, kind in enumerate(SCHOOL_KINDS):
        kids = int(facts.households.kids[h, column])
        limit = policy.max_school_km.for_kind(kind)
        if kind in named:
            s = facts.school_index[named[kind]]
            km = float(haversine_km(facts.dwellings.lat[d], facts.dwellings.lon[d], facts.schools.lat[s],
                                    facts.schools.lon[s]))
            if kids == 0:
                errors.append(f"{label}: names {kind} school {named[kind]} but the household has no children "
                              f"aged {policy.ages(kind)[0]}-{policy.ages(kind)[1]}")
            elif km > limit + DISTANCE_TOLERANCE_KM:
                errors.append(f"{label}: {kind} school {named[kind]} is {km:.2f} km from the dwelling, beyond "
                              f"max_school_km {limit}")
            elif facts.schools.seats[s] < kids:
                errors.append(f"{label}: {kind} school {named[kind]} has {facts.schools.seats[s]} free seat(s) "
                              f"for {kids} children")
        elif kids > 0:
            reach = facts.reach[kind]
            in_range = reach.school[reach.of(d)]
            if not (facts.schools.seats[in_range] >= kids).any():
                errors.append(f"{label}: no {kind} school within {limit} km of the dwelling has {kids} free seat(s)")
    return errors


def _joint_capacity_errors(facts: Facts) -> list[str]:
    """Capacities that the locks break together: dwelling places, municipality persons, group dwellings."""
    locks = facts.instance.locks
    by_dwelling: dict[int, list[int]] = defaultdict(list)
    persons: dict[int, list[int]] = defaultdict(list)
    for i, lock in enumerate(locks):
        d = facts.dwelling_index[lock.dwelling]
        by_dwelling[d].append(i)
        persons[int(facts.dwellings.municipality[d])].append(i)
    errors = []
    for d, members in by_dwelling.items():
        capacity = int(facts.dwellings.households_capacity[d])
        if len(members) > capacity:
            errors.append(f"{_labels(facts, members)} together break dwelling capacity: {facts.dwellings.ids[d]} "
                          f"takes at most {capacity} household(s)")
    for m, members in persons.items():
        total = int(sum(facts.households.size[facts.household_index[locks[i].household]] for i in members))
        if total > facts.municipalities.cap[m]:
            errors.append(f"{_labels(facts, members)} together break the municipality cap: "
                          f"{facts.municipalities.ids[m]} may take {facts.municipalities.cap[m]} more person(s), "
                          f"the locks place {total}")
    for g, group_dwellings in enumerate(facts.groups.dwellings):
        used = [d for d in group_dwellings.tolist() if d in by_dwelling]
        if len(used) > facts.groups.cap[g]:
            members = sorted(i for d in used for i in by_dwelling[d])
            errors.append(f"{_labels(facts, members)} together break the group cap: group {facts.groups.ids[g]} "
                          f"may receive {facts.groups.cap[g]} more dwelling(s), the locks use {len(used)}")
    return errors


def _labels(facts: Facts, members: list[int]) -> str:
    return ", ".join(lock_label(facts, i) for i in members)


def _assign_lock_schools(facts: Facts) -> LockCheck:
    """Find schools for every locked household at once, or name the locks whose children cannot all fit."""
    from ortools.sat.python import cp_model

    locks = facts.instance.locks
    model = cp_model.CpModel()
    keep = [model.new_bool_var(f"keep_lock_{i}") for i in range(len(locks))]
    choices: dict[tuple[int, str], list[tuple[int, cp_model.IntVar]]] = {}
    pupils_at: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for i, lock in enumerate(locks):
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        named = lock.named_schools()
        for column, kind in enumerate(SCHOOL_KINDS):
            kids = int(facts.households.kids[h, column])
            if kids == 0:
                continue
            reach = facts.reach[kind]
            schools = [facts.school_index[named[kind]]] if kind in named else reach.school[reach.of(d)].tolist()
            options = [(s, model.new_bool_var(f"lock_{i}_{kind}_{s}")) for s in schools
                       if facts.schools.seats[s] >= kids]
            model.add_exactly_one(var for _, var in options).only_enforce_if(keep[i])
            choices[(i, kind)] = options
            for s, var in options:
                pupils_at[s].append((kids, var))
    for s, terms in pupils_at.items():
        model.add(sum(kids * var for kids, var in terms) <= int(facts.schools.seats[s]))
    model.add_assumptions(keep)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = LOCK_CHECK_SECONDS
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        culprits = sorted(_assumption_indices(solver, keep))
        return LockCheck(errors=[f"{_labels(facts, culprits)} together break school seats: their children cannot "
                                 "all get a school in range with a free seat"])
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return LockCheck(errors=["the locks could not be checked for school seats within "
                                 f"{LOCK_CHECK_SECONDS:.0f} s"])
    placements = []
    for i, lock in enumerate(locks):
        schools = {kind: next(s for s, var in choices[(i, kind)] if solver.boolean_value(var))
                   for kind in SCHOOL_KINDS if (i, kind) in choices}
        placements.append(Placement(facts.household_index[lock.household], facts.dwelling_index[lock.dwelling],
                                    schools))
    return LockCheck(placements=placements)


def _assumption_indices(solver: cp_model.CpSolver, keep: list[cp_model.IntVar]) -> list[int]:
    """Which locks CP-SAT names as jointly infeasible (all of them if it names none)."""
    literal_to_lock = {var.index: i for i, var in enumerate(keep)}
    found = [literal_to_lock[literal] for literal in solver.sufficient_assumptions_for_infeasibility()
             if literal in literal_to_lock]
    return found or list(range(len(keep)))


def locked_households(facts: Facts) -> np.ndarray:
    mask = np.zeros(len(facts.households), dtype=np.bool_)
    for lock in facts.instance.locks:
        mask[facts.household_index[lock.household]] = True
    return mask
