"""The pair model's lexicographic tiers (benchmarks only): one CP-SAT search per objective, earlier ones held.

This is how matcher optimised before the class model, kept so that the ``pair-model`` peer measures the
"before" column in the same run. It shares the tier result, the budget and the CP-SAT settings with
``matcher.solver.tiers``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from benchmarks.pair_model.candidates import Candidates
from benchmarks.pair_model.model import AllocationModel
from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver.budget import Budget, configure_cp_sat
from matcher.solver.evaluate import objective_values, pair_quality
from matcher.solver.options import SolveOptions
from matcher.solver.tiers import TierResult

BOUND_EPSILON = 1e-6  # CP-SAT reports bounds as doubles; integer objectives round them inward by this much


def optimise_pair_model(allocation: AllocationModel, objectives: list[str], start: Solution, options: SolveOptions,
                        budget: Budget, on_tier: Callable[[Solution, list[TierResult]], None] | None = None
                        ) -> tuple[Solution, list[TierResult]]:
    """Run one CP-SAT search per objective; returns the final solution and every tier's outcome."""
    current = start
    results: list[TierResult] = []
    for i, name in enumerate(objectives):
        seconds = budget.tier_share(i, len(objectives))
        if seconds <= 0.0:
            value = objective_values(allocation.facts, current)[name]
            result = TierResult(name, "not_solved", value, trivial_bound(allocation.facts, allocation.candidates,
                                                                         name, value), 0.0, 0.0)
        else:
            current, result = _solve_tier(allocation, name, current, seconds, options)
        results.append(result)
        _hold(allocation, name, result.value, exact=result.status == "optimal")
        if on_tier is not None:
            on_tier(current, results)
    return current, results


def _solve_tier(allocation: AllocationModel, name: str, current: Solution, seconds: float,
                options: SolveOptions) -> tuple[Solution, TierResult]:
    model = allocation.model
    expression = allocation.objectives[name]
    if name in MAXIMISED_OBJECTIVES:
        model.maximize(expression)
    else:
        model.minimize(expression)
    hint(allocation, current)
    solver = cp_model.CpSolver()
    configure_cp_sat(solver, options, seconds)
    began = time.monotonic()
    status = solver.solve(model)
    spent = time.monotonic() - began
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        current = read_solution(allocation, solver)
    value = objective_values(allocation.facts, current)[name]
    bound = _bound(allocation, solver, name, value, status)
    state = "optimal" if status == cp_model.OPTIMAL or bound == value else "feasible"
    return current, TierResult(name, state, value, bound, spent, seconds, int(solver.num_branches))


def _bound(allocation: AllocationModel, solver: cp_model.CpSolver, name: str, value: int, status: int) -> int:
    """The proven bound of this tier, never on the wrong side of the value found."""
    trivial = trivial_bound(allocation.facts, allocation.candidates, name, value)
    if status == cp_model.OPTIMAL:
        return value
    if status != cp_model.FEASIBLE:
        return trivial
    raw = solver.best_objective_bound
    if name in MAXIMISED_OBJECTIVES:
        return max(value, min(trivial, math.floor(raw + BOUND_EPSILON)))
    return min(value, math.ceil(raw - BOUND_EPSILON))


def trivial_bound(facts: Facts, candidates: Candidates, name: str, value: int) -> int:
    """A bound that needs no search: every household with a candidate placed at its best candidate."""
    placeable = np.zeros(len(facts.households), dtype=np.bool_)
    placeable[candidates.household] = True
    if name == "overdue_housed":
        return max(value, int((placeable & facts.households.overdue).sum()))
    if name == "persons_housed":
        return max(value, int(facts.households.size[placeable].sum()))
    if name == "max_shortfall_permille":
        return min(value, 0)
    best = np.full(len(facts.households), -np.inf)
    np.maximum.at(best, candidates.household, pair_quality(facts, candidates.household, candidates.dwelling))
    return max(value, int(np.maximum(best[placeable], 0).sum()))


def _hold(allocation: AllocationModel, name: str, value: int, exact: bool = False) -> None:
    """Later tiers may not make this objective worse than the value found (a proven optimum: not different)."""
    expression = allocation.objectives[name]
    if exact:
        allocation.model.add(expression == value)
    elif name in MAXIMISED_OBJECTIVES:
        allocation.model.add(expression >= value)
    else:
        allocation.model.add(expression <= value)


def hint(allocation: AllocationModel, solution: Solution) -> None:
    """A complete hint: every pair and school variable set from the solution."""
    model = allocation.model
    model.clear_hints()
    chosen = {(p.household, p.dwelling): p for p in solution}
    picked_school: dict[tuple[str, int], int] = {}
    for c, (h, d) in enumerate(zip(allocation.candidates.household.tolist(),
                                   allocation.candidates.dwelling.tolist(), strict=True)):
        placement = chosen.get((h, d))
        model.add_hint(allocation.assign[c], placement is not None)
        if placement is not None:
            for kind, school in placement.schools.items():
                picked_school[(kind, c)] = school
    for kind in SCHOOL_KINDS:
        options = allocation.candidates.schools[kind]
        for o, (c, school) in enumerate(zip(options.candidate.tolist(), options.school.tolist(), strict=True)):
            model.add_hint(allocation.school_choice[kind][o], picked_school.get((kind, c)) == school)


def read_solution(allocation: AllocationModel, solver: cp_model.CpSolver) -> Solution:
    candidates = allocation.candidates
    chosen = [c for c, var in enumerate(allocation.assign) if solver.boolean_value(var)]
    schools: dict[int, dict[str, int]] = {c: {} for c in chosen}
    for kind in SCHOOL_KINDS:
        options = candidates.schools[kind]
        for o, var in enumerate(allocation.school_choice[kind]):
            c = int(options.candidate[o])
            if c in schools and solver.boolean_value(var):
                schools[c][kind] = int(options.school[o])
    return [Placement(int(candidates.household[c]), int(candidates.dwelling[c]), schools[c]) for c in chosen]
