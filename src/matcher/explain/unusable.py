"""Stage 3: compatible but unusable, by the pruning no feasible proposal escapes (the solver applies it too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from matcher.explain.contributions import KM_DECIMALS, NO_SCHOOL
from matcher.explain.reasons import Reasons, few
from matcher.explain.wording import household_starts
from matcher.facts import BoolArray, Facts, IntArray, SchoolReach, haversine_km
from matcher.format import SCHOOL_KINDS
from matcher.usable import fits_municipality_cap, in_full_group, lock_maps, respects_locks

USABILITY_STEPS = ("municipality_cap", "group_cap", *(f"school_{kind}" for kind in SCHOOL_KINDS), "lock")


def explain_unusable(facts: Facts, household: IntArray, dwelling: IntArray,
                     reasons: Reasons) -> tuple[BoolArray, list[BoolArray]]:
    """Apply the pruning no feasible proposal escapes; explain households left without usable pairs.

    Returns the mask of usable pairs, and the pairs remaining before each step and after the last.
    """
    n_h = len(facts.households)
    remaining = np.ones(len(household), dtype=np.bool_)
    before: list[BoolArray] = []
    for step in USABILITY_STEPS:
        before.append(remaining)
        remaining = remaining & _usability_step(facts, step, household, dwelling, remaining)
    usable_count = np.bincount(household[remaining], minlength=n_h)
    stuck = np.flatnonzero((usable_count == 0) & (np.bincount(household, minlength=n_h) > 0))
    if len(stuck):
        counts = np.stack([np.bincount(household[b], minlength=n_h)[stuck] for b in before[1:]]
                          + [usable_count[stuck]], axis=1)
        starts = household_starts(household, n_h)
        for r, h in enumerate(stuck.tolist()):
            k = int(np.argmax(counts[r] == 0))
            rows = slice(int(starts[h]), int(starts[h + 1]))
            candidates = dwelling[rows][before[k][rows]]
            reasons.add(h, f"unusable:{USABILITY_STEPS[k]}", **_UNUSABLE_FACTS[k](facts, h, candidates))
    return remaining, before + [remaining]


def _usability_step(facts: Facts, step: str, household: IntArray, dwelling: IntArray,
                    remaining: BoolArray) -> BoolArray:
    if step == "municipality_cap":
        return fits_municipality_cap(facts, facts.households.size[household], dwelling)
    if step == "group_cap":
        return ~in_full_group(facts)[dwelling]
    if step == "lock":
        return respects_locks(facts, household, dwelling)
    kind = step.removeprefix("school_")
    column = SCHOOL_KINDS.index(kind)
    ok = np.ones(len(household), dtype=np.bool_)
    check = np.flatnonzero(remaining & (facts.households.kids[household, column] > 0))
    ok[check] = first_school(facts, kind, household[check], dwelling[check], facts.schools.seats) != NO_SCHOOL
    return ok


def first_school(facts: Facts, kind: str, household: IntArray, dwelling: IntArray, seats: IntArray,
                 freed_school: IntArray | None = None, freed_seats: IntArray | None = None) -> IntArray:
    """Per pair, the nearest school of this kind in range with seats for all its children (NO_SCHOOL if none).

    ``freed_school``/``freed_seats`` add seats per pair (an occupant's pupils leaving), for exchange checks.
    Without them the answer depends only on the dwelling and the number of children, so it is looked up in
    a per-dwelling table instead of expanding every pair's schools.
    """
    kids = facts.households.kids[household, SCHOOL_KINDS.index(kind)]
    if freed_school is None or freed_seats is None:
        table = _first_school_table(facts.reach[kind], seats, int(kids.max(initial=0)))
        return table[dwelling, kids]
    return _first_school_per_pair(facts.reach[kind], kids, dwelling, seats, freed_school, freed_seats)


def _first_school_table(reach: SchoolReach, seats: IntArray, most_kids: int) -> IntArray:
    """table[d, k]: the nearest school in range of dwelling d with at least k seats (NO_SCHOOL if none)."""
    n_dwellings = len(reach.start) - 1
    table = np.full((n_dwellings, most_kids + 1), NO_SCHOOL, dtype=np.int64)
    owner = np.repeat(np.arange(n_dwellings), np.diff(reach.start))
    free = seats[reach.school]
    for k in range(1, most_kids + 1):
        fitting = np.flatnonzero(free >= k)
        owners = owner[fitting]
        first = np.r_[True, owners[1:] != owners[:-1]] if len(owners) else np.zeros(0, dtype=np.bool_)
        table[owners[first], k] = reach.school[fitting[first]]  # entries are sorted by distance per dwelling
    return table


def _first_school_per_pair(reach: SchoolReach, kids: IntArray, dwelling: IntArray, seats: IntArray,
                           freed_school: IntArray, freed_seats: IntArray) -> IntArray:
    begin = reach.start[dwelling]
    count = np.where(kids > 0, reach.start[dwelling + 1] - begin, 0)
    owner = np.repeat(np.arange(len(dwelling)), count)
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    school = reach.school[np.repeat(begin, count) + offsets]
    free = seats[school] + np.where(school == freed_school[owner], freed_seats[owner], 0)
    fitting = np.flatnonzero(free >= kids[owner])
    first = np.full(len(dwelling), NO_SCHOOL, dtype=np.int64)
    owners = owner[fitting]
    at = np.r_[True, owners[1:] != owners[:-1]] if len(owners) else np.zeros(0, dtype=np.bool_)
    first[owners[at]] = school[fitting[at]]
    return first


def _cap_too_small(facts: Facts, household: int, candidates: IntArray) -> dict[str, Any]:
    municipalities = np.unique(facts.dwellings.municipality[candidates]).tolist()
    caps = [{"municipality": facts.municipalities.ids[m], "cap": int(facts.municipalities.cap[m])}
            for m in municipalities]
    return {"dwellings": len(candidates), "persons": int(facts.households.size[household]), "caps": few(caps)}


def _group_cap_zero(facts: Facts, household: int, candidates: IntArray) -> dict[str, Any]:
    full = facts.groups.cap <= 0
    groups = sorted({facts.groups.ids[g] for d in candidates.tolist() for g in facts.dwellings.groups[d].tolist()
                     if full[g]})
    return {"dwellings": len(candidates), "groups": few(groups)}


def _no_school_in_reach(kind: str) -> Callable[[Facts, int, IntArray], dict[str, Any]]:
    def facts_of(facts: Facts, household: int, candidates: IntArray) -> dict[str, Any]:
        kids = int(facts.households.kids[household, SCHOOL_KINDS.index(kind)])
        return {"kind": kind, "dwellings": len(candidates), "kids": kids,
                "limit_km": float(facts.instance.policy.max_school_km.for_kind(kind)),
                "nearest": _nearest_school_with_seats(facts, kind, kids, candidates)}
    return facts_of


def _nearest_school_with_seats(facts: Facts, kind: str, kids: int, candidates: IntArray) -> dict[str, Any] | None:
    s, d = facts.schools, facts.dwellings
    schools = np.flatnonzero((s.kind == SCHOOL_KINDS.index(kind)) & (s.seats >= kids))
    if len(schools) == 0:
        return None
    km = haversine_km(d.lat[candidates, None], d.lon[candidates, None], s.lat[None, schools], s.lon[None, schools])
    r, c = np.unravel_index(int(np.argmin(km)), km.shape)
    return {"school": s.ids[schools[c]], "km": round(float(km[r, c]), KM_DECIMALS), "dwelling": d.ids[candidates[r]]}


def _locked_to_others(facts: Facts, household: int, candidates: IntArray) -> dict[str, Any]:
    _, household_of = lock_maps(facts)
    promised = [{"dwelling": facts.dwellings.ids[d], "household": facts.households.ids[household_of[d]]}
                for d in candidates.tolist() if household_of[d] >= 0]
    return {"dwellings": len(candidates), "promised": few(promised)}


_UNUSABLE_FACTS = (_cap_too_small, _group_cap_zero, *(_no_school_in_reach(kind) for kind in SCHOOL_KINDS),
                   _locked_to_others)


def note_pruned(facts: Facts, household: IntArray, stages: list[BoolArray], compatible_count: IntArray,
                reasons: Reasons) -> None:
    """For households that keep usable dwellings, say why the other compatible ones could never be used."""
    n_h = len(facts.households)
    usable_count = np.bincount(household[stages[-1]], minlength=n_h)
    pruned = np.stack([np.bincount(household[a & ~b], minlength=n_h)
                       for a, b in zip(stages[:-1], stages[1:], strict=True)], axis=1)
    for h in np.flatnonzero((usable_count > 0) & (usable_count < compatible_count)).tolist():
        steps = [{"step": step, "count": int(n)} for step, n in zip(USABILITY_STEPS, pruned[h], strict=True) if n]
        reasons.add(h, "pruned", dwellings=int(compatible_count[h] - usable_count[h]), steps=steps)
