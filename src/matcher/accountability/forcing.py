"""Forcing one pair into a proposal: the best proposal that contains it, changing as little as possible.

Forcing (household, dwelling) means adding it as a lock and solving again with ``matcher.solver.solve``,
so the answer is exactly what the optimizer would propose had the pair already been accepted, on the same
class model, with the same portfolio and the same proofs. Two things make the comparison with the original
proposal fair and readable:

- the original proposal, minus what the forced pair displaces, is offered as the warm start, so the
  re-solve starts from the plan people are looking at (and proves a tier at once when nothing better
  exists);
- households of one class are interchangeable for every rule and objective, so among the proposals the
  class model's counts stand for, the one that keeps the most households where they were is reported
  (``matcher.solver.keeping``): "who would have to move" lists the moves the counts need, not arbitrary
  swaps between look-alike households.

Adding a lock changes no compatibility rule and no derived quantity, so the baseline's facts serve to
check the lock and to build the warm start.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from matcher.accountability.baseline import Baseline
from matcher.accountability.obstacles import Obstacle, pair_obstacles
from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, Lock, Proposal
from matcher.solution import Placement, Solution
from matcher.solver import SolveOptions, solve
from matcher.solver.capacity import Capacity
from matcher.solver.evaluate import objective_values
from matcher.solver.locks import check_locks, lock_label
from matcher.solver.options import DEFAULT_TIME_LIMIT_S

RESOLVE_TIME_LIMIT_S = DEFAULT_TIME_LIMIT_S  # per forced pair, as for ``matcher solve``: a re-solve is a solve
# (a region's week is proven within a second and stops there; a region's backlog needs the quality tier's time)
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
    def cost_proven(self) -> bool:
        """Whether what forcing costs is proven: every tier up to the deciding objective is proven optimal
        (later tiers can then only change who moves, not the cost). With no objective changing, all of
        them must be."""
        deciding = self.deciding
        if deciding is None:
            return self.proven
        tiers = (self.proposal.model_extra or {}).get("stats", {}).get("tiers", [])
        names = [tier["name"] for tier in tiers]
        if deciding.name not in names:
            return False
        return all(tier["status"] == "optimal" for tier in tiers[:names.index(deciding.name) + 1])

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
    start = warm_start(forced, locks.placements, baseline.solution)
    result = solve(forced.instance, options, start=start, keep=baseline.solution)
    result.stats["forced"] = {"household": h_id, "dwelling": d_id}
    return _compare(baseline, household, dwelling, result.solution, result.proposal, resolved=True)


def _with_lock(baseline: Baseline, household_id: str, dwelling_id: str) -> Facts:
    """The baseline's facts for the instance with the pair locked (locks change no derived array)."""
    instance = baseline.instance
    if any(lock.household == household_id and lock.dwelling == dwelling_id for lock in instance.locks):
        return baseline.facts
    locked = instance.model_copy(update={"locks": [*instance.locks, Lock(household=household_id,
                                                                          dwelling=dwelling_id)]})
    return dataclasses.replace(baseline.facts, instance=locked)


def warm_start(facts: Facts, locked: list[Placement], previous: Solution) -> Solution:
    """The locks, then every previous placement that still fits beside them, in household order: feasible,
    since every previous placement is a compatible pair with schools in reach."""
    free = Capacity.of(facts)
    chosen: dict[int, Placement] = {}
    for placement in locked:
        free.take(facts, placement)
        chosen[placement.household] = placement
    for placement in previous:
        if placement.household not in chosen and free.fits(facts, placement):
            free.take(facts, placement)
            chosen[placement.household] = placement
    return [chosen[h] for h in sorted(chosen)]


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
