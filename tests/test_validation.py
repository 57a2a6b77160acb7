"""Instance validation: one test per kind of problem, each checking that the message names the JSON path and
the record, and that every problem of a document is reported at once."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.exceptions import InstanceInvalid, Problem
from matcher.facts import derive_facts
from matcher.rules import compatible_pairs
from matcher.validation import load_instance, reference_problems

Mutation = Callable[[dict[str, Any]], Any]


def instance_document() -> dict[str, Any]:
    """A small valid instance: two municipalities, three dwellings, three households, two schools, a group."""
    return {
        "format": "matcher.instance/1",
        "id": "validation",
        "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "municipalities": [{"id": "GM0344", "name": "Utrecht", "target": 40, "housed": 12},
                           {"id": "GM0356", "name": "Nieuwegein", "target": 12, "housed": 3}],
        "dwellings": [
            {"id": "d-1", "municipality": "GM0344", "location": {"lat": 52.09, "lon": 5.12}, "bedrooms": 1,
             "max_occupants": 2, "rent": 610, "groups": ["g-1"]},
            {"id": "d-2", "municipality": "GM0356", "location": {"lat": 52.03, "lon": 5.09}, "bedrooms": 3,
             "max_occupants": 5, "rent": 780},
            {"id": "d-3", "municipality": "GM0344", "location": {"lat": 52.10, "lon": 5.10}, "bedrooms": 4,
             "max_occupants": 4, "rent": 390, "shared_places": 4},
        ],
        "households": [
            {"id": "h-1", "members": [{"age": 27}], "shareable": True, "waiting_since": "2026-06-01"},
            {"id": "h-2", "members": [{"age": 41}, {"age": 39}, {"age": 8}], "waiting_since": "2026-03-15",
             "ties": [{"municipality": "GM0356", "kind": "family"}]},
            {"id": "h-3", "members": [{"age": 52}, {"age": 16}], "waiting_since": "2026-08-20"},
        ],
        "groups": [{"id": "g-1", "kind": "complex", "units": 30, "status_holder_units": 4}],
        "schools": [{"id": "s-p", "kind": "primary", "location": {"lat": 52.04, "lon": 5.08}, "seats": 5},
                    {"id": "s-s", "kind": "secondary", "location": {"lat": 52.08, "lon": 5.11}, "seats": 9}],
        "locks": [{"household": "h-2", "dwelling": "d-2", "schools": {"primary": "s-p"}}],
        "forbidden": [{"household": "h-3", "dwelling": "d-1", "reason": "declined"}],
    }


def problems_after(mutate: Mutation) -> list[Problem]:
    document = instance_document()
    mutate(document)
    with pytest.raises(InstanceInvalid) as caught:
        load_instance(document)
    return caught.value.problems


def only_problem(mutate: Mutation) -> str:
    problems = problems_after(mutate)
    assert len(problems) == 1, [str(p) for p in problems]
    return str(problems[0])


def test_the_base_document_is_valid() -> None:
    instance = load_instance(instance_document())
    assert list(reference_problems(instance)) == []


# --- problems within one record -----------------------------------------------------------------------------


def test_missing_field() -> None:
    message = only_problem(lambda d: d["households"][1].pop("waiting_since"))
    assert message == 'households[1] (id "h-2").waiting_since: is required'


def test_missing_nested_field() -> None:
    message = only_problem(lambda d: d["dwellings"][2]["location"].pop("lon"))
    assert message == 'dwellings[2] (id "d-3").location.lon: is required'


def test_wrong_type() -> None:
    message = only_problem(lambda d: d["dwellings"][0].update(bedrooms="two"))
    assert message == 'dwellings[0] (id "d-1").bedrooms: must be a whole number, got "two"'


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("age", "5", 'must be a whole number, got "5"'),
    ("age", True, "must be a whole number, got true"),
    ("age", 5.5, "must be a whole number, got 5.5"),
])
def test_numbers_are_not_read_from_text_or_booleans(field: str, value: Any, expected: str) -> None:
    message = only_problem(lambda d: d["households"][2]["members"][1].update({field: value}))
    assert message == f'households[2] (id "h-3").members[1].{field}: {expected}'


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_flags_must_be_json_booleans(value: Any) -> None:
    message = only_problem(lambda d: d["dwellings"][1].update(accessible=value))
    assert message == f'dwellings[1] (id "d-2").accessible: must be true or false, got {json.dumps(value)}'


@pytest.mark.parametrize("value", ["2026-13-01", "15-03-2026", "2026-03-15T00:00:00", 0, 20260315])
def test_dates_must_be_iso_calendar_dates(value: Any) -> None:
    message = only_problem(lambda d: d["households"][1].update(waiting_since=value))
    assert message == f'households[1] (id "h-2").waiting_since: must be a date YYYY-MM-DD, got {json.dumps(value)}'


def test_infinite_number() -> None:
    message = only_problem(lambda d: d["dwellings"][0].update(rent=float("inf")))
    assert message == 'dwellings[0] (id "d-1").rent: must be a finite number, got Infinity'


def test_absurdly_large_integer() -> None:
    message = only_problem(lambda d: d["municipalities"][1].update(target=10**20))
    assert message.startswith('municipalities[1] (id "GM0356").target: must be <= 1000000000')


def test_negative_age() -> None:
    message = only_problem(lambda d: d["households"][1]["members"][2].update(age=-1))
    assert message == 'households[1] (id "h-2").members[2].age: must be >= 0, got -1'


def test_empty_members() -> None:
    message = only_problem(lambda d: d["households"][2].update(members=[]))
    assert message == 'households[2] (id "h-3").members: must not be empty'


@pytest.mark.parametrize(("share", "bound"), [(1.5, "<= 1.0"), (-0.1, ">= 0.0")])
def test_group_share_outside_zero_one(share: float, bound: str) -> None:
    message = only_problem(lambda d: d["groups"][0].update(max_share=share))
    assert message == f'groups[0] (id "g-1").max_share: must be {bound}, got {share}'


def test_policy_share_outside_zero_one() -> None:
    message = only_problem(lambda d: d.update(policy={"default_max_share": 2}))
    assert message == "policy.default_max_share: must be <= 1.0, got 2"


def test_period_start_after_end() -> None:
    message = only_problem(lambda d: d.update(period={"start": "2026-11-15", "end": "2026-11-09"}))
    assert message == "period: start 2026-11-15 is after end 2026-11-09"


def test_period_of_one_day_is_valid() -> None:
    document = instance_document()
    document["period"] = {"start": "2026-11-09", "end": "2026-11-09"}
    assert load_instance(document).period.end.isoformat() == "2026-11-09"


def test_unknown_objective() -> None:
    message = only_problem(lambda d: d.update(policy={"objectives": ["quality", "happiness"]}))
    assert message.startswith("policy.objectives[1]: must be one of ")
    assert '"overdue_housed"' in message and message.endswith('got "happiness"')


def test_duplicate_objective() -> None:
    message = only_problem(lambda d: d.update(policy={"objectives": ["quality", "persons_housed", "quality"]}))
    assert message == "policy.objectives: names an objective more than once: quality"


def test_overlapping_age_ranges() -> None:
    message = only_problem(lambda d: d.update(policy={"primary_ages": [4, 12]}))
    assert message == "policy: primary_ages [4, 12] and secondary_ages [12, 17] must not overlap"


def test_age_range_out_of_order() -> None:
    message = only_problem(lambda d: d.update(policy={"secondary_ages": [17, 12]}))
    assert message == "policy.secondary_ages: must be [low, high] with 0 <= low <= high, got [17, 12]"


def test_unknown_tie_kind() -> None:
    message = only_problem(lambda d: d["households"][1]["ties"][0].update(kind="friends"))
    assert message.startswith('households[1] (id "h-2").ties[0].kind: must be one of "work", ')
    assert message.endswith('got "friends"')


@pytest.mark.parametrize(("given", "shown"), [("matcher.instance/2", '"matcher.instance/2"'),
                                              ("matcher.proposal/1", '"matcher.proposal/1"')])
def test_wrong_format_string(given: str, shown: str) -> None:
    message = only_problem(lambda d: d.update(format=given))
    assert message == f'format: must be "matcher.instance/1", got {shown}'


def test_missing_format_string() -> None:
    assert only_problem(lambda d: d.pop("format")) == 'format: must be "matcher.instance/1", got nothing'


def test_record_that_is_not_an_object() -> None:
    problem = only_problem(lambda d: d["households"].__setitem__(0, "h-1"))
    assert problem == 'households[0]: must be an object, got "h-1"'


# --- problems with the document as a whole -------------------------------------------------------------------


def test_invalid_json() -> None:
    with pytest.raises(InstanceInvalid) as caught:
        load_instance(b'{"format": "matcher.instance/1",\n "id": }')
    (problem,) = caught.value.problems
    assert str(problem).startswith("(document): is not valid JSON: Expecting value at line 2, column 8")


def test_text_that_is_not_utf8() -> None:
    with pytest.raises(InstanceInvalid) as caught:
        load_instance(b'{"id": "\xff"}')
    assert [str(p) for p in caught.value.problems] == ["(document): is not UTF-8 text"]


def test_json_that_is_not_an_object() -> None:
    with pytest.raises(InstanceInvalid) as caught:
        load_instance(b"[1, 2]")
    assert [str(p) for p in caught.value.problems] == ["(document): must be a JSON object"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InstanceInvalid) as caught:
        load_instance(tmp_path / "absent.json")
    assert [str(p) for p in caught.value.problems] == ["(document): cannot read file: No such file or directory"]


def test_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance_document()), encoding="utf-8")
    assert load_instance(path).id == "validation"


# --- problems between records --------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["municipalities", "dwellings", "households", "groups", "schools"])
def test_duplicate_ids_per_collection(collection: str) -> None:
    def duplicate_first(document: dict[str, Any]) -> None:
        document[collection].append(copy.deepcopy(document[collection][0]))

    problems = problems_after(duplicate_first)
    position = len(instance_document()[collection])
    first_id = instance_document()[collection][0]["id"]
    duplicates = [p for p in problems if p.code == "duplicate_id"]
    assert [str(p) for p in duplicates] == [
        f'{collection}[{position}] (id "{first_id}").id: duplicate id, already used by {collection}[0]']


def test_same_id_in_different_collections_is_fine() -> None:
    document = instance_document()
    document["households"][0]["id"] = "d-1"
    document["schools"][0]["id"] = "GM0344"
    document["locks"] = []
    load_instance(document)


def test_unknown_municipality_on_a_dwelling() -> None:
    message = only_problem(lambda d: d["dwellings"][1].update(municipality="GM9999"))
    assert message == 'dwellings[1] (id "d-2").municipality: unknown municipality "GM9999"'


def test_unknown_municipality_on_a_tie() -> None:
    message = only_problem(lambda d: d["households"][1]["ties"][0].update(municipality="GM0000"))
    assert message == 'households[1] (id "h-2").ties[0].municipality: unknown municipality "GM0000"'


def test_unknown_group() -> None:
    message = only_problem(lambda d: d["dwellings"][0]["groups"].append("g-missing"))
    assert message == 'dwellings[0] (id "d-1").groups[1]: unknown group "g-missing"'


@pytest.mark.parametrize("collection", ["locks", "forbidden"])
def test_unknown_household_in_a_pair(collection: str) -> None:
    message = only_problem(lambda d: d[collection][0].update(household="h-404"))
    dwelling = instance_document()[collection][0]["dwelling"]
    assert message == f'{collection}[0] (id "h-404 -> {dwelling}").household: unknown household "h-404"'


@pytest.mark.parametrize("collection", ["locks", "forbidden"])
def test_unknown_dwelling_in_a_pair(collection: str) -> None:
    message = only_problem(lambda d: d[collection][0].update(dwelling="d-404"))
    household = instance_document()[collection][0]["household"]
    assert message == f'{collection}[0] (id "{household} -> d-404").dwelling: unknown dwelling "d-404"'


def test_record_problem_in_a_pair_names_the_pair() -> None:
    message = only_problem(lambda d: d["forbidden"][0].update(reason=7))
    assert message == 'forbidden[0] (id "h-3 -> d-1").reason: must be a non-empty string, got 7'


def test_lock_that_is_also_forbidden() -> None:
    message = only_problem(lambda d: d["forbidden"].append({"household": "h-2", "dwelling": "d-2"}))
    assert message == 'locks[0] (id "h-2 -> d-2"): lock is also a forbidden pair'


def test_two_locks_for_one_household() -> None:
    message = only_problem(lambda d: d["locks"].append({"household": "h-2", "dwelling": "d-1"}))
    assert message == 'locks[1] (id "h-2 -> d-1").household: household "h-2" is already locked by locks[0]'


def test_lock_naming_an_unknown_school() -> None:
    message = only_problem(lambda d: d["locks"][0].update(schools={"primary": "s-404"}))
    assert message == 'locks[0] (id "h-2 -> d-2").schools.primary: unknown school "s-404"'


def test_lock_naming_a_school_of_the_wrong_kind() -> None:
    message = only_problem(lambda d: d["locks"][0].update(schools={"primary": "s-s"}))
    assert message == 'locks[0] (id "h-2 -> d-2").schools.primary: school "s-s" is a secondary school, not primary'


def test_lock_naming_an_unknown_school_kind() -> None:
    message = only_problem(lambda d: d["locks"][0].update(schools={"tertiary": "s-p"}))
    assert message == ('locks[0] (id "h-2 -> d-2").schools.tertiary: '
                       'must be one of "primary" or "secondary", got "tertiary"')


# --- everything at once ---------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    def break_many_things(document: dict[str, Any]) -> None:
        document["period"]["start"] = "2026-11-20"
        document["policy"] = {"objectives": ["quality", "quality"]}
        document["municipalities"][1]["target"] = -4
        document["dwellings"][0]["municipality"] = "GM0001"
        document["dwellings"][1]["rent"] = "cheap"
        document["households"][0]["members"] = []
        document["households"][2]["members"][1]["age"] = -16
        document["households"][2]["id"] = "h-1"
        document["households"][1]["ties"][0]["municipality"] = "GM0002"
        document["locks"].append({"household": "h-2", "dwelling": "d-9"})
        document["forbidden"].append({"household": "h-2", "dwelling": "d-2"})

    messages = [str(p) for p in problems_after(break_many_things)]
    assert len(messages) == len(set(messages))
    assert set(messages) == {
        "period: start 2026-11-20 is after end 2026-11-15",
        "policy.objectives: names an objective more than once: quality",
        'municipalities[1] (id "GM0356").target: must be >= 0, got -4',
        'dwellings[1] (id "d-2").rent: must be a number, got "cheap"',
        'households[0] (id "h-1").members: must not be empty',
        'households[2] (id "h-1").members[1].age: must be >= 0, got -16',
        'households[2] (id "h-1").id: duplicate id, already used by households[0]',
        'dwellings[0] (id "d-1").municipality: unknown municipality "GM0001"',
        'households[1] (id "h-2").ties[0].municipality: unknown municipality "GM0002"',
        'locks[1] (id "h-2 -> d-9").dwelling: unknown dwelling "d-9"',
        'locks[0] (id "h-2 -> d-2"): lock is also a forbidden pair',
        'locks[1] (id "h-2 -> d-9").household: household "h-2" is already locked by locks[0]',
        'forbidden[0] (id "h-3 -> d-1").household: unknown household "h-3"',  # h-3 was renamed
    }


def test_problem_as_dict_carries_path_record_and_code() -> None:
    (problem,) = problems_after(lambda d: d["households"][2].update(members=[]))
    assert problem.as_dict() == {"path": "households[2].members", "record": "h-3", "code": "too_short",
                                 "message": 'households[2] (id "h-3").members: must not be empty'}


# --- no input makes a traceback --------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**12) | st.floats(allow_nan=False, width=32) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for key, item in value.items() for p in _leaf_paths(item, (*path, key))]
    if isinstance(value, list):
        return [path] + [p for i, item in enumerate(value) for p in _leaf_paths(item, (*path, i))]
    return [path]


BASE_PATHS = _leaf_paths(instance_document())[1:]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replacements=st.lists(st.tuples(st.sampled_from(BASE_PATHS), JSON_VALUES), min_size=1, max_size=3))
def test_any_damaged_document_is_rejected_with_problems_or_accepted(replacements: list[Any]) -> None:
    """Replacing parts of a valid instance by arbitrary JSON never raises anything but InstanceInvalid, and an
    accepted instance goes through fact derivation and pair derivation."""
    document = instance_document()
    for path, value in replacements:
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    try:
        instance = load_instance(document)
    except InstanceInvalid as error:
        assert error.problems
        assert all(isinstance(str(problem), str) for problem in error.problems)
        return
    compatible_pairs(derive_facts(instance))


def test_ids_have_one_length_limit_and_one_normal_form() -> None:
    """Issue 18: the service's decisions take the same ids, so an instance must not hold ids they cannot name."""
    from matcher.format import MAX_ID_LENGTH

    document = instance_document()
    document["households"][0]["id"] = "h" * (MAX_ID_LENGTH + 1)
    document["dwellings"][0]["id"] = "d-e\u0301"  # "é" as "e" and a combining accent
    with pytest.raises(InstanceInvalid) as error:
        load_instance(document)
    found = {(problem.path, problem.code) for problem in error.value.problems}
    assert ("households[0].id", "string_too_long") in found
    assert ("dwellings[0].id", "id_normal_form") in found
