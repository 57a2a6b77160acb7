"""Forcing one pair into a proposal: the best proposal that contains it, changing as little as possible.

Forcing (household, dwelling) means adding it as a lock and solving again, so the answer is exactly what
the optimizer would propose had the pair already been accepted. Two things make the comparison with the
original proposal fair and readable:

- the original proposal, minus what the forced pair displaces, is the warm start, so the re-solve starts
  from the plan people are looking at;
- after the policy's objectives are optimised (each held at the value found), one more search keeps as
  many households as possible where they were: first in a dwelling at all, then in the same dwelling.
  Among equally good proposals, the one that changes least is reported, so "who would have to move" lists
  only the moves the forced pair really causes.

Adding a lock changes no compatibility rule and no derived quantity, so the baseline's facts and
compatible pairs are reused with the extended lock list; only candidates and the model are rebuilt.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from matcher.accountability.baseline import Baseline
from matcher.accountability.obstacles import Obstacle, pair_obstacles
from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, SCHOOL_KINDS, Lock, Proposal
from matcher.solution import Placement, Solution
from matcher.solver import SolveControl, SolveOptions
from matcher.solver.candidates import Candidates, usable_candidates
from matcher.solver.evaluate import objective_values
from matcher.solver.locks import check_locks, lock_label
from matcher.solver.model import AllocationModel, build_model
from matcher.solver.proposal import build_proposal
from matcher.solver.tiers import TierResult, optimise_lexicographically, read_solution

RESOLVE_TIME_LIMIT_S = 10.0  # per forced pair: a region's week solves to proven optimality well within this
LEAST_CHANGE_SHARE = 0.2  # of the time limit, kept for the final "change as little as possible" search
THIS_PAIR = "this pair"


@dataclass(frozen=True)
class ObjectiveChange:
    """One objective before and after forcing the pair."""

    name: str
    before: int
    after: int

    @property
    def worse_by(self) -> int:
        """How much worse the forced proposal is on this objective (negative: better)."""
        return self.before - self.after if self.name in MAXIMISED_OBJECTIVES else self.after - self.before

    def text(self) -> str:
        if self.worse_by > 0:
            return f"{self.name} {self.before} -> {self.after} ({self.worse_by} worse)"
        if self.worse_by < 0:
            return f"{self.name} {self.before} -> {self.after} ({-self.worse_by} better)"
        return f"{self.name} {self.after} (unchanged)"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "before": self.before, "after": self.after, "worse_by": self.worse_by}


@dataclass(frozen=True)
class Move:
    household: str
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return {"household": self.household, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class Forced:
    """The proposal that results from forcing the pair, compared with the original one."""

    household: str
    dwelling: str
    previous: str | None  # the household's dwelling in the original proposal
    proposal: Proposal
    values: dict[str, int]  # all four objectives of the forced proposal
    changes: list[ObjectiveChange]  # the policy's objectives, in its order
    lost: list[str]  # households placed before and left out now
    moved: list[Move]  # other households placed before and elsewhere now
    gained: list[str]  # households left out before and placed now (the forced household excepted)
    resolved: bool  # False when the pair already was in a proven-optimal proposal: nothing to re-solve

    @property
    def proven(self) -> bool:
        return self.proposal.status == "optimal"

    @property
    def deciding(self) -> ObjectiveChange | None:
        """The most important objective that changes: it alone decides which proposal ranks higher."""
        return next((change for change in self.changes if change.worse_by != 0), None)

    @property
    def unchanged(self) -> bool:
        return not (self.lost or self.moved or self.gained) and self.previous == self.dwelling

    def as_dict(self) -> dict[str, Any]:
        deciding = self.deciding
        return {
            "household": self.household, "dwelling": self.dwelling, "previous": self.previous,
            "status": self.proposal.status, "objectives": [change.as_dict() for change in self.changes],
            "deciding": deciding.name if deciding else None,
            "lost": self.lost, "moved": [move.as_dict() for move in self.moved],
            "gained": self.gained, "resolved": self.resolved,
        }


@dataclass(frozen=True)
class Blocked:
    """The pair can be in no feasible proposal; ``obstacles`` says every reason."""

    household: str
    dwelling: str
    obstacles: list[Obstacle]

    def as_dict(self) -> dict[str, Any]:
        return {"household": self.household, "dwelling": self.dwelling,
                "obstacles": [obstacle.as_dict() for obstacle in self.obstacles]}


def force_pair(baseline: Baseline, household: int, dwelling: int,
               options: SolveOptions | None = None) -> Forced | Blocked:
    """Force the pair into the baseline's proposal: why it cannot be, or the best proposal containing it."""
    options = options or SolveOptions(time_limit=RESOLVE_TIME_LIMIT_S)
    facts = baseline.facts
    h_id, d_id = facts.households.ids[household], facts.dwellings.ids[dwelling]
    obstacles = pair_obstacles(facts, household, dwelling)
    if obstacles:
        return Blocked(h_id, d_id, obstacles)
    current = baseline.placement_of(household)
    if current is not None and current.dwelling == dwelling and baseline.proposal.status == "optimal":
        return _compare(baseline, household, dwelling, baseline.solution, baseline.proposal, resolved=False)
    forced = _with_lock(baseline, h_id, d_id)
    locks = check_locks(forced)
    if not locks.ok:
        label = lock_label(forced, len(forced.instance.locks) - 1)
        return Blocked(h_id, d_id, [Obstacle("lock", "locks_together", error.replace(label, THIS_PAIR))
                                    for error in locks.errors])
    solution, tiers, stats = _resolve(forced, baseline, locks.placements, options)
    stats["forced"] = {"household": h_id, "dwelling": d_id}
    proposal = build_proposal(forced, baseline.pairs, solution, tiers, stats)
    return _compare(baseline, household, dwelling, solution, proposal, resolved=True)


def _with_lock(baseline: Baseline, household_id: str, dwelling_id: str) -> Facts:
    """The baseline's facts for the instance with the pair locked (locks change no derived array)."""
    instance = baseline.instance
    if any(lock.household == household_id and lock.dwelling == dwelling_id for lock in instance.locks):
        return baseline.facts
    locked = instance.model_copy(update={"locks": [*instance.locks, Lock(household=household_id,
                                                                          dwelling=dwelling_id)]})
    return dataclasses.replace(baseline.facts, instance=locked)


def _resolve(facts: Facts, baseline: Baseline, locked: list[Placement],
             options: SolveOptions) -> tuple[Solution, list[TierResult], dict[str, Any]]:
    """The policy's objectives with the pair locked, then the least change among equally good proposals.

    The time limit is for the search: it starts once the model is built, so that on a large instance the
    building does not eat the time the objectives need.
    """
    began = time.monotonic()
    candidates = usable_candidates(facts, baseline.pairs)
    allocation = build_model(facts, candidates)
    start = warm_start(facts, candidates, locked, baseline.solution)
    started = time.monotonic()
    tier_options = dataclasses.replace(options, time_limit=options.time_limit * (1 - LEAST_CHANGE_SHARE),
                                       method="cpsat")
    solution, tiers = optimise_lexicographically(allocation, baseline.objectives, start, tier_options,
                                                 SolveControl(), started)
    solution, kept = _least_change(allocation, solution, baseline.solution, options)
    stats: dict[str, Any] = {"options": {"time_limit": options.time_limit, "workers": options.workers,
                                         "seed": options.seed, "deterministic": options.deterministic},
                             "tiers": [tier.as_stats() for tier in tiers], "least_change": kept,
                             "build_seconds": round(started - began, 4),
                             "total_seconds": round(time.monotonic() - began, 4)}
    return solution, tiers, stats


# --- the warm start: the original proposal, minus what the forced pair displaces ---------------------------


@dataclass
class _Room:
    """What is still free while placements are added one by one."""

    places: np.ndarray  # per dwelling
    persons: np.ndarray  # per municipality
    group_dwellings: np.ndarray  # per group
    seats: np.ndarray  # per school
    used: np.ndarray  # per dwelling: received a household already

    @classmethod
    def of(cls, facts: Facts) -> _Room:
        return cls(facts.dwellings.households_capacity.copy(), facts.municipalities.cap.copy(),
                   facts.groups.cap.copy(), facts.schools.seats.copy(),
                   np.zeros(len(facts.dwellings), dtype=np.bool_))

    def fits(self, facts: Facts, placement: Placement) -> bool:
        h, d = placement.household, placement.dwelling
        new_groups = facts.dwellings.groups[d] if not self.used[d] else np.zeros(0, dtype=np.int64)
        return bool(self.places[d] >= 1
                    and self.persons[facts.dwellings.municipality[d]] >= facts.households.size[h]
                    and (self.group_dwellings[new_groups] >= 1).all()
                    and all(self.seats[s] >= facts.households.kids[h, SCHOOL_KINDS.index(kind)]
                            for kind, s in placement.schools.items()))

    def take(self, facts: Facts, placement: Placement) -> None:
        h, d = placement.household, placement.dwelling
        if not self.used[d]:
            self.group_dwellings[facts.dwellings.groups[d]] -= 1
            self.used[d] = True
        self.places[d] -= 1
        self.persons[facts.dwellings.municipality[d]] -= facts.households.size[h]
        for kind, s in placement.schools.items():
            self.seats[s] -= facts.households.kids[h, SCHOOL_KINDS.index(kind)]


def warm_start(facts: Facts, candidates: Candidates, locked: list[Placement], previous: Solution) -> Solution:
    """The locks, then every previous placement that still fits beside them, in household order: feasible."""
    pair_of = {(h, d): c for c, (h, d) in enumerate(zip(candidates.household.tolist(),
                                                         candidates.dwelling.tolist(), strict=True))}
    school_options = {kind: set(zip(options.candidate.tolist(), options.school.tolist(), strict=True))
                      for kind, options in candidates.schools.items()}
    room = _Room.of(facts)
    chosen: dict[int, Placement] = {}
    for placement in locked:
        room.take(facts, placement)
        chosen[placement.household] = placement
    for placement in previous:
        c = pair_of.get((placement.household, placement.dwelling))
        if placement.household in chosen or c is None:
            continue
        if all((c, s) in school_options[kind] for kind, s in placement.schools.items()) and room.fits(facts, placement):
            room.take(facts, placement)
            chosen[placement.household] = placement
    return [chosen[h] for h in sorted(chosen)]


# --- the least change among equally good proposals ----------------------------------------------------------


def _least_change(allocation: AllocationModel, solution: Solution, previous: Solution,
                  options: SolveOptions) -> tuple[Solution, dict[str, Any]]:
    """Keep the most previous households placed, then the most in their previous dwelling.

    Every policy objective is already held at its value by ``optimise_lexicographically``. A household that
    keeps a place weighs more than all households that keep their dwelling together, so a lost place is
    never traded for fewer moves.
    """
    model, assign, candidates = allocation.model, allocation.assign, allocation.candidates
    weight = len(previous) + 1
    terms = []
    for placement in previous:
        own = allocation.by_household[placement.household]
        terms += [(weight, assign[c]) for c in own]
        terms += [(1, assign[c]) for c in own if candidates.dwelling[c] == placement.dwelling]
    if not terms:
        return solution, {"status": "nothing to keep"}
    model.maximize(sum(w * var for w, var in terms))
    _hint(allocation, solution)
    solver = cp_model.CpSolver()
    _configure(solver, options, options.time_limit * LEAST_CHANGE_SHARE)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solution, {"status": "not solved: the proposal of the last objective is kept"}
    return read_solution(allocation, solver), {"status": "optimal" if status == cp_model.OPTIMAL else "feasible"}


def _hint(allocation: AllocationModel, solution: Solution) -> None:
    """A complete hint from a feasible solution, so the search starts where the objectives left off."""
    model = allocation.model
    model.clear_hints()
    chosen = {(p.household, p.dwelling): p for p in solution}
    picked: set[tuple[str, int, int]] = set()
    for c, (h, d) in enumerate(zip(allocation.candidates.household.tolist(),
                                   allocation.candidates.dwelling.tolist(), strict=True)):
        placement = chosen.get((h, d))
        model.add_hint(allocation.assign[c], placement is not None)
        if placement is not None:
            picked |= {(kind, c, school) for kind, school in placement.schools.items()}
    for kind in SCHOOL_KINDS:
        options = allocation.candidates.schools[kind]
        for o, (c, school) in enumerate(zip(options.candidate.tolist(), options.school.tolist(), strict=True)):
            model.add_hint(allocation.school_choice[kind][o], (kind, c, school) in picked)


def _configure(solver: cp_model.CpSolver, options: SolveOptions, budget: float) -> None:
    """The same search settings as the solver's tiers: seed, workers and a (deterministic) time limit."""
    parameters = solver.parameters
    parameters.num_workers = max(1, options.workers)
    parameters.random_seed = options.seed
    if options.deterministic:
        parameters.interleave_search = True
        parameters.max_deterministic_time = budget
    else:
        parameters.max_time_in_seconds = budget


# --- the comparison ---------------------------------------------------------------------------------------


def _compare(baseline: Baseline, household: int, dwelling: int, solution: Solution, proposal: Proposal,
             resolved: bool) -> Forced:
    facts = baseline.facts
    ids_h, ids_d = facts.households.ids, facts.dwellings.ids
    before = {p.household: p.dwelling for p in baseline.solution}
    after = {p.household: p.dwelling for p in solution}
    values = objective_values(facts, solution)
    others = [h for h in sorted(before) if h != household]
    return Forced(
        household=ids_h[household],
        dwelling=ids_d[dwelling],
        previous=ids_d[before[household]] if household in before else None,
        proposal=proposal,
        values=values,
        changes=[ObjectiveChange(name, baseline.values[name], values[name]) for name in baseline.objectives],
        lost=[ids_h[h] for h in others if h not in after],
        moved=[Move(ids_h[h], ids_d[before[h]], ids_d[after[h]]) for h in others
               if h in after and after[h] != before[h]],
        gained=[ids_h[h] for h in sorted(after) if h not in before and h != household],
        resolved=resolved,
    )


def rank_key(forced: Forced, objectives: list[str]) -> tuple[Any, ...]:
    """Best first: the policy's objectives lexicographically, then fewer lost places, then fewer moves."""
    values = tuple(-forced.values[name] if name in MAXIMISED_OBJECTIVES else forced.values[name]
                   for name in objectives)
    return (*values, len(forced.lost), len(forced.moved))
