"""Lexicographic optimisation: each objective in the policy's order, never giving up an earlier one.

Tier i optimises objective i with every earlier objective held at least as good as the value found for
it (equal to its optimum when that was proven), starting from the previous tier's solution as a complete
hint. The time limit is shared: each tier gets an equal part of what is left, so time a quick tier does not
use flows to the next.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver import class_model
from matcher.solver.candidates import Candidates
from matcher.solver.class_model import ClassModel
from matcher.solver.evaluate import objective_values
from matcher.solver.highs import HighsMirror
from matcher.solver.model import AllocationModel, pair_quality, previous_candidates
from matcher.solver.options import Progress, SolveControl, SolveOptions
from matcher.solver.search import search_tier

TierModel = AllocationModel | ClassModel  # the pair model (one Boolean per pair) or the class model (counts)

BOUND_EPSILON = 1e-6  # CP-SAT reports bounds as doubles; integer objectives round them inward by this much


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


def optimise_lexicographically(allocation: TierModel, objectives: list[str], start: Solution,
                               options: SolveOptions, control: SolveControl, started: float,
                               on_tier: Callable[[Solution, list[TierResult]], None] | None = None,
                               reserve: float = 0.0) -> tuple[Solution, list[TierResult]]:
    """Run one search per objective; returns the final solution and every tier's outcome. ``reserve``:
    seconds of the time limit kept for what follows the tiers (the explanations)."""
    current = start
    results: list[TierResult] = []
    deadline = started + options.time_limit - reserve
    mirror = _mirror(allocation, start, options) if isinstance(allocation, ClassModel) else None
    for i, name in enumerate(objectives):
        budget = max(0.0, deadline - time.monotonic()) / (len(objectives) - i)
        if options.deterministic and isinstance(allocation, ClassModel):
            budget = options.time_limit / len(objectives)  # the same allowance whatever the machine's speed
        if control.stopped or budget <= 0.0:
            result = _unsolved_tier(allocation, name, current, budget)
        elif isinstance(allocation, ClassModel):
            assert mirror is not None
            current, result = _search_class_tier(allocation, mirror, objectives, i, current, budget, options,
                                                 control, started)
        else:
            current, result = _solve_tier(allocation, objectives, i, current, budget, options, control, started)
        results.append(result)
        _hold(allocation, name, result.value, exact=result.status == "optimal")
        if on_tier is not None:
            on_tier(current, results)
    return current, results


def _mirror(allocation: ClassModel, start: Solution, options: SolveOptions) -> HighsMirror:
    """The LP starts from the warm start's arcs; column generation prices in the others as needed."""
    active = np.ones(len(allocation.linear.lower), dtype=np.bool_)
    active[allocation.counted()] = False
    values = class_model.values_of(allocation, start)
    if values is not None:
        active |= values > 0
    return HighsMirror(allocation.linear, options.deterministic, active)


def _solve_tier(allocation: TierModel, objectives: list[str], i: int, current: Solution, budget: float,
                options: SolveOptions, control: SolveControl, started: float) -> tuple[Solution, TierResult]:
    name = objectives[i]
    model = allocation.model
    expression = allocation.objectives[name]
    if name in MAXIMISED_OBJECTIVES:
        model.maximize(expression)
    else:
        model.minimize(expression)
    _hint_any(allocation, current)
    solver = cp_model.CpSolver()
    _configure(solver, options, budget)
    callback = _ProgressCallback(control, name, i, len(objectives), started)
    unregister = control.while_running(solver.stop_search)
    began = time.monotonic()
    try:
        status = solver.solve(model, callback)
    finally:
        unregister()
    seconds = time.monotonic() - began
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        current = _read_any(allocation, solver)
    value = objective_values(allocation.facts, current)[name]
    bound = _bound(allocation, solver, name, value, status)
    state = "optimal" if status == cp_model.OPTIMAL or bound == value else "feasible"
    return current, TierResult(name, state, value, bound, seconds, budget, int(solver.num_branches))


def _search_class_tier(allocation: ClassModel, mirror: HighsMirror, objectives: list[str], i: int,
                       current: Solution, budget: float, options: SolveOptions, control: SolveControl,
                       started: float) -> tuple[Solution, TierResult]:
    """The portfolio of ``matcher.solver.search``, watched by the caller's control."""
    name = objectives[i]

    def run(solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        callback = _ProgressCallback(control, name, i, len(objectives), started)
        unregister = control.while_running(solver.stop_search)
        try:
            return solver.solve(model, callback)
        finally:
            unregister()

    began = time.monotonic()
    outcome = search_tier(allocation, mirror, name, name in MAXIMISED_OBJECTIVES, current, budget,
                          lambda solver, seconds: _configure(solver, options, seconds), run, lambda: control.stopped,
                          options.deterministic, options.workers,
                          lambda value, bound: control.progress(Progress(name, i, len(objectives), value, bound,
                                                                         time.monotonic() - started)))
    seconds = time.monotonic() - began
    trivial = class_model.trivial_bound(allocation, name, outcome.value)
    if outcome.bound is None:
        bound = trivial
    elif name in MAXIMISED_OBJECTIVES:
        bound = max(outcome.value, min(trivial, outcome.bound))
    else:
        bound = min(outcome.value, outcome.bound)
    state = "optimal" if outcome.proven or bound == outcome.value else "feasible"
    return outcome.solution, TierResult(name, state, outcome.value, bound, seconds, budget, outcome.branches,
                                        outcome.phases)


def _configure(solver: cp_model.CpSolver, options: SolveOptions, budget: float) -> None:
    parameters = solver.parameters
    parameters.num_workers = max(1, options.workers)
    parameters.random_seed = options.seed
    parameters.log_search_progress = False
    if options.deterministic:
        parameters.interleave_search = True
        parameters.max_deterministic_time = budget
    else:
        parameters.max_time_in_seconds = budget


def _bound(allocation: TierModel, solver: cp_model.CpSolver, name: str, value: int,
           status: cp_model.CpSolverStatus) -> int:
    """The proven bound of this tier, never on the wrong side of the value found."""
    if status == cp_model.OPTIMAL:
        return value
    if status != cp_model.FEASIBLE:
        return _trivial_any(allocation, name, value)
    raw = solver.best_objective_bound
    if name in MAXIMISED_OBJECTIVES:
        return max(value, min(_trivial_any(allocation, name, value), math.floor(raw + BOUND_EPSILON)))
    return min(value, math.ceil(raw - BOUND_EPSILON))


def _unsolved_tier(allocation: TierModel, name: str, current: Solution, budget: float) -> TierResult:
    value = objective_values(allocation.facts, current)[name]
    return TierResult(name, "not_solved", value, _trivial_any(allocation, name, value), 0.0, budget)


def _trivial_any(allocation: TierModel, name: str, value: int) -> int:
    if isinstance(allocation, ClassModel):
        return class_model.trivial_bound(allocation, name, value)
    return trivial_bound(allocation.facts, allocation.candidates, name, value)


def _hint_any(allocation: TierModel, solution: Solution) -> None:
    if isinstance(allocation, ClassModel):
        class_model.hint(allocation, solution)
    else:
        _hint(allocation, solution)


def _read_any(allocation: TierModel, solver: cp_model.CpSolver) -> Solution:
    if isinstance(allocation, ClassModel):
        return class_model.read_solution(allocation, solver)
    return read_solution(allocation, solver)


def trivial_bound(facts: Facts, candidates: Candidates, name: str, value: int) -> int:
    """A bound that needs no search: every household with a candidate placed at its best candidate."""
    placeable = np.zeros(len(facts.households), dtype=np.bool_)
    placeable[candidates.household] = True
    if name == "overdue_housed":
        return max(value, int((placeable & facts.households.overdue).sum()))
    if name == "persons_housed":
        return max(value, int(facts.households.size[placeable].sum()))
    if name == "kept_previous":
        return max(value, int(previous_candidates(facts, candidates).sum()))
    if name == "max_shortfall_permille":
        return min(value, 0)
    best = np.full(len(facts.households), -np.inf)
    np.maximum.at(best, candidates.household, pair_quality(facts, candidates.household, candidates.dwelling))
    return max(value, int(np.maximum(best[placeable], 0).sum()))


def _hold(allocation: TierModel, name: str, value: int, exact: bool = False) -> None:
    """Later tiers may not make this objective worse than the value found (a proven optimum: not different)."""
    if isinstance(allocation, ClassModel):
        class_model.hold(allocation, name, value, name in MAXIMISED_OBJECTIVES, exact)
        return
    expression = allocation.objectives[name]
    if exact:
        allocation.model.add(expression == value)
    elif name in MAXIMISED_OBJECTIVES:
        allocation.model.add(expression >= value)
    else:
        allocation.model.add(expression <= value)


def _hint(allocation: AllocationModel, solution: Solution) -> None:
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


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution's objective and the bound so far."""

    def __init__(self, control: SolveControl, name: str, index: int, tiers: int, started: float) -> None:
        super().__init__()
        self._control, self._name, self._index, self._tiers, self._started = control, name, index, tiers, started

    def on_solution_callback(self) -> None:
        self._control.progress(Progress(self._name, self._index, self._tiers, int(round(self.objective_value)),
                                        int(round(self.best_objective_bound)), time.monotonic() - self._started))
