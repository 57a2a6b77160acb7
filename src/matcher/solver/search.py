"""One objective tier of the class model: a portfolio of the LP bound, HiGHS and CP-SAT, each where it wins.

1. HiGHS solves the LP relaxation (warm-started from the previous tier, columns priced in as needed): a
   proven bound, rounded inward. If the warm start already reaches it, the tier is proven without search.
2. HiGHS's branch-and-cut starts on the whole model (within the reduced-cost box every better solution
   keeps) on the second core. Meanwhile, on the first, HiGHS solves the model restricted to the arcs of the
   LP solution and the incumbent, then of more vertices of the LP's optimal face: a few hundred columns,
   solved in a fraction of a second. The first tiers' LP bound is the integer optimum (u16-backlog), so a
   restricted solution that reaches it is optimal, and the branch-and-cut is stopped.
3. Otherwise the branch-and-cut's outcome decides: an optimum (or proof that the box holds nothing better)
   ends the tier. Whatever time is left goes to CP-SAT on the whole model, with the best solution as hint
   and the bound as a constraint.

On a national model (hundreds of thousands of columns) branch-and-cut never finishes; only steps 1 and the
restricted rounds run. Optimality is only claimed against a bound of the whole model: the LP's (a
Lagrangian proof), HiGHS's closed branch-and-cut, or CP-SAT's own.

Measured on u16-backlog (2 cores): CP-SAT alone, on the full model or restricted to the LP support, did not
find the persons tier's optimum in 30 s; HiGHS restricted to two LP vertices found it in 2.5 s.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matcher.facts import IntArray
from matcher.solution import Solution
from matcher.solver.budget import TierBudget
from matcher.solver.class_model import ClassModel, read_values, solution_of, values_of
from matcher.solver.evaluate import objective_values
from matcher.solver.highs import DUAL_RESTART_OBJECTIVES, HighsMirror, MipOutcome, Relaxation
from matcher.solver.linear import Terms

if TYPE_CHECKING:  # CP-SAT takes half a second to load: imported only when a tier reaches it (``_full_search``)
    from ortools.sat.python import cp_model

LP_SHARE = 0.8  # of a tier's time, at most, for the LP relaxation (without it nothing else has a bound)
RESTRICTED_SHARE = 0.8  # of what is left, at most, for the models restricted to LP vertices ...
RESTRICTED_PER_LP = 10.0  # ... and at most this many times the LP's seconds (they succeed fast or not at all),
RESTRICTED_MINIMUM_S = 3.0  # but never less than this. The branch-and-cut on the whole model runs beside the
# rounds after the first, on the second core, so the rounds' share is taken mostly from the time it has alone
# afterwards: on a 600-household backlog its root alone takes 20-60 s (HiGHS's central rounding, which no option
# turns off, was 47 of 62 s on the wide backlog's persons tier), so at 10 s it decided nothing. With 0.4 the
# rounds were starved (u16-backlog's quality tier: one round of 1.95 s, nothing found, -106 kept); with 0.8,
# 2,153-2,160 of at most 2,230, and two more tiers proven on wide s3 (issue 17, fifth session)
MIP_SHARE = 0.85  # of what the LP leaves, for HiGHS's branch-and-cut (beside the restricted rounds); CP-SAT
# gets the rest
BOUND_EPSILON = 1e-6
POLL_SECONDS = 0.05  # how often the runs of branch-and-cut are checked for a decision
RESTRICTED_ROUNDS = 8  # restricted models tried per tier, each with the arcs of one more LP vertex
RESTRICTED_STALL_ROUNDS = 2  # rounds without improvement after which more vertices are not worth it
LARGE_MODEL_VARIABLES = 150_000  # above this (a national backlog), only the LP and the restricted search run
LARGE_RESTRICTED_SHARE = 0.9  # of what the LP leaves, for the restricted search of a large model
PRICED_COLUMNS_ABOVE = 50_000  # from this many columns (3,000 households and up) the LP starts from the priced
# flow's arcs too: nl-backlog-h3000's persons LP then reached its optimum (4,336) in 14 s; on the 600-household
# backlogs (14,000-47,000 columns) the LPs converge anyway, and the extra columns slowed the rounds (issue 17)
SHORTEST_STEP_S = 0.25  # a HiGHS MIP or a CP-SAT search given less than this ends in its set-up (presolve of
# the wide u16 backlog's whole model: 0.4-1.9 s, not interruptible), so it is not started
CP_SAT_COPY_SECONDS_PER_VARIABLE = 3e-5  # making, copying and hinting CP-SAT's model before it searches: 0.4 s
# of processor time for the wide u16 backlog's 34,000 variables (12 us each), with room for a busy machine
LARGEST_WEIGHTED_SPREAD = 1e9  # a restricted round weighs the next tier in only while the weighted objective
# varies by less than this over the boxes: HiGHS proves an integer objective optimal by a gap below one unit,
# which a larger magnitude puts under its tolerances (u16-backlog wide: 4.6e8 for overdue then persons)
ABANDON_GRACE_S = 0.05  # after a tier's deadline, how long a stopped branch-and-cut gets to return its answer


@dataclass(frozen=True)
class NextTier:
    """The objective after this tier's, for the restricted rounds to prefer among this tier's equal solutions."""

    terms: Terms
    maximise: bool


@dataclass(frozen=True)
class TierOutcome:
    solution: Solution
    value: int
    bound: int | None  # proven bound, None if no engine gave one
    proven: bool
    branches: int
    phases: dict[str, float | str]  # seconds per step, and which step proved the tier


Configure = Callable[["cp_model.CpSolver", float], None]
Run = Callable[["cp_model.CpSolver", "cp_model.CpModel"], "cp_model.CpSolverStatus"]


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

    def adopt(self, solution: Solution) -> bool:
        value = objective_values(self.allocation.facts, solution)[self.name]
        if self.better(value) or value == self.value:
            self.solution, self.value = solution, value
            return True
        return False

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


def search_tier(allocation: ClassModel, mirror: HighsMirror, name: str, maximise: bool, current: Solution,
                budget: float, configure: Configure, run: Run, should_stop: Callable[[], bool],
                deterministic: bool = False, workers: int = 2,
                report: Callable[[int, int | None], None] | None = None, known: int | None = None,
                then: NextTier | None = None, priced_support: np.ndarray | None = None,
                first: bool = True) -> TierOutcome:
    """Optimise one objective (earlier ones are already held by rows of the model); ``report(value, bound)``
    hears of every step's progress. ``known``: a bound proven elsewhere; a solution reaching it ends the tier.
    ``then``: the next tier's objective, which the restricted rounds prefer among solutions equal on this one.
    ``priced_support``: the columns of the flow behind a priced bound (``matcher.solver.priced_bound``); on a
    model of more than ``PRICED_COLUMNS_ABOVE`` columns, the LP starts with them. ``first``: no earlier tier is
    held (the incumbent is the warm start, not an earlier tier's optimum)."""
    terms = allocation.terms[name]
    began = time.monotonic()
    # from the tier's first moment: evaluating the start counts too
    clock = TierBudget(budget, deterministic, SHORTEST_STEP_S)
    tier = _Tier(allocation, name, maximise, current, objective_values(allocation.facts, current)[name])
    phases: dict[str, float | str] = {}
    if known is not None and (known >= tier.value if maximise else known <= tier.value):
        tier.tighter(known)
        if tier.proven:
            return tier.outcome({"proven_by": "known bound"})

    def lap(step: str, since: float) -> float:
        now = time.monotonic()
        phases[f"{step}_seconds"] = round(now - since, 4)
        if report is not None:
            report(tier.value, tier.bound)
        return now

    def done(proven_by: str) -> TierOutcome:
        return tier.outcome(phases | ({"proven_by": proven_by} if tier.proven else {}))

    start = values_of(allocation, tier.solution)
    if start is not None:
        mirror.include(start > 0)
    columns = len(allocation.linear.lower)
    large = columns > LARGE_MODEL_VARIABLES
    if priced_support is not None and columns > PRICED_COLUMNS_ABOVE:
        # the column generation starts from the flow's arcs too: on the national backlog its LP then converges
        # (8,273 in 18 s at a load of 5) where from the warm start's alone it was far off after 150 s
        mirror.include(priced_support)
    # a share of what is left, not of the whole tier: reading the warm start into counts before it took 0.3-0.6 s
    # under load, and the last tier's LP then ran that much past the tier's deadline (issue 17)
    relaxation = mirror.relax(terms, maximise, clock.allow(LP_SHARE * clock.left()), name in DUAL_RESTART_OBJECTIVES)
    step = lap("lp", began)
    if relaxation is not None:
        tier.tighter(relaxation.rounded)
        phases["lp_iterations"] = relaxation.iterations
    if tier.proven or should_stop():
        return done("lp")
    rounds = None
    if relaxation is not None and tier.bound is not None:
        typical = RESTRICTED_MINIMUM_S if deterministic else max(RESTRICTED_MINIMUM_S,
                                                                   RESTRICTED_PER_LP * float(phases["lp_seconds"]))
        seconds = clock.allow(LARGE_RESTRICTED_SHARE * clock.left() if large
                              else min(RESTRICTED_SHARE * clock.left(), typical))
        rounds = _Rounds(tier, mirror, relaxation, start, min(seconds, clock.deadline - time.monotonic()), should_stop,
                         lexicographic_objective(allocation, terms, maximise, then),
                         lean_first=lean_first_round(columns, first, last=then is None))
        rounds.run(1)  # often enough; otherwise its solution warm-starts the branch-and-cut below
        if tier.proven:
            lap("restricted", step)
            return done("lp+restricted")
        start = rounds.start
    if tier.improving_box(relaxation) is None:
        tier.tighter(tier.value)  # the LP's reduced costs leave no room for any better solution
        return done("lp")
    # branch-and-cut on the whole model runs on the second core while the restricted rounds go on; with one
    # worker it runs after them, from their best solution and within the tighter box that solution allows
    settled = threading.Event()

    def branch_and_cut() -> Callable[[float], MipOutcome]:
        box, first = tier.improving_box(relaxation), rounds.start if rounds is not None else start
        if box is None:
            return lambda seconds: MipOutcome(values=None, proven=False, infeasible=True, bound=None)
        return lambda seconds: mirror.solve_mip(terms, maximise, first, seconds,
                                                lambda: should_stop() or settled.is_set(), box)

    background = None if large or not clock.worth_a_step() else _Background(
        branch_and_cut, lambda: clock.allow(MIP_SHARE * clock.left()), concurrent=workers > 1)
    value_at_launch = tier.value
    if rounds is not None:
        rounds.run(RESTRICTED_ROUNDS - 1)
        step = lap("restricted", step)
        if tier.proven:
            settled.set()  # the branch-and-cut stops at its next check; nothing waits for it
            return done("lp+restricted")
    if background is None or should_stop():
        return done("")  # branch-and-cut on the whole of a national model does not finish in any useful time
    runs = [background]
    if background.concurrent and tier.value != value_at_launch and clock.worth_a_step():
        # the rounds found better: a second run from their solution has a much tighter box (u16-backlog's
        # quality tier: 9 s against 17 s for the run started before them); the first to decide wins
        runs.append(_Background(branch_and_cut, lambda: clock.left(), concurrent=True))
    outcomes = _first_decisive(runs, settled, clock.deadline)
    step = lap("mip", step)
    phases["mip_nodes"] = sum(mip.nodes for mip in outcomes)
    for mip in outcomes:
        if mip.values is not None:
            tier.adopt(solution_of(allocation, mip.values))
    if any(mip.infeasible or (mip.proven and mip.values is not None) for mip in outcomes):
        tier.tighter(tier.value)  # nothing better inside a box, and nothing better outside it
        return done("mip")
    for mip in outcomes:
        if mip.bound is not None:
            tier.tighter(math.floor(mip.bound + BOUND_EPSILON) if maximise else math.ceil(mip.bound - BOUND_EPSILON))
    copying = CP_SAT_COPY_SECONDS_PER_VARIABLE * len(allocation.linear.lower)
    if tier.proven or should_stop() or not clock.worth_a_step() or (
            not deterministic and clock.left() < SHORTEST_STEP_S + copying):
        return done("mip")  # CP-SAT would still be setting up at the tier's deadline
    return _full_search(tier, tier.improving_box(relaxation), clock.left, configure, run, phases, step)


def lean_first_round(columns: int, first: bool, last: bool) -> bool:
    """Whether a tier's first restricted round leaves the incumbent's arcs out (see ``_Rounds``).

    On a national model always. After the first tier, the incumbent is an earlier tier's optimum, spread over as
    many arcs as the LP's support, and the round on both is slower to find anything: from
    ``PRICED_COLUMNS_ABOVE`` columns every later tier starts lean (nl-backlog-h3000, 2026-12-03, quiet, two
    runs: persons 4,222-4,232 of at most 4,336 instead of 3,588-3,595); on a region's backlog the tiers between
    the first and the last (wide u16 backlog at 10 s, two runs each: persons 773 of at most 790 instead of 625;
    u16-backlog's persons proven at 786 instead of 785). The first tier stays as it is (lean, nl-backlog-h3000's
    overdue was 1,452 unproven instead of 1,456 proven at once), and so does a region's last: its quality
    tier lean lost 2-9 % of its value on u16-backlog s2 and most of it on the wide s2 (benchmarks/README.md,
    issue 17, fourth and fifth sessions)."""
    if columns > LARGE_MODEL_VARIABLES:
        return True
    return not first and (columns > PRICED_COLUMNS_ABOVE or not last)


def _first_decisive(runs: list[_Background], settled: threading.Event, deadline: float) -> list[MipOutcome]:
    """The outcome of every run that answers by the deadline; the first that decides the tier stops the others.

    HiGHS checks its time limit and its interrupt only between steps, and its presolve is one step (1.9 s on
    the wide u16 backlog's whole model, whatever the limit). A run still busy at the deadline is told to stop
    and left behind: its thread ends at HiGHS's next check, and its answer is not waited for, so that the time
    limit holds.
    """
    pending, outcomes = list(runs), []
    while pending:
        for run_ in [r for r in pending if r.finished]:
            pending.remove(run_)
            outcome = run_.result()
            outcomes.append(outcome)
            if outcome.infeasible or (outcome.proven and outcome.values is not None):
                settled.set()
        if pending and time.monotonic() >= deadline:
            settled.set()
            pending[0].wait(ABANDON_GRACE_S)
            outcomes.extend(run_.result() for run_ in pending if run_.finished)
            return outcomes
        if pending:
            pending[0].wait(POLL_SECONDS)
    return outcomes


class _Background:
    """A HiGHS solve on its own thread (HiGHS releases the GIL while it works), or, with one worker, run
    when its result is asked for. ``prepare`` fixes the solve's inputs: at once for a thread, else late."""

    def __init__(self, prepare: Callable[[], Callable[[float], MipOutcome]], seconds: Callable[[], float],
                 concurrent: bool) -> None:
        self._prepare, self._seconds = prepare, seconds
        self._outcome: MipOutcome | None = None
        self._thread: threading.Thread | None = None
        if concurrent:
            solve, allowed = prepare(), seconds()
            # not a daemon: a run left behind at a tier's deadline still finishes (at HiGHS's next check)
            # before the interpreter exits; a daemon thread inside HiGHS at exit aborts the process
            self._thread = threading.Thread(target=self._run, args=(solve, allowed), daemon=False)
            self._thread.start()

    def _run(self, solve: Callable[[float], MipOutcome] | None = None, seconds: float | None = None) -> None:
        solve = solve if solve is not None else self._prepare()
        self._outcome = solve(seconds if seconds is not None else self._seconds())

    @property
    def concurrent(self) -> bool:
        return self._thread is not None

    @property
    def finished(self) -> bool:
        return self._thread is None or not self._thread.is_alive()

    def wait(self, seconds: float) -> None:
        if self._thread is not None:
            self._thread.join(seconds)

    def result(self) -> MipOutcome:
        if self._thread is None:
            self._run()
        else:
            self._thread.join()
        assert self._outcome is not None
        return self._outcome


def _full_search(tier: _Tier, box: tuple[np.ndarray, np.ndarray] | None, seconds_left: Callable[[], float],
                 configure: Configure, run: Run, phases: dict[str, float | str], since: float) -> TierOutcome:
    """CP-SAT on the whole model, within the box every better solution keeps, for what is left of the tier
    once the model is copied and hinted (a second on the wide u16 backlog under load)."""
    from ortools.sat.python import cp_model

    allocation = tier.allocation
    if box is None:
        tier.tighter(tier.value)
        return tier.outcome(phases | {"proven_by": "lp"})
    model = allocation.model.clone()
    expression = allocation.linear.expression(allocation.terms[tier.name])
    # set here, on the copy, and only when CP-SAT runs: over the 42,000 arcs of the wide u16 backlog this
    # takes 0.3-0.9 s, which every tier paid before whether CP-SAT ran or not
    if tier.maximise:
        model.maximize(expression)
    else:
        model.minimize(expression)
    lower, upper = box
    for index in np.flatnonzero((lower > np.array(allocation.linear.lower)) |
                                (upper < np.array(allocation.linear.upper))).tolist():
        domain = model.proto.variables[index].domain
        domain[0], domain[len(domain) - 1] = int(lower[index]), int(upper[index])
    if tier.bound is not None:
        model.add(expression <= tier.bound if tier.maximise else expression >= tier.bound)
    start = values_of(allocation, tier.solution)
    if start is not None and (start >= lower).all() and (start <= upper).all():
        for variable, number in zip(allocation.linear.cp_variables, start.tolist(), strict=True):
            model.add_hint(variable, number)
    solver = cp_model.CpSolver()
    configure(solver, seconds_left())
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


class _Rounds:
    """HiGHS on the model restricted to the arcs of the LP solution and of the incumbent, then of more and
    more vertices of the LP's optimal face, until a solution reaches the bound or the rounds stop helping.

    Each restricted model has a few hundred to a few thousand columns and is solved in a fraction of a
    second; ``start`` holds the incumbent's values (the warm start of what follows).

    ``lean_first``: the first round on the LP's arcs alone, without the incumbent's. On the national backlog
    the overdue tier's LP support is 9,465 columns and the greedy start's as many again: on the support alone
    HiGHS found 8,238 overdue households housed in 15 s (its optimum there), with the start's arcs 8,118 and
    then nothing better for 30 s (root cuts on twice the columns).
    """

    def __init__(self, tier: _Tier, mirror: HighsMirror, relaxation: Relaxation, start: IntArray | None,
                 seconds: float, should_stop: Callable[[], bool], objective: Terms | None = None,
                 lean_first: bool = False) -> None:
        self.tier, self.mirror, self.relaxation, self.start = tier, mirror, relaxation, start
        self.should_stop = should_stop
        self.objective = objective if objective is not None else tier.allocation.terms[tier.name]
        allocation = tier.allocation
        self.counted = np.zeros(len(allocation.linear.lower), dtype=np.bool_)
        self.counted[allocation.counted()] = True
        self.kept = relaxation.support() | ~self.counted
        self.incumbent = start > 0 if start is not None else np.zeros(len(self.kept), dtype=np.bool_)
        if not lean_first:
            self.kept |= self.incumbent
        self.deadline = time.monotonic() + seconds
        self.done = self.stalled = 0

    def run(self, rounds: int) -> None:
        tier, allocation = self.tier, self.tier.allocation
        terms = allocation.terms[tier.name]
        for _ in range(rounds):
            left = self.deadline - time.monotonic()
            if left < SHORTEST_STEP_S or self.should_stop() or tier.proven or self.stalled >= RESTRICTED_STALL_ROUNDS:
                return
            if self.done:
                self.kept |= self.incumbent | self.mirror.another_vertex(terms, self.relaxation, self.counted,
                                                                         seed=self.done, time_limit=left)
                left = self.deadline - time.monotonic()
                if left < SHORTEST_STEP_S:
                    return
            before = tier.value
            mip = self.mirror.solve_mip(self.objective, tier.maximise, self.start, left, self.should_stop,
                                        columns=self.kept)
            self.done += 1
            if mip.values is not None and tier.adopt(solution_of(allocation, mip.values)):
                self.start = mip.values
            self.stalled = self.stalled + 1 if tier.value == before else 0


def lexicographic_objective(allocation: ClassModel, terms: Terms, maximise: bool,
                            then: NextTier | None) -> Terms | None:
    """This tier's objective weighted above the next one's, so that of two solutions equal on this tier the
    restricted rounds keep the one better on the next (None without a next tier).

    The weight exceeds anything the next objective can vary by over the variables' boxes, so the weighted
    optimum is this tier's optimum. Measured (issue 17): the overdue tier's restricted round took as long
    (0.04-0.06 s) and handed the persons tier a start of 719 persons instead of 624 (u16-backlog), 625
    instead of 523 (the wide one); the persons tier's restricted rounds then start from there. Where the
    weighted objective would vary by more than ``LARGEST_WEIGHTED_SPREAD``, the round keeps this tier's alone.
    """
    if then is None:
        return None
    spread = _spread(allocation, then.terms)
    if (spread + 1) * _spread(allocation, terms) > LARGEST_WEIGHTED_SPREAD:
        return None
    aligned = then.terms if then.maximise == maximise else then.terms.scaled(-1)
    return terms.scaled(spread + 1) + Terms(aligned.index, aligned.coeff)


def _spread(allocation: ClassModel, terms: Terms) -> int:
    """How much the terms can vary over the variables' boxes."""
    upper = np.asarray(allocation.linear.upper, dtype=np.int64)[terms.index]
    lower = np.asarray(allocation.linear.lower, dtype=np.int64)[terms.index]
    return int(np.abs(terms.coeff) @ (upper - lower))
