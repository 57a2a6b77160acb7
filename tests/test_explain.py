"""Explanations: contributions that add up to the quality objective, and the right reason for each waiting household.

Each reason kind has one small hand-made instance where exactly that reason holds; the tests match key
words and numbers, not whole sentences, so the wording can improve without breaking them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

import pytest

from conftest import EXAMPLES
from matcher.explain import Explanations, explain
from matcher.explain.words import reason_text
from matcher.facts import Facts, derive_facts
from matcher.format import DEFAULT_OBJECTIVES
from matcher.rules import compatible_pairs
from matcher.solution import Placement
from matcher.validation import load_instance

HOME = {"lat": 52.09, "lon": 5.12}
KM_PER_DEGREE_LAT = 111.2  # roughly, to place schools at a wanted distance north of HOME
OVERDUE_SINCE = "2026-01-05"  # far more than 14 weeks before the period
RECENT = "2026-12-01"


# --- building small instances -------------------------------------------------------------------------------


def north(km: float) -> dict[str, float]:
    return {"lat": HOME["lat"] + km / KM_PER_DEGREE_LAT, "lon": HOME["lon"]}


def municipality(id: str = "GM0344", target: int = 100, housed: int = 0) -> dict[str, Any]:
    return {"id": id, "name": id, "target": target, "housed": housed}


def dwelling(id: str, municipality: str = "GM0344", bedrooms: int = 2, max_occupants: int = 4, rent: float = 700,
             **extra: Any) -> dict[str, Any]:
    return {"id": id, "municipality": municipality, "location": HOME, "bedrooms": bedrooms,
            "max_occupants": max_occupants, "rent": rent, **extra}


def household(id: str, ages: tuple[int, ...] = (30,), waiting_since: str = RECENT, **extra: Any) -> dict[str, Any]:
    return {"id": id, "members": [{"age": age} for age in ages], "waiting_since": waiting_since, **extra}


def school(id: str, kind: str = "primary", seats: int = 5, km: float = 1.0) -> dict[str, Any]:
    return {"id": id, "kind": kind, "location": north(km), "seats": seats}


def facts_of(households: list[dict[str, Any]], dwellings: list[dict[str, Any]],
             municipalities: list[dict[str, Any]] | None = None, **rest: Any) -> Facts:
    document = {
        "format": "matcher.instance/1", "id": "test", "period": {"start": "2026-12-21", "end": "2026-12-27"},
        "municipalities": municipalities or [municipality()], "dwellings": dwellings, "households": households,
        **rest,
    }
    return derive_facts(load_instance(document))


def run(facts: Facts, placements: list[tuple[str, str] | tuple[str, str, dict[str, str]]],
        objectives: list[str] | None = None) -> Explanations:
    solution = [Placement(facts.household_index[p[0]], facts.dwelling_index[p[1]],
                          {kind: facts.school_index[s] for kind, s in (p[2] if len(p) > 2 else {}).items()})
                for p in placements]
    order = list(DEFAULT_OBJECTIVES) if objectives is None else objectives
    return explain(facts, compatible_pairs(facts), solution, order)


def waiting(explanations: Explanations, household_id: str) -> tuple[list[str], str]:
    """The reason codes and the reasons' text of one household left out.

    Every reason kind passes through here, so here each is also checked in both languages: the English text
    is the wording of the structured reason, and the Dutch wording of it says the same numbers and ids with
    no English phrase in it.
    """
    record = next(u for u in explanations.unassigned if u.household == household_id)
    details = record.reason_details
    assert [detail["code"] for detail in details] == record.reason_codes
    assert json.loads(json.dumps(details)) == details  # plain JSON values
    for detail, english in zip(details, record.reasons, strict=True):
        assert reason_text(detail, "en") == english
        dutch = reason_text(detail, "nl")
        assert dutch and dutch != english
        assert not [phrase for phrase in ENGLISH_PHRASES if phrase in f" {dutch} "], dutch
        assert set(re.findall(r"\d+", dutch)) == set(re.findall(r"\d+", english)), (dutch, english)
    return record.reason_codes, " | ".join(record.reasons)


ENGLISH_PHRASES = (" the ", " dwelling", " household", "compatible", "usable", " tier", " went to", "available",
                   " school with", " persons", " free seat", " cap ", " and ", "more than", "stayed free", " its ",
                   " in the region", " no ", " left")


# --- contributions of assignments ---------------------------------------------------------------------------


def test_contributions_name_every_part_and_add_up_to_quality() -> None:
    facts = facts_of(
        [household("h1", ages=(40, 38, 8, 14), waiting_since=OVERDUE_SINCE, expected_members=1,
                   ties=[{"municipality": "GM0344", "kind": "family"}, {"municipality": "GM0344", "kind": "work"}])],
        [dwelling("d1", bedrooms=4, max_occupants=6)],
        municipalities=[municipality(target=40, housed=30)],
        schools=[school("s1", "primary", km=2.34), school("s2", "secondary", km=7.2)],
    )
    explanations = run(facts, [("h1", "d1", {"primary": "s1", "secondary": "s2"})])
    e = explanations.assignments[0]["explanation"]
    assert e["locked"] is False
    assert e["overdue"] is True and e["waiting_weeks"] == (date_days("2026-12-21") - date_days(OVERDUE_SINCE)) // 7
    assert (e["persons"], e["final_size"]) == (4, 5)
    assert e["tie"] == {"municipality": "GM0344", "kinds": ["work", "family"], "bonus": 30}
    assert (e["unused_bedrooms"], e["unused_bedroom_penalty"]) == (1, -10)  # need ceil(5/2) = 3, has 4
    primary, secondary = e["schools"]
    assert (primary["school"], primary["km"], primary["charged_km"], primary["penalty"]) == ("s1", 2.3, 3, -3)
    assert (secondary["school"], secondary["km"], secondary["charged_km"]) == ("s2", 7.2, 8)
    assert e["quality"] == 30 - 10 - 3 - 8
    assert e["tie_bonus"] + e["unused_bedroom_penalty"] + sum(s["penalty"] for s in e["schools"]) == e["quality"]
    assert "quality +9" in e["summary"] and "work/family tie to GM0344 +30" in e["summary"]


def test_municipality_progress_counts_the_whole_solution() -> None:
    facts = facts_of([household("h1", ages=(30, 3)), household("h2", ages=(30,)), household("h3")],
                     [dwelling("d1"), dwelling("d2"), dwelling("d3", municipality="GM0363")],
                     municipalities=[municipality(target=8, housed=3), municipality("GM0363", target=0, housed=2)])
    explanations = run(facts, [("h1", "d1"), ("h2", "d2"), ("h3", "d3")])
    first = explanations.assignments[0]["explanation"]["municipality"]
    assert first["id"] == "GM0344"
    assert (first["housed_before"], first["housed_after"]) == (3, 6)
    assert (first["permille_of_target_before"], first["permille_of_target_after"]) == (375, 750)
    assert (first["shortfall_before"], first["shortfall_after"]) == (5, 2)
    assert (first["shortfall_permille_before"], first["shortfall_permille_after"]) == (625, 250)
    assert explanations.assignments[1]["explanation"]["municipality"] == first
    without_target = explanations.assignments[2]["explanation"]["municipality"]
    assert (without_target["housed_after"], without_target["permille_of_target_after"]) == (3, None)


def test_shared_dwelling_charges_no_unused_bedrooms() -> None:
    sharer = {"shareable": True}
    facts = facts_of([household("h1", **sharer)], [dwelling("d1", bedrooms=4, shared_places=3)])
    e = run(facts, [("h1", "d1")]).assignments[0]["explanation"]
    assert (e["unused_bedrooms"], e["quality"]) == (0, 0)


@pytest.mark.parametrize("name", ["tiny-s1", "tiny-s2", "u16-week-s1", "u16-week-s2"])
def test_reference_proposals_are_fully_explained_and_quality_adds_up(name: str) -> None:
    instance = load_instance(json.loads((EXAMPLES / f"{name}.json").read_text()))
    proposal = json.loads((EXAMPLES / f"{name}.proposal.json").read_text())
    facts = derive_facts(instance)
    placements = [(a["household"], a["dwelling"], {k: v for k, v in (a.get("schools") or {}).items() if v})
                  for a in proposal["assignments"]]
    explanations = run(facts, placements, list(instance.policy.objectives))

    assert len(explanations.assignments) == len(placements)
    contributions = [a["explanation"]["quality"] for a in explanations.assignments]
    assert contributions == [independent_quality(instance, *p) for p in placements]
    reference = next(o["value"] for o in proposal["objectives"] if o["name"] == "quality")
    assert sum(contributions) == reference

    placed = {a["household"] for a in proposal["assignments"]}
    expected_order = [h.id for h in instance.households if h.id not in placed]
    assert [u.household for u in explanations.unassigned] == expected_order
    for record in explanations.unassigned:
        assert record.reasons and all(record.reasons)
        assert "unexplained" not in record.reason_codes


def independent_quality(instance: Any, household_id: str, dwelling_id: str, schools: dict[str, str]) -> int:
    """The quality term of one assignment straight from the format's definition, without matcher.facts."""
    policy = instance.policy
    h = next(x for x in instance.households if x.id == household_id)
    d = next(x for x in instance.dwellings if x.id == dwelling_id)
    weights = policy.quality_weights
    ties = [weights.tie.for_kind(t.kind) for t in h.ties if t.municipality == d.municipality]
    need = max(1, math.ceil((len(h.members) + h.expected_members) / policy.persons_per_bedroom))
    unused = 0 if d.shared_places > 0 else max(0, d.bedrooms - need)
    km_total = 0
    for school_id in schools.values():
        s = next(x for x in instance.schools if x.id == school_id)
        km_total += math.ceil(great_circle_km(d.location, s.location) - 1e-9)
    return max(ties, default=0) - weights.unused_bedroom * unused - weights.school_km * km_total


def great_circle_km(a: Any, b: Any) -> float:
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dlambda = math.radians(b.lon - a.lon)
    h = math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def date_days(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


# --- stage 1 and 2: not available, no compatible dwelling ---------------------------------------------------


def test_household_not_available_this_period() -> None:
    facts = facts_of([household("h1", available_from="2027-01-05")], [dwelling("d1")])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["unavailable"]
    assert "2027-01-05" in text and "2026-12-27" in text


def test_no_dwelling_available_this_period() -> None:
    facts = facts_of([household("h1")], [dwelling("d1", available_from="2027-02-01")])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["no_compatible:available"] and "none of the 1 dwellings is available" in text


def test_no_dwelling_large_enough_names_the_size_with_expected_members() -> None:
    facts = facts_of([household("h1", ages=(40, 38, 10, 8, 6), expected_members=2)],
                     [dwelling("d1", max_occupants=4), dwelling("d2", bedrooms=3, max_occupants=6)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["no_compatible:size", "funnel"]
    assert "max_occupants >= 7" in text and "5 persons + 2 expected" in text and "largest takes 6" in text


def test_only_shared_places_for_a_household_that_will_not_share() -> None:
    facts = facts_of([household("h1")], [dwelling("d1", shared_places=3), dwelling("d2", shared_places=2)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes[0] == "no_compatible:size"
    assert "all 2 dwellings" in text and "shared places" in text and "not willing to share" in text


def test_too_many_bedrooms_for_a_single_person() -> None:
    facts = facts_of([household("h1")], [dwelling("d1", bedrooms=3), dwelling("d2", bedrooms=4)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes[0] == "no_compatible:bedrooms"
    assert "2 dwellings take 1 persons" in text and "more than 2 bedrooms" in text and "smallest has 3" in text


def test_rent_above_the_maximum() -> None:
    facts = facts_of([household("h1", max_rent=600)], [dwelling("d1", rent=725.5), dwelling("d2", rent=800)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes[0] == "no_compatible:rent"
    assert "EUR 600" in text and "cheapest EUR 725.50" in text and "2 dwellings fit" in text


def test_none_step_free() -> None:
    facts = facts_of([household("h1", needs_accessible=True, max_rent=1000)],
                     [dwelling("d1"), dwelling("d2"), dwelling("d3", rent=2000, accessible=True)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes[0] == "no_compatible:accessible"
    assert "2 dwellings fit size and rent" in text and "step-free" in text


def test_required_tie_elsewhere() -> None:
    tie = {"municipality": "GM0353", "kind": "work", "required": True}
    facts = facts_of([household("h1", ties=[tie])], [dwelling("d1"), dwelling("d2")],
                     municipalities=[municipality(), municipality("GM0353")])
    codes, text = waiting(run(facts, []), "h1")
    assert codes[0] == "no_compatible:required_tie"
    assert "all 2 remaining candidates" in text and "GM0353" in text and "they are in GM0344" in text


def test_only_candidate_is_forbidden_and_the_funnel_counts_are_reported() -> None:
    facts = facts_of([household("h1", max_rent=750)], [dwelling("d1"), dwelling("d2", rent=900)],
                     forbidden=[{"household": "h1", "dwelling": "d1", "reason": "declined"}])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["no_compatible:forbidden", "funnel"]
    assert "forbidden" in text and "d1" in text
    assert "of 2 dwellings" in text and "1 within its rent" in text and "0 not declined" in text


# --- stage 3: compatible but unusable ---------------------------------------------------------------------


def test_every_candidate_in_a_municipality_whose_cap_is_below_the_size() -> None:
    facts = facts_of([household("h1", ages=(30, 30, 5))], [dwelling("d1")],
                     municipalities=[municipality(target=10, housed=10)])  # cap floor(11) - 10 = 1
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["unusable:municipality_cap"]
    assert "3 persons" in text and "GM0344: 1 person left" in text


def test_every_candidate_in_a_group_without_room() -> None:
    facts = facts_of([household("h1")], [dwelling("d1", groups=["g1"])],
                     groups=[{"id": "g1", "units": 4, "status_holder_units": 2}])  # floor(0.5 * 4) - 2 = 0
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["unusable:group_cap"] and "g1" in text and "share cap" in text


def test_no_primary_school_within_range() -> None:
    facts = facts_of([household("h1", ages=(30, 6))], [dwelling("d1"), dwelling("d2")],
                     schools=[school("s1", km=12.0), school("s2", "secondary", km=1.0)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["unusable:school_primary"]
    assert "2 dwellings fit" in text and "within 5 km of a primary school with 1 free seat" in text
    assert "s1, is 12.0 km" in text


def test_primary_school_in_range_has_too_few_seats_for_all_children() -> None:
    facts = facts_of([household("h1", ages=(30, 6, 8))], [dwelling("d1")],
                     schools=[school("s1", seats=1, km=1.0), school("s2", seats=4, km=9.0)])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["unusable:school_primary"]
    assert "primary school with 2 free seats" in text and "s2" in text


def test_only_dwelling_is_promised_to_another_household_by_a_lock() -> None:
    facts = facts_of([household("h1"), household("h2")], [dwelling("d1", bedrooms=1)],
                     locks=[{"household": "h1", "dwelling": "d1"}])
    explanations = run(facts, [("h1", "d1")])
    codes, text = waiting(explanations, "h2")
    assert codes == ["unusable:lock"] and "d1 to h1" in text
    assert explanations.assignments[0]["explanation"]["locked"] is True


def test_other_compatible_dwellings_that_can_never_be_used_are_noted() -> None:
    facts = facts_of([household("h1", ages=(30, 30, 30)),
                      household("h2", ages=(30, 30, 30), waiting_since=OVERDUE_SINCE)],
                     [dwelling("d1"), dwelling("d2", municipality="GM0363")],
                     municipalities=[municipality(), municipality("GM0363", target=1, housed=0)])
    codes, text = waiting(run(facts, [("h2", "d1")]), "h1")
    assert codes == ["taken:overdue_housed", "pruned"]
    assert "1 other compatible dwelling can never be used: 1 by municipality caps" in text
    assert "its only usable dwelling went to overdue households" in text


# --- stage 4: taken by others, or limits used up ------------------------------------------------------------


def test_dwelling_went_to_an_overdue_household() -> None:
    facts = facts_of([household("h1", ages=(30, 30, 30)), household("h2", waiting_since=OVERDUE_SINCE)],
                     [dwelling("d1")])
    codes, text = waiting(run(facts, [("h2", "d1")]), "h1")
    assert codes == ["taken:overdue_housed"]
    assert "its only compatible dwelling went to overdue households (tier overdue_housed)" in text


def test_dwellings_went_to_larger_households() -> None:
    facts = facts_of([household("h1"), household("h2", ages=(30, 30)), household("h3", ages=(30, 30, 1))],
                     [dwelling("d1"), dwelling("d2")])
    codes, text = waiting(run(facts, [("h2", "d1"), ("h3", "d2")]), "h1")
    assert codes == ["taken:persons_housed"]
    assert "its 2 compatible dwellings went to larger households (tier persons_housed)" in text


def test_the_deciding_tier_follows_the_policy_order() -> None:
    facts = facts_of([household("h1", waiting_since=OVERDUE_SINCE), household("h2", ages=(30, 30, 30))],
                     [dwelling("d1")])
    codes, _ = waiting(run(facts, [("h2", "d1")], ["persons_housed", "overdue_housed"]), "h1")
    assert codes == ["taken:persons_housed"]
    codes, text = waiting(run(facts, [("h2", "d1")], ["overdue_housed", "persons_housed"]), "h1")
    assert codes == ["taken:exchange_blocked"] and "ranks higher on tier overdue_housed" in text


def test_dwelling_went_to_a_household_that_keeps_the_worst_shortfall_lower() -> None:
    facts = facts_of([household("h1"), household("h2", ages=(30, 30))], [dwelling("d1")],
                     municipalities=[municipality(target=10, housed=0)])
    codes, text = waiting(run(facts, [("h2", "d1")], ["max_shortfall_permille", "persons_housed"]), "h1")
    assert codes == ["taken:max_shortfall_permille"] and "tier max_shortfall_permille" in text


def test_dwelling_went_to_a_household_that_fits_it_better() -> None:
    tie = [{"municipality": "GM0344", "kind": "work"}]
    facts = facts_of([household("h1"), household("h2", ties=tie)], [dwelling("d1", bedrooms=1)])
    codes, text = waiting(run(facts, [("h2", "d1")]), "h1")
    assert codes == ["taken:quality"] and "tier quality" in text


def test_dwelling_went_to_an_equal_household() -> None:
    facts = facts_of([household("h1"), household("h2")], [dwelling("d1", bedrooms=1)])
    codes, text = waiting(run(facts, [("h2", "d1")]), "h1")
    assert codes == ["taken:equal"] and "rank equally" in text


def test_weakest_occupant_of_a_shared_dwelling_decides() -> None:
    sharer = {"shareable": True}
    facts = facts_of([household("h1", **sharer), household("h2", waiting_since=OVERDUE_SINCE, **sharer),
                      household("h3", **sharer)],
                     [dwelling("d1", shared_places=2)])
    codes, _ = waiting(run(facts, [("h2", "d1"), ("h3", "d1")]), "h1")
    assert codes == ["taken:equal"]  # h3 is no better than h1, although h2 is overdue


def test_municipality_cap_used_up_by_placed_households() -> None:
    facts = facts_of([household("h1", ages=(30, 30)), household("h2", ages=(30, 30, 30), waiting_since=OVERDUE_SINCE)],
                     [dwelling("d1"), dwelling("d2")],
                     municipalities=[municipality(target=10, housed=7)])  # cap floor(11) - 7 = 4
    codes, text = waiting(run(facts, [("h2", "d1")]), "h1")
    assert codes == ["taken:overdue_housed", "cap:municipality"]
    assert "GM0344 has 1 of its 4 places left" in text and "2 persons" in text
    assert "rules out 1 of its 2 compatible dwellings" in text


def test_exchange_blocked_by_a_full_municipality() -> None:
    facts = facts_of([household("h1", ages=(30, 30, 30)), household("h2"), household("h3", ages=(30, 30))],
                     [dwelling("d1"), dwelling("d2", max_occupants=2)],
                     municipalities=[municipality(target=10, housed=8)])  # cap floor(11) - 8 = 3
    codes, text = waiting(run(facts, [("h2", "d1"), ("h3", "d2")]), "h1")
    assert codes == ["cap:municipality"] and "GM0344 reached its cap (3 of 3 persons)" in text


def test_group_share_cap_used_up() -> None:
    facts = facts_of([household("h1"), household("h2", waiting_since=OVERDUE_SINCE)],
                     [dwelling("d1", groups=["g1"]), dwelling("d2", groups=["g1"])],
                     groups=[{"id": "g1", "units": 10, "status_holder_units": 4}])  # floor(5) - 4 = 1
    codes, text = waiting(run(facts, [("h2", "d1")]), "h1")
    assert codes == ["taken:overdue_housed", "cap:group"]
    assert "group g1 reached its share cap (1 of 1 dwellings)" in text


def test_school_seats_used_up() -> None:
    facts = facts_of([household("h1", ages=(30, 7)), household("h2", ages=(30, 9), waiting_since=OVERDUE_SINCE)],
                     [dwelling("d1"), dwelling("d2")],
                     schools=[school("s1", seats=1, km=1.0), school("s2", seats=0, km=2.0)])
    codes, text = waiting(run(facts, [("h2", "d1", {"primary": "s1"})]), "h1")
    assert "cap:school" in codes
    assert "school s1 has no free seat left" in text and "1 free seat left" in text


def test_free_usable_dwelling_means_the_proposal_is_not_optimal() -> None:
    facts = facts_of([household("h1")], [dwelling("d1")])
    codes, text = waiting(run(facts, []), "h1")
    assert codes == ["left_free"] and "not proven optimal" in text and "persons_housed" in text


def test_free_usable_dwelling_when_only_quality_counts() -> None:
    facts = facts_of([household("h1")], [dwelling("d1", bedrooms=2)])
    codes, text = waiting(run(facts, [], ["quality"]), "h1")
    assert codes == ["left_free"] and "improve no objective" in text


def test_empty_instance_and_no_dwellings() -> None:
    facts = facts_of([household("h1")], [])
    explanations = run(facts, [])
    codes, text = waiting(explanations, "h1")
    assert codes == ["no_compatible:available"] and "no dwelling at all" in text
    assert run(facts_of([], []), []).unassigned == []
