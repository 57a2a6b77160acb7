"""Keeping earlier placements where the class model leaves the choice free: same values, fewer moves."""

from __future__ import annotations

from builders import dwelling, household, instance
from matcher.facts import derive_facts
from matcher.solution import Placement
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.evaluate import objective_values
from matcher.solver.keeping import keep_where_free
from matcher.validation import load_instance


def _facts(households: int, dwellings: int) -> object:
    data = instance([household(f"h{i}") for i in range(households)], [dwelling(f"d{i}") for i in range(dwellings)])
    return derive_facts(load_instance(data))


def test_look_alike_households_go_back_to_their_own_dwellings() -> None:
    facts = _facts(2, 2)
    households, dwellings = household_classes(facts), dwelling_classes(facts)  # type: ignore[arg-type]
    assert len(households) == 1 and len(dwellings) == 1  # nothing tells them apart
    swapped = [Placement(0, 1), Placement(1, 0)]
    earlier = [Placement(0, 0), Placement(1, 1)]
    kept = keep_where_free(facts, households, dwellings, swapped, earlier)  # type: ignore[arg-type]
    assert kept == earlier
    assert objective_values(facts, kept) == objective_values(facts, swapped)  # type: ignore[arg-type]


def test_the_place_a_class_keeps_goes_to_the_member_that_had_one() -> None:
    facts = _facts(2, 2)
    households, dwellings = household_classes(facts), dwelling_classes(facts)  # type: ignore[arg-type]
    found = [Placement(0, 0)]  # the class keeps one place; h1 held it before
    kept = keep_where_free(facts, households, dwellings, found, [Placement(1, 1)])  # type: ignore[arg-type]
    assert kept == [Placement(1, 1)]


def test_a_household_whose_class_lost_its_place_is_not_placed_again() -> None:
    facts = _facts(2, 1)
    households, dwellings = household_classes(facts), dwelling_classes(facts)  # type: ignore[arg-type]
    kept = keep_where_free(facts, households, dwellings, [], [Placement(0, 0)])  # type: ignore[arg-type]
    assert kept == []
