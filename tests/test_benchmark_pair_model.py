"""Each constraint family of the benchmarks' pair model (the "before" peer), alone: given these facts, it
binds exactly here, so that the before/after figures compare two models of the same rules."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is a folder of the repository

from benchmarks.pair_model import model as families  # noqa: E402
from benchmarks.pair_model.candidates import usable_candidates  # noqa: E402
from benchmarks.pair_model.tiers import read_solution  # noqa: E402

from builders import LONG_AGO, dwelling, household, instance, municipality, near, school  # noqa: E402
from matcher.facts import derive_facts  # noqa: E402
from matcher.rules import compatible_pairs  # noqa: E402
from matcher.validation import load_instance  # noqa: E402

Family = Callable[[families.AllocationModel], None]


def best(data: dict[str, Any], chosen: list[Family], objective: str = "persons_housed") -> tuple[int, list[Any]]:
    """Optimise one objective over a model holding only the chosen constraint families."""
    facts = derive_facts(load_instance(data))
    allocation = families.new_model(facts, usable_candidates(facts, compatible_pairs(facts)))
    for family in chosen:
        family(allocation)
    families.add_objectives(allocation)
    expression = allocation.objectives[objective]
    if objective == "max_shortfall_permille":
        allocation.model.minimize(expression)
    else:
        allocation.model.maximize(expression)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(allocation.model) == cp_model.OPTIMAL
    return int(round(solver.objective_value)), read_solution(allocation, solver)


def test_one_dwelling_per_household_binds_when_a_household_has_two_candidates() -> None:
    data = instance([household("h1")], [dwelling("d1"), dwelling("d2")])
    assert best(data, [])[0] == 2
    assert best(data, [families.add_one_dwelling_per_household])[0] == 1


def test_dwelling_capacity_binds_for_own_and_shared_dwellings() -> None:
    singles = [household(f"h{i}", shareable=True) for i in range(4)]
    data = instance(singles, [dwelling("own"), dwelling("shared", shared_places=3, bedrooms=3, max_occupants=3)])
    unlimited, _ = best(data, [families.add_one_dwelling_per_household])
    limited, solution = best(data, [families.add_one_dwelling_per_household, families.add_dwelling_capacity])
    assert unlimited == 4
    assert limited == 4  # one in the own dwelling, three sharers
    per_dwelling = [sum(p.dwelling == d for p in solution) for d in (0, 1)]
    assert per_dwelling == [1, 3]
    data["households"].append(household("h4", shareable=True))
    assert best(data, [families.add_one_dwelling_per_household, families.add_dwelling_capacity])[0] == 4


def test_school_choice_names_exactly_one_school_per_needed_kind() -> None:
    data = instance([household("h1", ages=[35, 7, 14])], [dwelling("d1", bedrooms=2, max_occupants=4)],
                    schools=[school("p1"), school("p2"), school("s1", kind="secondary")])
    _, solution = best(data, [families.add_school_choice])
    assert len(solution) == 1
    assert set(solution[0].schools) == {"primary", "secondary"}


def test_school_seats_bind_summed_over_households() -> None:
    families_with_kids = [household(f"h{i}", ages=[35, 6, 8]) for i in range(3)]
    dwellings = [dwelling(f"d{i}", bedrooms=2, max_occupants=4) for i in range(3)]
    data = instance(families_with_kids, dwellings, schools=[school("p1", seats=5)])
    chosen = [families.add_one_dwelling_per_household, families.add_dwelling_capacity, families.add_school_choice]
    assert best(data, chosen)[0] == 9
    assert best(data, [*chosen, families.add_school_seats])[0] == 6  # two families: 4 pupils of 5 seats


def test_school_out_of_range_or_too_small_removes_the_pair() -> None:
    far = school("p-far", location=near(6.0))
    small = school("p-small", seats=1)
    data = instance([household("h1", ages=[35, 6, 8])], [dwelling("d1", bedrooms=2, max_occupants=4)],
                    schools=[far, small])
    facts = derive_facts(load_instance(data))
    assert len(usable_candidates(facts, compatible_pairs(facts))) == 0


def test_group_caps_count_distinct_dwellings_not_households() -> None:
    group = {"id": "g1", "units": 10, "status_holder_units": 3, "max_share": 0.5}  # cap: 5 - 3 = 2 dwellings
    sharers = [household(f"h{i}", shareable=True) for i in range(4)]
    dwellings = [dwelling(f"d{i}", groups=["g1"], shared_places=2, bedrooms=2, max_occupants=2) for i in range(3)]
    data = instance(sharers, dwellings, groups=[group])
    chosen = [families.add_one_dwelling_per_household, families.add_dwelling_capacity]
    assert best(data, chosen)[0] == 4
    value, solution = best(data, [*chosen, families.add_group_caps])
    assert value == 4 and len({p.dwelling for p in solution}) == 2
    data["households"].append(household("h4", shareable=True))
    assert best(data, [*chosen, families.add_group_caps])[0] == 4


def test_municipality_caps_count_persons_present_now() -> None:
    small_town = municipality("GM0589", target=10, housed=8)  # floor(10 * 1.1) - 8 = 3 persons
    data = instance([household("h1", ages=[30, 28]), household("h2", ages=[40, 41], expected_members=2)],
                    [dwelling("d1", "GM0589"), dwelling("d2", "GM0589", bedrooms=2, max_occupants=4)],
                    municipalities=[small_town])
    chosen = [families.add_one_dwelling_per_household, families.add_dwelling_capacity]
    assert best(data, chosen)[0] == 4
    assert best(data, [*chosen, families.add_municipality_caps])[0] == 2


def test_locks_fix_the_pair_and_its_named_school() -> None:
    data = instance([household("h1", ages=[30, 6]), household("h2", ages=[30, 6, 7])],
                    [dwelling("d1", bedrooms=2, max_occupants=4), dwelling("d2", bedrooms=2, max_occupants=4)],
                    schools=[school("p1"), school("p2")],
                    locks=[{"household": "h1", "dwelling": "d2", "schools": {"primary": "p2"}}])
    chosen = [families.add_one_dwelling_per_household, families.add_dwelling_capacity, families.add_school_choice,
              families.add_locks]
    _, solution = best(data, chosen, objective="overdue_housed")
    h1 = next(p for p in solution if p.household == 0)
    assert h1.dwelling == 1 and h1.schools == {"primary": 1}


def test_shortfall_is_the_worst_municipality_in_integer_permille() -> None:
    towns = [municipality("GM0001", target=3, housed=0), municipality("GM0002", target=7, housed=2)]
    data = instance([household("h1", ages=[30, 29], waiting_since=LONG_AGO)],
                    [dwelling("d1", "GM0001"), dwelling("d2", "GM0002")], municipalities=towns)
    chosen = [families.add_one_dwelling_per_household, families.add_dwelling_capacity]
    value, solution = best(data, chosen, objective="max_shortfall_permille")
    # placing 2 in GM0001 leaves 1/3 = 333 there and 5/7 = 714 in GM0002; placing them in GM0002: 1000 and 428
    assert value == 714 and solution[0].dwelling == 0


def test_quality_adds_ties_and_subtracts_unused_bedrooms_and_school_km() -> None:
    tie = [{"municipality": "GM0002", "kind": "work"}]
    towns = [municipality("GM0001"), municipality("GM0002")]
    data = instance([household("h1", ages=[30, 8], ties=tie)],
                    [dwelling("d1", "GM0001", bedrooms=1), dwelling("d2", "GM0002", bedrooms=2, location=near(0.0))],
                    municipalities=towns, schools=[school("p1", location=near(2.5))])
    value, solution = best(data, [families.add_one_dwelling_per_household, families.add_school_choice],
                           objective="quality")
    # d2: tie 30, one unused bedroom -10, school ceil(2.5) = 3 km -> 17; d1: 0 - 0 - 3 = -3
    assert value == 17 and solution[0].dwelling == 1
