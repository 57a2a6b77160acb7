"""Households: mostly single status holders, some large families, reunification, ties, waiting dates.

Sizes, ages and rent limits follow what a Dutch region sees (passend toewijzen 2026); an exact share is
overdue; a few are available only from a day inside the week or after it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from matcher.facts import haversine_km
from matcher.format import SCHOOL_KINDS, TIE_KINDS
from matcher.generator.common import (
    DAYS_PER_WEEK,
    DEFAULT_POLICY,
    BoolArray,
    FloatArray,
    IntArray,
    Record,
    availability_dates,
    count,
    exactly,
)
from matcher.generator.variety import STANDARD, YOUNG_AGE, Variety
from matcher.household_types import ADULT_AGE
from matcher.regions import Region

SINGLE_SHARE_RANGE = (0.72, 0.82)  # share of households that arrive as one person
SINGLE_SHARE_BOUNDS = (0.70, 0.85)  # kept even for a handful of households, where rounding matters
SINGLE_AGE_SHAPE, SINGLE_AGE_SCALE = 2.0, 6.0  # gamma: most single status holders are in their twenties
OLDEST_AGE = 75
SHAREABLE_SHARE = 0.6  # of singles expecting nobody
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
MAX_FINAL_SIZE = 8  # the largest dwellings take 8 persons
RENT_LIMIT_SMALL = 713  # passend toewijzen 2026, 1-2 persons
RENT_LIMIT_LARGE = 764  # passend toewijzen 2026, 3 or more persons
SMALL_HOUSEHOLD = 2
NO_RENT_LIMIT_SHARE = 0.04
OVERDUE_SHARE_RANGE = (0.35, 0.6)
SHORTEST_WAIT_WEEKS = 1
TIE_KIND_WEIGHTS = (0.3, 0.2, 0.35, 0.15)  # in TIE_KINDS order: work, education, family, care
TIE_NEAR_RECEPTION_SHARE = 0.5  # the rest: anywhere, weighted by population
TIE_DISTANCE_SCALE_KM = 10.0
HOUSEHOLD_LATE_SHARE = 0.04  # available only after the period
HOUSEHOLD_MIDWEEK_SHARE = 0.05  # available from a day inside the period

@dataclass(frozen=True)
class People:
    records: list[Record]
    sharers: int  # singles willing to share and expecting nobody, available this week
    kids: dict[str, int]  # children per school kind, of households available this week


def _single_count(n: int, share: float) -> int:
    """Singles for n households: near the drawn share, inside the stated bounds whenever some count fits."""
    low, high = math.ceil(SINGLE_SHARE_BOUNDS[0] * n), math.floor(SINGLE_SHARE_BOUNDS[1] * n)
    wanted = round(share * n)
    return min(max(wanted, low), high) if low <= high else wanted


def draw_households(rng: np.random.Generator, n: int, region: Region, start: dt.date, end: dt.date,
                    variety: Variety = STANDARD) -> People:
    single = exactly(rng, n, _single_count(n, rng.uniform(*SINGLE_SHARE_RANGE)))
    ages, expected, shareable = _members(rng, single, variety)
    size = np.array([len(a) for a in ages], dtype=np.int64)
    final_size = size + expected
    needs_accessible = exactly(rng, n, count(n, variety.needs_accessible_share, at_least=1))
    young = np.array([len(a) == 1 and a[0] < YOUNG_AGE for a in ages], dtype=np.bool_) & (final_size == 1)
    max_rent = _max_rents(rng, final_size, young, variety)
    waiting_days = _waiting_days(rng, n, variety)
    ties = _ties(rng, n, region, variety)
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
    return People(records=records, sharers=int((shareable & ~late).sum()), kids=kids)


def _members(rng: np.random.Generator, single: BoolArray, variety: Variety
             ) -> tuple[list[list[int]], IntArray, BoolArray]:
    """Ages of every household's members, expected family members, and who is willing to share."""
    n = len(single)
    ages: list[list[int]] = [[] for _ in range(n)]
    expected = np.zeros(n, dtype=np.int64)
    shareable = np.zeros(n, dtype=np.bool_)
    singles, families = np.flatnonzero(single), np.flatnonzero(~single)

    single_ages = ADULT_AGE + rng.gamma(SINGLE_AGE_SHAPE, SINGLE_AGE_SCALE, len(singles)).astype(np.int64)
    for i, age in zip(singles.tolist(), np.minimum(single_ages, OLDEST_AGE).tolist(), strict=True):
        ages[i] = [age]
    reunion = rng.random(len(singles)) < variety.single_reunification_share
    expected[singles] = np.where(reunion, rng.choice(SINGLE_EXPECTED, len(singles), p=SINGLE_EXPECTED_WEIGHTS), 0)
    shareable[singles] = ~reunion & (rng.random(len(singles)) < SHAREABLE_SHARE)

    for i, family_ages in zip(families.tolist(), _family_ages(rng, len(families)), strict=True):
        ages[i] = family_ages
    sizes = np.array([len(ages[i]) for i in families], dtype=np.int64)
    joining = np.where(rng.random(len(families)) < variety.family_reunification_share,
                       rng.integers(1, variety.family_expected_max + 1, len(families)), 0)
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


def _max_rents(rng: np.random.Generator, final_size: IntArray, young: BoolArray, variety: Variety
               ) -> list[int | None]:
    """The passend-toewijzen limit for the household's size (in wide lists, a lower one for young singles); a few
    may pay more, a few have no limit."""
    n = len(final_size)
    limit = np.where(final_size <= SMALL_HOUSEHOLD, RENT_LIMIT_SMALL, RENT_LIMIT_LARGE)
    if variety.young_rent_limit is not None:
        limit = np.where(young, variety.young_rent_limit, limit)
    higher = rng.random(n) < variety.higher_rent_share
    limit = limit + np.where(higher, variety.higher_rent_step * rng.integers(1, variety.higher_rent_steps + 1, n), 0)
    no_limit = exactly(rng, n, count(n, NO_RENT_LIMIT_SHARE, at_least=1))
    return [None if free else value for value, free in zip(limit.tolist(), no_limit.tolist(), strict=True)]


def _waiting_days(rng: np.random.Generator, n: int, variety: Variety) -> IntArray:
    """Waits of 1-40 weeks; an exact share past the policy's overdue mark (and at least one on each side)."""
    overdue_days = DAYS_PER_WEEK * DEFAULT_POLICY.overdue_weeks
    overdue_count = min(max(1, round(rng.uniform(*OVERDUE_SHARE_RANGE) * n)), max(1, n - 1))
    overdue = exactly(rng, n, overdue_count)
    long_wait = rng.integers(overdue_days, DAYS_PER_WEEK * variety.longest_wait_weeks + 1, n)
    short_wait = rng.integers(DAYS_PER_WEEK * SHORTEST_WAIT_WEEKS, overdue_days, n)
    return np.where(overdue, long_wait, short_wait)


def _ties(rng: np.random.Generator, n: int, region: Region, variety: Variety) -> list[list[Record]]:
    """Ties for about a fifth: to a town near the household's reception centre, or anywhere by population."""
    ties: list[list[Record]] = [[] for _ in range(n)]
    tied = np.flatnonzero(exactly(rng, n, count(n, variety.tie_share, at_least=1)))
    k = len(tied)
    population_weights = region.population / region.population.sum()
    near_reception = _near_reception(rng, region, k)
    anywhere = rng.choice(len(region), size=k, p=population_weights)
    first = np.where(rng.random(k) < TIE_NEAR_RECEPTION_SHARE, near_reception, anywhere)
    kinds = rng.choice(len(TIE_KINDS), size=k, p=TIE_KIND_WEIGHTS)
    required = exactly(rng, k, count(k, variety.required_tie_share, at_least=1))
    second = rng.random(k) < variety.second_tie_share
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
    late = exactly(rng, n, count(n, HOUSEHOLD_LATE_SHARE, at_least=1))
    midweek = exactly(rng, n, count(n, HOUSEHOLD_MIDWEEK_SHARE), among=~late)
    return late, availability_dates(rng, late, midweek, start, end)

