"""Keeping earlier placements where the class model leaves the choice free: same values, fewer moves."""

from __future__ import annotations

from builders import dwelling, household, instance
from conftest import load_example
from matcher.checker import hard_rule_violations
from matcher.facts import derive_facts
from matcher.format import Assignment
from matcher.replan.next_instance import Decision, next_instance
from matcher.solution import Placement
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.evaluate import objective_values
from matcher.solver.keeping import keep_where_free, previous_start
from matcher.solver.locks import check_locks
from matcher.solver.network import build_network
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


def test_a_re_plan_starts_from_every_pair_still_under_review() -> None:
    """The warm start of a re-plan keeps every previous pair (they come from one proposal, so they fit
    together with the locks) and places the declined household first come, first served."""
    document, proposal = load_example("u16-week-s1")
    locked = {(lock["household"], lock["dwelling"]) for lock in document["locks"]}
    declined = next((a["household"], a["dwelling"]) for a in proposal["assignments"]
                    if (a["household"], a["dwelling"]) not in locked)
    plan = next_instance(document, proposal, {declined: Decision(False, "too far")})
    facts = derive_facts(load_instance(plan.document))
    network = build_network(facts, household_classes(facts), dwelling_classes(facts))
    locks = check_locks(facts)
    start = previous_start(facts, network, locks.placements)
    assert start is not None
    previous = {(facts.household_index[p["household"]], facts.dwelling_index[p["dwelling"]]) for p in plan.previous}
    assert previous <= {(p.household, p.dwelling) for p in start}
    assert objective_values(facts, start)["kept_previous"] == len(previous)
    ids = facts.households.ids, facts.dwellings.ids, facts.schools.ids
    assignments = [Assignment(household=ids[0][p.household], dwelling=ids[1][p.dwelling],
                              schools={kind: ids[2][s] for kind, s in p.schools.items()}) for p in start]
    assert hard_rule_violations(facts, assignments) == []
    assert previous_start(derive_facts(load_instance(document)), network, locks.placements) is None
