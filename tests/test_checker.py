"""The independent checker: reference proposals pass, each hard rule is caught on its own, figures recomputed.

Most tests use one small hand-made instance (``base_instance``), a proposal that keeps every rule
(``VALID``), and a copy of it that breaks exactly one rule. The rule instance has an empty objective list
(every feasible proposal is then optimal), so the rule tests do not depend on the objective code; the
objective tests compute their expected figures by hand.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from conftest import EXAMPLES
from matcher.checker import RULES, check_proposal, parse_proposal, read_proposal, recompute_objectives
from matcher.exceptions import ProposalInvalid
from matcher.facts import derive_facts
from matcher.format import Instance, Proposal
from matcher.solution import Placement
from matcher.validation import load_instance

# --- the reference proposals of the examples -------------------------------------------------------------------------


def _readme_optima() -> dict[str, list[int]]:
    """``| tiny-s1 | 6 / 6 | 3, 4, 250, 50 |`` -> {"tiny-s1": [3, 4, 250, 50]}."""
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*([\w-]+)\s*\|[^|]*\|\s*([\d,\s]+?)\s*\|\s*$", readme, flags=re.MULTILINE)
    return {name: [int(value) for value in values.split(",")] for name, values in rows}


def test_examples_folder_is_there() -> None:
    assert EXAMPLES.is_dir(), f"example instances missing: {EXAMPLES}"
    assert sorted(EXAMPLES.glob("*.proposal.json")), f"no reference proposals in {EXAMPLES}"


EXAMPLE_NAMES = sorted(path.name.removesuffix(".proposal.json") for path in EXAMPLES.glob("*.proposal.json"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES or ["<examples missing>"])
def test_reference_proposal_passes_with_the_stated_optimum(name: str) -> None:
    optima = _readme_optima()
    assert name in optima, f"{EXAMPLES / 'README.md'} states no optimum for {name}"
    instance = load_instance(EXAMPLES / f"{name}.json")
    report = check_proposal(instance, read_proposal(EXAMPLES / f"{name}.proposal.json"))
    assert report.violations == []
    assert report.ok
    policy_order = list(instance.policy.objectives)
    assert [report.objectives[objective] for objective in policy_order] == optima[name]


def test_a_hand_edit_of_a_reference_proposal_is_caught() -> None:
    instance = load_instance(EXAMPLES / "u16-week-s1.json")
    data = read_proposal(EXAMPLES / "u16-week-s1.proposal.json")
    locked = instance.locks[0]
    data["assignments"] = [a for a in data["assignments"] if a["household"] != locked.household]
    data["unassigned"].append({"household": locked.household, "reasons": ["removed by hand"]})
    report = check_proposal(instance, data)
    assert "lock_missing" in report.rules_broken()
    assert not report.ok


# --- a small instance to break one rule at a time ---------------------------------------------------------

# Coordinates near 52 N 5 E. s1 lies 2.224 km north of d1 (charged 3 km), s4 2.054 km east of d1,
# s3 5.560 km north of d1; d4 and s2 share a spot about 33 km away from the others.


def base_instance() -> dict[str, Any]:
    return {
        "format": "matcher.instance/1",
        "id": "rules",
        "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "policy": {"objectives": []},
        "municipalities": [
            {"id": "GM0001", "name": "A", "target": 10, "housed": 5},  # cap floor(11) - 5 = 6
            {"id": "GM0002", "name": "B", "target": 7, "housed": 0},  # cap floor(7.7) - 0 = 7
            {"id": "GM0003", "name": "C", "target": 0, "housed": 0},  # cap 0
        ],
        "dwellings": [
            _dwelling("d1", "GM0001", 52.00, 5.00, bedrooms=2, max_occupants=4, rent=700, groups=["g1"]),
            _dwelling("d2", "GM0001", 52.00, 5.01, bedrooms=2, max_occupants=4, rent=650, groups=["g1"]),
            _dwelling("d3", "GM0002", 52.00, 5.02, bedrooms=2, max_occupants=2, rent=300, shared_places=2),
            _dwelling("d4", "GM0002", 52.30, 5.00, bedrooms=2, max_occupants=4, rent=600),
            _dwelling("d5", "GM0003", 52.00, 5.00, bedrooms=1, max_occupants=2, rent=500),
        ],
        "households": [
            _household("h1", [35, 33, 6], "2026-01-05", max_rent=800,
                       ties=[{"municipality": "GM0001", "kind": "work"},
                             {"municipality": "GM0001", "kind": "family"}]),
            _household("h2", [28], "2026-10-01", shareable=True),
            _household("h3", [45], "2026-06-01", shareable=True),
            _household("h4", [40, 38, 7, 9], "2026-09-01",
                       ties=[{"municipality": "GM0002", "kind": "family", "required": True}]),
            _household("h5", [30, 29], "2026-10-20", needs_accessible=True),
            _household("h6", [50], "2026-10-10", shareable=True),
        ],
        "groups": [{"id": "g1", "kind": "complex", "units": 4, "status_holder_units": 1, "max_share": 0.5}],
        "schools": [
            _school("s1", "primary", 52.02, 5.00, seats=1),
            _school("s2", "primary", 52.30, 5.00, seats=1),
            _school("s3", "secondary", 52.05, 5.00, seats=2),
            _school("s4", "primary", 52.00, 5.03, seats=3),
        ],
        "locks": [{"household": "h2", "dwelling": "d3"}],
        "forbidden": [{"household": "h6", "dwelling": "d4", "reason": "declined"}],
    }


def _dwelling(dwelling_id: str, municipality: str, lat: float, lon: float, **fields: Any) -> dict[str, Any]:
    return {"id": dwelling_id, "municipality": municipality, "location": {"lat": lat, "lon": lon}, **fields}


def _household(household_id: str, ages: list[int], waiting_since: str, **fields: Any) -> dict[str, Any]:
    return {"id": household_id, "members": [{"age": age} for age in ages], "waiting_since": waiting_since, **fields}


def _school(school_id: str, kind: str, lat: float, lon: float, seats: int) -> dict[str, Any]:
    return {"id": school_id, "kind": kind, "location": {"lat": lat, "lon": lon}, "seats": seats}


def pair(household: str, dwelling: str, **schools: str) -> dict[str, Any]:
    return {"household": household, "dwelling": dwelling, "schools": schools}


VALID = [pair("h1", "d1", primary="s1"), pair("h2", "d3"), pair("h3", "d3")]


def document(instance: dict[str, Any], assignments: list[dict[str, Any]], status: str = "optimal",
             objectives: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A proposal document around (a copy of) the assignments: everyone else unassigned, municipalities counted."""
    assignments = copy.deepcopy(assignments)
    sizes = {h["id"]: len(h["members"]) for h in instance["households"]}
    municipality_of = {d["id"]: d["municipality"] for d in instance["dwellings"]}
    placed = {m["id"]: 0 for m in instance["municipalities"]}
    for assignment in assignments:
        if assignment["household"] in sizes and assignment["dwelling"] in municipality_of:
            placed[municipality_of[assignment["dwelling"]]] += sizes[assignment["household"]]
    assigned = {assignment["household"] for assignment in assignments}
    return {
        "format": "matcher.proposal/1",
        "instance": instance["id"],
        "status": status,
        "objectives": objectives or [],
        "assignments": assignments,
        "unassigned": [{"household": h, "reasons": ["no room"]} for h in sizes if h not in assigned],
        "municipalities": [{"id": m["id"], "target": m["target"], "housed": m["housed"], "placed": placed[m["id"]]}
                           for m in instance["municipalities"]],
    }


def check(instance_data: dict[str, Any], proposal: dict[str, Any]) -> set[str]:
    return check_proposal(load_instance(copy.deepcopy(instance_data)), proposal).rules_broken()


def test_the_valid_proposal_keeps_every_rule() -> None:
    instance = base_instance()
    report = check_proposal(load_instance(instance), document(instance, VALID))
    assert report.violations == []
    assert report.placed == {"GM0001": 3, "GM0002": 2, "GM0003": 0}


BROKEN_ASSIGNMENTS = {
    # rule: assignments that break exactly that rule
    "compatibility": VALID + [pair("h5", "d4")],  # h5 needs a step-free home
    "forbidden": VALID + [pair("h6", "d4")],
    "capacity": VALID + [pair("h6", "d1")],  # a second household in a non-shared dwelling
    "school_range": VALID + [pair("h4", "d4", primary="s4")],  # s4 is 33 km from d4
    "school_seats": VALID + [pair("h4", "d4", primary="s2")],  # two pupils, one seat
    "school_missing": [pair("h1", "d1"), pair("h2", "d3"), pair("h3", "d3")],
    "school_extra": [pair("h1", "d1", primary="s1", secondary="s3"), pair("h2", "d3"), pair("h3", "d3")],
    "school_kind": [pair("h1", "d1", primary="s3"), pair("h2", "d3"), pair("h3", "d3")],
    "group_cap": VALID + [pair("h6", "d2")],  # g1 allows one dwelling: floor(0.5 * 4) - 1
    "municipality_cap": VALID + [pair("h6", "d5")],  # GM0003 has no room
    "duplicate_household": VALID + [pair("h3", "d4")],
    "lock_missing": [pair("h1", "d1", primary="s1"), pair("h3", "d3")],  # h2 -> d3 is locked
}


@pytest.mark.parametrize("rule", sorted(BROKEN_ASSIGNMENTS))
def test_each_hard_rule_is_caught_alone(rule: str) -> None:
    instance = base_instance()
    assert check(instance, document(instance, BROKEN_ASSIGNMENTS[rule])) == {rule}
    assert check(instance, document(instance, VALID)) == set()


def test_a_second_sharer_fits_a_shared_dwelling_but_a_third_does_not() -> None:
    instance = base_instance()
    assert check(instance, document(instance, VALID + [pair("h6", "d3")])) == {"capacity"}
    assert check(instance, document(instance, VALID)) == set()


def test_a_lock_keeps_the_school_it_names() -> None:
    instance = base_instance()
    instance["locks"].append({"household": "h1", "dwelling": "d1", "schools": {"primary": "s1"}})
    moved = [pair("h1", "d1", primary="s4"), pair("h2", "d3"), pair("h3", "d3")]
    report = check_proposal(load_instance(instance), document(instance, moved))
    assert report.rules_broken() == {"lock_missing"}
    assert "names primary school s1" in str(report.violations[0])
    assert check(instance, document(instance, VALID)) == set()


UNKNOWN_IDS = {
    "h9": VALID + [pair("h9", "d4")],
    "d9": [pair("h1", "d9", primary="s1"), pair("h2", "d3"), pair("h3", "d3")],
    "s9": [pair("h1", "d1", primary="s9"), pair("h2", "d3"), pair("h3", "d3")],
}


@pytest.mark.parametrize("unknown", sorted(UNKNOWN_IDS))
def test_unknown_ids_are_named(unknown: str) -> None:
    instance = base_instance()
    report = check_proposal(load_instance(instance), document(instance, UNKNOWN_IDS[unknown]))
    assert report.rules_broken() == {"unknown_id"}
    assert report.violations[0].records == (unknown,)
    assert f'"{unknown}"' in str(report.violations[0])


def test_school_range_allows_the_tolerance_of_the_format() -> None:
    instance = base_instance()
    exact_km = 2.2239016046705196  # d1 to s1, as haversine_km gives it
    instance["policy"]["max_school_km"] = {"primary": exact_km}
    assert check(instance, document(instance, VALID)) == set()
    instance["policy"]["max_school_km"] = {"primary": exact_km - 1e-6}
    assert check(instance, document(instance, VALID)) == {"school_range"}


def test_violation_messages_say_where_and_why() -> None:
    instance = base_instance()
    report = check_proposal(load_instance(instance), document(instance, BROKEN_ASSIGNMENTS["school_range"]))
    (violation,) = report.violations
    assert str(violation) == ("assignments[3] h4 -> d4: school s4 is 33.421 km away, beyond "
                              "max_school_km.primary 5.0")
    assert violation.records == ("h4", "d4", "s4")
    assert violation.rule in RULES


# --- the rest of the document ---------------------------------------------------------------------------


def test_every_unassigned_household_is_listed_with_a_reason() -> None:
    instance = base_instance()
    proposal = document(instance, VALID)
    missing = copy.deepcopy(proposal)
    missing["unassigned"] = [u for u in missing["unassigned"] if u["household"] != "h5"]
    assert check(instance, missing) == {"unassigned_missing"}
    no_reason = copy.deepcopy(proposal)
    no_reason["unassigned"][0]["reasons"] = ["  "]
    assert check(instance, no_reason) == {"unassigned_reasons"}
    also_assigned = copy.deepcopy(proposal)
    also_assigned["unassigned"].append({"household": "h1", "reasons": ["oops"]})
    assert check(instance, also_assigned) == {"unassigned_assigned"}
    twice = copy.deepcopy(proposal)
    twice["unassigned"].append(copy.deepcopy(twice["unassigned"][0]))
    assert check(instance, twice) == {"duplicate_household"}
    assert check(instance, proposal) == set()


@pytest.mark.parametrize("edit", ["placed", "target", "missing", "twice", "unknown"])
def test_municipalities_list_every_municipality_once_with_right_figures(edit: str) -> None:
    instance = base_instance()
    proposal = document(instance, VALID)
    entries = proposal["municipalities"]
    if edit in ("placed", "target"):
        entries[1][edit] += 1
    elif edit == "missing":
        entries.pop()
    elif edit == "twice":
        entries.append(dict(entries[0]))
    else:
        entries.append({"id": "GM9999", "target": 0, "housed": 0, "placed": 0})
    expected = {"unknown_id"} if edit == "unknown" else {"municipalities"}
    assert check(instance, proposal) == expected
    assert check(instance, document(instance, VALID)) == set()


def test_format_and_instance_id_are_checked() -> None:
    instance = base_instance()
    for field_name, value in (("format", "matcher.proposal/2"), ("instance", "another-week")):
        proposal = document(instance, VALID)
        proposal[field_name] = value
        report = check_proposal(load_instance(instance), proposal)
        assert report.rules_broken() == {"format"}
        assert value in str(report.violations[0])
    no_format = document(instance, VALID)
    del no_format["format"]
    assert check(instance, no_format) == {"format"}


def test_errors_belong_to_invalid_proposals_only() -> None:
    instance = base_instance()
    proposal = document(instance, VALID)
    proposal["errors"] = ["something"]
    assert check(instance, proposal) == {"status"}


def test_an_invalid_status_needs_errors_and_nothing_else() -> None:
    instance = base_instance()
    instance["locks"].append({"household": "h5", "dwelling": "d4"})  # h5 needs a step-free home: broken lock
    invalid = {"format": "matcher.proposal/1", "instance": "rules", "status": "invalid", "objectives": [],
               "assignments": [], "unassigned": [], "municipalities": [],
               "errors": ["locks[1] h5 -> d4: the household needs a step-free home"]}
    assert check(instance, invalid) == set()
    without_errors = {**invalid, "errors": []}
    assert check(instance, without_errors) == {"status"}
    with_assignments = {**invalid, "assignments": VALID}
    assert check(instance, with_assignments) == {"status"}


def test_an_instance_whose_locks_hold_is_not_invalid() -> None:
    instance = base_instance()
    invalid = {"format": "matcher.proposal/1", "instance": "rules", "status": "invalid",
               "errors": ["the solver gave up"]}
    report = check_proposal(load_instance(instance), invalid)
    assert report.rules_broken() == {"status"}
    assert "locks alone" in str(report.violations[0])


# --- objectives, recomputed by hand ---------------------------------------------------------------------

# h1 -> d1 (s1), h2 -> d3 (shared), h3 -> d4:
#   overdue_housed: h1 waits since 2026-01-05 and h3 since 2026-06-01 (>= 98 days before 2026-11-09),
#                   h2 since 2026-10-01 (39 days)                                          -> 2
#   persons_housed: 3 + 1 + 1                                                              -> 5
#   max_shortfall_permille: A: 1000 * (10 - 5 - 3) // 10 = 200; B: 1000 * (7 - 0 - 2) // 7 = 714;
#                   C has no target                                                        -> 714
#   quality: h1: tie max(work 30, family 20) = 30, no unused bedroom (need 2), s1 2.224 km -> 3 km: 27;
#            h2: shared, no tie: 0;  h3: no tie, d4 has 2 bedrooms for a need of 1: -10   -> 17
QUALITY_CASE = [pair("h1", "d1", primary="s1"), pair("h2", "d3"), pair("h3", "d4")]
QUALITY_FIGURES = {"overdue_housed": 2, "persons_housed": 5, "max_shortfall_permille": 714, "quality": 17}


def objective_instance(**policy: Any) -> dict[str, Any]:
    instance = base_instance()
    instance["policy"] = policy
    return instance


def placements(instance: Instance, assignments: list[dict[str, Any]]) -> list[Placement]:
    facts = derive_facts(instance)
    return [Placement(facts.household_index[a["household"]], facts.dwelling_index[a["dwelling"]],
                      {kind: facts.school_index[s] for kind, s in a["schools"].items()}) for a in assignments]


def test_objectives_recomputed_by_hand() -> None:
    instance = load_instance(objective_instance())
    recomputed = recompute_objectives(derive_facts(instance), placements(instance, QUALITY_CASE))
    assert recomputed == QUALITY_FIGURES | {"kept_previous": 0}


def test_quality_follows_partially_given_weights() -> None:
    # tie: max(work 5, family 20) = 20, school 3 km * 2 = -6 -> 14; h3: one unused bedroom * 4 = -4 -> 10
    instance = load_instance(objective_instance(quality_weights={"tie": {"work": 5}, "unused_bedroom": 4,
                                                                 "school_km": 2}))
    assert recompute_objectives(derive_facts(instance), placements(instance, QUALITY_CASE))["quality"] == 10


def test_shortfall_is_zero_without_targets() -> None:
    data = objective_instance()
    for municipality in data["municipalities"]:
        municipality["target"] = 0
    instance = load_instance(data)
    assert recompute_objectives(derive_facts(instance), [])["max_shortfall_permille"] == 0
    # with targets, an empty proposal leaves B wholly short: 1000 * 7 // 7
    assert recompute_objectives(derive_facts(load_instance(objective_instance())), [])["max_shortfall_permille"] == 1000


def reported(status: str = "optimal", **changes: tuple[int, int]) -> list[dict[str, Any]]:
    rows = []
    for name, value in QUALITY_FIGURES.items():
        value, bound = changes.get(name, (value, value))
        rows.append({"name": name, "value": value, "bound": bound})
    return rows


def test_reported_objectives_must_match_the_recomputed_ones() -> None:
    instance = objective_instance()
    assert check(instance, document(instance, QUALITY_CASE, objectives=reported())) == set()
    wrong_value = document(instance, QUALITY_CASE, objectives=reported(quality=(18, 18)))
    report = check_proposal(load_instance(instance), wrong_value)
    assert report.rules_broken() == {"objective_mismatch"}
    assert str(report.violations[0]) == "objectives[3] quality: value is 18, but the assignments give 17"
    reordered = document(instance, QUALITY_CASE, objectives=reported()[::-1])
    assert check(instance, reordered) == {"objective_mismatch"}
    missing = document(instance, QUALITY_CASE, objectives=reported()[:3])
    assert check(instance, missing) == {"objective_mismatch"}


def test_bounds_lie_on_the_right_side() -> None:
    instance = objective_instance()
    feasible = document(instance, QUALITY_CASE, "feasible",
                        reported(persons_housed=(5, 9), max_shortfall_permille=(714, 500)))
    assert check(instance, feasible) == set()
    below = document(instance, QUALITY_CASE, "feasible", reported(persons_housed=(5, 4)))
    assert check(instance, below) == {"objective_bound"}
    above = document(instance, QUALITY_CASE, "feasible", reported(max_shortfall_permille=(714, 800)))
    assert check(instance, above) == {"objective_bound"}


def test_optimal_needs_every_bound_equal_to_its_value() -> None:
    instance = objective_instance()
    gap = document(instance, QUALITY_CASE, "optimal", reported(quality=(17, 20)))
    assert check(instance, gap) == {"status"}


# --- reading proposals ------------------------------------------------------------------------------------


def test_a_proposal_model_is_checked_like_its_document() -> None:
    instance = objective_instance()
    proposal = Proposal.model_validate(document(instance, QUALITY_CASE, objectives=reported()))
    assert check_proposal(load_instance(instance), proposal).ok


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda p: p["objectives"][1].update(value="5"), 'objectives[1] (id "persons_housed").value'),
    (lambda p: p["assignments"][0].update(schools={"primary": 3}), "assignments[0] (id \"h1 -> d1\").schools.primary"),
    (lambda p: p["assignments"][1].pop("dwelling"), "assignments[1] (id \"h2 -> ?\").dwelling: is required"),
    (lambda p: p.update(status="done"), "status:"),
    (lambda p: p.update(unassigned={"h4": "x"}), "unassigned: input should be a valid list"),
])
def test_a_malformed_proposal_names_the_field(edit: Any, expected: str) -> None:
    instance = objective_instance()
    proposal = document(instance, QUALITY_CASE, objectives=reported())
    edit(proposal)
    with pytest.raises(ProposalInvalid) as raised:
        check_proposal(load_instance(instance), proposal)
    assert any(expected in str(problem) for problem in raised.value.problems), raised.value.problems


def test_unreadable_json_is_a_problem_not_a_traceback() -> None:
    with pytest.raises(ProposalInvalid) as raised:
        read_proposal(b'{"format": ')
    assert "not valid JSON" in str(raised.value.problems[0])
    with pytest.raises(ProposalInvalid):
        parse_proposal(json.loads("[1, 2]"))
