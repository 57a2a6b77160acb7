"""Solve functions that misbehave on purpose, for the service's job tests (``MATCHER_SOLVE_FUNCTION``).

They run inside the solve process, which imports this module by name: the tests put this directory on
``PYTHONPATH``. Each one has the solver's signature ``(instance, options, control) -> Proposal``.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from matcher.format import Proposal
from matcher.solver import Progress, SolveControl, SolveOptions, solve_proposal

DELAY_ENV = "MATCHER_FAKE_DELAY"  # seconds ``slow`` waits before it solves for real
STEP_S = 0.02


def slow(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    """Report progress and an interim proposal, wait (stoppable), then solve for real with the greedy method:
    long enough to watch, cancel or kill a running job, with a genuine proposal at the end."""
    from dataclasses import replace

    quick = replace(options, method="greedy")
    control.proposal(solve_proposal(instance, quick))
    started = time.monotonic()
    delay = float(os.environ.get(DELAY_ENV, "30"))
    while time.monotonic() - started < delay and not control.stopped:
        control.progress(Progress("quality", 0, 1, int(100 * (time.monotonic() - started)), 10_000,
                                  time.monotonic() - started))
        time.sleep(STEP_S)
    return solve_proposal(instance, quick)


def quiet(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    """Waits (stoppable) and reports nothing, then solves with the greedy method: while it runs, the only
    writes of its job are the worker's lease renewals."""
    from dataclasses import replace

    started = time.monotonic()
    delay = float(os.environ.get(DELAY_ENV, "30"))
    while time.monotonic() - started < delay and not control.stopped:
        time.sleep(STEP_S)
    return solve_proposal(instance, replace(options, method="greedy"))


def deaf(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    """Hands over one interim proposal, then ignores every stop: the server must end it after the grace time."""
    from dataclasses import replace

    control.proposal(solve_proposal(instance, replace(options, method="greedy")))
    time.sleep(600)
    raise AssertionError("should have been killed")


def crash(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    """A segmentation fault, as a bug in native code would cause."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    raise AssertionError("unreachable")


def hog_memory(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    """Allocates far beyond any sensible limit; under the solve process's limit this is a MemoryError."""
    hoard = []
    while True:
        hoard.append(bytearray(256 * 1024 * 1024))


def explode(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    raise RuntimeError("the fake solver broke")


def cpsat_until_stopped(instance: Any, options: SolveOptions, control: SolveControl) -> Proposal:
    """A real CP-SAT search that cannot finish on its own for a minute (partitioning 60 large numbers into two
    equal halves), stopped the way the solver stops its tiers: ``control.while_running(solver.stop_search)``.
    Returns a genuine greedy proposal once the search has been stopped."""
    import random
    from dataclasses import replace

    from ortools.sat.python import cp_model

    control.proposal(solve_proposal(instance, replace(options, method="greedy")))
    numbers = [random.Random(7).randrange(10**9, 10**10) for _ in range(60)]
    model = cp_model.CpModel()
    sides = [model.new_bool_var(f"x{i}") for i in range(len(numbers))]
    difference = model.new_int_var(0, sum(numbers), "difference")
    half = sum(n * x for n, x in zip(numbers, sides, strict=True))
    model.add(difference >= 2 * half - sum(numbers))
    model.add(difference >= sum(numbers) - 2 * half)
    model.minimize(difference)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60.0
    solver.parameters.num_workers = 1
    started = time.monotonic()

    class Report(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            control.progress(Progress("partition", 0, 1, int(self.objective_value), int(self.best_objective_bound),
                                      time.monotonic() - started))

    unregister = control.while_running(solver.stop_search)
    try:
        solver.solve(model, Report())
    finally:
        unregister()
    return solve_proposal(instance, replace(options, method="greedy"))
