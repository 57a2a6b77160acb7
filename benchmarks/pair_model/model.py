"""The pair model matcher solved before the class model: one Boolean per candidate pair, one per usable
school option, and the format's rules.

Kept for the benchmarks' ``pair-model`` and ``highs`` peers only (the "before" figures); matcher itself
runs the class model. Each constraint family is a small function that adds exactly one rule of
``docs/format.md``, so that a test can build a model with only that family and watch it bind. Objectives are
linear expressions kept on the model; ``benchmarks.pair_model.tiers`` optimises them lexicographically.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from benchmarks.pair_model.candidates import Candidates
from matcher.facts import Facts
from matcher.format import PERMILLE, SCHOOL_KINDS
from matcher.solver.evaluate import pair_quality


@dataclass
class AllocationModel:
    facts: Facts
    candidates: Candidates
    model: cp_model.CpModel
    assign: list[cp_model.IntVar]  # assign[c]: candidate pair c is chosen
    school_choice: dict[str, list[cp_model.IntVar]]  # per kind, aligned with candidates.schools[kind]
    objectives: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    by_household: list[list[int]] = field(default_factory=list)  # candidate indices per household
    by_dwelling: list[list[int]] = field(default_factory=list)  # candidate indices per dwelling


def build_model(facts: Facts, candidates: Candidates) -> AllocationModel:
    """Every hard rule and every objective, over the candidate pairs only."""
    allocation = new_model(facts, candidates)
    add_one_dwelling_per_household(allocation)
    add_dwelling_capacity(allocation)
    add_school_choice(allocation)
    add_school_seats(allocation)
    add_group_caps(allocation)
    add_municipality_caps(allocation)
    add_locks(allocation)
    add_objectives(allocation)
    return allocation


def new_model(facts: Facts, candidates: Candidates) -> AllocationModel:
    """Variables only: one Boolean per candidate pair and per school option."""
    model = cp_model.CpModel()
    assign = [model.new_bool_var(f"x_{h}_{d}") for h, d in zip(candidates.household.tolist(),
                                                                  candidates.dwelling.tolist(), strict=True)]
    school_choice = {
        kind: [model.new_bool_var(f"s_{kind[0]}_{c}_{s}") for c, s in zip(options.candidate.tolist(),
                                                                          options.school.tolist(), strict=True)]
        for kind, options in candidates.schools.items()
    }
    by_household: list[list[int]] = [[] for _ in range(len(facts.households))]
    by_dwelling: list[list[int]] = [[] for _ in range(len(facts.dwellings))]
    for c, (h, d) in enumerate(zip(candidates.household.tolist(), candidates.dwelling.tolist(), strict=True)):
        by_household[h].append(c)
        by_dwelling[d].append(c)
    return AllocationModel(facts, candidates, model, assign, school_choice,
                           by_household=by_household, by_dwelling=by_dwelling)


def add_one_dwelling_per_household(allocation: AllocationModel) -> None:
    for candidates in allocation.by_household:
        if len(candidates) > 1:
            allocation.model.add_at_most_one(allocation.assign[c] for c in candidates)


def add_dwelling_capacity(allocation: AllocationModel) -> None:
    """A non-shared dwelling takes one household; a shared one at most ``shared_places`` sharers."""
    capacity = allocation.facts.dwellings.households_capacity
    for d, candidates in enumerate(allocation.by_dwelling):
        if len(candidates) <= capacity[d]:
            continue
        chosen = [allocation.assign[c] for c in candidates]
        if capacity[d] == 1:
            allocation.model.add_at_most_one(chosen)
        else:
            allocation.model.add(sum(chosen) <= int(capacity[d]))


def add_school_choice(allocation: AllocationModel) -> None:
    """A chosen pair names exactly one school of each kind its household has children of."""
    kids = allocation.facts.households.kids
    for column, kind in enumerate(SCHOOL_KINDS):
        options = allocation.candidates.schools[kind]
        per_candidate: dict[int, list[cp_model.IntVar]] = {}
        for option, c in enumerate(options.candidate.tolist()):
            per_candidate.setdefault(c, []).append(allocation.school_choice[kind][option])
        needing = np.flatnonzero(kids[allocation.candidates.household, column] > 0)
        for c in needing.tolist():
            allocation.model.add(sum(per_candidate.get(c, [])) == allocation.assign[c])


def add_school_seats(allocation: AllocationModel) -> None:
    """Children placed at a school never outnumber its free seats."""
    facts = allocation.facts
    for column, kind in enumerate(SCHOOL_KINDS):
        options = allocation.candidates.schools[kind]
        pupils = facts.households.kids[allocation.candidates.household[options.candidate], column]
        per_school: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
        for option, (school, count) in enumerate(zip(options.school.tolist(), pupils.tolist(), strict=True)):
            per_school.setdefault(school, []).append((count, allocation.school_choice[kind][option]))
        for school, terms in per_school.items():
            if sum(count for count, _ in terms) > facts.schools.seats[school]:
                allocation.model.add(sum(count * var for count, var in terms) <= int(facts.schools.seats[school]))


def dwelling_used(allocation: AllocationModel, d: int) -> cp_model.LinearExprT:
    """1 when dwelling d receives at least one household (a linear expression or a fresh Boolean)."""
    candidates = allocation.by_dwelling[d]
    if not allocation.facts.dwellings.shared[d] or len(candidates) <= 1:
        return sum(allocation.assign[c] for c in candidates)
    used = allocation.model.new_bool_var(f"used_{d}")
    for c in candidates:
        allocation.model.add_implication(allocation.assign[c], used)
    allocation.model.add(sum(allocation.assign[c] for c in candidates) >= 1).only_enforce_if(used)
    return used


def add_group_caps(allocation: AllocationModel) -> None:
    """Mixed occupancy: distinct dwellings of a group that receive someone stay within the group's cap."""
    groups = allocation.facts.groups
    for g, members in enumerate(groups.dwellings):
        reachable = [int(d) for d in members if allocation.by_dwelling[int(d)]]
        if len(reachable) > groups.cap[g]:
            allocation.model.add(sum(dwelling_used(allocation, d) for d in reachable) <= int(groups.cap[g]))


def persons_placed_in(allocation: AllocationModel, municipality: int) -> cp_model.LinearExprT:
    facts = allocation.facts
    size = facts.households.size
    in_municipality = np.flatnonzero(facts.dwellings.municipality[allocation.candidates.dwelling] == municipality)
    return sum(int(size[allocation.candidates.household[c]]) * allocation.assign[c] for c in in_municipality.tolist())


def add_municipality_caps(allocation: AllocationModel) -> None:
    """Persons placed in a municipality stay within floor(target * (1 + share)) - housed."""
    facts = allocation.facts
    size = facts.households.size[allocation.candidates.household]
    municipality = facts.dwellings.municipality[allocation.candidates.dwelling]
    demand = np.bincount(municipality, weights=size, minlength=len(facts.municipalities.ids))
    for m, cap in enumerate(facts.municipalities.cap.tolist()):
        if demand[m] > cap:
            allocation.model.add(persons_placed_in(allocation, m) <= cap)


def add_locks(allocation: AllocationModel) -> None:
    """Accepted pairs stay, with the schools the lock names. Locks are validated before the model is built."""
    facts = allocation.facts
    for lock in facts.instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        c = next(c for c in allocation.by_household[h] if allocation.candidates.dwelling[c] == d)
        allocation.model.add(allocation.assign[c] == 1)
        for kind, school_id in lock.named_schools().items():
            options = allocation.candidates.schools[kind]
            named = np.flatnonzero((options.candidate == c) & (options.school == facts.school_index[school_id]))
            allocation.model.add(allocation.school_choice[kind][int(named[0])] == 1)


# --- objectives -----------------------------------------------------------------------------------------


def add_objectives(allocation: AllocationModel) -> None:
    allocation.objectives = {
        "overdue_housed": overdue_housed(allocation),
        "persons_housed": persons_housed(allocation),
        "kept_previous": kept_previous(allocation),
        "max_shortfall_permille": max_shortfall_permille(allocation),
        "quality": quality(allocation),
    }


def overdue_housed(allocation: AllocationModel) -> cp_model.LinearExprT:
    overdue = allocation.facts.households.overdue[allocation.candidates.household]
    return sum(allocation.assign[c] for c in np.flatnonzero(overdue).tolist())


def persons_housed(allocation: AllocationModel) -> cp_model.LinearExprT:
    size = allocation.facts.households.size[allocation.candidates.household]
    return cp_model.LinearExpr.weighted_sum(allocation.assign, size.tolist())


def previous_candidates(facts: Facts, candidates: Candidates) -> np.ndarray:
    """Which candidate pairs are the households' previous pairs (a re-plan's proposal under review)."""
    previous = np.full(len(facts.households), -1, dtype=np.int64)
    for household, dwelling in facts.previous.items():
        previous[household] = dwelling
    return previous[candidates.household] == candidates.dwelling


def kept_previous(allocation: AllocationModel) -> cp_model.LinearExprT:
    kept = previous_candidates(allocation.facts, allocation.candidates)
    return sum(allocation.assign[c] for c in np.flatnonzero(kept).tolist())


def max_shortfall_permille(allocation: AllocationModel) -> cp_model.IntVar:
    """z >= floor(1000 * max(0, target - housed - placed) / target) for every municipality with a target.

    With integers, z >= floor(a / T) is exactly T * z >= a - T + 1; the max(0, .) is implied by z >= 0.
    """
    facts = allocation.facts
    model = allocation.model
    worst = model.new_int_var(0, PERMILLE, "max_shortfall_permille")
    for m, (target, housed) in enumerate(zip(facts.municipalities.target.tolist(),
                                            facts.municipalities.housed.tolist(), strict=True)):
        if target > 0:
            placed = persons_placed_in(allocation, m)
            model.add(target * worst >= PERMILLE * (target - housed - placed) - target + 1)
    return worst


def quality(allocation: AllocationModel) -> cp_model.LinearExprT:
    """Tie bonus, minus unused bedrooms, minus whole kilometres to each school named."""
    facts = allocation.facts
    weights = facts.instance.policy.quality_weights
    h, d = allocation.candidates.household, allocation.candidates.dwelling
    per_pair = pair_quality(facts, h, d)
    terms = [(int(w), allocation.assign[c]) for c, w in enumerate(per_pair.tolist()) if w]
    for kind in SCHOOL_KINDS:
        options = allocation.candidates.schools[kind]
        terms += [(-weights.school_km * int(km), allocation.school_choice[kind][o])
                  for o, km in enumerate(options.cost_km.tolist()) if km and weights.school_km]
    return sum(weight * var for weight, var in terms)
