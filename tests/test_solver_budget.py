"""The one time budget of a solve: each tier's share, the reserve kept for what follows, CP-SAT's limits."""

from __future__ import annotations

import time

import pytest
from ortools.sat.python import cp_model

from matcher.solver import Budget, SolveOptions
from matcher.solver.budget import configure_cp_sat


def test_each_tier_gets_an_equal_part_of_what_is_left_after_the_reserve() -> None:
    budget = Budget(60.0, reserve=20.0, started=time.monotonic())
    assert budget.tier_share(0, 4) == pytest.approx(10.0, abs=0.1)
    assert budget.tier_share(3, 4) == pytest.approx(40.0, abs=0.1)  # the last tier gets all that is left


def test_a_budget_that_has_run_out_leaves_nothing_and_never_a_negative_share() -> None:
    budget = Budget(10.0, started=time.monotonic() - 30.0)
    assert budget.left() == 0.0 and budget.tier_share(1, 4) == 0.0
    assert budget.elapsed() >= 30.0


def test_deterministic_tiers_get_a_fixed_share_of_the_whole_limit_whatever_the_clock_says() -> None:
    budget = Budget.of(SolveOptions(time_limit=40.0, deterministic=True), started=time.monotonic() - 100.0)
    assert [budget.tier_share(i, 4) for i in range(4)] == [10.0] * 4


def test_cp_sat_gets_seconds_or_deterministic_time_with_the_options_seed_and_workers() -> None:
    solver = cp_model.CpSolver()
    configure_cp_sat(solver, SolveOptions(workers=3, seed=7), 12.0)
    assert (solver.parameters.max_time_in_seconds, solver.parameters.num_workers, solver.parameters.random_seed) == \
        (12.0, 3, 7)
    repeatable = cp_model.CpSolver()
    configure_cp_sat(repeatable, SolveOptions(deterministic=True), 5.0)
    assert repeatable.parameters.max_deterministic_time == 5.0 and repeatable.parameters.interleave_search
