"""The bound that prices the municipality caps (``matcher.solver.priced_bound``): never below what a solution
reaches, tighter than the trivial bound where the caps bind, and used by the tiers; and how a large model's tier
starts its LP and its first restricted round."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from builders import LONG_AGO, dwelling, household, instance, municipality
from matcher.facts import Facts, derive_facts
from matcher.solver import SolveOptions, search, solve, tiers
from matcher.solver.class_model import ClassModel, build_class_model, trivial_bound
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.highs import HighsMirror
from matcher.solver.network import build_network
from matcher.solver.priced_bound import PRICED_OBJECTIVES, best_uniform_price, priced_bound
from matcher.validation import load_instance
from test_solver_bruteforce import brute_force_optimum, tiny_instances

EARLIER = "2026-03-02"  # overdue too, but waiting less long than LONG_AGO


def _allocation(facts: Facts) -> ClassModel:
    return build_class_model(facts, build_network(facts, household_classes(facts), dwelling_classes(facts)))


def _capped_region() -> dict[str, Any]:
    """Room for 3 persons (target 3: floor(3 * 1.1)); five overdue households of 1, 1, 1, 2 and 2 persons, and
    a dwelling for each: at most the three singles fit, so 3 overdue households and 3 persons."""
    singles = [household(f"s{i}", [30], waiting_since=LONG_AGO) for i in range(3)]
    couples = [household(f"c{i}", [30, 31], waiting_since=EARLIER) for i in range(2)]
    return instance(singles + couples, [dwelling(f"d{i}") for i in range(5)], [municipality(target=3)],
                    policy={"objectives": ["overdue_housed", "persons_housed"]})


def _bound(allocation: ClassModel, name: str) -> int:
    priced = priced_bound(allocation, name)
    assert priced is not None
    return priced.bound


def _couples_first_with_a_neighbour() -> dict[str, Any]:
    """The capped region, but the couples waited longest, so the greedy houses a couple and one single (2
    overdue, where 3 fit); and a household not overdue, in a town of its own, in a dwelling only it can
    afford, so that the greedy's columns are never the flow's nor the LP's. Only the first tier."""
    data = _capped_region()
    for record in data["households"]:
        record["waiting_since"] = LONG_AGO if record["id"].startswith("c") else EARLIER
        record["max_rent"] = 650
    data["policy"]["objectives"] = ["overdue_housed"]  # the next tier's start would be the flow's columns too
    data["municipalities"].append(municipality("GM0355", target=10))
    data["dwellings"].append(dwelling("dear", municipality="GM0355", rent=900))
    data["households"].append(household("n0", [40], max_rent=1000))
    return data


def test_where_the_caps_bind_the_priced_bound_is_the_optimum_and_the_trivial_one_is_not() -> None:
    allocation = _allocation(derive_facts(load_instance(_capped_region())))
    assert _bound(allocation, "overdue_housed") == 3
    assert trivial_bound(allocation, "overdue_housed", 0) == 5
    assert _bound(allocation, "persons_housed") == 3
    assert trivial_bound(allocation, "persons_housed", 0) == 7


def test_the_support_holds_the_arcs_of_the_singles_and_no_school_choice() -> None:
    """At a price of 1/2 a person the singles gain half a point each: the flow houses them, so their entry
    arc and a placement arc are in the support; nobody has children, so no school column is."""
    facts = derive_facts(load_instance(_capped_region()))
    allocation = _allocation(facts)
    priced = priced_bound(allocation, "overdue_housed")
    assert priced is not None
    network = allocation.network
    singles = int(network.households.of[facts.household_index["s0"]])
    entries = allocation.entry_index(np.arange(network.entries))
    assert priced.support[entries[network.entry_class == singles]].all()
    assert priced.support[allocation.flow_index(np.arange(network.placements))].any()
    assert priced.support.sum() < len(priced.support)


def test_the_greedy_method_reports_the_priced_bound() -> None:
    """Without a search the bounds are the ones that need none: the caps priced, not every household housed."""
    data = _couples_first_with_a_neighbour()
    result = solve(load_instance(data), SolveOptions(time_limit=10, workers=1, method="greedy"))
    overdue = result.tiers[0]
    # the neighbour's town has room for 11 but none of the overdue can afford its dwelling: its cap is not priced
    assert (overdue.value, overdue.bound, overdue.status) == (2, 3, "feasible")


@pytest.mark.parametrize("large", [True, False])
def test_only_a_large_models_lp_starts_from_the_priced_flow(monkeypatch: pytest.MonkeyPatch,
                                                                  large: bool) -> None:
    """From 3,000 households up the column generation starts from the flow's arcs; a small model's LP needs no help."""
    if large:
        monkeypatch.setattr(search, "PRICED_COLUMNS_ABOVE", 0)  # every model counts as a large one
    included: list[np.ndarray] = []
    original = HighsMirror.include

    def recording(mirror: HighsMirror, columns: np.ndarray) -> None:
        included.append(columns.copy())
        original(mirror, columns)

    monkeypatch.setattr(HighsMirror, "include", recording)
    data = _couples_first_with_a_neighbour()
    instance = load_instance(data)
    result = solve(instance, SolveOptions(time_limit=10, workers=1))
    assert (result.tiers[0].value, result.tiers[0].bound) == (3, 3)
    priced = priced_bound(_allocation(derive_facts(instance)), "overdue_housed")
    assert priced is not None
    assert any(np.array_equal(columns, priced.support) for columns in included) == large


@pytest.mark.parametrize(("profit", "size", "supply", "capacity", "price"), [
    ([1, 1], [1, 2], [3, 2], 3, 0.5),  # singles fill the room: pricing persons at 1/2 leaves them half a point
    ([1, 1], [1, 2], [3, 2], 100, 0.0),  # room for everyone: no price
    ([2, 3], [2, 3], [4, 1], 5, 1.0),  # persons: a price of 1 per person leaves the room itself
])
def test_the_uniform_price_minimises_the_bound_without_dwellings(profit: list[int], size: list[int],
                                                                 supply: list[int], capacity: int,
                                                                 price: float) -> None:
    assert best_uniform_price(np.array(profit), np.array(size), np.array(supply), capacity) == price


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_the_priced_bound_lies_between_the_brute_force_optimum_and_the_trivial_bound(data: dict[str, Any]) -> None:
    for name in sorted(PRICED_OBJECTIVES):
        data["policy"]["objectives"] = [name]
        facts = derive_facts(load_instance(data))
        (optimum,) = brute_force_optimum(facts)
        allocation = _allocation(facts)
        assert optimum <= _bound(allocation, name) <= trivial_bound(allocation, name, 0)


@pytest.mark.parametrize("large", [True, False])
def test_only_on_a_national_model_the_first_restricted_round_leaves_the_incumbents_arcs_out(
        monkeypatch: pytest.MonkeyPatch, large: bool) -> None:
    """There the incumbent's arcs double the restricted model and its root cuts stall; the LP's arcs alone
    hold a solution at the bound. The answer is the same either way."""
    if large:
        monkeypatch.setattr(search, "LARGE_MODEL_VARIABLES", 0)
    restricted: list[np.ndarray] = []
    original = HighsMirror.solve_mip

    def recording(mirror: HighsMirror, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("columns") is not None:
            restricted.append(kwargs["columns"].copy())
        return original(mirror, *args, **kwargs)

    monkeypatch.setattr(HighsMirror, "solve_mip", recording)
    instance = load_instance(_couples_first_with_a_neighbour())
    facts = derive_facts(instance)
    result = solve(instance, SolveOptions(time_limit=10, workers=1))
    assert (result.tiers[0].value, result.tiers[0].bound) == (3, 3)
    allocation = _allocation(facts)
    couples = int(allocation.network.households.of[facts.household_index["c0"]])  # the greedy's; no LP optimum's
    entries = allocation.entry_index(np.flatnonzero(allocation.network.entry_class == couples))
    assert len(entries) and restricted
    assert restricted[0][entries].any() == (not large)


def test_an_earlier_tier_gets_twice_the_time_of_each_later_one_except_at_3000_households(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = _capped_region()
    data["policy"]["objectives"] = ["overdue_housed", "persons_housed", "max_shortfall_permille", "quality"]
    options = SolveOptions(time_limit=10, workers=1)
    weighted = solve(load_instance(data), options).tiers[0].time_limit
    monkeypatch.setattr(tiers, "EQUAL_SHARES_ABOVE", 0)  # this small model now counts as one of 3,000 households
    equal = solve(load_instance(data), options).tiers[0].time_limit
    assert weighted == pytest.approx(10 * 2 / 5, rel=0.1)
    assert equal == pytest.approx(10 / 4, rel=0.1)


@pytest.mark.parametrize(("columns", "first", "last", "lean"), [
    (10_000, True, False, False), (10_000, False, True, False),  # a region's backlog, first and last tiers
    (10_000, False, False, True),  # ... and the tiers between
    (60_000, True, False, False), (60_000, False, True, True),  # 3,000 households: lean after the first tier
    (400_000, True, False, True), (400_000, False, True, True),  # national: always
])
def test_which_tiers_start_their_restricted_rounds_lean(columns: int, first: bool, last: bool, lean: bool) -> None:
    assert search.lean_first_round(columns, first, last) == lean
