"""Lexicographic optimisation: each objective in the policy's order, never giving up an earlier one.

Tier i optimises objective i of the class model with every earlier objective held at least as good as the
value found for it (equal to its optimum when that was proven), starting from the previous tier's solution.
The time limit is shared through one ``Budget``: each tier gets a part of what is left, twice as large as each
later tier's (``EARLIER_TIER_WEIGHT``), so time a quick tier does not use flows to the next.

A re-solve of a narrower problem (forcing a pair into a proposal) may bring what a wider one proved: its
``KnownTier`` values and bounds. The narrower problem can only do worse, so while every earlier tier is at
least as good as the wider problem's value, the wider problem's bound bounds this tier too, and a tier that
reaches it is proven at once. ``enough`` may end the tiers early (the later ones keep the solution found).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matcher.format import MAXIMISED_OBJECTIVES
from matcher.solution import Solution
from matcher.solver import class_model
from matcher.solver.budget import Budget, configure_cp_sat
from matcher.solver.class_model import ClassModel
from matcher.solver.evaluate import is_better, objective_values
from matcher.solver.highs import HighsMirror
from matcher.solver.options import Progress, SolveControl, SolveOptions
from matcher.solver.priced_bound import priced_bound
from matcher.solver.search import LARGE_MODEL_VARIABLES, PRICED_COLUMNS_ABOVE, NextTier, search_tier

if TYPE_CHECKING:  # CP-SAT takes half a second to load: imported only when a tier reaches it (``run``)
    from ortools.sat.python import cp_model


# A tier gets twice the time of each later one: the policy ranks proposals by the earlier tiers first, and a
# later tier that is quick (the shortfall's LP proves it at once) passes what it does not use on. On a national
# model the first tier's LP alone takes 16 s and the round on its arcs 13 s more (2026-12-03, quiet): an equal
# share (23 s) ended at 8,151 overdue households housed (1.5 % below the bound), twice the share at 8,235 (0.5 %).
# On the 600-household backlogs at 10 s (fifth session, two runs each) the wide s2's overdue tier is proven at
# 290 instead of 273 or 290, and u16-backlog's persons reach 785 instead of 781-782, with no tier worse.
EARLIER_TIER_WEIGHT = 2.0
# Except between these sizes (3,000 households), where the last tier's LP alone takes about an equal share
# (nl-backlog-h3000's quality LP at 60 s: converged in 25 s and 71,130 iterations of the 35 s it had in one run,
# stopped short after 28 s in another): weighted it has 27 s, did not converge (bound 10,680 instead of 7,018),
# and the persons tier gained nothing from its 8 s more (4,232 either way).
EQUAL_SHARES_ABOVE, EQUAL_SHARES_UP_TO = PRICED_COLUMNS_ABOVE, LARGE_MODEL_VARIABLES


@dataclass(frozen=True)
class KnownTier:
    """A tier of a wider problem: the value its solution held and the bound proven for it."""

    value: int
    bound: int


@dataclass(frozen=True)
class TierResult:
    name: str
    status: str  # "optimal", "feasible" (time limit or stop), or "not_solved" (no time left: hint kept)
    value: int
    bound: int
    seconds: float
    time_limit: float
    branches: int = 0
    phases: dict[str, float | str] = field(default_factory=dict)  # seconds per step of the tier's search

    @property
    def gap(self) -> int:
        return abs(self.bound - self.value)

    def as_stats(self) -> dict[str, object]:
        return {"name": self.name, "status": self.status, "value": self.value, "bound": self.bound,
                "gap": self.gap, "seconds": round(self.seconds, 3), "time_limit": round(self.time_limit, 3),
                "branches": self.branches, "phases": dict(self.phases)}


def optimise_lexicographically(allocation: ClassModel, objectives: list[str], start: Solution,
                               options: SolveOptions, control: SolveControl, budget: Budget,
                               on_tier: Callable[[Solution, list[TierResult]], None] | None = None,
                               known: dict[str, KnownTier] | None = None,
                               enough: Callable[[list[TierResult]], bool] | None = None,
                               ) -> tuple[Solution, list[TierResult]]:
    """Run one search per objective; returns the final solution and every tier's outcome."""
    current = start
    results: list[TierResult] = []
    mirror = _mirror(allocation, start, options)
    weight = earlier_tier_weight(len(allocation.linear.lower))
    for i, name in enumerate(objectives):
        seconds = budget.tier_share(i, len(objectives), weight)
        bound = known_bound(known or {}, objectives, results, i)
        if control.stopped or seconds <= 0.0 or (enough is not None and results and enough(results)):
            result = _unsolved_tier(allocation, name, current, seconds, bound)
        else:
            current, result = _search_tier(allocation, mirror, objectives, i, current, seconds, options, control,
                                           budget, bound)
        results.append(result)
        class_model.hold(allocation, name, result.value, name in MAXIMISED_OBJECTIVES,
                         exact=result.status == "optimal")
        if on_tier is not None:
            on_tier(current, results)
    return current, results


def earlier_tier_weight(columns: int) -> float:
    """How many times the time of each later tier an earlier one gets (see ``EARLIER_TIER_WEIGHT``)."""
    return 1.0 if EQUAL_SHARES_ABOVE < columns <= EQUAL_SHARES_UP_TO else EARLIER_TIER_WEIGHT


def known_bound(known: dict[str, KnownTier], objectives: list[str], done: list[TierResult], i: int) -> int | None:
    """The wider problem's bound on tier ``i``, if it holds here: every earlier tier at least as good as there."""
    name = objectives[i]
    if name not in known:
        return None
    for tier in done:
        wider = known.get(tier.name)
        if wider is None or is_better(tier.name, wider.value, tier.value):
            return None
    return known[name].bound


def _tightest(name: str, bound: int, other: int | None) -> int:
    if other is None:
        return bound
    return min(bound, other) if name in MAXIMISED_OBJECTIVES else max(bound, other)


def _mirror(allocation: ClassModel, start: Solution, options: SolveOptions) -> HighsMirror:
    """The LP starts from the warm start's arcs; column generation prices in the others as needed."""
    active = np.ones(len(allocation.linear.lower), dtype=np.bool_)
    active[allocation.counted()] = False
    values = class_model.values_of(allocation, start)
    if values is not None:
        active |= values > 0
    return HighsMirror(allocation.linear, options.deterministic, active)


def _search_tier(allocation: ClassModel, mirror: HighsMirror, objectives: list[str], i: int, current: Solution,
                 seconds: float, options: SolveOptions, control: SolveControl,
                 budget: Budget, known: int | None = None) -> tuple[Solution, TierResult]:
    """The portfolio of ``matcher.solver.search``, watched by the caller's control; ``known``: a bound proven
    elsewhere (a wider problem's), which ends the search as soon as a solution reaches it."""
    name = objectives[i]

    def run(solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        from matcher.solver.cp_progress import ProgressCallback

        callback = ProgressCallback(control, name, i, len(objectives), budget.started)
        unregister = control.while_running(solver.stop_search)
        try:
            return solver.solve(model, callback)
        finally:
            unregister()

    then = NextTier(allocation.terms[objectives[i + 1]], objectives[i + 1] in MAXIMISED_OBJECTIVES) \
        if i + 1 < len(objectives) else None
    began = time.monotonic()
    priced = priced_bound(allocation, name)  # where the LP does not converge in time (national), the best bound
    known = known if priced is None else _tightest(name, priced.bound, known)
    priced_seconds = time.monotonic() - began
    outcome = search_tier(allocation, mirror, name, name in MAXIMISED_OBJECTIVES, current,
                          max(0.0, seconds - priced_seconds),
                          lambda solver, limit: configure_cp_sat(solver, options, limit), run,
                          lambda: control.stopped, options.deterministic, options.workers,
                          lambda value, bound: control.progress(Progress(name, i, len(objectives), value, bound,
                                                                         budget.elapsed())), known, then,
                          None if priced is None else priced.support, first=i == 0)
    spent = time.monotonic() - began
    trivial = _tightest(name, class_model.trivial_bound(allocation, name, outcome.value), known)
    if outcome.bound is None:
        bound = trivial
    elif name in MAXIMISED_OBJECTIVES:
        bound = max(outcome.value, min(trivial, outcome.bound))
    else:
        bound = min(outcome.value, outcome.bound)
    state = "optimal" if outcome.proven or bound == outcome.value else "feasible"
    phases = outcome.phases if priced is None else outcome.phases | {"priced_seconds": round(priced_seconds, 4)}
    return outcome.solution, TierResult(name, state, outcome.value, bound, spent, seconds, outcome.branches, phases)


def _unsolved_tier(allocation: ClassModel, name: str, current: Solution, seconds: float,
                   known: int | None = None) -> TierResult:
    value = objective_values(allocation.facts, current)[name]
    if known is not None and is_better(name, value, known):
        known = None  # refuted by the solution in hand: not a bound after all
    bound = _tightest(name, class_model.trivial_bound(allocation, name, value), known)
    proven = known is not None and bound == value  # unsearched, yet proven by the wider problem's bound
    return TierResult(name, "optimal" if proven else "not_solved", value, bound, 0.0, max(0.0, seconds))

