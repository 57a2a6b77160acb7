"""Hindsight bounds every replay: more persons than any policy houses, fewer overdue weeks than any runs up;
where it proves its optimum, matcher's own weekly solver on the same pairs agrees."""

from __future__ import annotations

import pytest

from matcher.facts import derive_facts
from matcher.rules import compatible_pairs
from matcher.simulation import generate_scenario, load_scenario, simulate
from matcher.simulation.hindsight import hindsight_pairs, horizon_document, solve_hindsight
from matcher.solver.options import SolveOptions
from matcher.solver.solve import solve_proposal
from matcher.validation import load_instance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hindsight_bounds_every_policy(seed: int) -> None:
    scenario = load_scenario(generate_scenario("tiny-halfyear", seed))
    hindsight = solve_hindsight(scenario, time_limit=5)
    assert hindsight.persons_housed.value <= hindsight.persons_housed.bound
    assert hindsight.overdue_weeks.bound <= hindsight.overdue_weeks.value
    for policy in ("fcfs", "weekly"):
        figures = simulate(scenario, policy, time_limit_per_week=5).figures
        assert figures.persons_housed <= hindsight.persons_housed.bound
        assert figures.overdue_weeks >= hindsight.overdue_weeks.bound


@pytest.mark.parametrize("seed", [1, 3])
def test_a_proven_hindsight_optimum_agrees_with_the_weekly_solver(seed: int) -> None:
    """The horizon instance with every pair hindsight may not use forbidden, solved for persons by
    matcher.solver: the same optimum as hindsight's own model, reached independently."""
    scenario = load_scenario(generate_scenario("tiny-halfyear", seed))
    hindsight = solve_hindsight(scenario, time_limit=5)
    pairs = hindsight_pairs(scenario)
    document = horizon_document(scenario) | {"policy": {"objectives": ["persons_housed"]}}
    facts = derive_facts(load_instance(document))
    allowed = set(zip(pairs.household.tolist(), pairs.dwelling.tolist(), strict=True))
    every = compatible_pairs(facts)
    document["forbidden"] = [{"household": facts.households.ids[h], "dwelling": facts.dwellings.ids[d]}
                             for h, d in zip(every.household.tolist(), every.dwelling.tolist(), strict=True)
                             if (h, d) not in allowed]
    proposal = solve_proposal(load_instance(document), SolveOptions(time_limit=20, deterministic=True))
    optimum = proposal.objective("persons_housed")
    assert optimum is not None and proposal.status == "optimal"
    assert hindsight.persons_housed.value <= optimum.value <= hindsight.persons_housed.bound
    if hindsight.persons_housed.value == hindsight.persons_housed.bound:
        assert optimum.value == hindsight.persons_housed.value
