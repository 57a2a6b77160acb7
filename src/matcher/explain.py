"""Explanations: what every placement contributes, and why every other household is still waiting.

A case worker has to defend a proposal to a household, a municipality and a housing corporation. For a
placement that means its contributions to each objective (overdue, persons, tie bonus, unused bedrooms,
school kilometres, the municipality's progress). For a household left out it means the most specific
reason that holds, found by walking four stages in order and stopping at the first that explains it:

1. the household is not available this period;
2. no dwelling is compatible: the rules are applied as a funnel in a fixed order, and the rule that
   removes the last candidates is reported with the counts before it;
3. compatible dwellings exist but none is usable (the pruning the solver applies as well: municipality
   caps, group caps, school reach with enough seats, locks of other households);
4. usable dwellings exist: each went to another household that ranks above this one on some objective
   tier, or a limit (municipality cap, group cap, school seats) was used up by the placed households.

Everything is computed with numpy over the pair arrays; Python loops run only over the households left
out and the few distinct facts each reason names, so a national backlog stays within seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.compat import PAIR_BLOCK_CELLS, Pairs
from matcher.facts import (
    DAYS_PER_WEEK,
    BoolArray,
    Facts,
    FloatArray,
    IntArray,
    SchoolReach,
    ceil_km,
    haversine_km,
    tie_kinds_to,
)
from matcher.format import SCHOOL_KINDS, Unassigned
from matcher.solution import Placement

PERMILLE = 1000
KM_DECIMALS = 1  # distances are shown rounded to 100 m
NAMED_AT_MOST = 3  # ids named in one reason before "and N more"
NO_SCHOOL = -1


@dataclass(frozen=True)
class Explanations:
    assignments: list[dict[str, Any]]  # one dict per placement, same order as the solution: extra fields
    unassigned: list[Unassigned]  # one per household not placed, in input order


def explain(facts: Facts, pairs: Pairs, solution: list[Placement], objectives: list[str]) -> Explanations:
    """Annotate every placement with its contributions and every household left out with its reasons."""
    placed = _Placed.of(facts, solution)
    return Explanations(
        assignments=_assignment_explanations(facts, solution, placed),
        unassigned=_unassigned_reasons(facts, pairs, placed, list(objectives)),
    )


# --- what the whole solution uses up ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    """The solution as arrays, and the limits it uses up, which a waiting household runs into."""

    household: IntArray  # per placement
    dwelling: IntArray  # per placement
    school: IntArray  # per placement, shape (placements, kinds): school index or NO_SCHOOL
    quality: IntArray  # per placement: its contribution to the quality objective
    placement_of: IntArray  # per household: its placement index, or -1
    occupants: IntArray  # per dwelling: households placed there
    occupant_start: IntArray  # placements sorted by dwelling: those of d are occupant_order[start[d]:start[d+1]]
    occupant_order: IntArray
    persons: IntArray  # per municipality: persons placed
    dwellings_used: IntArray  # per group: distinct dwellings that received a household
    seats_left: IntArray  # per school: seats minus the pupils placed there

    @staticmethod
    def of(facts: Facts, solution: Sequence[Placement]) -> _Placed:
        n_h, n_d = len(facts.households), len(facts.dwellings)
        household = np.array([p.household for p in solution], dtype=np.int64)
        dwelling = np.array([p.dwelling for p in solution], dtype=np.int64)
        school = np.full((len(solution), len(SCHOOL_KINDS)), NO_SCHOOL, dtype=np.int64)
        for i, placement in enumerate(solution):
            for kind, s in placement.schools.items():
                school[i, SCHOOL_KINDS.index(kind)] = s
        placement_of = np.full(n_h, -1, dtype=np.int64)
        placement_of[household] = np.arange(len(solution))
        occupants = np.bincount(dwelling, minlength=n_d).astype(np.int64)
        municipality = facts.dwellings.municipality[dwelling]
        persons = np.bincount(municipality, weights=facts.households.size[household],
                              minlength=len(facts.municipalities.ids)).astype(np.int64)
        return _Placed(
            household=household, dwelling=dwelling, school=school,
            quality=_contributions(facts, household, dwelling, school).total,
            placement_of=placement_of, occupants=occupants,
            occupant_start=np.concatenate([[0], np.cumsum(occupants)]).astype(np.int64),
            occupant_order=np.argsort(dwelling, kind="stable").astype(np.int64),
            persons=persons,
            dwellings_used=_dwellings_used_per_group(facts, occupants > 0),
            seats_left=facts.schools.seats - _pupils_per_school(facts, household, school),
        )

    def occupants_of(self, d: int) -> IntArray:
        return self.household[self.occupant_order[self.occupant_start[d]:self.occupant_start[d + 1]]]


def _dwellings_used_per_group(facts: Facts, used: BoolArray) -> IntArray:
    return np.array([int(used[members].sum()) for members in facts.groups.dwellings], dtype=np.int64)


def _pupils_per_school(facts: Facts, household: IntArray, school: IntArray) -> IntArray:
    pupils = np.zeros(len(facts.schools.ids), dtype=np.int64)
    for column in range(len(SCHOOL_KINDS)):
        named = school[:, column] != NO_SCHOOL
        np.add.at(pupils, school[named, column], facts.households.kids[household[named], column])
    return pupils


# --- contributions of a placement -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contributions:
    tie: IntArray
    unused_bedrooms: IntArray
    unused_penalty: IntArray  # <= 0
    km: FloatArray  # shape (placements, kinds), nan where no school is named
    charged_km: IntArray  # shape (placements, kinds), 0 where no school is named
    school_penalty: IntArray  # shape (placements, kinds), <= 0
    total: IntArray  # tie + unused_penalty + school penalties: the placement's part of `quality`


def _contributions(facts: Facts, household: IntArray, dwelling: IntArray, school: IntArray) -> _Contributions:
    """The quality objective term by term, exactly as the format defines it."""
    weights = facts.instance.policy.quality_weights
    h, d, s = facts.households, facts.dwellings, facts.schools
    tie = h.tie_bonus[household, d.municipality[dwelling]]
    unused = np.where(d.shared[dwelling], 0, np.maximum(0, d.bedrooms[dwelling] - h.need[household]))
    named = school != NO_SCHOOL
    safe = np.where(named, school, 0)
    km = haversine_km(d.lat[dwelling, None], d.lon[dwelling, None], s.lat[safe], s.lon[safe]) if len(s.ids) \
        else np.zeros(school.shape)
    km = np.where(named, km, np.nan)
    charged = np.where(named, ceil_km(np.nan_to_num(km)), 0).astype(np.int64)
    school_penalty = -weights.school_km * charged
    unused_penalty = -weights.unused_bedroom * unused
    return _Contributions(tie=tie, unused_bedrooms=unused, unused_penalty=unused_penalty, km=km,
                          charged_km=charged, school_penalty=school_penalty,
                          total=tie + unused_penalty + school_penalty.sum(axis=1))


def _assignment_explanations(facts: Facts, solution: Sequence[Placement], placed: _Placed) -> list[dict[str, Any]]:
    parts = _contributions(facts, placed.household, placed.dwelling, placed.school)
    progress = _municipality_progress(facts, placed.persons)
    locked = {lock.household for lock in facts.instance.locks}
    return [{"explanation": _explain_placement(facts, i, placement, parts, progress, locked)}
            for i, placement in enumerate(solution)]


def _explain_placement(facts: Facts, i: int, placement: Placement, parts: _Contributions,
                       progress: list[dict[str, Any]], locked: set[str]) -> dict[str, Any]:
    h, d = facts.households, facts.dwellings
    household, dwelling = placement.household, placement.dwelling
    m = int(d.municipality[dwelling])
    municipality = facts.municipalities.ids[m]
    tie_bonus = int(parts.tie[i])
    tie_kinds = tie_kinds_to(facts.instance, household, municipality)
    schools = [
        {"kind": kind, "school": facts.schools.ids[int(placement.schools[kind])],
         "km": round(float(parts.km[i, column]), KM_DECIMALS), "charged_km": int(parts.charged_km[i, column]),
         "penalty": int(parts.school_penalty[i, column])}
        for column, kind in enumerate(SCHOOL_KINDS) if placement.schools.get(kind) is not None
    ]
    explanation: dict[str, Any] = {
        "locked": h.ids[household] in locked,
        "overdue": bool(h.overdue[household]),
        "waiting_weeks": int(h.waiting_days[household] // DAYS_PER_WEEK),
        "persons": int(h.size[household]),
        "final_size": int(h.final_size[household]),
        "tie": {"municipality": municipality, "kinds": tie_kinds, "bonus": tie_bonus} if tie_kinds else None,
        "tie_bonus": tie_bonus,
        "unused_bedrooms": int(parts.unused_bedrooms[i]),
        "unused_bedroom_penalty": int(parts.unused_penalty[i]),
        "schools": schools,
        "quality": int(parts.total[i]),
        "municipality": dict(progress[m]),
    }
    explanation["summary"] = _placement_summary(explanation)
    return explanation


def _municipality_progress(facts: Facts, persons: IntArray) -> list[dict[str, Any]]:
    """Each municipality's taakstelling before this proposal and after all of it, in persons and per mille."""
    municipalities = facts.municipalities
    progress = []
    for m, municipality in enumerate(municipalities.ids):
        target, before = int(municipalities.target[m]), int(municipalities.housed[m])
        after = before + int(persons[m])
        progress.append({
            "id": municipality, "target": target, "cap": int(municipalities.cap[m]),
            "housed_before": before, "housed_after": after,
            "permille_of_target_before": _permille(before, target),
            "permille_of_target_after": _permille(after, target),
            "shortfall_before": max(0, target - before), "shortfall_after": max(0, target - after),
            "shortfall_permille_before": _permille(max(0, target - before), target),
            "shortfall_permille_after": _permille(max(0, target - after), target),
        })
    return progress


def _permille(persons: int, target: int) -> int | None:
    return PERMILLE * persons // target if target > 0 else None


def _placement_summary(e: dict[str, Any]) -> str:
    """One line a case worker can read aloud."""
    waiting = f"waiting {e['waiting_weeks']} weeks"
    parts = ["locked (already accepted)"] if e["locked"] else []
    parts.append(f"overdue ({waiting})" if e["overdue"] else f"not overdue ({waiting})")
    expected = e["final_size"] - e["persons"]
    with_expected = f" (+{expected} expected, final {e['final_size']})" if expected else ""
    parts.append(_count(e["persons"], "person") + with_expected)
    if e["tie"]:
        parts.append(f"{'/'.join(e['tie']['kinds'])} tie to {e['tie']['municipality']} {e['tie_bonus']:+d}")
    if e["unused_bedrooms"]:
        parts.append(f"{e['unused_bedrooms']} unused bedroom(s) {e['unused_bedroom_penalty']:+d}")
    parts += [f"{s['kind']} school {s['school']} {s['km']:.1f} km {s['penalty']:+d}" for s in e["schools"]]
    parts.append(f"quality {e['quality']:+d}")
    m = e["municipality"]
    parts.append(f"{m['id']} {m['housed_before']} -> {m['housed_after']} of target {m['target']} persons")
    return "; ".join(parts)


# --- households left out ----------------------------------------------------------------------------------


@dataclass
class _Reasons:
    """Reasons collected per household; a household is explained once its first stage finds a reason."""

    texts: dict[int, list[str]]
    codes: dict[int, list[str]]

    def add(self, household: int, code: str, text: str) -> None:
        self.texts.setdefault(household, []).append(text)
        self.codes.setdefault(household, []).append(code)


def _unassigned_reasons(facts: Facts, pairs: Pairs, placed: _Placed, objectives: list[str]) -> list[Unassigned]:
    h = facts.households
    waiting = placed.placement_of < 0
    reasons = _Reasons({}, {})
    for household in np.flatnonzero(waiting & ~h.available).tolist():
        record = facts.instance.households[household]
        reasons.add(household, "unavailable",
                    f"not available this period: available from {facts.instance.household_available_from(record)}, "
                    f"after the period ends ({facts.instance.period.end})")
    compatible_count = np.bincount(pairs.household, minlength=len(h)) if len(pairs) else np.zeros(len(h), int)
    _explain_no_compatible(facts, np.flatnonzero(waiting & h.available & (compatible_count == 0)), reasons)
    with_pairs = waiting[pairs.household] if len(pairs) else np.zeros(0, dtype=np.bool_)
    household = pairs.household[with_pairs].astype(np.int64)
    dwelling = pairs.dwelling[with_pairs].astype(np.int64)
    if np.any(np.diff(household) < 0):  # the stages read each household's pairs as one contiguous run
        order = np.argsort(household, kind="stable")
        household, dwelling = household[order], dwelling[order]
    usable, stages = _explain_unusable(facts, household, dwelling, reasons)
    _explain_competition(facts, household[usable], dwelling[usable], compatible_count, placed, objectives,
                         reasons)
    _note_pruned(facts, household, stages, compatible_count, reasons)
    return [Unassigned(household=h.ids[i], reasons=reasons.texts.get(i, [_UNEXPLAINED]),
                       reason_codes=reasons.codes.get(i, ["unexplained"]))
            for i in np.flatnonzero(waiting).tolist()]


_UNEXPLAINED = "not placed; no specific reason found"


# --- stage 2: no compatible dwelling (rules 1-6 as a funnel) ------------------------------------------------

COMPATIBILITY_STEPS = ("available", "size", "bedrooms", "rent", "accessible", "required_tie", "forbidden")


def _compatibility_steps(facts: Facts, rows: IntArray) -> list[BoolArray]:
    """Rules 1-6 for these households against every dwelling, split into the funnel's steps, in order.

    Their conjunction is exactly ``matcher.compat``'s compatibility for available households.
    """
    h, d = facts.households, facts.dwellings
    extra = facts.instance.policy.max_extra_bedrooms
    shared = d.shared[None, :]
    return [
        np.broadcast_to(d.available[None, :], (len(rows), len(d))),
        (h.sharer[rows, None] & shared) | (~shared & (h.final_size[rows, None] <= d.max_occupants[None, :])),
        shared | (d.bedrooms[None, :] <= h.need[rows, None] + extra),
        d.rent[None, :] <= h.max_rent[rows, None],
        ~h.needs_accessible[rows, None] | d.accessible[None, :],
        ~h.has_required_tie[rows, None] | h.required_tie[rows][:, d.municipality],
        ~_forbidden_dense(facts, rows),
    ]


def _forbidden_dense(facts: Facts, rows: IntArray) -> BoolArray:
    mask = np.zeros((len(rows), len(facts.dwellings)), dtype=np.bool_)
    if not facts.instance.forbidden:
        return mask
    row_of = np.full(len(facts.households), -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    for pair in facts.instance.forbidden:
        r = row_of[facts.household_index[pair.household]]
        if r >= 0:
            mask[r, facts.dwelling_index[pair.dwelling]] = True
    return mask


def _explain_no_compatible(facts: Facts, households: IntArray, reasons: _Reasons) -> None:
    """For households without any compatible pair, name the funnel step that removed the last dwelling."""
    block = max(1, PAIR_BLOCK_CELLS // max(1, len(facts.dwellings)))
    for begin in range(0, len(households), block):
        rows = households[begin:begin + block]
        remaining = np.ones((len(rows), len(facts.dwellings)), dtype=np.bool_)
        before: list[BoolArray] = []
        for step in _compatibility_steps(facts, rows):
            before.append(remaining)
            remaining = remaining & step
        counts = np.stack([b.sum(axis=1) for b in before] + [remaining.sum(axis=1)], axis=1)
        for r, household in enumerate(rows.tolist()):
            k = int(np.argmax(counts[r, 1:] == 0))  # the first step after which nothing is left
            text = _NO_COMPATIBLE_TEXT[k](facts, household, before[k][r])
            reasons.add(household, f"no_compatible:{COMPATIBILITY_STEPS[k]}", text)
            if k > 0:
                reasons.add(household, "funnel", _funnel_trail(counts[r, : k + 2]))


_FUNNEL_WORDS = ("available this period", "fit its size", "fit its bedroom need", "within its rent", "step-free "
                 "where needed", "in its required tie's municipality", "not declined")


def _funnel_trail(counts: IntArray) -> str:
    """The counts a case worker can follow: how many dwellings were left after each rule."""
    steps = [f"{int(n)} {words}" for n, words in zip(counts[1:], _FUNNEL_WORDS, strict=False)]
    return f"of {int(counts[0])} dwellings in the region: " + ", then ".join(steps)


def _none_available(facts: Facts, household: int, candidates: BoolArray) -> str:
    total = len(facts.dwellings)
    if total == 0:
        return "no compatible dwelling: the instance offers no dwelling at all"
    return (f"no compatible dwelling: none of the {total} dwellings is available this period "
            f"(all become available after {facts.instance.period.end})")


def _no_size_fit(facts: Facts, household: int, candidates: BoolArray) -> str:
    h, d = facts.households, facts.dwellings
    record = facts.instance.households[household]
    available = int(candidates.sum())
    shared = candidates & d.shared
    own = candidates & ~d.shared
    persons = f"{h.final_size[household]}"
    if record.expected_members:
        persons += f" ({h.size[household]} persons + {record.expected_members} expected)"
    if not own.any():
        return (f"no compatible dwelling: all {available} dwellings available this period are shared places for "
                f"single sharers only, and {_why_not_sharer(facts, household)}")
    text = (f"no compatible dwelling: no dwelling with max_occupants >= {persons} in the region "
            f"({available} available this period; the largest takes {int(d.max_occupants[own].max())}")
    if shared.any():
        text += f"; {int(shared.sum())} are shared places, and {_why_not_sharer(facts, household)}"
    return text + ")"


def _why_not_sharer(facts: Facts, household: int) -> str:
    record = facts.instance.households[household]
    why = []
    if record.size != 1:
        why.append(f"has {record.size} persons")
    if record.expected_members:
        why.append(f"expects {_count(record.expected_members, 'family member')}")
    if not record.shareable:
        why.append("is not willing to share")
    return "the household " + (", ".join(why[:-1]) + " and " if len(why) > 1 else "") + why[-1]


def _too_many_bedrooms(facts: Facts, household: int, candidates: BoolArray) -> str:
    h, d = facts.households, facts.dwellings
    extra = facts.instance.policy.max_extra_bedrooms
    need = int(h.need[household])
    count = int(candidates.sum())
    return (f"no compatible dwelling: {_count(count, 'dwelling')} take {h.final_size[household]} persons but "
            f"{_all_or_it(count)} more than {need + extra} bedrooms (the household needs {need}, at most {extra} "
            f"extra allowed; the smallest has {int(d.bedrooms[candidates].min())})")


def _too_expensive(facts: Facts, household: int, candidates: BoolArray) -> str:
    count = int(candidates.sum())
    cheapest = float(facts.dwellings.rent[candidates].min())
    return (f"no compatible dwelling: {_count(count, 'dwelling')} fit the household's size but "
            f"{'all cost' if count > 1 else 'it costs'} more than its maximum rent of "
            f"EUR {_euros(facts.households.max_rent[household])} (cheapest EUR {_euros(cheapest)})")


def _not_step_free(facts: Facts, household: int, candidates: BoolArray) -> str:
    count = int(candidates.sum())
    return (f"no compatible dwelling: {_count(count, 'dwelling')} fit size and rent but "
            f"{'none is' if count > 1 else 'it is not'} step-free, and the household needs a step-free home")


def _outside_required_ties(facts: Facts, household: int, candidates: BoolArray) -> str:
    required = [facts.municipalities.ids[m] for m in np.flatnonzero(facts.households.required_tie[household])]
    found = [facts.municipalities.ids[m] for m in np.unique(facts.dwellings.municipality[candidates])]
    tie = "the required tie's" if len(required) == 1 else "the required ties'"
    count = int(candidates.sum())
    return (f"no compatible dwelling: {_all_of(count, 'remaining candidate')} in "
            f"{'municipalities' if count > 1 else 'a municipality'} other than {tie} {', '.join(required)} "
            f"({'they are' if count > 1 else 'it is'} in {_names(found)})")


def _all_forbidden(facts: Facts, household: int, candidates: BoolArray) -> str:
    ids = [facts.dwellings.ids[d] for d in np.flatnonzero(candidates)]
    return (f"no compatible dwelling: {_all_of(len(ids), 'remaining candidate')} "
            f"{'declined pairs' if len(ids) > 1 else 'a declined pair'} (forbidden: {_names(ids)})")


_NO_COMPATIBLE_TEXT = (_none_available, _no_size_fit, _too_many_bedrooms, _too_expensive, _not_step_free,
                       _outside_required_ties, _all_forbidden)


# --- stage 3: compatible but unusable (the solver's valid pruning) -------------------------------------------

USABILITY_STEPS = ("municipality_cap", "group_cap", *(f"school_{kind}" for kind in SCHOOL_KINDS), "lock")


def _explain_unusable(facts: Facts, household: IntArray, dwelling: IntArray,
                      reasons: _Reasons) -> tuple[BoolArray, list[BoolArray]]:
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
        starts = _household_starts(household, n_h)
        for r, h in enumerate(stuck.tolist()):
            k = int(np.argmax(counts[r] == 0))
            rows = slice(int(starts[h]), int(starts[h + 1]))
            candidates = dwelling[rows][before[k][rows]]
            reasons.add(h, f"unusable:{USABILITY_STEPS[k]}", _UNUSABLE_TEXT[k](facts, h, candidates))
    return remaining, before + [remaining]


def _usability_step(facts: Facts, step: str, household: IntArray, dwelling: IntArray,
                    remaining: BoolArray) -> BoolArray:
    if step == "municipality_cap":
        return facts.households.size[household] <= facts.municipalities.cap[facts.dwellings.municipality[dwelling]]
    if step == "group_cap":
        return ~_in_full_group(facts, facts.groups.cap <= 0)[dwelling]
    if step == "lock":
        return _respects_locks(facts, household, dwelling)
    kind = step.removeprefix("school_")
    column = SCHOOL_KINDS.index(kind)
    ok = np.ones(len(household), dtype=np.bool_)
    check = np.flatnonzero(remaining & (facts.households.kids[household, column] > 0))
    ok[check] = _first_school(facts, kind, household[check], dwelling[check], facts.schools.seats) != NO_SCHOOL
    return ok


def _in_full_group(facts: Facts, full_group: BoolArray) -> BoolArray:
    """Per dwelling: it belongs to at least one of these groups."""
    inside = np.zeros(len(facts.dwellings), dtype=np.bool_)
    for g in np.flatnonzero(full_group).tolist():
        inside[facts.groups.dwellings[g]] = True
    return inside


def _lock_maps(facts: Facts) -> tuple[IntArray, IntArray]:
    """Per household its locked dwelling, per non-shared dwelling its locked household (-1 where none)."""
    dwelling_of = np.full(len(facts.households), -1, dtype=np.int64)
    household_of = np.full(len(facts.dwellings), -1, dtype=np.int64)
    for lock in facts.instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        dwelling_of[h] = d
        if not facts.dwellings.shared[d]:
            household_of[d] = h
    return dwelling_of, household_of


def _respects_locks(facts: Facts, household: IntArray, dwelling: IntArray) -> BoolArray:
    dwelling_of, household_of = _lock_maps(facts)
    return (((dwelling_of[household] < 0) | (dwelling_of[household] == dwelling))
            & ((household_of[dwelling] < 0) | (household_of[dwelling] == household)))


def _first_school(facts: Facts, kind: str, household: IntArray, dwelling: IntArray, seats: IntArray,
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


def _cap_too_small(facts: Facts, household: int, candidates: IntArray) -> str:
    size = int(facts.households.size[household])
    municipalities = np.unique(facts.dwellings.municipality[candidates])
    caps = [f"{facts.municipalities.ids[m]}: {_persons_left(int(facts.municipalities.cap[m]))}"
            for m in municipalities.tolist()]
    return (f"no usable dwelling: {_all_of(len(candidates), 'compatible dwelling')} in municipalities whose "
            f"remaining cap is below the household's {size} persons ({_names(caps)})")


def _persons_left(cap: int) -> str:
    return "no places left" if cap <= 0 else f"{cap} person{'s' if cap != 1 else ''} left"


def _group_cap_zero(facts: Facts, household: int, candidates: IntArray) -> str:
    full = facts.groups.cap <= 0
    groups = sorted({facts.groups.ids[g] for d in candidates.tolist() for g in facts.dwellings.groups[d].tolist()
                     if full[g]})
    return (f"no usable dwelling: {_all_of(len(candidates), 'remaining dwelling')} in a group whose share cap "
            f"is already used up (cap 0: {_names(groups)})")


def _no_school_in_reach(kind: str) -> Callable[[Facts, int, IntArray], str]:
    def text(facts: Facts, household: int, candidates: IntArray) -> str:
        column = SCHOOL_KINDS.index(kind)
        kids = int(facts.households.kids[household, column])
        limit = facts.instance.policy.max_school_km.for_kind(kind)
        fit = ("1 dwelling fits, but it is not" if len(candidates) == 1
               else f"{len(candidates)} dwellings fit, but none is")
        return (f"no usable dwelling: {fit} within {limit:g} km "
                f"of a {kind} school with {_count(kids, 'free seat')}"
                f"{_nearest_school_with_seats(facts, kind, kids, candidates)}")
    return text


def _nearest_school_with_seats(facts: Facts, kind: str, kids: int, candidates: IntArray) -> str:
    s, d = facts.schools, facts.dwellings
    schools = np.flatnonzero((s.kind == SCHOOL_KINDS.index(kind)) & (s.seats >= kids))
    if len(schools) == 0:
        return f" (no {kind} school in the region has {_count(kids, 'free seat')})"
    km = haversine_km(d.lat[candidates, None], d.lon[candidates, None], s.lat[None, schools], s.lon[None, schools])
    r, c = np.unravel_index(int(np.argmin(km)), km.shape)
    return (f" (the nearest with enough seats, {s.ids[schools[c]]}, is {km[r, c]:.1f} km from "
            f"{d.ids[candidates[r]]})")


def _locked_to_others(facts: Facts, household: int, candidates: IntArray) -> str:
    _, household_of = _lock_maps(facts)
    promised = [f"{facts.dwellings.ids[d]} to {facts.households.ids[household_of[d]]}"
                for d in candidates.tolist() if household_of[d] >= 0]
    return (f"no usable dwelling: {_all_of(len(candidates), 'remaining dwelling')} promised to other "
            f"households by locks ({_names(promised)})")


_UNUSABLE_TEXT = (_cap_too_small, _group_cap_zero, *(_no_school_in_reach(kind) for kind in SCHOOL_KINDS),
                  _locked_to_others)

_PRUNED_WORDS = {"municipality_cap": "municipality caps below its size", "group_cap": "group share caps",
                 **{f"school_{kind}": f"no {kind} school in reach with enough seats" for kind in SCHOOL_KINDS},
                 "lock": "locks of other households"}


def _note_pruned(facts: Facts, household: IntArray, stages: list[BoolArray], compatible_count: IntArray,
                 reasons: _Reasons) -> None:
    """For households that keep usable dwellings, say why the other compatible ones could never be used."""
    n_h = len(facts.households)
    usable_count = np.bincount(household[stages[-1]], minlength=n_h)
    pruned = np.stack([np.bincount(household[a & ~b], minlength=n_h)
                       for a, b in zip(stages[:-1], stages[1:], strict=True)], axis=1)
    for h in np.flatnonzero((usable_count > 0) & (usable_count < compatible_count)).tolist():
        parts = [f"{int(n)} by {_PRUNED_WORDS[step]}" for step, n in zip(USABILITY_STEPS, pruned[h], strict=True)
                 if n]
        lost = int(compatible_count[h] - usable_count[h])
        reasons.add(h, "pruned", f"{_count(lost, 'other compatible dwelling')} can never be used: "
                                 + ", ".join(parts))


# --- stage 4: usable dwellings went to others, or limits were used up ---------------------------------------

TAKEN, MUNICIPALITY_FULL, GROUP_FULL, SCHOOL_FULL, LEFT_FREE = range(5)


def _explain_competition(facts: Facts, household: IntArray, dwelling: IntArray, compatible_count: IntArray,
                         placed: _Placed, objectives: list[str], reasons: _Reasons) -> None:
    """Classify each usable pair of a waiting household by what keeps it out; one reason per kind of obstacle."""
    if len(household) == 0:
        return
    n_h = len(facts.households)
    usable_count = np.bincount(household, minlength=n_h)
    outcome, detail = _pair_outcomes(facts, household, dwelling, placed, objectives)
    width = int(max(detail.max(), 0)) + 1
    codes, counts = np.unique((household * len(_COMPETITION_TEXT) + outcome) * width + detail, return_counts=True)
    keys = np.stack([codes // width // len(_COMPETITION_TEXT), codes // width % len(_COMPETITION_TEXT),
                     codes % width], axis=1)
    key_starts = _household_starts(keys[:, 0], n_h)
    pair_starts = _household_starts(household, n_h)
    for h in np.unique(keys[:, 0]).tolist():
        obstacles: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for r in range(int(key_starts[h]), int(key_starts[h + 1])):
            _, kind, what = keys[r].tolist()
            obstacles.setdefault(_obstacle(kind, what, len(objectives)), []).append((what, int(counts[r])))
        pairs = slice(int(pair_starts[h]), int(pair_starts[h + 1]))
        for (kind, _), items in sorted(obstacles.items(), key=lambda item: -sum(n for _, n in item[1])):
            items.sort(key=lambda item: -item[1])
            share = _share(sum(n for _, n in items), int(usable_count[h]), int(compatible_count[h]))
            blocked = dwelling[pairs][(outcome[pairs] == kind) & (detail[pairs] == items[0][0])] \
                if kind == SCHOOL_FULL else dwelling[:0]  # only the school reason names what is near them
            code, text = _COMPETITION_TEXT[kind](facts, h, items, share, blocked, placed, objectives)
            reasons.add(h, code, text)


def _obstacle(kind: int, detail: int, tiers: int) -> tuple[int, int]:
    """What one reason covers: each deciding tier, all equal ranks, all blocked exchanges, each cap family."""
    if kind == TAKEN:
        return kind, min(detail, tiers + 1)
    return kind, detail if kind == SCHOOL_FULL else 0


def _pair_outcomes(facts: Facts, household: IntArray, dwelling: IntArray, placed: _Placed,
                   objectives: list[str]) -> tuple[IntArray, IntArray]:
    """Per usable pair: an outcome code and its detail (tier score, municipality, group or school kind)."""
    outcome = np.full(len(household), LEFT_FREE, dtype=np.int64)
    detail = np.zeros(len(household), dtype=np.int64)
    full = placed.occupants[dwelling] >= facts.dwellings.households_capacity[dwelling]
    taken = np.flatnonzero(full)
    score, occupant = _weakest_occupant(facts, household[taken], dwelling[taken], placed, objectives)
    outcome[taken], detail[taken] = TAKEN, score
    # a household ranking level or higher than every occupant may still not fit in: check the exchange
    level = np.flatnonzero(score >= len(objectives))
    swap_size = np.zeros(len(household), dtype=np.int64)
    swap_size[taken[level]] = facts.households.size[occupant[level]]
    freed = np.full(len(household), -1, dtype=np.int64)
    freed[taken[level]] = occupant[level]
    check = np.concatenate([np.flatnonzero(~full), taken[level]])
    _limits_binding(facts, household, dwelling, check, swap_size, freed, placed, outcome, detail)
    return outcome, detail


def _limits_binding(facts: Facts, household: IntArray, dwelling: IntArray, check: IntArray, swap_size: IntArray,
                    freed: IntArray, placed: _Placed, outcome: IntArray, detail: IntArray) -> None:
    """Mark pairs whose placement (or exchange) breaks a cap the solution already uses up; later checks win."""
    h, d = facts.households, facts.dwellings
    m = d.municipality[dwelling[check]]
    over = placed.persons[m] - swap_size[check] + h.size[household[check]] > facts.municipalities.cap[m]
    outcome[check[over]], detail[check[over]] = MUNICIPALITY_FULL, m[over]
    full_group = placed.dwellings_used >= facts.groups.cap
    first_full = _first_full_group(facts, full_group)
    unused = check[placed.occupants[dwelling[check]] == 0]
    blocked = unused[first_full[dwelling[unused]] >= 0]
    outcome[blocked], detail[blocked] = GROUP_FULL, first_full[dwelling[blocked]]
    for column, kind in enumerate(SCHOOL_KINDS):
        needing = check[h.kids[household[check], column] > 0]
        into_free = needing[freed[needing] < 0]
        none = _first_school(facts, kind, household[into_free], dwelling[into_free], placed.seats_left) == NO_SCHOOL
        outcome[into_free[none]], detail[into_free[none]] = SCHOOL_FULL, column
        exchanges = needing[freed[needing] >= 0]
        freed_school, freed_seats = _freed_by(facts, freed[exchanges], column, placed)
        none = _first_school(facts, kind, household[exchanges], dwelling[exchanges], placed.seats_left,
                             freed_school, freed_seats) == NO_SCHOOL
        outcome[exchanges[none]], detail[exchanges[none]] = SCHOOL_FULL, column


def _freed_by(facts: Facts, occupant: IntArray, column: int, placed: _Placed) -> tuple[IntArray, IntArray]:
    """The school and seats an occupant would free by leaving (NO_SCHOOL where no occupant leaves)."""
    leaving = np.flatnonzero(occupant >= 0)
    school = np.full(len(occupant), NO_SCHOOL, dtype=np.int64)
    seats = np.zeros(len(occupant), dtype=np.int64)
    school[leaving] = placed.school[placed.placement_of[occupant[leaving]], column]
    seats[leaving] = facts.households.kids[occupant[leaving], column]
    return school, seats


def _first_full_group(facts: Facts, full_group: BoolArray) -> IntArray:
    """Per dwelling, the first of its groups that is full (or -1)."""
    first = np.full(len(facts.dwellings), -1, dtype=np.int64)
    for g in np.flatnonzero(full_group)[::-1].tolist():
        first[facts.groups.dwellings[g]] = g
    return first


def _weakest_occupant(facts: Facts, household: IntArray, dwelling: IntArray, placed: _Placed,
                      objectives: list[str]) -> tuple[IntArray, IntArray]:
    """For each taken pair, the occupant this household comes closest to, and how the two compare.

    The score walks the objectives in order as if the two were exchanged: ``i`` when the exchange first
    worsens tier i (the occupant ranks above on it), ``T = len(objectives)`` when it changes no tier, and
    ``2T - i`` when it first improves tier i. A shared dwelling's weakest occupant has the highest score.
    """
    count = placed.occupants[dwelling]
    owner = np.repeat(np.arange(len(household)), count)
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    occupant = placed.household[placed.occupant_order[np.repeat(placed.occupant_start[dwelling], count) + offsets]]
    scores = _exchange_scores(facts, household[owner], dwelling[owner], occupant, placed, objectives)
    order = np.lexsort((scores, owner))  # per owner ascending score: the last one is the weakest occupant
    sorted_owner = owner[order]
    last = order[np.flatnonzero(np.r_[sorted_owner[1:] != sorted_owner[:-1], True])] if len(order) else order
    return scores[last], occupant[last]


def _exchange_scores(facts: Facts, household: IntArray, dwelling: IntArray, occupant: IntArray, placed: _Placed,
                     objectives: list[str]) -> IntArray:
    tiers = len(objectives)
    score = np.full(len(household), tiers, dtype=np.int64)
    open_ = np.arange(len(household))  # exchanges no tier has decided yet
    for i, name in enumerate(objectives):
        gain = _exchange_gain(facts, name, household[open_], dwelling[open_], occupant[open_], placed)
        score[open_[gain < 0]] = i
        score[open_[gain > 0]] = 2 * tiers - i
        open_ = open_[gain == 0]
    return score


def _exchange_gain(facts: Facts, name: str, household: IntArray, dwelling: IntArray, occupant: IntArray,
                   placed: _Placed) -> IntArray:
    """How one objective changes (positive = better) if the household took the occupant's place."""
    h = facts.households
    if name == "overdue_housed":
        return h.overdue[household].astype(np.int64) - h.overdue[occupant]
    if name == "persons_housed":
        return h.size[household] - h.size[occupant]
    if name == "kept_previous":
        previous = previous_dwellings(facts)
        return (previous[household] == dwelling).astype(np.int64) - (previous[occupant] == dwelling)
    if name == "max_shortfall_permille":
        return _shortfall_gain(facts, facts.dwellings.municipality[dwelling], h.size[household] - h.size[occupant],
                               placed)
    own = _contributions(facts, household, dwelling, _nearest_schools(facts, household, dwelling)).total
    return own - placed.quality[placed.placement_of[occupant]]


def previous_dwellings(facts: Facts) -> IntArray:
    """Each household's dwelling in the proposal under review (a re-plan's ``previous``), -1 for none."""
    previous = np.full(len(facts.households), -1, dtype=np.int64)
    for household, dwelling in facts.previous.items():
        previous[household] = dwelling
    return previous


def _nearest_schools(facts: Facts, household: IntArray, dwelling: IntArray) -> IntArray:
    """The schools the household would most likely get there: the nearest in range with enough seats."""
    return np.stack([_first_school(facts, kind, household, dwelling, facts.schools.seats)
                     for kind in SCHOOL_KINDS], axis=1)


def _shortfall_gain(facts: Facts, municipality: IntArray, extra_persons: IntArray, placed: _Placed) -> IntArray:
    """Decrease of max_shortfall_permille when ``extra_persons`` more are placed in one municipality."""
    target, housed = facts.municipalities.target, facts.municipalities.housed
    has_target = target > 0
    safe_target = np.maximum(target, 1)
    shortfall = np.where(has_target, PERMILLE * np.maximum(0, target - housed - placed.persons) // safe_target, -1)
    current = max(0, int(shortfall.max())) if len(shortfall) else 0
    ranked = np.argsort(-shortfall, kind="stable")
    top = int(ranked[0]) if len(ranked) else -1
    second = int(shortfall[ranked[1]]) if len(ranked) > 1 else -1
    others = np.where(municipality == top, second, current)
    t = safe_target[municipality]
    after = np.where(has_target[municipality],
                     PERMILLE * np.maximum(0, target[municipality] - housed[municipality] - placed.persons[municipality]
                                           - extra_persons) // t, -1)
    return current - np.maximum(0, np.maximum(others, after))


_TIER_WHO = {
    "overdue_housed": "overdue households",
    "persons_housed": "larger households",
    "kept_previous": "households that the version under review already proposed for them",
    "max_shortfall_permille": "households whose persons keep the worst municipal shortfall lower",
    "quality": "households that fit them better on ties, bedrooms and school distance",
}


Items = list[tuple[int, int]]  # (detail, dwellings it rules out), most dwellings first


def _taken_text(facts: Facts, h: int, items: Items, share: str, blocked: IntArray, placed: _Placed,
                objectives: list[str]) -> tuple[str, str]:
    tiers = len(objectives)
    score = items[0][0]
    if score < tiers:
        tier = objectives[score]
        return f"taken:{tier}", f"{share} went to {_TIER_WHO[tier]} (tier {tier})"
    if score == tiers:
        return ("taken:equal", f"{share} went to households that rank equally on every objective; "
                               "the solver chose among equals")
    higher = (f"tier {objectives[2 * tiers - score]}" if len(items) == 1
              else ", ".join(f"tier {objectives[2 * tiers - score]} for {n}" for score, n in items))
    return ("taken:exchange_blocked",
            f"{share} went to other households although this household ranks higher on {higher}; exchanging "
            f"them would break a limit elsewhere, or the proposal is not proven optimal")


def _municipality_text(facts: Facts, h: int, items: Items, share: str, blocked: IntArray, placed: _Placed,
                       objectives: list[str]) -> tuple[str, str]:
    def state(m: int) -> str:
        cap, persons = int(facts.municipalities.cap[m]), int(placed.persons[m])
        municipality = facts.municipalities.ids[m]
        return (f"municipality {municipality} reached its cap ({persons} of {cap} persons)" if persons >= cap
                else f"municipality {municipality} has {cap - persons} of its {cap} places left")

    size = int(facts.households.size[h])
    return ("cap:municipality",
            f"{_listing([m for m, _ in items], state)}; the household has {_count(size, 'person')}, which rules out "
            f"{share}")


def _group_text(facts: Facts, h: int, items: Items, share: str, blocked: IntArray, placed: _Placed,
                objectives: list[str]) -> tuple[str, str]:
    def state(g: int) -> str:
        return (f"group {facts.groups.ids[g]} reached its share cap ({int(placed.dwellings_used[g])} of "
                f"{int(facts.groups.cap[g])} dwellings)")

    return "cap:group", f"{_listing([g for g, _ in items], state)}, which rules out {share}"


def _school_text(facts: Facts, h: int, items: Items, share: str, blocked: IntArray, placed: _Placed,
                 objectives: list[str]) -> tuple[str, str]:
    column = items[0][0]
    kind = SCHOOL_KINDS[column]
    near = np.zeros(len(facts.schools.ids), dtype=np.bool_)
    near[_schools_in_reach(facts.reach[kind], blocked)] = True
    schools = np.flatnonzero(near)
    schools = schools[np.argsort(placed.seats_left[schools], kind="stable")]
    def state(s: int) -> str:
        left = int(placed.seats_left[s])
        return f"school {facts.schools.ids[s]} has " + ("no free seat left" if left <= 0
                                                        else f"{_count(left, 'free seat')} left")

    kids = int(facts.households.kids[h, column])
    limit = facts.instance.policy.max_school_km.for_kind(kind)
    return ("cap:school", f"no {kind} school within {limit:g} km has {_count(kids, 'free seat')} left "
                          f"({_listing(schools.tolist(), state)}), which rules out {share}")


def _schools_in_reach(reach: SchoolReach, dwellings: IntArray) -> IntArray:
    """Every (dwelling, school in range) entry of these dwellings, as school indices."""
    begin = reach.start[dwellings]
    count = reach.start[dwellings + 1] - begin
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return reach.school[np.repeat(begin, count) + offsets]


def _free_text(facts: Facts, h: int, items: Items, share: str, blocked: IntArray, placed: _Placed,
               objectives: list[str]) -> tuple[str, str]:
    rewarding = [name for name in objectives
                 if name == "persons_housed" or (name == "overdue_housed" and facts.households.overdue[h])]
    if rewarding:
        return ("left_free", f"{share} stayed free although housing it would raise {rewarding[0]}: "
                             "the proposal is not proven optimal (time limit)")
    return ("left_free", f"{share} stayed free: housing it would improve no objective of this policy "
                         f"({', '.join(objectives) or 'no objectives'})")


_COMPETITION_TEXT = (_taken_text, _municipality_text, _group_text, _school_text, _free_text)


# --- wording helpers ----------------------------------------------------------------------------------------


def _household_starts(household: IntArray, n_households: int) -> IntArray:
    """Offsets of each household's rows in an array sorted by household."""
    return np.searchsorted(household, np.arange(n_households + 1)).astype(np.int64)


def _share(count: int, usable: int, compatible: int) -> str:
    """'its 4 compatible dwellings', '3 of its 4 usable dwellings', 'its only compatible dwelling'."""
    noun = "compatible" if usable == compatible else "usable"
    if count == usable:
        return f"its only {noun} dwelling" if usable == 1 else f"its {usable} {noun} dwellings"
    return f"{count} of its {usable} {noun} dwellings"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _all_of(n: int, noun: str) -> str:
    return f"its only {noun} is" if n == 1 else f"all {n} {noun}s are"


def _all_or_it(n: int) -> str:
    return "all have" if n > 1 else "it has"


def _names(items: Sequence[str], total: int | None = None) -> str:
    """The first few names; a longer list ends in "and N more" (``total`` when only the first are given)."""
    total = len(items) if total is None else total
    shown = ", ".join(items[:NAMED_AT_MOST])
    return shown + (f" and {total - NAMED_AT_MOST} more" if total > NAMED_AT_MOST else "")


def _listing(items: Sequence[int], describe: Callable[[int], str]) -> str:
    """Describe the first few items only; a long list ends in "and N more"."""
    return _names([describe(item) for item in items[:NAMED_AT_MOST]], len(items))


def _euros(amount: float) -> str:
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"
