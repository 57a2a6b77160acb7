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

A question has one time limit, from reading the documents to the answer (``question_budget``): the re-solves
share it (``resolve_options``), each solve keeps to its part, the least-change step included. Forcing can only
make a proposal worse, so the bounds the proposal asked about carries (``known_tiers``) bound the re-solve's
tiers as long as its earlier tiers are as good, and a tier that reaches the proposal's proven value is proven
at once, without search. A caller with many pairs to force (recommend) may stop each re-solve at the first tier
that differs from the proposal (``deciding_reached``): the later tiers would only decide who moves.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from matcher.accountability.baseline import Baseline
from matcher.accountability.obstacles import Obstacle, pair_obstacles
from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, Lock, Proposal
from matcher.solution import Placement, Solution
from matcher.solver import SolveOptions, solve
from matcher.solver.budget import Budget
from matcher.solver.capacity import Capacity
from matcher.solver.evaluate import objective_values
from matcher.solver.locks import check_locks, lock_label
from matcher.solver.options import DEFAULT_TIME_LIMIT_S
from matcher.solver.tiers import KnownTier, TierResult

RESOLVE_TIME_LIMIT_S = DEFAULT_TIME_LIMIT_S  # per question, as for ``matcher solve``: from reading to answer
# (a region's week is proven within a second and stops there; a region's backlog needs the quality tier's time)
ANSWER_SHARE = 0.03  # of a question's time limit, kept for comparing and writing the answer after the re-solves
SHORTEST_RESOLVE_S = 0.1  # a re-solve is never given less (its answer is then the warm start, unproven)
OVERRUN_S = 1.5  # kept between a re-solve's limit and the question's deadline: a re-solve overruns its own limit by
# up to this much in its least-change step (HiGHS: 7.95 s for a 6.85 s limit on u16-backlog on a quiet machine,
# 5.6 s for 4.4 under load), and the last one's overrun would be the question's
OVERRUN_SHARE = 0.15  # of what is left, at most, kept so (a short question keeps most of its time for the search)
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
    solution: Solution = field(default_factory=list, repr=False)  # the placements behind ``proposal``

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
    def proven_worse_by(self) -> int:
        """How much worse the deciding objective is at least, proven even when the exact cost is not: every
        earlier tier proven optimal (so unchanged), and the deciding tier's proven bound short of the original
        value. 0 when nothing is proven to get worse."""
        deciding = self.deciding
        if deciding is None or deciding.worse_by <= 0:
            return 0
        tiers = (self.proposal.model_extra or {}).get("stats", {}).get("tiers", [])
        names = [tier["name"] for tier in tiers]
        if deciding.name not in names:
            return 0
        at = names.index(deciding.name)
        if not all(tier["status"] == "optimal" for tier in tiers[:at]):
            return 0
        bound = int(tiers[at]["bound"])
        least = deciding.before - bound if deciding.name in MAXIMISED_OBJECTIVES else bound - deciding.before
        return max(0, least)

    @property
    def deciding(self) -> ObjectiveChange | None:
        """The most important objective that changes: it alone decides which proposal ranks higher."""
        return next((change for change in self.changes if change.worse_by != 0), None)

    @property
    def unchanged(self) -> bool:
        return not (self.lost or self.moved or self.gained) and self.previous == self.dwelling

    def proof(self) -> dict[str, Any]:
        """What is proven about the cost, for the command line's JSON (the service's bodies are fixed apart)."""
        return {"cost_proven": self.cost_proven, "proven_worse_by": self.proven_worse_by}

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


def force_pair(baseline: Baseline, household: int, dwelling: int, options: SolveOptions | None = None,
               until_deciding: bool = False, earlier: Forced | None = None,
               deadline: float | None = None) -> Forced | Blocked:
    """Force the pair into the baseline's proposal: why it cannot be, or the best proposal containing it.

    ``options.time_limit`` is this re-solve's own (``resolve_options`` cuts it from a question's). With
    ``until_deciding`` the tiers after the first that differs from the proposal are left unsolved.
    ``earlier``: an earlier answer for the same pair, whose proposal is the start and whose proven tiers are
    known (a second pass goes on from the first). ``deadline`` (``time.monotonic()``): when the question's
    re-solves must be done; the solve gets no more than what is left of it once the lock is checked and the
    start built (``within``)."""
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
    start = warm_start(forced, locks.placements, earlier.solution if earlier else baseline.solution)
    proven = earlier or baseline  # what bounds this re-solve: an earlier one of the pair, or the proposal
    known = known_tiers(proven.proposal, proven.values)
    result = solve(forced.instance, within(options, deadline), start=start, keep=baseline.solution, known=known,
                   enough=(lambda tiers: deciding_reached(baseline, tiers)) if until_deciding else None)
    result.stats["forced"] = {"household": h_id, "dwelling": d_id}
    return _compare(baseline, household, dwelling, result.solution, result.proposal, resolved=True)


def question_budget(options: SolveOptions, started: float | None = None) -> Budget:
    """A question's time limit, counted from ``started`` (when the command began reading), less what the
    answer needs once the re-solves are done."""
    return Budget.of(dataclasses.replace(options, time_limit=(1.0 - ANSWER_SHARE) * options.time_limit), started)


def resolve_options(options: SolveOptions, budget: Budget, index: int = 0, resolves: int = 1) -> SolveOptions:
    """Re-solve ``index`` of ``resolves`` gets an equal part of what is left of the question's budget for it
    and the ones after it (a deterministic question: of the whole, so that its answers do not depend on the
    machine's speed)."""
    return dataclasses.replace(options, time_limit=max(SHORTEST_RESOLVE_S, budget.share(index, resolves)))


def within(options: SolveOptions, deadline: float | None) -> SolveOptions:
    """The re-solve's options with its time limit cut to what is left before ``deadline``, counted now, as the
    solve starts, less what a re-solve may overrun its limit by (``OVERRUN_S``): the lock check and the warm start
    before it (a second or more on a region's backlog under load) come out of the question's time, not on top
    of it, and so does the last re-solve's overrun. A deterministic question keeps its fixed parts."""
    if deadline is None or options.deterministic:
        return options
    left = deadline - time.monotonic()
    left = max(SHORTEST_RESOLVE_S, left - min(OVERRUN_S, OVERRUN_SHARE * left))
    return dataclasses.replace(options, time_limit=min(options.time_limit, left))


def known_tiers(proposal: Proposal, values: dict[str, int]) -> dict[str, KnownTier]:
    """A proposal's value and proven bound per objective, where its value is the one recomputed from its
    assignments (``values``). Forcing a pair only narrows the problem, so the proposal asked about bounds the
    forced re-solve's tiers (taken as it states them, as its status ``optimal`` is); an earlier re-solve of the
    same pair bounds a later one."""
    known: dict[str, KnownTier] = {}
    for objective in proposal.objectives:
        if values.get(objective.name) == objective.value:
            known[objective.name] = KnownTier(objective.value, objective.bound)
    return known


def deciding_reached(baseline: Baseline, tiers: list[TierResult]) -> bool:
    """Whether one of these tiers differs from the proposal: the later tiers hold it as it is, so they cannot
    change what forcing costs (proven or not), only who moves."""
    return any(tier.value != baseline.values.get(tier.name) for tier in tiers)


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
        solution=solution,
    )


def rank_key(forced: Forced, objectives: list[str]) -> tuple[Any, ...]:
    """Best first: the policy's objectives lexicographically, then fewer lost places, then fewer moves."""
    values = tuple(-forced.values[name] if name in MAXIMISED_OBJECTIVES else forced.values[name]
                   for name in objectives)
    return (*values, len(forced.lost), len(forced.moved))


UNBOUNDED = 10**18  # a rank position that no bound limits


def best_possible(proposal: Proposal, objectives: list[str]) -> tuple[int, ...]:
    """The rank key at best of the problem a proposal was solved for (a forced one: with its pair forced): each
    objective's proven bound, up to the first tier not proven optimal; past it anything is possible (a later
    tier's bound holds only with the earlier ones as found)."""
    tiers = {tier["name"]: tier for tier in (proposal.model_extra or {}).get("stats", {}).get("tiers", [])}
    best: list[int] = []
    for name in objectives:
        tier = tiers.get(name)
        if tier is None:
            return (*best, *[-UNBOUNDED] * (len(objectives) - len(best)))
        best.append(-int(tier["bound"]) if name in MAXIMISED_OBJECTIVES else int(tier["bound"]))
        if tier["status"] != "optimal":
            return (*best, *[-UNBOUNDED] * (len(objectives) - len(best)))
    return tuple(best)
