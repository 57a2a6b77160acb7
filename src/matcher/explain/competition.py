"""Stage 4: usable dwellings went to households ranking above on some tier, or a limit was used up."""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.explain.contributions import NO_SCHOOL, contributions
from matcher.explain.placed import Placed
from matcher.explain.reasons import NAMED_AT_MOST, Reasons, few
from matcher.explain.unusable import first_school
from matcher.explain.wording import household_starts
from matcher.facts import BoolArray, Facts, IntArray, SchoolReach
from matcher.format import PERMILLE, SCHOOL_KINDS

TAKEN, MUNICIPALITY_FULL, GROUP_FULL, SCHOOL_FULL, LEFT_FREE = range(5)


def explain_competition(facts: Facts, household: IntArray, dwelling: IntArray, compatible_count: IntArray,
                        placed: Placed, objectives: list[str], reasons: Reasons) -> None:
    """Classify each usable pair of a waiting household by what keeps it out; one reason per kind of obstacle."""
    if len(household) == 0:
        return
    n_h = len(facts.households)
    usable_count = np.bincount(household, minlength=n_h)
    outcome, detail = _pair_outcomes(facts, household, dwelling, placed, objectives)
    width = int(max(detail.max(), 0)) + 1
    codes, counts = np.unique((household * len(_COMPETITION_FACTS) + outcome) * width + detail, return_counts=True)
    keys = np.stack([codes // width // len(_COMPETITION_FACTS), codes // width % len(_COMPETITION_FACTS),
                     codes % width], axis=1)
    key_starts = household_starts(keys[:, 0], n_h)
    pair_starts = household_starts(household, n_h)
    for h in np.unique(keys[:, 0]).tolist():
        obstacles: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for r in range(int(key_starts[h]), int(key_starts[h + 1])):
            _, kind, what = keys[r].tolist()
            obstacles.setdefault(_obstacle(kind, what, len(objectives)), []).append((what, int(counts[r])))
        pairs = slice(int(pair_starts[h]), int(pair_starts[h + 1]))
        for (kind, _), items in sorted(obstacles.items(), key=lambda item: -sum(n for _, n in item[1])):
            items.sort(key=lambda item: -item[1])
            share = {"count": sum(n for _, n in items), "usable": int(usable_count[h]),
                     "compatible": int(compatible_count[h])}
            blocked = dwelling[pairs][(outcome[pairs] == kind) & (detail[pairs] == items[0][0])] \
                if kind == SCHOOL_FULL else dwelling[:0]  # only the school reason names what is near them
            code, found = _COMPETITION_FACTS[kind](facts, h, items, share, blocked, placed, objectives)
            reasons.add(h, code, **found)


def _obstacle(kind: int, detail: int, tiers: int) -> tuple[int, int]:
    """What one reason covers: each deciding tier, all equal ranks, all blocked exchanges, each cap family."""
    if kind == TAKEN:
        return kind, min(detail, tiers + 1)
    return kind, detail if kind == SCHOOL_FULL else 0


def _pair_outcomes(facts: Facts, household: IntArray, dwelling: IntArray, placed: Placed,
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
                    freed: IntArray, placed: Placed, outcome: IntArray, detail: IntArray) -> None:
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
        none = first_school(facts, kind, household[into_free], dwelling[into_free], placed.seats_left) == NO_SCHOOL
        outcome[into_free[none]], detail[into_free[none]] = SCHOOL_FULL, column
        exchanges = needing[freed[needing] >= 0]
        freed_school, freed_seats = _freed_by(facts, freed[exchanges], column, placed)
        none = first_school(facts, kind, household[exchanges], dwelling[exchanges], placed.seats_left,
                            freed_school, freed_seats) == NO_SCHOOL
        outcome[exchanges[none]], detail[exchanges[none]] = SCHOOL_FULL, column


def _freed_by(facts: Facts, occupant: IntArray, column: int, placed: Placed) -> tuple[IntArray, IntArray]:
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


def _weakest_occupant(facts: Facts, household: IntArray, dwelling: IntArray, placed: Placed,
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


def _exchange_scores(facts: Facts, household: IntArray, dwelling: IntArray, occupant: IntArray, placed: Placed,
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
                   placed: Placed) -> IntArray:
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
    own = contributions(facts, household, dwelling, _nearest_schools(facts, household, dwelling)).total
    return own - placed.quality[placed.placement_of[occupant]]


def _nearest_schools(facts: Facts, household: IntArray, dwelling: IntArray) -> IntArray:
    """The schools the household would most likely get there: the nearest in range with enough seats."""
    return np.stack([first_school(facts, kind, household, dwelling, facts.schools.seats)
                     for kind in SCHOOL_KINDS], axis=1)


def previous_dwellings(facts: Facts) -> IntArray:
    """Each household's dwelling in the proposal under review (a re-plan's ``previous``), -1 for none."""
    previous = np.full(len(facts.households), -1, dtype=np.int64)
    for household, dwelling in facts.previous.items():
        previous[household] = dwelling
    return previous


def _shortfall_gain(facts: Facts, municipality: IntArray, extra_persons: IntArray, placed: Placed) -> IntArray:
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


Items = list[tuple[int, int]]  # (detail, dwellings it rules out), most dwellings first
Found = tuple[str, dict[str, Any]]  # a reason's code and its facts


def _taken(facts: Facts, h: int, items: Items, share: dict[str, int], blocked: IntArray, placed: Placed,
           objectives: list[str]) -> Found:
    tiers = len(objectives)
    score = items[0][0]
    if score < tiers:
        tier = objectives[score]
        return f"taken:{tier}", {"share": share, "tier": tier}
    if score == tiers:
        return "taken:equal", {"share": share}
    higher = [{"tier": objectives[2 * tiers - score], "count": n} for score, n in items]
    return "taken:exchange_blocked", {"share": share, "higher": higher}


def _municipality_full(facts: Facts, h: int, items: Items, share: dict[str, int], blocked: IntArray,
                       placed: Placed, objectives: list[str]) -> Found:
    states = [{"municipality": facts.municipalities.ids[m], "persons": int(placed.persons[m]),
               "cap": int(facts.municipalities.cap[m])} for m, _ in items[:NAMED_AT_MOST]]
    return "cap:municipality", {"share": share, "persons": int(facts.households.size[h]),
                                "municipalities": few(states, len(items))}


def _group_full(facts: Facts, h: int, items: Items, share: dict[str, int], blocked: IntArray, placed: Placed,
                objectives: list[str]) -> Found:
    states = [{"group": facts.groups.ids[g], "used": int(placed.dwellings_used[g]), "cap": int(facts.groups.cap[g])}
              for g, _ in items[:NAMED_AT_MOST]]
    return "cap:group", {"share": share, "groups": few(states, len(items))}


def _school_full(facts: Facts, h: int, items: Items, share: dict[str, int], blocked: IntArray, placed: Placed,
                 objectives: list[str]) -> Found:
    column = items[0][0]
    kind = SCHOOL_KINDS[column]
    near = np.zeros(len(facts.schools.ids), dtype=np.bool_)
    near[_schools_in_reach(facts.reach[kind], blocked)] = True
    schools = np.flatnonzero(near)
    schools = schools[np.argsort(placed.seats_left[schools], kind="stable")]
    states = [{"school": facts.schools.ids[s], "left": int(placed.seats_left[s])}
              for s in schools[:NAMED_AT_MOST].tolist()]
    return "cap:school", {"share": share, "kind": kind, "kids": int(facts.households.kids[h, column]),
                          "limit_km": float(facts.instance.policy.max_school_km.for_kind(kind)),
                          "schools": few(states, len(schools))}


def _schools_in_reach(reach: SchoolReach, dwellings: IntArray) -> IntArray:
    """Every (dwelling, school in range) entry of these dwellings, as school indices."""
    begin = reach.start[dwellings]
    count = reach.start[dwellings + 1] - begin
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return reach.school[np.repeat(begin, count) + offsets]


def _left_free(facts: Facts, h: int, items: Items, share: dict[str, int], blocked: IntArray, placed: Placed,
               objectives: list[str]) -> Found:
    rewarding = [name for name in objectives
                 if name == "persons_housed" or (name == "overdue_housed" and facts.households.overdue[h])]
    return "left_free", {"share": share, "rewarding": rewarding[0] if rewarding else None,
                         "objectives": list(objectives)}


_COMPETITION_FACTS = (_taken, _municipality_full, _group_full, _school_full, _left_free)  # by outcome code
