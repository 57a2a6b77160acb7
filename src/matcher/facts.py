"""Derived facts of a validated instance as numpy arrays, one row per record in input order.

Everything downstream (pair derivation, the model, the greedy baseline, explanations) reads these arrays
instead of the pydantic records, so that derived quantities such as ``need`` or a municipality's cap are
computed in exactly one place, exactly as ``docs/format.md`` defines them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matcher.format import SCHOOL_KINDS, TIE_KINDS, Instance

EARTH_RADIUS_KM = 6371.0088
SHARE_EPSILON = 1e-9  # "floor(x)" on a share is floor(x + 1e-9)
DISTANCE_TOLERANCE_KM = 1e-9  # "within L" is distance <= L + 1e-9; ceil(distance) is ceil(distance - 1e-9)
DAYS_PER_WEEK = 7
LARGEST_CAP = 2**40  # a cap this large never binds; keeps a huge max_over_target_share within int64

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def floor_share(value: float) -> int:
    return math.floor(value + SHARE_EPSILON)


def ceil_km(distance_km: float | FloatArray) -> int | IntArray:
    """Whole kilometres charged for a school trip, as the format rounds them."""
    if isinstance(distance_km, np.ndarray):
        return np.ceil(distance_km - DISTANCE_TOLERANCE_KM).astype(np.int64)
    return math.ceil(distance_km - DISTANCE_TOLERANCE_KM)


def haversine_km(lat1: FloatArray | float, lon1: FloatArray | float,
                 lat2: FloatArray | float, lon2: FloatArray | float) -> FloatArray:
    """Great-circle distance on the format's sphere; broadcasts like numpy."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = (np.radians(lon2) - np.radians(lon1)) / 2.0
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class Households:
    ids: list[str]
    size: IntArray
    final_size: IntArray
    need: IntArray  # bedrooms needed: max(1, ceil(final_size / persons_per_bedroom))
    kids: IntArray  # shape (n, 2): children needing a school, columns in SCHOOL_KINDS order
    overdue: BoolArray
    waiting_days: IntArray
    max_rent: FloatArray  # +inf where the household gave no limit
    needs_accessible: BoolArray
    sharer: BoolArray  # may take a place in a shared dwelling: single, nobody expected, shareable
    available: BoolArray  # available_from <= period.end
    has_required_tie: BoolArray
    required_tie: BoolArray  # shape (n, municipalities)
    tie_bonus: IntArray  # shape (n, municipalities): largest tie weight to that municipality, else 0

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Dwellings:
    ids: list[str]
    municipality: IntArray
    lat: FloatArray
    lon: FloatArray
    bedrooms: IntArray
    max_occupants: IntArray
    rent: FloatArray
    accessible: BoolArray
    shared_places: IntArray
    available: BoolArray
    groups: list[IntArray]  # group indices of each dwelling

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def shared(self) -> BoolArray:
        return self.shared_places > 0

    @property
    def households_capacity(self) -> IntArray:
        """How many households a dwelling can take: one, or one per shared place."""
        return np.where(self.shared_places > 0, self.shared_places, 1)


@dataclass(frozen=True)
class Municipalities:
    ids: list[str]
    target: IntArray
    housed: IntArray
    cap: IntArray  # persons that may still be placed: max(0, floor(target * (1 + share)) - housed)


@dataclass(frozen=True)
class Groups:
    ids: list[str]
    cap: IntArray  # distinct dwellings that may still receive a household
    dwellings: list[IntArray]


@dataclass(frozen=True)
class Schools:
    ids: list[str]
    kind: IntArray  # index into SCHOOL_KINDS
    lat: FloatArray
    lon: FloatArray
    seats: IntArray


@dataclass(frozen=True)
class SchoolReach:
    """For one school kind, the schools within range of each dwelling, in CSR form (sorted by distance)."""

    start: IntArray  # schools of dwelling d are school[start[d]:start[d + 1]]
    school: IntArray
    km: FloatArray
    cost_km: IntArray  # ceil(km) as the quality objective charges it

    def of(self, dwelling: int) -> slice:
        return slice(int(self.start[dwelling]), int(self.start[dwelling + 1]))


@dataclass(frozen=True)
class Facts:
    instance: Instance
    households: Households
    dwellings: Dwellings
    municipalities: Municipalities
    groups: Groups
    schools: Schools
    reach: dict[str, SchoolReach]  # keyed by school kind
    household_index: dict[str, int]
    dwelling_index: dict[str, int]
    school_index: dict[str, int]
    municipality_index: dict[str, int]
    group_index: dict[str, int]
    forbidden: frozenset[tuple[int, int]]  # declined (household, dwelling) pairs by index
    previous: dict[int, int] = field(default_factory=dict)  # household -> its dwelling in the proposal under review


def derive_facts(instance: Instance) -> Facts:
    """Compute every derived array once; the instance must already be validated."""
    municipality_index = {m.id: i for i, m in enumerate(instance.municipalities)}
    group_index = {g.id: i for i, g in enumerate(instance.groups)}
    dwellings = _dwellings(instance, municipality_index, group_index)
    schools = _schools(instance)
    return Facts(
        instance=instance,
        households=_households(instance, municipality_index),
        dwellings=dwellings,
        municipalities=_municipalities(instance),
        groups=_groups(instance, dwellings),
        schools=schools,
        reach={kind: _school_reach(instance, dwellings, schools, kind) for kind in SCHOOL_KINDS},
        household_index={h.id: i for i, h in enumerate(instance.households)},
        dwelling_index={d.id: i for i, d in enumerate(instance.dwellings)},
        school_index={s.id: i for i, s in enumerate(instance.schools)},
        municipality_index=municipality_index,
        group_index=group_index,
        forbidden=_forbidden_pairs(instance),
        previous=_previous_pairs(instance),
    )


def _previous_pairs(instance: Instance) -> dict[int, int]:
    household_index = {h.id: i for i, h in enumerate(instance.households)}
    dwelling_index = {d.id: i for i, d in enumerate(instance.dwellings)}
    return {household_index[p.household]: dwelling_index[p.dwelling] for p in instance.previous}


def _forbidden_pairs(instance: Instance) -> frozenset[tuple[int, int]]:
    household_index = {h.id: i for i, h in enumerate(instance.households)}
    dwelling_index = {d.id: i for i, d in enumerate(instance.dwellings)}
    return frozenset((household_index[f.household], dwelling_index[f.dwelling]) for f in instance.forbidden)


def _households(instance: Instance, municipality_index: dict[str, int]) -> Households:
    policy = instance.policy
    records = instance.households
    n, n_municipalities = len(records), len(instance.municipalities)
    size = np.array([h.size for h in records], dtype=np.int64)
    final_size = size + np.array([h.expected_members for h in records], dtype=np.int64)
    need = np.maximum(1, np.ceil(final_size / policy.persons_per_bedroom)).astype(np.int64)
    kids = np.zeros((n, len(SCHOOL_KINDS)), dtype=np.int64)
    for column, kind in enumerate(SCHOOL_KINDS):
        low, high = policy.ages(kind)
        kids[:, column] = [sum(low <= m.age <= high for m in h.members) for h in records]
    waiting_days = np.array([(instance.period.start - h.waiting_since).days for h in records], dtype=np.int64)
    required_tie = np.zeros((n, n_municipalities), dtype=np.bool_)
    tie_bonus = np.zeros((n, n_municipalities), dtype=np.int64)
    has_tie = np.zeros((n, n_municipalities), dtype=np.bool_)
    weights = policy.quality_weights.tie
    for i, household in enumerate(records):
        for tie in household.ties:
            m = municipality_index[tie.municipality]
            weight = weights.for_kind(tie.kind)
            tie_bonus[i, m] = weight if not has_tie[i, m] else max(tie_bonus[i, m], weight)
            has_tie[i, m] = True
            required_tie[i, m] |= tie.required
    return Households(
        ids=[h.id for h in records],
        size=size,
        final_size=final_size,
        need=need,
        kids=kids,
        overdue=waiting_days >= DAYS_PER_WEEK * policy.overdue_weeks,
        waiting_days=waiting_days,
        max_rent=np.array([np.inf if h.max_rent is None else h.max_rent for h in records], dtype=np.float64),
        needs_accessible=np.array([h.needs_accessible for h in records], dtype=np.bool_),
        sharer=np.array([h.size == 1 and h.expected_members == 0 and h.shareable for h in records], dtype=np.bool_),
        available=np.array([instance.household_available_from(h) <= instance.period.end for h in records],
                           dtype=np.bool_),
        has_required_tie=np.any(required_tie, axis=1),
        required_tie=required_tie,
        tie_bonus=tie_bonus,
    )


def _dwellings(instance: Instance, municipality_index: dict[str, int], group_index: dict[str, int]) -> Dwellings:
    records = instance.dwellings
    return Dwellings(
        ids=[d.id for d in records],
        municipality=np.array([municipality_index[d.municipality] for d in records], dtype=np.int64),
        lat=np.array([d.location.lat for d in records], dtype=np.float64),
        lon=np.array([d.location.lon for d in records], dtype=np.float64),
        bedrooms=np.array([d.bedrooms for d in records], dtype=np.int64),
        max_occupants=np.array([d.max_occupants for d in records], dtype=np.int64),
        rent=np.array([d.rent for d in records], dtype=np.float64),
        accessible=np.array([d.accessible for d in records], dtype=np.bool_),
        shared_places=np.array([d.shared_places for d in records], dtype=np.int64),
        available=np.array([instance.dwelling_available_from(d) <= instance.period.end for d in records],
                           dtype=np.bool_),
        groups=[np.array(sorted({group_index[g] for g in d.groups}), dtype=np.int64) for d in records],
    )


def _municipalities(instance: Instance) -> Municipalities:
    share = instance.policy.max_over_target_share
    records = instance.municipalities
    return Municipalities(
        ids=[m.id for m in records],
        target=np.array([m.target for m in records], dtype=np.int64),
        housed=np.array([m.housed for m in records], dtype=np.int64),
        cap=np.array([municipality_cap(m.target, m.housed, share) for m in records], dtype=np.int64),
    )


def municipality_cap(target: int, housed: int, max_over_target_share: float) -> int:
    """Persons a municipality may still receive: ``max(0, floor(target * (1 + share)) - housed)``."""
    allowed = min(target * (1 + max_over_target_share), float(LARGEST_CAP))
    return max(0, floor_share(allowed) - housed)


def _groups(instance: Instance, dwellings: Dwellings) -> Groups:
    members: list[list[int]] = [[] for _ in instance.groups]
    for d, groups in enumerate(dwellings.groups):
        for g in groups:
            members[int(g)].append(d)
    return Groups(
        ids=[g.id for g in instance.groups],
        cap=np.array([max(0, floor_share(instance.group_max_share(g) * g.units) - g.status_holder_units)
                      for g in instance.groups], dtype=np.int64),
        dwellings=[np.array(m, dtype=np.int64) for m in members],
    )


def _schools(instance: Instance) -> Schools:
    records = instance.schools
    return Schools(
        ids=[s.id for s in records],
        kind=np.array([SCHOOL_KINDS.index(s.kind) for s in records], dtype=np.int64),
        lat=np.array([s.location.lat for s in records], dtype=np.float64),
        lon=np.array([s.location.lon for s in records], dtype=np.float64),
        seats=np.array([s.seats for s in records], dtype=np.int64),
    )


SCHOOL_REACH_CHUNK = 2048  # dwellings per block, so a national instance never builds a huge distance matrix


def _school_reach(instance: Instance, dwellings: Dwellings, schools: Schools, kind: str) -> SchoolReach:
    limit = instance.policy.max_school_km.for_kind(kind) + DISTANCE_TOLERANCE_KM
    of_kind = np.flatnonzero(schools.kind == SCHOOL_KINDS.index(kind))
    counts = np.zeros(len(dwellings), dtype=np.int64)
    school_parts: list[IntArray] = []
    km_parts: list[FloatArray] = []
    for begin in range(0, len(dwellings), SCHOOL_REACH_CHUNK):
        rows = slice(begin, begin + SCHOOL_REACH_CHUNK)
        km = haversine_km(dwellings.lat[rows, None], dwellings.lon[rows, None],
                          schools.lat[None, of_kind], schools.lon[None, of_kind])
        km = np.where(km <= limit, km, np.inf)
        order = np.argsort(km, axis=1, kind="stable")
        sorted_km = np.take_along_axis(km, order, axis=1)
        within = np.isfinite(sorted_km)
        counts[rows] = within.sum(axis=1)
        school_parts.append(of_kind[order[within]])
        km_parts.append(sorted_km[within])
    school = np.concatenate(school_parts) if school_parts else np.zeros(0, dtype=np.int64)
    km = np.concatenate(km_parts) if km_parts else np.zeros(0, dtype=np.float64)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    cost_km = np.asarray(ceil_km(km), dtype=np.int64)
    return SchoolReach(start=start, school=school.astype(np.int64), km=km, cost_km=cost_km)


def tie_kinds_to(instance: Instance, household: int, municipality: str) -> list[str]:
    """The kinds of the household's ties to a municipality, for explanations."""
    return sorted({t.kind for t in instance.households[household].ties if t.municipality == municipality},
                  key=TIE_KINDS.index)


def waiting_weeks(facts: Facts, household: int) -> int:
    """Whole weeks since ``waiting_since`` at the start of the period: what explanations and answers show."""
    return int(facts.households.waiting_days[household] // DAYS_PER_WEEK)
