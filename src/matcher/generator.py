"""Realistic synthetic instances, the same document for the same arguments.

Tests, the demo and the benchmarks need instances that look like a real week in a Dutch housing region:
mostly single status holders, many of them willing to share, some large families with children of every
school age, rents near the passend-toewijzen limits, and every capacity rule of the format (municipality
caps, mixed-occupancy groups, school seats, shared places) binding somewhere, so that no part of the
model is idle. Each preset names a region (``matcher.regions``) and the sizes; ``--households`` and
``--dwellings`` resize any preset for the benchmark sweep.

Determinism: every part of the instance draws from its own ``numpy.random.default_rng([seed, part])``
stream, so the same arguments give the same JSON, and resizing the households does not reshuffle the
period or the targets. Locks and forbidden pairs are picked last, with ``matcher.rules`` deciding which pairs
are compatible, so that a generated lock is always valid.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matcher.facts import Facts, derive_facts, floor_share, haversine_km
from matcher.format import INSTANCE_FORMAT, SCHOOL_KINDS, TIE_KINDS, Policy
from matcher.regions import Region, netherlands, offset_km, u16
from matcher.rules import compatible_block
from matcher.validation import load_instance

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Record = dict[str, Any]

DEFAULT_POLICY = Policy()  # generated instances leave the policy at its defaults

# --- the period and the municipalities' progress -------------------------------------------------------
YEAR = 2026
FIRST_MONDAY = dt.date(2026, 1, 5)
DAYS_PER_WEEK = 7
ELAPSED_RANGE = (0.3, 0.9)  # the week falls part-way through its half-year, so `housed` is part-way too
NATIONAL_POPULATION = 18_000_000
NATIONAL_TARGET_RANGE = (13_000, 20_000)  # persons per half-year, the national taakstelling
HOUSING_PACE_RANGE = (0.5, 1.15)  # how far ahead of or behind the elapsed share a municipality is

# --- households ----------------------------------------------------------------------------------------
SINGLE_SHARE_RANGE = (0.72, 0.82)  # share of households that arrive as one person
SINGLE_SHARE_BOUNDS = (0.70, 0.85)  # kept even for a handful of households, where rounding matters
ADULT_AGE = 18
SINGLE_AGE_SHAPE, SINGLE_AGE_SCALE = 2.0, 6.0  # gamma: most single status holders are in their twenties
OLDEST_AGE = 75
SHAREABLE_SHARE = 0.6  # of singles expecting nobody
SINGLE_REUNIFICATION_SHARE = 0.15  # singles whose family follows (nareis)
SINGLE_EXPECTED = (1, 2, 3, 4, 5)
SINGLE_EXPECTED_WEIGHTS = (0.3, 0.2, 0.25, 0.15, 0.1)
FAMILY_SIZES = (2, 3, 4, 5, 6, 7, 8)
FAMILY_SIZE_WEIGHTS = (0.18, 0.2, 0.22, 0.18, 0.11, 0.07, 0.04)
TWO_PARENT_SHARE = 0.75  # of families with children
COUPLE_SHARE = 0.6  # of two-person households: a couple rather than a parent and a child
CHILD_MAX_AGE = 17
PARENT_AGE_GAP = 20  # a parent is at least this much older than the oldest child
PARENT_AGE_SPREAD = 16
PARTNER_AGE_SPREAD = 6
FAMILY_REUNIFICATION_SHARE = 0.08
FAMILY_EXPECTED_MAX = 3
MAX_FINAL_SIZE = 8  # the largest dwellings take 8 persons
NEEDS_ACCESSIBLE_SHARE = 0.05
RENT_LIMIT_SMALL = 713  # passend toewijzen 2026, 1-2 persons
RENT_LIMIT_LARGE = 764  # passend toewijzen 2026, 3 or more persons
SMALL_HOUSEHOLD = 2
HIGHER_RENT_SHARE = 0.10  # some may pay more (income from work)
HIGHER_RENT_STEP, HIGHER_RENT_STEPS = 25, 6
NO_RENT_LIMIT_SHARE = 0.04
OVERDUE_SHARE_RANGE = (0.35, 0.6)
LONGEST_WAIT_WEEKS = 40
SHORTEST_WAIT_WEEKS = 1
TIE_SHARE = 0.20
TIE_KIND_WEIGHTS = (0.3, 0.2, 0.35, 0.15)  # in TIE_KINDS order: work, education, family, care
TIE_NEAR_RECEPTION_SHARE = 0.5  # the rest: anywhere, weighted by population
TIE_DISTANCE_SCALE_KM = 10.0
REQUIRED_TIE_SHARE = 0.12
SECOND_TIE_SHARE = 0.15
HOUSEHOLD_LATE_SHARE = 0.04  # available only after the period
HOUSEHOLD_MIDWEEK_SHARE = 0.05  # available from a day inside the period
LATEST_ARRIVAL_DAYS = 28

# --- dwellings -----------------------------------------------------------------------------------------
STUDIO, ONE, TWO, THREE, FOUR = 0, 1, 2, 3, 4
BEDROOM_WEIGHTS = (0.16, 0.32, 0.25, 0.17, 0.10)  # studios and 1-4 bedroom homes
MAX_OCCUPANTS_CHOICES = ((1, 2), (2, 2), (3, 4), (5, 6), (7, 8))  # by bedrooms, the second more common
LARGER_OCCUPANCY_SHARE = (0.5, 1.0, 0.7, 0.6, 0.6)
RENT_RANGE_BY_BEDROOMS = ((450, 600), (500, 700), (560, 780), (620, 860), (680, 900))  # social housing, EUR
SHARED_PLACE_RENT_RANGE = (375, 550)
RENT_STEP = 5
SHARED_PLACES_RANGE = (2, 5)
SHARED_PLACES_PER_SHARER = 0.7  # fewer places than willing sharers: shared places bind
MAX_SHARED_SHARE = 0.2
ACCESSIBLE_SHARE = 0.15
DWELLING_LATE_SHARE = 0.06
DWELLING_MIDWEEK_SHARE = 0.10
SCATTER_BASE_KM, SCATTER_PER_SQRT_100K_KM = 1.0, 1.5  # larger towns spread wider
SCATTER_CLIP = 2.5  # standard deviations
COORDINATE_DECIMALS = 5


# --- groups --------------------------------------------------------------------------------------------
GROUPS_PER_DWELLING = 0.1


@dataclass(frozen=True)
class GroupKind:
    name: str
    members: tuple[int, int]  # generated dwellings in the group (inclusive)
    units: tuple[int, int]  # all dwellings of the group (inclusive)
    max_shares: tuple[float | None, ...]  # None: the policy default
    spread_km: float  # members lie this close together
    weight: float
    level: int  # a dwelling belongs to at most one group per level (building, area)


GROUP_KINDS = (
    GroupKind("complex", (2, 4), (24, 120), (None, 0.25, 0.3, 0.4), 0.03, 0.5, 0),
    GroupKind("street", (2, 4), (12, 60), (None, 0.3, 0.4), 0.15, 0.3, 0),
    GroupKind("neighbourhood", (3, 6), (400, 2500), (0.1, 0.15, 0.2), 0.6, 0.2, 1),
)
NON_BINDING_GROUP_SHARE = 0.2

# --- schools -------------------------------------------------------------------------------------------
SEAT_SHARE = 0.8  # free newcomer seats per child of that age: fewer seats than children, so seats bind
PRIMARY_SPREAD_EXPONENT = 0.6  # primary schools follow population, but small towns get theirs too
PRIMARY_SCATTER, SECONDARY_SCATTER = 0.6, 0.3  # of the town's dwelling scatter

FORBIDDEN_REASONS = ("declined: too far from work", "medical: stairs", "declined: previous offer refused",
                     "safety: conflict with a neighbour")

STREAMS = ("region", "period", "municipalities", "households", "dwellings", "groups", "schools", "locks")
MAX_RECORDS = 1_000_000


@dataclass(frozen=True)
class Preset:
    name: str
    region: Callable[[], Region]
    households: int
    dwellings: int
    primary_schools: int
    secondary_schools: int
    municipalities: int | None = None  # a random subset of the region of this size; None: all
    locks: int = 0
    forbidden: int = 0


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("tiny", u16, households=6, dwellings=6, primary_schools=2, secondary_schools=1, municipalities=2,
               forbidden=1),
        Preset("u16-week", u16, households=40, dwellings=35, primary_schools=13, secondary_schools=5, locks=1,
               forbidden=1),
        Preset("u16-backlog", u16, households=600, dwellings=450, primary_schools=40, secondary_schools=8, locks=3,
               forbidden=5),
        Preset("nl-backlog", netherlands, households=15_000, dwellings=10_000, primary_schools=720,
               secondary_schools=140),
    )
}
DWELLINGS_PER_HOUSEHOLD = 0.75  # when only the households are resized


def generate(preset: str, seed: int, households: int | None = None, dwellings: int | None = None) -> dict[str, Any]:
    """A ``matcher.instance/1`` document (plain JSON-ready dict); raises ``ValueError`` on bad arguments."""
    spec = _checked_preset(preset, seed, households, dwellings)
    n_households = households if households is not None else spec.households
    n_dwellings = dwellings if dwellings is not None else (
        spec.dwellings if households is None else max(1, round(DWELLINGS_PER_HOUSEHOLD * households)))
    streams = {name: np.random.default_rng([seed, i]) for i, name in enumerate(STREAMS)}
    region = _region(streams["region"], spec)
    start, elapsed = _period(streams["period"])
    end = start + dt.timedelta(days=DAYS_PER_WEEK - 1)
    people = _households(streams["households"], n_households, region, start, end)
    stock = _dwellings(streams["dwellings"], n_dwellings, region, start, end, sharers=people.sharers)
    groups = _groups(streams["groups"], stock, region)
    schools = _schools(streams["schools"], region, spec, people.kids)
    municipalities = _municipalities(streams["municipalities"], region, elapsed, stock)
    document: dict[str, Any] = {
        "format": INSTANCE_FORMAT,
        "id": _instance_id(spec, seed, households, dwellings),
        "generator": {"preset": spec.name, "seed": seed, "households": n_households, "dwellings": n_dwellings},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "policy": {},
        "municipalities": municipalities,
        "dwellings": stock.records(region),
        "households": people.records,
        "groups": groups,
        "schools": schools,
        "locks": [],
        "forbidden": [],
    }
    if spec.locks or spec.forbidden:
        document["locks"], document["forbidden"] = _locks_and_forbidden(streams["locks"], document, spec)
    return document


def instance_json(document: dict[str, Any]) -> str:
    """JSON with one record per line: readable, diffable, and a third of the size of an indented dump."""
    lines = ["{"]
    for position, (key, value) in enumerate(document.items()):
        comma = "," if position < len(document) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {json.dumps(key)}: [")
            lines.extend(f"    {json.dumps(record, ensure_ascii=False)}{',' if i < len(value) - 1 else ''}"
                         for i, record in enumerate(value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _checked_preset(preset: str, seed: int, households: int | None, dwellings: int | None) -> Preset:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    for name, value in (("households", households), ("dwellings", dwellings)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= MAX_RECORDS):
            raise ValueError(f"{name} must be a whole number from 1 to {MAX_RECORDS}, got {value!r}")
    return PRESETS[preset]


def _instance_id(spec: Preset, seed: int, households: int | None, dwellings: int | None) -> str:
    resized = "".join(f"-{letter}{value}" for letter, value in (("h", households), ("d", dwellings))
                      if value is not None)
    return f"{spec.name}-s{seed}{resized}"


def _region(rng: np.random.Generator, spec: Preset) -> Region:
    region = spec.region()
    if spec.municipalities is None or spec.municipalities >= len(region):
        return region
    return region.subset(np.sort(rng.choice(len(region), size=spec.municipalities, replace=False)))


# --- helpers -------------------------------------------------------------------------------------------


def _count(n: int, share: float, at_least: int = 0) -> int:
    """How many of n records get a feature: the share rounded, at least ``at_least``, at most n."""
    return min(n, max(at_least, round(share * n)))


def _exactly(rng: np.random.Generator, n: int, count: int, among: BoolArray | None = None) -> BoolArray:
    """A mask with ``count`` True entries at random positions (within ``among`` when given)."""
    pool = np.arange(n) if among is None else np.flatnonzero(among)
    mask = np.zeros(n, dtype=np.bool_)
    mask[rng.choice(pool, size=min(count, len(pool)), replace=False)] = True
    return mask


def _steps(rng: np.random.Generator, low: IntArray | int, high: IntArray | int, step: int) -> IntArray:
    """Uniform multiples of ``step`` in [low, high]: rents quoted in whole fives."""
    return step * rng.integers(np.asarray(low) // step, np.asarray(high) // step + 1)


def _scatter_km(region: Region) -> FloatArray:
    return SCATTER_BASE_KM + SCATTER_PER_SQRT_100K_KM * np.sqrt(region.population / 100_000)


def _around(rng: np.random.Generator, lat: FloatArray, lon: FloatArray, sigma_km: FloatArray | float
            ) -> tuple[FloatArray, FloatArray]:
    """Points scattered normally around the given centres (a few km), never absurdly far."""
    north = np.clip(rng.standard_normal(len(lat)), -SCATTER_CLIP, SCATTER_CLIP) * sigma_km
    east = np.clip(rng.standard_normal(len(lat)), -SCATTER_CLIP, SCATTER_CLIP) * sigma_km
    return offset_km(lat, lon, north, east)


def _location(lat: float, lon: float) -> dict[str, float]:
    return {"lat": round(lat, COORDINATE_DECIMALS), "lon": round(lon, COORDINATE_DECIMALS)}


# --- the period ----------------------------------------------------------------------------------------


def _half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    return (dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)) if day.month <= 6 else \
        (dt.date(day.year, 7, 1), dt.date(day.year, 12, 31))


def _elapsed(day: dt.date) -> float:
    first, last = _half_year(day)
    return (day - first).days / ((last - first).days + 1)


def _period(rng: np.random.Generator) -> tuple[dt.date, float]:
    """A Monday of 2026 part-way through its half-year, and the share of the half-year already gone."""
    mondays = [FIRST_MONDAY + dt.timedelta(weeks=k) for k in range(53)]
    mondays = [day for day in mondays if day.year == YEAR and ELAPSED_RANGE[0] <= _elapsed(day) <= ELAPSED_RANGE[1]]
    start = mondays[int(rng.integers(len(mondays)))]
    return start, _elapsed(start)


# --- households ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _People:
    records: list[Record]
    sharers: int  # singles willing to share and expecting nobody, available this week
    kids: dict[str, int]  # children per school kind, of households available this week


def _single_count(n: int, share: float) -> int:
    """Singles for n households: near the drawn share, inside the stated bounds whenever some count fits."""
    low, high = math.ceil(SINGLE_SHARE_BOUNDS[0] * n), math.floor(SINGLE_SHARE_BOUNDS[1] * n)
    wanted = round(share * n)
    return min(max(wanted, low), high) if low <= high else wanted


def _households(rng: np.random.Generator, n: int, region: Region, start: dt.date, end: dt.date) -> _People:
    single = _exactly(rng, n, _single_count(n, rng.uniform(*SINGLE_SHARE_RANGE)))
    ages, expected, shareable = _members(rng, single)
    size = np.array([len(a) for a in ages], dtype=np.int64)
    final_size = size + expected
    needs_accessible = _exactly(rng, n, _count(n, NEEDS_ACCESSIBLE_SHARE, at_least=1))
    max_rent = _max_rents(rng, final_size)
    waiting_days = _waiting_days(rng, n)
    ties = _ties(rng, n, region)
    late, available_from = _household_availability(rng, n, start, end)
    records = []
    width = max(5, len(str(n - 1)))
    for i in range(n):
        record: Record = {"id": f"h{i:0{width}d}", "members": [{"age": age} for age in ages[i]]}
        if expected[i]:
            record["expected_members"] = int(expected[i])
        if needs_accessible[i]:
            record["needs_accessible"] = True
        record["max_rent"] = max_rent[i]
        if shareable[i]:
            record["shareable"] = True
        if ties[i]:
            record["ties"] = ties[i]
        record["waiting_since"] = (start - dt.timedelta(days=int(waiting_days[i]))).isoformat()
        if available_from[i] is not None:
            record["available_from"] = available_from[i]
        records.append(record)
    kids = {kind: sum(sum(low <= age <= high for age in ages[i]) for i in np.flatnonzero(~late).tolist())
            for kind, (low, high) in ((k, DEFAULT_POLICY.ages(k)) for k in SCHOOL_KINDS)}
    return _People(records=records, sharers=int((shareable & ~late).sum()), kids=kids)


def _members(rng: np.random.Generator, single: BoolArray) -> tuple[list[list[int]], IntArray, BoolArray]:
    """Ages of every household's members, expected family members, and who is willing to share."""
    n = len(single)
    ages: list[list[int]] = [[] for _ in range(n)]
    expected = np.zeros(n, dtype=np.int64)
    shareable = np.zeros(n, dtype=np.bool_)
    singles, families = np.flatnonzero(single), np.flatnonzero(~single)

    single_ages = ADULT_AGE + rng.gamma(SINGLE_AGE_SHAPE, SINGLE_AGE_SCALE, len(singles)).astype(np.int64)
    for i, age in zip(singles.tolist(), np.minimum(single_ages, OLDEST_AGE).tolist(), strict=True):
        ages[i] = [age]
    reunion = rng.random(len(singles)) < SINGLE_REUNIFICATION_SHARE
    expected[singles] = np.where(reunion, rng.choice(SINGLE_EXPECTED, len(singles), p=SINGLE_EXPECTED_WEIGHTS), 0)
    shareable[singles] = ~reunion & (rng.random(len(singles)) < SHAREABLE_SHARE)

    for i, family_ages in zip(families.tolist(), _family_ages(rng, len(families)), strict=True):
        ages[i] = family_ages
    sizes = np.array([len(ages[i]) for i in families], dtype=np.int64)
    joining = np.where(rng.random(len(families)) < FAMILY_REUNIFICATION_SHARE,
                       rng.integers(1, FAMILY_EXPECTED_MAX + 1, len(families)), 0)
    expected[families] = np.minimum(joining, MAX_FINAL_SIZE - sizes)
    return ages, expected, shareable


def _family_ages(rng: np.random.Generator, count: int) -> list[list[int]]:
    """Parents first, then children of every age 0-17; a couple without children when the size allows."""
    sizes = rng.choice(FAMILY_SIZES, count, p=FAMILY_SIZE_WEIGHTS)
    two_adults = rng.random(count) < np.where(sizes > SMALL_HOUSEHOLD, TWO_PARENT_SHARE, COUPLE_SHARE)
    adults = np.where(two_adults, 2, 1)
    children = sizes - adults
    child_ages = rng.integers(0, CHILD_MAX_AGE + 1, int(children.sum()))
    first_child = (np.cumsum(children) - children).astype(np.int64)
    oldest = np.zeros(count, dtype=np.int64)
    has_children = children > 0
    if has_children.any():
        oldest[has_children] = np.maximum.reduceat(child_ages, first_child[has_children])
    parent = np.where(has_children, PARENT_AGE_GAP + oldest, ADULT_AGE) + rng.integers(0, PARENT_AGE_SPREAD, count)
    parent = np.minimum(parent, OLDEST_AGE)
    partner = np.clip(parent + rng.integers(-PARTNER_AGE_SPREAD, PARTNER_AGE_SPREAD + 1, count), ADULT_AGE,
                      OLDEST_AGE)
    child_list = child_ages.tolist()
    result = []
    for p, q, two, first, k in zip(parent.tolist(), partner.tolist(), two_adults.tolist(), first_child.tolist(),
                                   children.tolist(), strict=True):
        result.append([p, q] + child_list[first:first + k] if two else [p] + child_list[first:first + k])
    return result


def _max_rents(rng: np.random.Generator, final_size: IntArray) -> list[int | None]:
    """The passend-toewijzen limit for the household's size; a few may pay more, a few have no limit."""
    n = len(final_size)
    limit = np.where(final_size <= SMALL_HOUSEHOLD, RENT_LIMIT_SMALL, RENT_LIMIT_LARGE)
    higher = rng.random(n) < HIGHER_RENT_SHARE
    limit = limit + np.where(higher, HIGHER_RENT_STEP * rng.integers(1, HIGHER_RENT_STEPS + 1, n), 0)
    no_limit = _exactly(rng, n, _count(n, NO_RENT_LIMIT_SHARE, at_least=1))
    return [None if free else value for value, free in zip(limit.tolist(), no_limit.tolist(), strict=True)]


def _waiting_days(rng: np.random.Generator, n: int) -> IntArray:
    """Waits of 1-40 weeks; an exact share past the policy's overdue mark (and at least one on each side)."""
    overdue_days = DAYS_PER_WEEK * DEFAULT_POLICY.overdue_weeks
    overdue_count = min(max(1, round(rng.uniform(*OVERDUE_SHARE_RANGE) * n)), max(1, n - 1))
    overdue = _exactly(rng, n, overdue_count)
    long_wait = rng.integers(overdue_days, DAYS_PER_WEEK * LONGEST_WAIT_WEEKS + 1, n)
    short_wait = rng.integers(DAYS_PER_WEEK * SHORTEST_WAIT_WEEKS, overdue_days, n)
    return np.where(overdue, long_wait, short_wait)


def _ties(rng: np.random.Generator, n: int, region: Region) -> list[list[Record]]:
    """Ties for about a fifth: to a town near the household's reception centre, or anywhere by population."""
    ties: list[list[Record]] = [[] for _ in range(n)]
    tied = np.flatnonzero(_exactly(rng, n, _count(n, TIE_SHARE, at_least=1)))
    k = len(tied)
    population_weights = region.population / region.population.sum()
    near_reception = _near_reception(rng, region, k)
    anywhere = rng.choice(len(region), size=k, p=population_weights)
    first = np.where(rng.random(k) < TIE_NEAR_RECEPTION_SHARE, near_reception, anywhere)
    kinds = rng.choice(len(TIE_KINDS), size=k, p=TIE_KIND_WEIGHTS)
    required = _exactly(rng, k, _count(k, REQUIRED_TIE_SHARE, at_least=1))
    second = rng.random(k) < SECOND_TIE_SHARE
    second_place = rng.choice(len(region), size=k, p=population_weights)
    second_kind = rng.choice(len(TIE_KINDS), size=k, p=TIE_KIND_WEIGHTS)
    for j, i in enumerate(tied.tolist()):
        tie: Record = {"municipality": region.codes[first[j]], "kind": TIE_KINDS[kinds[j]]}
        if required[j]:
            tie["required"] = True
        ties[i].append(tie)
        if second[j]:
            ties[i].append({"municipality": region.codes[second_place[j]], "kind": TIE_KINDS[second_kind[j]]})
    return ties


def _near_reception(rng: np.random.Generator, region: Region, count: int) -> IntArray:
    """For each tie, a municipality drawn by population damped by distance from a random reception centre."""
    km = _pairwise_km(region.reception_lat, region.reception_lon, region.lat, region.lon)
    weights = region.population[None, :] * np.exp(-km / TIE_DISTANCE_SCALE_KM)
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    centre = rng.integers(len(region.reception_lat), size=count)
    draw = rng.random(count)
    return np.minimum((cumulative[centre] < draw[:, None]).sum(axis=1), len(region) - 1)


def _pairwise_km(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    return haversine_km(lat1[:, None], lon1[:, None], lat2[None, :], lon2[None, :])


def _household_availability(rng: np.random.Generator, n: int, start: dt.date, end: dt.date
                            ) -> tuple[BoolArray, list[str | None]]:
    """Most can move now; a few only from a day in the week, a few (``late``) only after the period."""
    late = _exactly(rng, n, _count(n, HOUSEHOLD_LATE_SHARE, at_least=1))
    midweek = _exactly(rng, n, _count(n, HOUSEHOLD_MIDWEEK_SHARE), among=~late)
    return late, _availability_dates(rng, late, midweek, start, end)


def _availability_dates(rng: np.random.Generator, late: BoolArray, midweek: BoolArray, start: dt.date,
                        end: dt.date) -> list[str | None]:
    n = len(late)
    after_days = rng.integers(1, LATEST_ARRIVAL_DAYS + 1, n)
    within_days = rng.integers(1, (end - start).days + 1, n)
    dates: list[str | None] = []
    for i in range(n):
        if late[i]:
            dates.append((end + dt.timedelta(days=int(after_days[i]))).isoformat())
        elif midweek[i]:
            dates.append((start + dt.timedelta(days=int(within_days[i]))).isoformat())
        else:
            dates.append(None)
    return dates


# --- dwellings -----------------------------------------------------------------------------------------


@dataclass
class _Stock:
    """The dwellings as arrays while groups still move them and join them; records only at the end."""

    municipality: IntArray
    lat: FloatArray
    lon: FloatArray
    bedrooms: IntArray
    max_occupants: IntArray
    rent: IntArray
    accessible: BoolArray
    shared_places: IntArray
    available_from: list[str | None]
    available: BoolArray  # available within the period
    groups: list[list[str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.municipality)

    @property
    def persons(self) -> IntArray:
        """Persons a dwelling can take: its places when shared, else its maximum occupancy."""
        return np.where(self.shared_places > 0, self.shared_places, self.max_occupants)

    def records(self, region: Region) -> list[Record]:
        width = max(5, len(str(len(self) - 1)))
        lat = np.round(self.lat, COORDINATE_DECIMALS).tolist()
        lon = np.round(self.lon, COORDINATE_DECIMALS).tolist()
        records = []
        for i, (m, bedrooms, occupants, rent, accessible, places) in enumerate(zip(
                self.municipality.tolist(), self.bedrooms.tolist(), self.max_occupants.tolist(), self.rent.tolist(),
                self.accessible.tolist(), self.shared_places.tolist(), strict=True)):
            record: Record = {"id": f"d{i:0{width}d}", "municipality": region.codes[m],
                              "location": {"lat": lat[i], "lon": lon[i]}, "bedrooms": bedrooms,
                              "max_occupants": occupants, "rent": rent}
            if accessible:
                record["accessible"] = True
            if places:
                record["shared_places"] = places
            if self.groups[i]:
                record["groups"] = self.groups[i]
            if self.available_from[i] is not None:
                record["available_from"] = self.available_from[i]
            records.append(record)
        return records


def _dwellings(rng: np.random.Generator, n: int, region: Region, start: dt.date, end: dt.date,
               sharers: int) -> _Stock:
    municipality = rng.choice(len(region), size=n, p=region.population / region.population.sum())
    lat, lon = _around(rng, region.lat[municipality], region.lon[municipality], _scatter_km(region)[municipality])
    shared = _exactly(rng, n, _shared_count(n, sharers))
    bedrooms = rng.choice(len(BEDROOM_WEIGHTS), size=n, p=BEDROOM_WEIGHTS)
    larger = rng.random(n) < np.array(LARGER_OCCUPANCY_SHARE)[bedrooms]
    max_occupants = np.array(MAX_OCCUPANTS_CHOICES)[bedrooms, larger.astype(np.int64)]
    rent_range = np.array(RENT_RANGE_BY_BEDROOMS)[bedrooms]
    rent = _steps(rng, rent_range[:, 0], rent_range[:, 1], RENT_STEP)
    late = _exactly(rng, n, _count(n, DWELLING_LATE_SHARE, at_least=1 if n > 1 else 0))
    midweek = _exactly(rng, n, _count(n, DWELLING_MIDWEEK_SHARE), among=~late)
    places = rng.integers(SHARED_PLACES_RANGE[0], SHARED_PLACES_RANGE[1] + 1, n)
    open_shared = shared & ~late
    places[open_shared] = _fewer_places_than_sharers(places[open_shared], sharers)
    shared_places = np.where(shared, places, 0)
    bedrooms = np.where(shared, places, bedrooms)  # one room per sharer
    max_occupants = np.where(shared, places, max_occupants)
    rent = np.where(shared, _steps(rng, *SHARED_PLACE_RENT_RANGE, RENT_STEP), rent)
    accessible = _exactly(rng, n, _count(int((~shared).sum()), ACCESSIBLE_SHARE, at_least=1), among=~shared)
    usable = ~shared & ~late
    if usable.any() and not (accessible & usable).any():  # a step-free home someone can move into this week
        accessible |= _exactly(rng, n, 1, among=usable)
    return _Stock(
        municipality=municipality.astype(np.int64), lat=lat, lon=lon, bedrooms=bedrooms.astype(np.int64),
        max_occupants=max_occupants.astype(np.int64), rent=rent.astype(np.int64), accessible=accessible,
        shared_places=shared_places.astype(np.int64),
        available_from=_availability_dates(rng, late, midweek, start, end), available=~late,
        groups=[[] for _ in range(n)],
    )


def _shared_count(n: int, sharers: int) -> int:
    """Shared dwellings with somewhat fewer places than willing sharers, at least one, at most a fifth."""
    mean_places = sum(SHARED_PLACES_RANGE) / 2
    wanted = round(SHARED_PLACES_PER_SHARER * sharers / mean_places)
    return min(max(1, wanted), max(1, math.floor(MAX_SHARED_SHARE * n))) if n > 1 else 0


def _fewer_places_than_sharers(places: IntArray, sharers: int) -> IntArray:
    """Take places away from the largest shared dwellings until the sharers outnumber the places, if possible."""
    places = places.copy()
    while places.sum() >= sharers and places.max(initial=0) > SHARED_PLACES_RANGE[0]:
        places[np.argmax(places)] -= 1
    return places


# --- groups --------------------------------------------------------------------------------------------


def _groups(rng: np.random.Generator, stock: _Stock, region: Region) -> list[Record]:
    """Mixed-occupancy groups whose cap is (mostly) below their available member dwellings, so it binds.

    Members of a group lie in one municipality and close together: a complex at one address, a street
    along a few hundred metres, a neighbourhood within a kilometre or so. A dwelling belongs to at most one
    complex or street and at most one neighbourhood.
    """
    n_groups = max(1, round(GROUPS_PER_DWELLING * len(stock)))
    order = np.argsort(stock.municipality, kind="stable")
    bounds = np.searchsorted(stock.municipality[order], np.arange(len(region) + 1))
    by_municipality = [order[bounds[m]:bounds[m + 1]] for m in range(len(region))]
    taken = np.zeros((len(stock), 1 + max(kind.level for kind in GROUP_KINDS)), dtype=np.bool_)
    drawn = rng.choice(len(GROUP_KINDS), size=n_groups, p=[kind.weight for kind in GROUP_KINDS])
    drawn = drawn[np.argsort([-GROUP_KINDS[k].level for k in drawn], kind="stable")]  # areas before buildings
    records: list[Record] = []
    binding_yet = False
    for first_choice in drawn.tolist():
        for kind in (GROUP_KINDS[first_choice], *GROUP_KINDS):  # fall back to a kind that still fits
            free_count = np.bincount(stock.municipality[~taken[:, kind.level]], minlength=len(region))
            if free_count.max(initial=0) >= kind.members[0]:
                break
        else:
            break
        weights = np.where(free_count >= kind.members[0], free_count, 0).astype(np.float64)
        m = int(rng.choice(len(region), p=weights / weights.sum()))
        free = by_municipality[m][~taken[by_municipality[m], kind.level]]
        size = int(rng.integers(kind.members[0], min(kind.members[1], len(free)) + 1))
        members = np.sort(rng.choice(free, size=size, replace=False))
        taken[members, kind.level] = True
        group_id = f"g{len(records):04d}"
        for d in members.tolist():
            stock.groups[d].append(group_id)
        _gather(rng, stock, members, kind.spread_km)
        available_members = int(stock.available[members].sum())
        record, cap = _group_record(rng, group_id, kind, available_members, must_bind=not binding_yet)
        records.append(record)
        binding_yet |= cap < available_members
    return records


def _gather(rng: np.random.Generator, stock: _Stock, members: IntArray, spread_km: float) -> None:
    """Move the members close to the first one."""
    centre_lat = np.full(len(members), stock.lat[members[0]])
    centre_lon = np.full(len(members), stock.lon[members[0]])
    stock.lat[members], stock.lon[members] = _around(rng, centre_lat, centre_lon, spread_km)


def _group_record(rng: np.random.Generator, group_id: str, kind: GroupKind, available_members: int,
                  must_bind: bool) -> tuple[Record, int]:
    """Units and status-holder units chosen so the cap is below the available members (mostly; always when
    ``must_bind`` and some member is available). Returns the record and its cap."""
    max_share = kind.max_shares[int(rng.integers(len(kind.max_shares)))]
    share = DEFAULT_POLICY.default_max_share if max_share is None else max_share
    if available_members >= 1 and (must_bind or rng.random() >= NON_BINDING_GROUP_SHARE):
        cap = int(rng.integers(1, available_members)) if available_members >= 2 else 0
    else:
        cap = available_members
    units = int(rng.integers(kind.units[0], kind.units[1] + 1))
    while floor_share(share * units) < cap:
        units += 1
    record: Record = {"id": group_id, "kind": kind.name, "units": units,
                      "status_holder_units": floor_share(share * units) - cap}
    if max_share is not None:
        record["max_share"] = max_share
    return record, cap


# --- schools -------------------------------------------------------------------------------------------


def _seats(children: int) -> int:
    """Free seats for a kind: about SEAT_SHARE per child and strictly fewer than the children, but one child
    alone still finds a seat somewhere."""
    return min(math.ceil(SEAT_SHARE * children), children - 1) if children >= 2 else children


def _schools(rng: np.random.Generator, region: Region, spec: Preset, kids: dict[str, int]) -> list[Record]:
    """Primary schools spread over towns, ISK locations in the larger ones; fewer seats than children."""
    scatter = _scatter_km(region)
    records: list[Record] = []
    plan = (("primary", spec.primary_schools, PRIMARY_SPREAD_EXPONENT, PRIMARY_SCATTER),
            ("secondary", spec.secondary_schools, 1.0, SECONDARY_SCATTER))
    for kind, count, exponent, spread in plan:
        weights = region.population.astype(np.float64) ** exponent
        town = rng.choice(len(region), size=count, p=weights / weights.sum())
        lat, lon = _around(rng, region.lat[town], region.lon[town], spread * scatter[town])
        seats = rng.multinomial(_seats(kids[kind]), np.full(count, 1.0 / count))
        for i in range(count):
            records.append({"id": f"s{len(records):04d}", "kind": kind, "location": _location(lat[i], lon[i]),
                            "seats": int(seats[i])})
    return records


# --- municipalities ------------------------------------------------------------------------------------


def _municipalities(rng: np.random.Generator, region: Region, elapsed: float, stock: _Stock) -> list[Record]:
    """Targets by population; `housed` part-way, each town at its own pace; one cap made to bind if none does."""
    national = int(rng.integers(NATIONAL_TARGET_RANGE[0], NATIONAL_TARGET_RANGE[1] + 1))
    target = np.rint(region.population * national / NATIONAL_POPULATION).astype(np.int64)
    ceiling = np.array([floor_share(t * (1 + DEFAULT_POLICY.max_over_target_share)) for t in target.tolist()],
                       dtype=np.int64)
    pace = rng.uniform(*HOUSING_PACE_RANGE, len(region))
    housed = np.clip(np.rint(target * elapsed * pace), 0, ceiling).astype(np.int64)
    offered = np.bincount(stock.municipality[stock.available], weights=stock.persons[stock.available],
                          minlength=len(region)).astype(np.int64)
    if (offered > 0).any() and not ((ceiling - housed < offered) & (offered > 0)).any():
        m = int(rng.choice(np.flatnonzero(offered > 0)))
        cap = int(rng.integers(1, offered[m])) if offered[m] >= 2 else 0  # room left, but not for all offered
        housed[m] = max(0, ceiling[m] - cap)
    return [{"id": code, "name": name, "target": int(t), "housed": int(h)}
            for code, name, t, h in zip(region.codes, region.names, target.tolist(), housed.tolist(), strict=True)]


# --- locks and forbidden pairs -------------------------------------------------------------------------


def _locks_and_forbidden(rng: np.random.Generator, document: dict[str, Any], spec: Preset
                         ) -> tuple[list[Record], list[Record]]:
    """Locks that keep every rule together, and forbidden pairs that would otherwise be compatible.

    A locked household has no school-age children, so that no school seat is involved; the locks are
    taken one by one while municipality, group and dwelling capacities still allow them. A very small
    resized instance may offer fewer valid locks than the preset asks for; it then gets fewer.
    """
    facts = derive_facts(load_instance(document))
    households, dwellings = facts.households, facts.dwellings
    persons_left = facts.municipalities.cap.copy()
    group_left = facts.groups.cap.copy()
    places_left = dwellings.households_capacity.copy()
    occupied = np.zeros(len(dwellings), dtype=np.bool_)
    locks: list[Record] = []
    locked = np.zeros(len(households), dtype=np.bool_)
    for h in rng.permutation(len(households)).tolist():
        if len(locks) == spec.locks:
            break
        if households.kids[h].any():
            continue
        for d in _compatible_dwellings(facts, h, rng).tolist():
            m, groups = dwellings.municipality[d], dwellings.groups[d]
            opens = not occupied[d]
            if places_left[d] < 1 or persons_left[m] < households.size[h] or (opens and (group_left[groups] < 1).any()):
                continue
            places_left[d] -= 1
            persons_left[m] -= households.size[h]
            if opens:
                group_left[groups] -= 1
                occupied[d] = True
            locked[h] = True
            locks.append({"household": households.ids[h], "dwelling": dwellings.ids[d]})
            break
    return locks, _forbidden(rng, facts, locked, spec.forbidden)


def _compatible_dwellings(facts: Facts, household: int, rng: np.random.Generator) -> IntArray:
    row = compatible_block(facts, slice(household, household + 1))[0]
    return rng.permutation(np.flatnonzero(row))


def _forbidden(rng: np.random.Generator, facts: Facts, locked: BoolArray, count: int) -> list[Record]:
    forbidden: list[Record] = []
    for h in rng.permutation(np.flatnonzero(~locked)).tolist():
        if len(forbidden) == count:
            break
        options = _compatible_dwellings(facts, h, rng)
        if len(options):
            forbidden.append({"household": facts.households.ids[h], "dwelling": facts.dwellings.ids[int(options[0])],
                              "reason": FORBIDDEN_REASONS[int(rng.integers(len(FORBIDDEN_REASONS)))]})
    return forbidden
