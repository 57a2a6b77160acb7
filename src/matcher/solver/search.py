"""One objective tier of the class model: a portfolio of the LP bound, CP-SAT and HiGHS, each where it wins.

1. HiGHS solves the LP relaxation (warm-started from the previous tier): a proven bound, rounded inward.
   If the warm start already reaches it, the tier is proven optimal without any search.
2. CP-SAT looks for a solution that reaches the bound using only the arcs the LP solution or the warm start
   uses (every other count fixed at zero): a small feasibility problem, decided in a fraction of a second
   when the LP vertex is close to integral. A solution found there reaches a proven bound, so it is
   optimal in the whole model.
3. Otherwise HiGHS's branch-and-cut gets the whole model, warm-started: on u16-backlog it finds and proves
   the optimum of the tiers where the LP vertex is far from any integral solution at its root node.
4. Whatever time is left goes to CP-SAT on the whole model, with the best solution as hint and the LP bound
   as a constraint.

Optimality is only claimed against a bound of the whole model: the LP's (a Lagrangian proof), HiGHS's
closed branch-and-cut, or CP-SAT's own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher.facts import IntArray
from matcher.solution import Solution
from matcher.solver.class_model import ClassModel, hint, read_values, solution_of, values_of
from matcher.solver.evaluate import objective_values
from matcher.solver.highs import HighsMirror, Relaxation

LP_SHARE = 0.5  # of a tier's time, at most, for the LP relaxation
RESTRICTED_SHARE = 0.2  # of what is left, at most, for CP-SAT restricted to the LP's support ...
RESTRICTED_PER_LP = 2.0  # ... and at most this many times the LP's seconds (it succeeds fast or not at all),
RESTRICTED_MINIMUM_S = 1.0  # but never less than this
MIP_SHARE = 0.7  # of what is then left, for HiGHS's branch-and-cut; CP-SAT gets the rest
BOUND_EPSILON = 1e-6
LARGE_MODEL_VARIABLES = 150_000  # above this (a national backlog), only the LP and the restricted search run
LARGE_RESTRICTED_SHARE = 0.9  # of what the LP leaves, for the restricted search of a large model


@dataclass(frozen=True)
class TierOutcome:
    solution: Solution
    value: int
    bound: int | None  # proven bound, None if no engine gave one
    proven: bool
    branches: int
    phases: dict[str, float | str]  # seconds per step, and which step proved the tier


Configure = Callable[[cp_model.CpSolver, float], None]
Run = Callable[[cp_model.CpSolver, cp_model.CpModel], int]


@dataclass
class _Tier:
    """What one tier's search knows so far."""

    allocation: ClassModel
    name: str
    maximise: bool
    solution: Solution
    value: int
    bound: int | None = None
    branches: int = 0

    def better(self, value: int) -> bool:
        return value > self.value if self.maximise else value < self.value

    def tighter(self, bound: int) -> None:
        if self.bound is None:
            self.bound = bound
        else:
            self.bound = min(self.bound, bound) if self.maximise else max(self.bound, bound)

    def adopt(self, solution: Solution) -> None:
        value = objective_values(self.allocation.facts, solution)[self.name]
        if self.better(value) or value == self.value:
            self.solution, self.value = solution, value

    def improving_box(self, relaxation: Relaxation | None) -> tuple[np.ndarray, np.ndarray] | None:
        """Variable bounds every solution better than the incumbent keeps, by the LP's reduced costs; None
        when no such solution can exist."""
        allocation = self.allocation
        if relaxation is None:
            return (np.array(allocation.linear.lower, dtype=np.float64),
                    np.array(allocation.linear.upper, dtype=np.float64))
        lower, upper = relaxation.domains_reaching(self.value + 1 if self.maximise else self.value - 1)
        return None if (lower > upper).any() else (lower, upper)

    @property
    def proven(self) -> bool:
        return self.bound is not None and self.bound == self.value

    def outcome(self, phases: dict[str, float | str]) -> TierOutcome:
        return TierOutcome(self.solution, self.value, self.bound, self.proven, self.branches, phases)


class _Budget:
    """A tier's seconds: what is left by the wall clock, or, for deterministic solves, by what the steps so
    far were allowed (so that no step's allowance depends on how fast the machine happened to be)."""

    def __init__(self, seconds: float, deterministic: bool) -> None:
        self.seconds, self.deterministic = seconds, deterministic
        self.began = time.monotonic()
        self.allowed = 0.0

    def left(self) -> float:
        used = self.allowed if self.deterministic else time.monotonic() - self.began
        return max(0.0, self.seconds - used)

    def allow(self, seconds: float) -> float:
        self.allowed += seconds
        return seconds


def search_tier(allocation: ClassModel, mirror: HighsMirror, name: str, maximise: bool, current: Solution,
                budget: float, configure: Configure, run: Run, should_stop: Callable[[], bool],
                deterministic: bool = False) -> TierOutcome:
    """Optimise one objective (earlier ones are already held by rows of the model)."""
    terms = allocation.terms[name]
    expression = allocation.objectives[name]
    if maximise:
        allocation.model.maximize(expression)
    else:
        allocation.model.minimize(expression)
    began = time.monotonic()
    tier = _Tier(allocation, name, maximise, current, objective_values(allocation.facts, current)[name])
    phases: dict[str, float | str] = {}

    def lap(step: str, since: float) -> float:
        now = time.monotonic()
        phases[f"{step}_seconds"] = round(now - since, 4)
        return now

    clock = _Budget(budget, deterministic)

    def done(proven_by: str) -> TierOutcome:
        return tier.outcome(phases | ({"proven_by": proven_by} if tier.proven else {}))

    relaxation = mirror.relax(terms, maximise, clock.allow(LP_SHARE * budget))
    step = lap("lp", began)
    if relaxation is not None:
        tier.tighter(relaxation.rounded)
    if tier.proven or should_stop():
        return done("lp")
    start = values_of(allocation, tier.solution)
    hint(allocation, tier.solution)
    large = len(allocation.linear.lower) > LARGE_MODEL_VARIABLES
    if relaxation is not None and tier.bound is not None:
        typical = RESTRICTED_MINIMUM_S if deterministic else max(RESTRICTED_MINIMUM_S,
                                                                   RESTRICTED_PER_LP * float(phases["lp_seconds"]))
        seconds = clock.allow(LARGE_RESTRICTED_SHARE * clock.left() if large
                              else min(RESTRICTED_SHARE * clock.left(), typical))
        found, branches = _restricted_search(allocation, expression, maximise, tier.bound, start,
                                             relaxation.support(), seconds, configure, run, optimise=large)
        tier.branches += branches
        step = lap("restricted", step)
        if found is not None:
            tier.adopt(solution_of(allocation, found))
            if tier.proven:
                return done("lp+restricted")
    if should_stop() or large:
        return done("")  # branch-and-cut on the whole of a national model does not finish in any useful time
    box = tier.improving_box(relaxation)
    if box is None:
        tier.tighter(tier.value)  # the LP's reduced costs leave no room for any better solution
        return done("lp")
    mip = mirror.solve_mip(terms, maximise, start, clock.allow(MIP_SHARE * clock.left()), should_stop, box)
    step = lap("mip", step)
    if mip.values is not None:
        tier.adopt(solution_of(allocation, mip.values))
    if mip.infeasible or (mip.proven and mip.values is not None):
        tier.tighter(tier.value)  # nothing better inside the box, and nothing better outside it
        return done("mip")
    if mip.bound is not None:
        tier.tighter(math.floor(mip.bound + BOUND_EPSILON) if maximise else math.ceil(mip.bound - BOUND_EPSILON))
    if tier.proven or should_stop() or clock.left() <= 0:
        return done("mip")
    return _full_search(tier, tier.improving_box(relaxation), clock.left(), configure, run, phases, step)


def _full_search(tier: _Tier, box: tuple[np.ndarray, np.ndarray] | None, seconds: float, configure: Configure,
                 run: Run, phases: dict[str, float | str], since: float) -> TierOutcome:
    """CP-SAT on the whole model, within the box every better solution keeps."""
    allocation = tier.allocation
    if box is None:
        tier.tighter(tier.value)
        return tier.outcome(phases | {"proven_by": "lp"})
    model = allocation.model.clone()
    lower, upper = box
    for index in np.flatnonzero((lower > np.array(allocation.linear.lower)) |
                                (upper < np.array(allocation.linear.upper))).tolist():
        domain = model.proto.variables[index].domain
        domain[0], domain[len(domain) - 1] = int(lower[index]), int(upper[index])
    if tier.bound is not None:
        expression = allocation.objectives[tier.name]
        model.add(expression <= tier.bound if tier.maximise else expression >= tier.bound)
    hint(allocation, tier.solution)
    model.clear_hints()
    start = values_of(allocation, tier.solution)
    if start is not None and (start >= lower).all() and (start <= upper).all():
        for variable, number in zip(allocation.linear.variables, start.tolist(), strict=True):
            model.add_hint(variable, number)
    solver = cp_model.CpSolver()
    configure(solver, seconds)
    status = run(solver, model)
    tier.branches += int(solver.num_branches)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        tier.adopt(solution_of(allocation, read_values(allocation, solver)))
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        tier.tighter(tier.value)  # the best inside the box, and nothing better outside it
    elif status == cp_model.FEASIBLE:
        raw = solver.best_objective_bound
        tier.tighter(max(tier.value, math.floor(raw + BOUND_EPSILON)) if tier.maximise
                     else min(tier.value, math.ceil(raw - BOUND_EPSILON)))
    phases["full_seconds"] = round(time.monotonic() - since, 4)
    return tier.outcome(phases | ({"proven_by": "cpsat"} if tier.proven else {}))


def _restricted_search(allocation: ClassModel, expression: cp_model.LinearExprT, maximise: bool, bound: int,
                       start: IntArray | None, lp_support: np.ndarray, budget: float, configure: Configure,
                       run: Run, optimise: bool = False) -> tuple[IntArray | None, int]:
    """Values reaching the bound that use only arcs of the LP solution or the warm start, if any exist; with
    ``optimise``, the best such values found in the time (for models too large for anything else)."""
    if budget <= 0:
        return None, 0
    restricted = allocation.model.clone()
    kept = lp_support | (start > 0) if start is not None else lp_support
    for index in allocation.counted().tolist():
        if not kept[index]:
            domain = restricted.proto.variables[index].domain
            domain[len(domain) - 1] = 0
    if optimise:
        restricted.add(expression <= bound if maximise else expression >= bound)
    else:
        restricted.add(expression >= bound if maximise else expression <= bound)
        restricted.clear_objective()
    solver = cp_model.CpSolver()
    configure(solver, budget)
    status = run(solver, restricted)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, int(solver.num_branches)
    # the restricted model has the same variables, so its values are a solution of the full one
    return read_values(allocation, solver), int(solver.num_branches)
