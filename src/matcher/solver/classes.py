"""Interchangeable households and dwellings, merged into classes so that the model counts instead of naming.

Most status holders are singles whose relevant attributes coincide, and many dwellings are alike. A model
with one Boolean per (household, dwelling) pair has to consider every permutation of such look-alikes, and
CP-SAT drowns in that symmetry. Here records that no rule and no objective can tell apart are merged:

- a **household class** holds households with the same compatibility attributes (availability, sharing,
  final size, need, the dwellings their max rent reaches, accessibility, required ties), the same
  objective attributes (overdue,
  size, children per school kind, tie bonus per municipality), that are not locked and are in no
  forbidden pair. Locked and forbidden households stay alone in their class. Members are ordered longest
  waiting first, so that when a class gets k places the k longest-waiting members take them. A re-plan's
  ``previous`` pairs split no class: members of one class are alike for every rule and objective, and so are
  the dwellings of one cell, so a class gets one "keep" arc per cell its members' previous dwellings lie in
  (``matcher.solver.network``), bounded by how many members that is; each household sent along it gets its
  own previous dwelling back when counts become placements.
- a **dwelling class** holds dwellings with the same municipality, groups, availability, rent bracket (the
  same households that fit them can afford them), accessibility and, for a non-shared dwelling, bedrooms and
  max_occupants, or for a shared one its places. For a household without children any dwelling of a
  class will do. Locked and forbidden dwellings stay alone, and so do previous dwellings that are shared
  or named by more previous pairs than they have places: there a count per class could not say which
  dwelling each kept household gets.
- a **cell** is a dwelling class narrowed to dwellings that also reach the same schools at the same charged
  kilometres; households with children are placed per cell. Where some sharer has children, a shared
  dwelling class is a single cell, so that sharers are counted per class only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.rules import RULE_STEPS


def _first_members(groups: list[IntArray]) -> IntArray:
    return np.array([members[0] for members in groups], dtype=np.int64)


def _sizes(groups: list[IntArray]) -> IntArray:
    return np.array([len(members) for members in groups], dtype=np.int64)


@dataclass(frozen=True)
class HouseholdClasses:
    members: list[IntArray]  # household indices per class, longest waiting first, then input order
    of: IntArray  # class of each household, -1 for a household that is not available this period

    def __len__(self) -> int:
        return len(self.members)

    @property
    def representative(self) -> IntArray:
        """One member per class: every attribute the model reads is the same for all members."""
        return _first_members(self.members)

    @property
    def count(self) -> IntArray:
        return _sizes(self.members)


@dataclass(frozen=True)
class DwellingClasses:
    members: list[IntArray]  # dwelling indices per class, input order
    cells: list[IntArray]  # dwelling indices per cell, input order
    class_of_cell: IntArray
    type_of_class: IntArray  # what compatibility reads of a dwelling apart from its municipality (see below)
    of: IntArray  # class of each dwelling, -1 for a dwelling that is not available this period
    cell_of: IntArray  # cell of each dwelling, -1 likewise

    def __len__(self) -> int:
        return len(self.members)

    @property
    def representative(self) -> IntArray:
        return _first_members(self.members)

    @property
    def cell_representative(self) -> IntArray:
        return _first_members(self.cells)

    @property
    def count(self) -> IntArray:
        return _sizes(self.members)

    @property
    def cell_count(self) -> IntArray:
        return _sizes(self.cells)


def household_classes(facts: Facts) -> HouseholdClasses:
    """Merge the available households that no rule or objective tells apart."""
    h = facts.households
    available = np.flatnonzero(h.available)
    alone = _locked_or_forbidden_households(facts)
    key = np.column_stack([
        h.sharer, h.final_size, h.need, _affordable_reach(facts), h.needs_accessible, h.required_tie,
        h.overdue, h.size, h.kids, h.tie_bonus, np.where(alone, np.arange(len(h)) + 1, 0),
    ]).astype(np.int64)[available]
    members = _group_rows(key, available, order=-h.waiting_days[available])
    return HouseholdClasses(members=members, of=_labels(members, len(h)))


def previous_cells(facts: Facts, households: HouseholdClasses, dwellings: DwellingClasses) -> IntArray:
    """The cell of each household's previous dwelling, where that pair could be kept at all; else -1.

    A forbidden previous pair, an unavailable household or previous dwelling can never be kept.
    """
    cell = np.full(len(facts.households), -1, dtype=np.int64)
    for household, dwelling in facts.previous.items():
        if (household, dwelling) not in facts.forbidden and households.of[household] >= 0:
            cell[household] = dwellings.cell_of[dwelling]
    return cell


def dwelling_classes(facts: Facts) -> DwellingClasses:
    """Merge the available dwellings that no rule or objective tells apart (cells: schools included)."""
    d = facts.dwellings
    available = np.flatnonzero(d.available)
    alone = _locked_or_forbidden_dwellings(facts)
    profile = _school_profiles(facts)
    sharers_with_children = (facts.households.sharer & (facts.households.kids > 0).any(axis=1)).any()
    dwelling_type = _dwelling_type(facts)
    key = np.column_stack([
        dwelling_type, d.municipality, _ranks_of_groups(facts),
        np.where(d.shared & sharers_with_children, profile, -1), np.where(alone, np.arange(len(d)) + 1, 0),
    ]).astype(np.int64)[available]
    members = _group_rows(key, available, order=np.zeros(len(available), dtype=np.int64))
    class_of = _labels(members, len(d))
    cell_key = np.column_stack([class_of[available], profile[available]])
    cells = _group_rows(cell_key, available, order=np.zeros(len(available), dtype=np.int64))
    cell_of = _labels(cells, len(d))
    class_of_cell = np.array([class_of[rows[0]] for rows in cells], dtype=np.int64)
    representative = np.array([rows[0] for rows in members], dtype=np.int64)
    _, type_of_class = np.unique(dwelling_type[representative], axis=0, return_inverse=True)
    return DwellingClasses(members=members, cells=cells, class_of_cell=class_of_cell,
                           type_of_class=type_of_class.reshape(-1).astype(np.int64), of=class_of, cell_of=cell_of)


def _dwelling_type(facts: Facts) -> np.ndarray:
    """Rules 1-4 read only these of a dwelling: a household without a required tie that may live in one dwelling
    of a type may live in every dwelling of that type, in any municipality."""
    d = facts.dwellings
    own = ~d.shared
    return np.column_stack([d.shared_places, np.where(own, d.bedrooms, -1), np.where(own, d.max_occupants, -1),
                            _rent_brackets(facts), d.accessible]).astype(np.int64)


def _labels(groups: list[IntArray], n: int) -> IntArray:
    label = np.full(n, -1, dtype=np.int64)
    for i, rows in enumerate(groups):
        label[rows] = i
    return label


def _group_rows(key: np.ndarray, rows: IntArray, order: IntArray) -> list[IntArray]:
    """Rows with equal keys, each group sorted by ``order`` then row; groups ordered by their first row."""
    if len(rows) == 0:
        return []
    contiguous = np.ascontiguousarray(key)
    as_bytes = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1]))).reshape(-1)
    _, label = np.unique(as_bytes, return_inverse=True)  # one memcmp per comparison instead of a sort per column
    label = label.reshape(-1)
    sort = np.lexsort((rows, order, label))
    bounds = np.flatnonzero(np.diff(label[sort])) + 1
    groups = [rows[part] for part in np.split(sort, bounds)]
    groups.sort(key=lambda members: int(members.min()))
    return groups


def _affordable_reach(facts: Facts) -> IntArray:
    """For each household, how many distinct rents of the dwellings it fits lie within its max rent.

    Two households that fit the same dwellings and reach the same number of those dwellings' rents afford
    exactly the same dwellings, whatever their limits in euros: 713 and 740 are the same when no dwelling
    they fit costs 714-740. Ranking the limits themselves split the wide u16 backlog's 600 households into
    416 classes; this key gives 363.
    """
    fit = _fit_profiles(facts)
    reach = np.zeros(len(facts.households), dtype=np.int64)
    rents = facts.dwellings.rent
    for profile, fits in enumerate(fit.fits):
        members = fit.household_profile == profile
        reach[members] = np.searchsorted(np.unique(rents[fits]), facts.households.max_rent[members], side="right")
    return reach


def _rent_brackets(facts: Facts) -> IntArray:
    """How many distinct rent limits of the households that fit a dwelling lie below its rent: same bracket,
    same tenants. Only the households that fit count: a studio's rent is not split by the limits of families."""
    fit = _fit_profiles(facts)
    limits = facts.households.max_rent
    finite = np.isfinite(limits)
    brackets = np.zeros(len(facts.dwellings), dtype=np.int64)
    patterns, pattern_of = np.unique(fit.fits.T, axis=0, return_inverse=True)
    for pattern, fitting_profiles in enumerate(patterns):
        tenants = fitting_profiles[fit.household_profile] & finite
        dwellings = pattern_of.reshape(-1) == pattern
        brackets[dwellings] = np.searchsorted(np.unique(limits[tenants]), facts.dwellings.rent[dwellings],
                                              side="left")
    return brackets


@dataclass(frozen=True)
class _FitProfiles:
    household_profile: IntArray  # profile of each household
    fits: np.ndarray  # profiles x dwellings: the rules apart from rent and ties hold


FIT_STEPS = ("available", "size", "bedrooms", "accessible")  # the rules that read of a household only the
FIT_ATTRIBUTES = ("available", "sharer", "final_size", "need", "needs_accessible")  # attributes of its profile


def _fit_profiles(facts: Facts) -> _FitProfiles:
    """Households grouped by what the rules other than rent and ties read of them, and which dwellings each
    group fits, by the rules' own steps (``matcher.rules.RULE_STEPS``) on one member of each group."""
    h = facts.households
    attributes = np.column_stack([getattr(h, name) for name in FIT_ATTRIBUTES]).astype(np.int64)
    _, first, profile = np.unique(attributes, axis=0, return_index=True, return_inverse=True)
    profile = profile.reshape(-1).astype(np.int64)
    steps = [step for step in RULE_STEPS if step.name in FIT_STEPS]
    representatives = first.astype(np.int64)
    fits = steps[0].holds(facts, representatives)
    for step in steps[1:]:
        fits &= step.holds(facts, representatives)
    return _FitProfiles(household_profile=profile, fits=fits)


def _ranks_of_groups(facts: Facts) -> IntArray:
    seen: dict[tuple[int, ...], int] = {}
    return np.array([seen.setdefault(tuple(groups.tolist()), len(seen)) for groups in facts.dwellings.groups],
                    dtype=np.int64)


def _school_profiles(facts: Facts) -> IntArray:
    """An id per distinct list of (school, charged km) in reach, over both school kinds."""
    seen: dict[tuple[tuple[int, ...], ...], int] = {}
    profiles = np.zeros(len(facts.dwellings), dtype=np.int64)
    for d in range(len(facts.dwellings)):
        parts = []
        for kind in SCHOOL_KINDS:
            reach = facts.reach[kind]
            part = reach.of(d)
            parts.append(tuple(reach.school[part].tolist()) + tuple(reach.cost_km[part].tolist()))
        profiles[d] = seen.setdefault(tuple(parts), len(seen))
    return profiles


def _locked_or_forbidden_households(facts: Facts) -> np.ndarray:
    alone = np.zeros(len(facts.households), dtype=np.bool_)
    for lock in facts.instance.locks:
        alone[facts.household_index[lock.household]] = True
    for h, _ in facts.forbidden:
        alone[h] = True
    return alone


def _locked_or_forbidden_dwellings(facts: Facts) -> np.ndarray:
    alone = np.zeros(len(facts.dwellings), dtype=np.bool_)
    for lock in facts.instance.locks:
        alone[facts.dwelling_index[lock.dwelling]] = True
    for _, d in facts.forbidden:
        alone[d] = True
    named = np.bincount(np.array(list(facts.previous.values()), dtype=np.int64), minlength=len(facts.dwellings))
    alone |= (named > 0) & (facts.dwellings.shared | (named > facts.dwellings.households_capacity))
    return alone
