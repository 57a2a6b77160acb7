"""What an instance holds, in the numbers a coordinator checks before asking for a proposal.

``matcher validate`` shows this summary for a valid instance: how many singles, couples and families wait,
what dwellings are offered where, how many pairs are compatible and which households have none, and the
caps that will bind (municipalities, groups, school seats). It is computed here as plain data from the
derived facts and the number of compatible dwellings per household (``matcher.rules.compatible_counts``,
which never lists the tens of millions of pairs of a national instance), so the command line, the service
and tests read the same figures; formatting belongs to the caller.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.household_types import COUPLE, FAMILY, SINGLE, household_type

LARGEST_BEDROOM_CLASS = 4  # dwellings with this many bedrooms or more are counted together ("4+")
STUDIO = "studio"
SHARED = "shared"
DWELLING_TYPES = (STUDIO, *(str(b) for b in range(1, LARGEST_BEDROOM_CLASS)), f"{LARGEST_BEDROOM_CLASS}+", SHARED)


@dataclass(frozen=True)
class HouseholdSummary:
    total: int
    persons: int  # members who move in now (expected family members not included)
    by_size: dict[int, int]  # household size -> households
    singles: int
    shareable_singles: int  # singles who may take a place in a shared dwelling (none expected, willing)
    couples: int
    families: int
    families_by_size: dict[int, int]
    needing_step_free: int
    expecting_reunification: int  # households with expected_members > 0
    expected_members: int
    overdue: int
    unavailable: int  # available only after the period ends


@dataclass(frozen=True)
class DwellingSummary:
    total: int
    by_type: dict[str, int]  # "studio", "1", "2", "3", "4+" bedrooms (not shared), "shared"
    shared_places: int  # places over all shared dwellings
    step_free: int
    unavailable: int  # available only after the period ends (per municipality: see MunicipalitySummary)


@dataclass(frozen=True)
class PairSummary:
    compatible: int
    households_without_pair: list[str]  # ids, in input order


@dataclass(frozen=True)
class SchoolKindSummary:
    kind: str
    schools: int
    seats: int  # free seats for newcomer pupils over all schools of the kind
    pupils: int  # children of the kind's ages over all households


@dataclass(frozen=True)
class MunicipalitySummary:
    id: str
    name: str
    target: int
    housed: int
    cap: int  # persons that may still be placed: max(0, floor(target * (1 + share)) - housed)
    dwellings: int  # dwellings offered there in this instance


@dataclass(frozen=True)
class GroupSummary:
    id: str
    kind: str
    units: int
    status_holder_units: int
    max_share: float  # the group's own, or the policy default
    cap: int  # dwellings of the group that may still receive a household
    dwellings: int  # dwellings of this instance in the group


@dataclass(frozen=True)
class Summary:
    instance: str
    period_start: str
    period_end: str
    households: HouseholdSummary
    dwellings: DwellingSummary
    pairs: PairSummary
    schools: list[SchoolKindSummary]
    municipalities: list[MunicipalitySummary]
    groups: list[GroupSummary]
    locks: int
    forbidden: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: nested dicts and lists of plain values (integer keys become strings in JSON)."""
        return dataclasses.asdict(self)


def summarize(facts: Facts, pairs_per_household: IntArray) -> Summary:
    """``pairs_per_household[h]``: dwellings household h is compatible with (``compatible_counts``, or
    ``np.bincount(pairs.household, minlength=len(facts.households))`` for listed pairs)."""
    instance = facts.instance
    return Summary(
        instance=instance.id,
        period_start=instance.period.start.isoformat(),
        period_end=instance.period.end.isoformat(),
        households=_households(facts),
        dwellings=_dwellings(facts),
        pairs=_pairs(facts, pairs_per_household),
        schools=[_school_kind(facts, column, kind) for column, kind in enumerate(SCHOOL_KINDS)],
        municipalities=_municipalities(facts),
        groups=_groups(facts),
        locks=len(instance.locks),
        forbidden=len(instance.forbidden),
    )


def _households(facts: Facts) -> HouseholdSummary:
    h = facts.households
    records = facts.instance.households
    types = [household_type([member.age for member in record.members]) for record in records]
    singles = np.array([kind == SINGLE for kind in types], dtype=np.bool_)
    families = [record.size for record, kind in zip(records, types, strict=True) if kind == FAMILY]
    expected = np.array([record.expected_members for record in records], dtype=np.int64)
    return HouseholdSummary(
        total=len(h),
        persons=int(h.size.sum()),
        by_size=_sorted_counts(int(size) for size in h.size),
        singles=int(singles.sum()),
        shareable_singles=int((singles & h.sharer).sum()),
        couples=types.count(COUPLE),
        families=len(families),
        families_by_size=_sorted_counts(families),
        needing_step_free=int(h.needs_accessible.sum()),
        expecting_reunification=int((expected > 0).sum()),
        expected_members=int(expected.sum()),
        overdue=int(h.overdue.sum()),
        unavailable=int((~h.available).sum()),
    )


def _sorted_counts(values: Iterable[int]) -> dict[int, int]:
    return dict(sorted(Counter(values).items()))


def dwelling_type(bedrooms: int, shared_places: int) -> str:
    """The class a dwelling is counted in: ``shared``, ``studio``, ``1`` .. ``3`` or ``4+`` bedrooms."""
    if shared_places > 0:
        return SHARED
    if bedrooms == 0:
        return STUDIO
    return str(bedrooms) if bedrooms < LARGEST_BEDROOM_CLASS else f"{LARGEST_BEDROOM_CLASS}+"


def _dwellings(facts: Facts) -> DwellingSummary:
    d = facts.dwellings
    types = Counter(dwelling_type(int(b), int(p)) for b, p in zip(d.bedrooms, d.shared_places, strict=True))
    return DwellingSummary(
        total=len(d),
        by_type={kind: types[kind] for kind in DWELLING_TYPES},
        shared_places=int(d.shared_places.sum()),
        step_free=int(d.accessible.sum()),
        unavailable=int((~d.available).sum()),
    )


def _pairs(facts: Facts, pairs_per_household: IntArray) -> PairSummary:
    return PairSummary(
        compatible=int(pairs_per_household.sum()),
        households_without_pair=[facts.households.ids[i] for i in np.flatnonzero(pairs_per_household == 0)],
    )


def _school_kind(facts: Facts, column: int, kind: str) -> SchoolKindSummary:
    of_kind = facts.schools.kind == column
    return SchoolKindSummary(
        kind=kind,
        schools=int(of_kind.sum()),
        seats=int(facts.schools.seats[of_kind].sum()),
        pupils=int(facts.households.kids[:, column].sum()),
    )


def _municipalities(facts: Facts) -> list[MunicipalitySummary]:
    m = facts.municipalities
    per_municipality = np.bincount(facts.dwellings.municipality, minlength=len(m.ids))
    return [
        MunicipalitySummary(id=record.id, name=record.name, target=int(m.target[i]), housed=int(m.housed[i]),
                            cap=int(m.cap[i]), dwellings=int(per_municipality[i]))
        for i, record in enumerate(facts.instance.municipalities)
    ]


def _groups(facts: Facts) -> list[GroupSummary]:
    instance, g = facts.instance, facts.groups
    return [
        GroupSummary(id=record.id, kind=record.kind, units=record.units,
                     status_holder_units=record.status_holder_units, max_share=instance.group_max_share(record),
                     cap=int(g.cap[i]), dwellings=len(g.dwellings[i]))
        for i, record in enumerate(instance.groups)
    ]
