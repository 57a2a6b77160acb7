"""The format models: documents survive a round trip, defaults are the documented ones, unknown fields are
ignored, and ``null`` means "take the default" down to single keys of nested policy objects."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from matcher.format import DEFAULT_OBJECTIVES, Instance, Proposal
from matcher.validation import load_instance

if not EXAMPLES.is_dir():
    raise RuntimeError(f"the example instances are missing: expected them in {EXAMPLES}")
EXAMPLE_INSTANCES = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".proposal.json"))
EXAMPLE_PROPOSALS = sorted(EXAMPLES.glob("*.proposal.json"))


def full_instance() -> dict[str, Any]:
    """An instance that uses every optional field at least once."""
    return {
        "format": "matcher.instance/1",
        "id": "round-trip",
        "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "policy": {
            "max_extra_bedrooms": 2,
            "persons_per_bedroom": 3,
            "max_school_km": {"primary": 4.5, "secondary": 15},
            "primary_ages": [5, 12],
            "secondary_ages": [13, 18],
            "max_over_target_share": 0.2,
            "default_max_share": 0.3,
            "overdue_weeks": 10,
            "objectives": ["persons_housed", "quality"],
            "quality_weights": {"tie": {"work": 40, "education": 5, "family": 25, "care": 15},
                                "unused_bedroom": 7, "school_km": 2},
        },
        "municipalities": [{"id": "GM0344", "name": "Utrecht", "target": 40, "housed": 12}],
        "dwellings": [
            {"id": "d-1", "municipality": "GM0344", "location": {"lat": 52.09, "lon": 5.12}, "bedrooms": 2,
             "max_occupants": 4, "rent": 712.5, "accessible": True, "groups": ["g-1"],
             "available_from": "2026-11-12"},
            {"id": "d-2", "municipality": "GM0344", "location": {"lat": 52.1, "lon": 5.1}, "bedrooms": 3,
             "max_occupants": 3, "rent": 410, "shared_places": 3},
        ],
        "households": [
            {"id": "h-1", "members": [{"age": 38}, {"age": 9}], "expected_members": 2, "needs_accessible": True,
             "max_rent": 800, "ties": [{"municipality": "GM0344", "kind": "work", "required": True}],
             "waiting_since": "2026-03-01", "available_from": "2026-11-10"},
            {"id": "h-2", "members": [{"age": 24}], "shareable": True, "waiting_since": "2026-06-30"},
        ],
        "groups": [{"id": "g-1", "kind": "complex", "units": 40, "status_holder_units": 6, "max_share": 0.25}],
        "schools": [{"id": "s-1", "kind": "primary", "location": {"lat": 52.08, "lon": 5.13}, "seats": 4}],
        "locks": [{"household": "h-1", "dwelling": "d-1", "schools": {"primary": "s-1", "secondary": None}}],
        "forbidden": [{"household": "h-2", "dwelling": "d-1", "reason": "declined 2026-10"}],
    }


def minimal_instance() -> dict[str, Any]:
    """Only the required fields."""
    return {
        "format": "matcher.instance/1",
        "id": "minimal",
        "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "municipalities": [{"id": "GM0344", "target": 10, "housed": 0}],
        "dwellings": [{"id": "d-1", "municipality": "GM0344", "location": {"lat": 52.09, "lon": 5.12},
                       "bedrooms": 1, "max_occupants": 2, "rent": 600}],
        "households": [{"id": "h-1", "members": [{"age": 30}], "waiting_since": "2026-05-01"}],
        "groups": [{"id": "g-1", "units": 10, "status_holder_units": 1}],
        "locks": [{"household": "h-1", "dwelling": "d-1"}],
    }


# --- round trips --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", [full_instance(), minimal_instance()], ids=["full", "minimal"])
def test_instance_survives_load_dump_load(document: dict[str, Any]) -> None:
    first = load_instance(document)
    again = load_instance(first.model_dump(mode="json"))
    from_text = load_instance(first.model_dump_json().encode())
    assert again == first
    assert from_text == first


def test_round_trip_keeps_every_given_value() -> None:
    document = full_instance()
    dumped = load_instance(document).model_dump(mode="json")
    assert dumped["policy"]["primary_ages"] == [5, 12]
    assert dumped["policy"]["objectives"] == ["persons_housed", "quality"]
    assert dumped["policy"]["quality_weights"] == document["policy"]["quality_weights"]
    assert dumped["dwellings"][0]["available_from"] == "2026-11-12"
    assert dumped["households"][0]["ties"] == document["households"][0]["ties"]
    assert dumped["locks"][0]["schools"] == {"primary": "s-1", "secondary": None}
    assert dumped["forbidden"] == document["forbidden"]


@pytest.mark.parametrize("path", EXAMPLE_INSTANCES, ids=lambda p: p.stem)
def test_example_instances_survive_round_trip(path: Path) -> None:
    first = load_instance(path)
    assert load_instance(first.model_dump(mode="json")) == first


# --- defaults -----------------------------------------------------------------------------------------------


def test_omitted_fields_take_the_documented_defaults() -> None:
    instance = load_instance(minimal_instance())
    policy = instance.policy
    assert policy.max_extra_bedrooms == 1
    assert policy.persons_per_bedroom == 2
    assert (policy.max_school_km.primary, policy.max_school_km.secondary) == (5.0, 20.0)
    assert (policy.primary_ages, policy.secondary_ages) == ((4, 11), (12, 17))
    assert policy.max_over_target_share == pytest.approx(0.10)
    assert policy.default_max_share == pytest.approx(0.5)
    assert policy.overdue_weeks == 14
    assert tuple(policy.objectives) == DEFAULT_OBJECTIVES
    weights = policy.quality_weights
    assert (weights.tie.work, weights.tie.education, weights.tie.family, weights.tie.care) == (30, 20, 20, 20)
    assert (weights.unused_bedroom, weights.school_km) == (10, 1)

    dwelling, household, group = instance.dwellings[0], instance.households[0], instance.groups[0]
    assert (dwelling.accessible, dwelling.shared_places, dwelling.groups) == (False, 0, [])
    assert instance.dwelling_available_from(dwelling) == dt.date(2026, 11, 9)
    assert (household.expected_members, household.needs_accessible, household.shareable) == (0, False, False)
    assert household.max_rent is None and household.ties == []
    assert instance.household_available_from(household) == dt.date(2026, 11, 9)
    assert instance.group_max_share(group) == pytest.approx(0.5)
    assert instance.municipalities[0].name == ""
    assert instance.schools == [] and instance.forbidden == []
    assert instance.locks[0].named_schools() == {}


def test_group_without_share_takes_the_policy_default() -> None:
    document = minimal_instance()
    document["policy"] = {"default_max_share": 0.3}
    instance = load_instance(document)
    assert instance.group_max_share(instance.groups[0]) == pytest.approx(0.3)


def test_unknown_fields_are_ignored_at_every_level() -> None:
    plain = full_instance()
    annotated = copy.deepcopy(plain)
    annotated["x-source"] = "export 2026-11-08"
    annotated["policy"]["experimental"] = {"anything": [1, 2]}
    annotated["policy"]["quality_weights"]["tie"]["neighbours"] = 99
    annotated["municipalities"][0]["province"] = "Utrecht"
    annotated["dwellings"][0]["location"]["alt"] = 3.0
    annotated["households"][0]["members"][0]["name"] = "not personal data we keep"
    annotated["households"][0]["ties"][0]["note"] = "employer"
    annotated["locks"][0]["agreed_on"] = "2026-11-01"
    instance = load_instance(annotated)
    assert instance == load_instance(plain)
    assert "name" not in instance.model_dump()["households"][0]["members"][0]


def test_null_means_default_everywhere_a_default_exists() -> None:
    document = minimal_instance()
    document.update(policy=None, groups=None, schools=None, locks=None, forbidden=None)
    document["dwellings"][0].update(accessible=None, shared_places=None, groups=None, available_from=None)
    document["households"][0].update(expected_members=None, needs_accessible=None, max_rent=None, shareable=None,
                                     ties=None, available_from=None)
    document["municipalities"][0]["name"] = None
    instance = load_instance(document)
    expected = minimal_instance()
    del expected["groups"], expected["locks"]
    assert instance == load_instance(expected)


def test_null_inside_policy_takes_the_default_of_that_key() -> None:
    document = minimal_instance()
    document["policy"] = {"max_extra_bedrooms": None, "max_school_km": None, "objectives": None,
                          "quality_weights": {"tie": None, "unused_bedroom": None, "school_km": 3},
                          "primary_ages": None}
    policy = load_instance(document).policy
    assert policy.max_extra_bedrooms == 1
    assert policy.max_school_km.secondary == 20.0
    assert tuple(policy.objectives) == DEFAULT_OBJECTIVES
    assert policy.quality_weights.tie.work == 30
    assert (policy.quality_weights.unused_bedroom, policy.quality_weights.school_km) == (10, 3)
    assert policy.primary_ages == (4, 11)


def test_partial_nested_policy_objects_merge_key_by_key() -> None:
    document = minimal_instance()
    document["policy"] = {"quality_weights": {"tie": {"work": 50, "care": None}},
                          "max_school_km": {"secondary": 12.5}}
    policy = load_instance(document).policy
    tie = policy.quality_weights.tie
    assert (tie.work, tie.education, tie.family, tie.care) == (50, 20, 20, 20)
    assert (policy.quality_weights.unused_bedroom, policy.quality_weights.school_km) == (10, 1)
    assert (policy.max_school_km.primary, policy.max_school_km.secondary) == (5.0, 12.5)


def test_empty_objective_list_is_allowed() -> None:
    document = minimal_instance()
    document["policy"] = {"objectives": []}
    assert load_instance(document).policy.objectives == []


def test_whole_valued_number_is_accepted_as_an_integer() -> None:
    document = minimal_instance()
    document["dwellings"][0]["bedrooms"] = 2.0
    assert load_instance(document).dwellings[0].bedrooms == 2


# --- proposals ----------------------------------------------------------------------------------------------


def sample_proposal() -> dict[str, Any]:
    return {
        "format": "matcher.proposal/1",
        "instance": "round-trip",
        "status": "feasible",
        "objectives": [{"name": "persons_housed", "value": 3, "bound": 4, "seconds": 0.4}],
        "assignments": [
            {"household": "h-1", "dwelling": "d-1", "schools": {"primary": "s-1", "secondary": None},
             "explanation": {"tie": "work in GM0344"}},
            {"household": "h-2", "dwelling": "d-2"},
        ],
        "unassigned": [{"household": "h-3", "reasons": ["no compatible dwelling"]}],
        "municipalities": [{"id": "GM0344", "target": 40, "housed": 12, "placed": 3}],
        "solver": {"version": "9.12", "workers": 2},
    }


def test_proposal_survives_round_trip_with_extra_fields() -> None:
    proposal = Proposal.model_validate(sample_proposal())
    text = proposal.to_json()
    again = Proposal.model_validate_json(text)
    assert again == proposal
    written = json.loads(text)
    assert written["solver"] == {"version": "9.12", "workers": 2}
    assert written["assignments"][0]["explanation"] == {"tie": "work in GM0344"}
    assert written["objectives"][0]["seconds"] == 0.4
    assert "errors" not in written  # only an invalid proposal carries errors


def test_proposal_schools_may_be_missing_null_or_partial() -> None:
    document = sample_proposal()
    document["assignments"][1]["schools"] = None
    proposal = Proposal.model_validate(document)
    assert proposal.assignments[0].named_schools() == {"primary": "s-1"}
    assert proposal.assignments[1].schools == {}
    assert proposal.objective("persons_housed") is not None
    assert proposal.objective("quality") is None


def test_invalid_proposal_keeps_its_errors() -> None:
    document = {"format": "matcher.proposal/1", "instance": "x", "status": "invalid",
                "errors": ['locks[0] (id "h-1 -> d-1"): lock is also a forbidden pair']}
    again = Proposal.model_validate_json(Proposal.model_validate(document).to_json())
    assert again.errors == document["errors"]
    assert again.assignments == [] and again.unassigned == [] and again.municipalities == []


@pytest.mark.parametrize("path", EXAMPLE_PROPOSALS, ids=lambda p: p.stem)
def test_example_proposals_survive_round_trip(path: Path) -> None:
    proposal = Proposal.model_validate_json(path.read_bytes())
    assert Proposal.model_validate_json(proposal.to_json()) == proposal
    assert isinstance(load_instance(EXAMPLES / path.name.replace(".proposal", "")), Instance)
