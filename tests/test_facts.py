"""Derived facts: every quantity exactly as ``docs/format.md`` defines it, boundaries included."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

from matcher.facts import EARTH_RADIUS_KM, Facts, ceil_km, derive_facts, haversine_km, municipality_cap
from matcher.validation import load_instance

PERIOD_START = dt.date(2026, 11, 9)
ORIGIN = {"lat": 0.0, "lon": 0.0}


def household(hid: str, *ages: int, **fields: Any) -> dict[str, Any]:
    return {"id": hid, "members": [{"age": age} for age in ages], "waiting_since": "2026-06-01", **fields}


def dwelling(did: str, municipality: str = "GM0001", location: dict[str, float] = ORIGIN,
             **fields: Any) -> dict[str, Any]:
    return {"id": did, "municipality": municipality, "location": location, "bedrooms": 1, "max_occupants": 2,
            "rent": 500, **fields}


def on_equator_km(km: float) -> dict[str, float]:
    """A point on the equator this many kilometres east of (0, 0)."""
    return {"lat": 0.0, "lon": math.degrees(km / EARTH_RADIUS_KM)}


def facts_of(households: list[dict[str, Any]] | None = None, dwellings: list[dict[str, Any]] | None = None,
             policy: dict[str, Any] | None = None, **collections: Any) -> Facts:
    document = {
        "format": "matcher.instance/1",
        "id": "facts",
        "period": {"start": PERIOD_START.isoformat(), "end": "2026-11-15"},
        "policy": policy or {},
        "municipalities": collections.pop("municipalities", [{"id": "GM0001", "target": 10, "housed": 0},
                                                             {"id": "GM0002", "target": 0, "housed": 0}]),
        "dwellings": dwellings if dwellings is not None else [dwelling("d-1")],
        "households": households if households is not None else [household("h-1", 30)],
        **collections,
    }
    return derive_facts(load_instance(document))


# --- households ---------------------------------------------------------------------------------------------


def test_size_final_size_and_need() -> None:
    facts = facts_of([
        household("single", 30),
        household("couple", 30, 29),
        household("three", 30, 29, 3),
        household("reunion", 30, expected_members=4),
        household("six", 40, 38, 15, 12, 9, 1),
    ])
    h = facts.households
    assert h.size.tolist() == [1, 2, 3, 1, 6]
    assert h.final_size.tolist() == [1, 2, 3, 5, 6]
    assert h.need.tolist() == [1, 1, 2, 3, 3]  # max(1, ceil(final_size / 2))


def test_need_follows_persons_per_bedroom() -> None:
    facts = facts_of([household("a", 30), household("b", 30, 30, 3, 2), household("c", 30, expected_members=3)],
                     policy={"persons_per_bedroom": 3})
    assert facts.households.need.tolist() == [1, 2, 2]


def test_kids_per_kind_with_default_age_ranges() -> None:
    facts = facts_of([household("h", 40, 3, 4, 11, 12, 17, 18)])
    assert facts.households.kids.tolist() == [[2, 2]]  # primary 4..11, secondary 12..17, columns in that order


def test_kids_per_kind_with_custom_age_ranges() -> None:
    facts = facts_of([household("h", 40, 4, 5, 12, 13, 18, 19), household("adults", 30, 25)],
                     policy={"primary_ages": [5, 12], "secondary_ages": [13, 18]})
    assert facts.households.kids.tolist() == [[2, 2], [0, 0]]


def test_ranges_that_leave_a_gap_count_nobody_in_the_gap() -> None:
    facts = facts_of([household("h", 40, 6, 7, 8, 9, 10)], policy={"primary_ages": [6, 7], "secondary_ages": [10, 11]})
    assert facts.households.kids.tolist() == [[2, 1]]


@pytest.mark.parametrize(("days_waiting", "overdue"), [(98, True), (97, False), (99, True), (0, False)])
def test_overdue_boundary_is_exactly_seven_times_overdue_weeks_days(days_waiting: int, overdue: bool) -> None:
    waiting_since = (PERIOD_START - dt.timedelta(days=days_waiting)).isoformat()
    facts = facts_of([household("h", 30, waiting_since=waiting_since)])  # default overdue_weeks 14: 98 days
    assert facts.households.waiting_days.tolist() == [days_waiting]
    assert facts.households.overdue.tolist() == [overdue]


def test_overdue_follows_policy_weeks() -> None:
    waiting = [(PERIOD_START - dt.timedelta(days=days)).isoformat() for days in (20, 21, 0, -3)]
    facts = facts_of([household(f"h{i}", 30, waiting_since=w) for i, w in enumerate(waiting)],
                     policy={"overdue_weeks": 3})
    assert facts.households.overdue.tolist() == [False, True, False, False]
    everyone = facts_of([household(f"h{i}", 30, waiting_since=w) for i, w in enumerate(waiting)],
                        policy={"overdue_weeks": 0})
    assert everyone.households.overdue.tolist() == [True, True, True, False]


def test_sharer_availability_rent_and_access_flags() -> None:
    facts = facts_of([
        household("sharer", 30, shareable=True),
        household("expects", 30, shareable=True, expected_members=1),
        household("pair", 30, 31, shareable=True),
        household("late", 30, available_from="2026-11-16", max_rent=650.5, needs_accessible=True),
        household("last-day", 30, available_from="2026-11-15"),
    ])
    h = facts.households
    assert h.sharer.tolist() == [True, False, False, False, False]
    assert h.available.tolist() == [True, True, True, False, True]
    assert h.max_rent.tolist() == [math.inf, math.inf, math.inf, 650.5, math.inf]
    assert h.needs_accessible.tolist() == [False, False, False, True, False]


def test_ties_give_the_largest_weight_and_mark_required_municipalities() -> None:
    ties = [{"municipality": "GM0002", "kind": "care"}, {"municipality": "GM0002", "kind": "work", "required": True},
            {"municipality": "GM0001", "kind": "family"}]
    facts = facts_of([household("tied", 30, ties=ties), household("free", 30)],
                     policy={"quality_weights": {"tie": {"work": 35, "family": 12}}})
    h = facts.households
    assert h.tie_bonus.tolist() == [[12, 35], [0, 0]]
    assert h.required_tie.tolist() == [[False, True], [False, False]]
    assert h.has_required_tie.tolist() == [True, False]


# --- municipalities and groups ------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "housed", "share", "cap"), [
    (10, 0, 0.1, 11),  # 10 * 1.1 = 11.000000000000002
    (100, 0, 0.15, 115),  # 100 * 1.15 = 114.99999999999999: floor(x + 1e-9) = 115
    (10, 4, 0.1, 7),
    (10, 11, 0.1, 0),
    (10, 12, 0.1, 0),  # never negative
    (0, 0, 0.1, 0),
    (7, 0, 0.0, 7),
])
def test_municipality_cap_uses_floor_with_epsilon(target: int, housed: int, share: float, cap: int) -> None:
    assert municipality_cap(target, housed, share) == cap
    facts = facts_of(municipalities=[{"id": "GM0001", "target": target, "housed": housed}],
                     policy={"max_over_target_share": share})
    assert facts.municipalities.cap.tolist() == [cap]
    assert (facts.municipalities.target.tolist(), facts.municipalities.housed.tolist()) == ([target], [housed])


def test_huge_over_target_share_does_not_overflow() -> None:
    facts = facts_of(municipalities=[{"id": "GM0001", "target": 1000, "housed": 0}],
                     policy={"max_over_target_share": 1e300})
    assert facts.municipalities.cap[0] > 10**9


def test_group_caps() -> None:
    groups = [
        {"id": "default-share", "units": 10, "status_holder_units": 3},  # floor(0.5 * 10) - 3
        {"id": "own-share", "units": 100, "status_holder_units": 20, "max_share": 0.29},  # 28.999999999999996
        {"id": "full", "units": 10, "status_holder_units": 9, "max_share": 0.4},
        {"id": "closed", "units": 5, "status_holder_units": 0, "max_share": 0},
    ]
    dwellings = [dwelling("d-1", groups=["own-share", "default-share"]), dwelling("d-2", groups=["own-share"]),
                 dwelling("d-3")]
    facts = facts_of(dwellings=dwellings, groups=groups)
    assert facts.groups.cap.tolist() == [2, 9, 0, 0]
    assert [g.tolist() for g in facts.groups.dwellings] == [[0], [0, 1], [], []]
    assert [g.tolist() for g in facts.dwellings.groups] == [[0, 1], [1], []]


def test_group_caps_follow_the_policy_default_share() -> None:
    facts = facts_of(groups=[{"id": "g", "units": 100, "status_holder_units": 1}], policy={"default_max_share": 0.29})
    assert facts.groups.cap.tolist() == [28]  # floor(28.999999999999996 + 1e-9) - 1


# --- distances ----------------------------------------------------------------------------------------------


def test_haversine_utrecht_to_amsterdam() -> None:
    utrecht_centraal, amsterdam_centraal = (52.0894, 5.1100), (52.3791, 4.9003)
    km = float(haversine_km(*utrecht_centraal, *amsterdam_centraal))
    assert 34.5 < km < 35.5

    phi1, phi2 = math.radians(utrecht_centraal[0]), math.radians(amsterdam_centraal[0])
    dphi, dlambda = phi2 - phi1, math.radians(amsterdam_centraal[1] - utrecht_centraal[1])
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    assert km == pytest.approx(2 * 6371.0088 * math.asin(math.sqrt(a)), abs=1e-9)


def test_haversine_uses_the_format_earth_radius() -> None:
    assert float(haversine_km(0.0, 0.0, 0.0, 1.0)) == pytest.approx(2 * math.pi * 6371.0088 / 360, abs=1e-9)
    assert float(haversine_km(0.0, 0.0, 0.0, 180.0)) == pytest.approx(math.pi * 6371.0088, abs=1e-6)
    assert float(haversine_km(52.1, 5.1, 52.1, 5.1)) == 0.0


def test_haversine_broadcasts() -> None:
    km = haversine_km(np.array([[0.0], [1.0]]), np.array([[0.0], [0.0]]), np.array([[0.0, 0.0]]),
                      np.array([[0.0, 1.0]]))
    assert km.shape == (2, 2)
    assert km[0, 0] == 0.0 and km[1, 0] == pytest.approx(km[0, 1])


def test_ceil_km_tolerates_rounding_noise() -> None:
    assert ceil_km(2.0) == 2
    assert ceil_km(2.0 + 5e-10) == 2
    assert ceil_km(2.0 + 5e-9) == 3
    assert ceil_km(0.0) == 0
    assert ceil_km(np.array([0.3, 1.0 + 1e-12, 1.2])).tolist() == [1, 1, 2]


def school(sid: str, kind: str, km_east: float, seats: int = 3) -> dict[str, Any]:
    return {"id": sid, "kind": kind, "location": on_equator_km(km_east), "seats": seats}


def test_school_reach_is_sorted_by_distance_and_limited_by_kind() -> None:
    schools = [school("p-far", "primary", 4.8), school("s-near", "secondary", 0.5), school("p-near", "primary", 1.2),
               school("p-out", "primary", 5.2), school("s-far", "secondary", 19.0), school("p-mid", "primary", 3.0)]
    dwellings = [dwelling("d-0"), dwelling("d-far", location=on_equator_km(30.0))]
    facts = facts_of(dwellings=dwellings, schools=schools)
    primary, secondary = facts.reach["primary"], facts.reach["secondary"]
    ids = facts.schools.ids
    assert [ids[s] for s in primary.school[primary.of(0)]] == ["p-near", "p-mid", "p-far"]
    assert primary.km[primary.of(0)] == pytest.approx([1.2, 3.0, 4.8], abs=1e-9)
    assert primary.cost_km[primary.of(0)].tolist() == [2, 3, 5]
    assert [ids[s] for s in secondary.school[secondary.of(0)]] == ["s-near", "s-far"]
    assert [ids[s] for s in primary.school[primary.of(1)]] == []  # 25 km and more from every primary school
    assert [ids[s] for s in secondary.school[secondary.of(1)]] == ["s-far"]  # 11 km
    assert primary.start.tolist() == [0, 3, 3]


@pytest.mark.parametrize(("limit_offset_km", "within"), [(0.0, True), (-5e-10, True), (-2e-9, False), (1e-6, True)])
def test_school_reach_tolerance(limit_offset_km: float, within: bool) -> None:
    location = {"lat": 0.0, "lon": 0.04}
    exact_km = float(haversine_km(0.0, 0.0, location["lat"], location["lon"]))
    facts = facts_of(schools=[{"id": "p", "kind": "primary", "location": location, "seats": 1}],
                     policy={"max_school_km": {"primary": exact_km + limit_offset_km}})
    reach = facts.reach["primary"]
    assert (len(reach.school[reach.of(0)]) == 1) is within


def test_school_reach_without_schools_or_dwellings() -> None:
    facts = facts_of(dwellings=[], households=[])
    assert facts.reach["primary"].start.tolist() == [0]
    no_schools = facts_of()
    assert no_schools.reach["secondary"].start.tolist() == [0, 0]


def test_indices_follow_input_order() -> None:
    facts = facts_of([household("b", 30), household("a", 30)], [dwelling("d-2"), dwelling("d-1", "GM0002")])
    assert facts.household_index == {"b": 0, "a": 1}
    assert facts.dwelling_index == {"d-2": 0, "d-1": 1}
    assert facts.dwellings.municipality.tolist() == [0, 1]
    assert facts.municipality_index == {"GM0001": 0, "GM0002": 1}
