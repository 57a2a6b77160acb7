"""The one time budget of a solve: each tier's share, the reserve kept for what follows, CP-SAT's limits."""

from __future__ import annotations

import math
import time

import pytest
from ortools.sat.python import cp_model

from matcher.solver import Budget, SolveOptions
from matcher.solver.budget import TierBudget, configure_cp_sat


def test_each_tier_gets_an_equal_part_of_what_is_left_after_the_reserve() -> None:
    budget = Budget(60.0, reserve=20.0, started=time.monotonic())
    assert budget.tier_share(0, 4) == pytest.approx(10.0, abs=0.1)
    assert budget.tier_share(3, 4) == pytest.approx(40.0, abs=0.1)  # the last tier gets all that is left


def test_weighted_an_earlier_tier_gets_that_many_parts_against_one_for_each_later_tier() -> None:
    budget = Budget(60.0, reserve=10.0, started=time.monotonic())
    assert budget.tier_share(0, 4, earlier_weight=2.0) == pytest.approx(50.0 * 2 / 5, abs=0.1)
    assert budget.tier_share(2, 4, earlier_weight=2.0) == pytest.approx(50.0 * 2 / 3, abs=0.1)
    assert budget.tier_share(3, 4, earlier_weight=2.0) == pytest.approx(50.0, abs=0.1)


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


def test_a_tier_budget_counts_the_wall_clock_and_refuses_a_step_too_short_to_start() -> None:
    tier = TierBudget(10.0, shortest_step=0.25, began=time.monotonic() - 9.9)
    assert tier.left() == pytest.approx(0.1, abs=0.05) and not tier.worth_a_step()
    assert tier.deadline == pytest.approx(tier.began + 10.0)
    assert TierBudget(10.0, shortest_step=0.25).worth_a_step()


def test_a_deterministic_tier_budget_counts_what_its_steps_were_allowed_not_the_clock() -> None:
    tier = TierBudget(10.0, deterministic=True, shortest_step=0.25, began=time.monotonic() - 100.0)
    assert tier.left() == 10.0 and tier.deadline == math.inf
    assert tier.allow(8.0) == 8.0 and tier.left() == pytest.approx(2.0)
    tier.allow(5.0)
    assert tier.left() == 0.0 and tier.worth_a_step()  # bounded by work counts, never by the clock
