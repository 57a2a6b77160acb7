"""Keeping earlier placements: the least change among equally good proposals.

When an answer is compared with an earlier proposal (forcing a pair for why-not and recommend), it should
move nobody without need. Two steps do that after the policy's objectives are optimised (each held at the
value found):

1. ``least_change``: one more search on the class model (HiGHS) keeps as many of the earlier counts as possible:
   first households of each class placed at all, then households on the same arc (the same class of
   dwellings, or the same cell). A household that keeps a place weighs more than all arcs together, so a
   lost place is never traded for fewer moves.
2. ``keep_where_free``: the counts decide only how many of a class go where. Households of one class are
   interchangeable for every rule and objective, and so are the dwellings of one dwelling class (of one
   cell, for households with children). So members placed before take their class's places first, and
   each household goes back to its own earlier dwelling where its class of dwellings has room for it
   there. Every objective value stays exactly as it was.

A re-plan has its earlier proposal in the instance itself (``previous``): ``previous_start`` is the warm start
that keeps it, the pairs still under review that can all be kept together with the locks, and first come,
first served for the rest (the declined household among them). The tiers start from it, so the first interim
proposal already keeps what it can, and ``kept_previous`` starts at (or next to) its optimum.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.solution import Placement, Solution
from matcher.solver import class_model
from matcher.solver.capacity import Capacity
from matcher.solver.class_model import ClassModel
from matcher.solver.classes import DwellingClasses, HouseholdClasses
from matcher.solver.greedy import _nearest_schools as nearest_schools_with_seats
from matcher.solver.greedy import greedy_by_class
from matcher.solver.highs import HighsMirror
from matcher.solver.linear import LinearModel, Terms
from matcher.solver.network import DIRECT, Network
from matcher.solver.options import SolveControl, SolveOptions

RESTRICTED_SHARE = 0.25  # of the least change's seconds, at most, for the search on the arcs in use (wall clock:
# it takes what it needs, usually a fraction of a second, and the whole model gets the rest)
SHORTEST_STEP_S = 0.05  # a HiGHS search given less than this is not started
WHOLE_MODEL_SAFETY = 0.7  # of the time left, for the search on the whole model: HiGHS overran its limit there by a
# quarter on u16-backlog under load (5.6 s for 4.4), and the deadline is the solve's


def previous_start(facts: Facts, network: Network, locked: list[Placement]) -> Solution | None:
    """The locks, then every ``previous`` pair that can still be kept (longest waiting first), then first come,
    first served for everybody else; None when the instance has no previous pairs.

    A pair can be kept when its household's class has a keep arc (the pair is still compatible and usable)
    and the capacities left by the locks and the pairs kept so far allow it, with the nearest schools that
    still have seats. The previous pairs of one proposal fit together, so normally all but the declined
    ones are kept."""
    if not facts.previous:
        return None
    free = Capacity.of(facts)
    for lock in locked:
        free.take(facts, lock)
    locked_households = {p.household for p in locked}
    with_keep_arc = set(zip(network.placement_class[network.keeps].tolist(), network.cell[network.keeps].tolist(),
                            strict=True))
    kept: list[Placement] = []
    for h in sorted(facts.previous, key=lambda h: (-int(facts.households.waiting_days[h]), h)):
        arc = (int(network.households.of[h]), int(network.previous_cell[h]))
        if h in locked_households or arc not in with_keep_arc:
            continue
        d = facts.previous[h]
        schools = nearest_schools_with_seats(facts, free, h, d)
        placement = Placement(h, d, schools or {})
        if schools is not None and free.fits(facts, placement):
            free.take(facts, placement)
            kept.append(placement)
    return greedy_by_class(facts, network, locked + kept)


def least_change(allocation: ClassModel, solution: Solution, earlier: Solution, options: SolveOptions,
                 control: SolveControl, seconds: float) -> tuple[Solution, str]:
    """The solution whose counts keep the most of ``earlier``'s; the objectives are held by the model.

    HiGHS's branch-and-cut from ``solution``, first on the arcs either solution uses (a few hundred columns,
    solved in a fraction of a second, and often all there is to keep), then on the whole model with the time
    left, which proves it (on u16-backlog a second or two, where CP-SAT under a loaded machine did not get past
    its presolve in 12 s). Status: "optimal" (proven), "feasible" (the whole model, unproven), "restricted"
    (only the arcs in use were searched), or why the last objective's solution is kept as it was."""
    before = class_model.values_of(allocation, earlier)
    now = class_model.values_of(allocation, solution)
    if before is None or now is None or seconds <= 0 or control.stopped:
        return solution, "not searched"
    kept, start = _kept(allocation, before, now)
    best, status = start, "not solved: the last objective's proposal is kept"
    mirror = HighsMirror(allocation.linear, options.deterministic)
    ends = time.monotonic() + seconds
    # deterministic: fixed shares of the seconds; else the restricted search takes what it needs (its share at
    # most) and the whole model whatever is left
    steps = ((_in_use(allocation, before, now), RESTRICTED_SHARE), (None, 1.0 - RESTRICTED_SHARE))
    for columns, share in steps:
        left = WHOLE_MODEL_SAFETY * (ends - time.monotonic())
        if options.deterministic:
            left = share * seconds
        elif columns is not None:
            left = min(share * seconds, ends - time.monotonic())
        if left < SHORTEST_STEP_S or control.stopped or kept.value(best) == _most(kept, allocation.linear):
            break
        outcome = mirror.solve_mip(kept, True, best, left, lambda: control.stopped, columns=columns)
        if outcome.values is not None and kept.value(outcome.values) >= kept.value(best):
            best = outcome.values
            status = ("optimal" if outcome.proven else "feasible") if columns is None else "restricted"
    if kept.value(best) == _most(kept, allocation.linear):
        status = "optimal"  # everything earlier counted is kept: nothing can keep more
    if best is start:
        return solution, status
    return class_model.solution_of(allocation, best), status


def _in_use(allocation: ClassModel, before: IntArray, now: IntArray) -> np.ndarray:
    """The columns of a restricted search: every count either solution uses, and every other variable."""
    columns = np.ones(len(allocation.linear.lower), dtype=np.bool_)
    counted = allocation.counted()
    columns[counted] = (before[counted] > 0) | (now[counted] > 0)
    return columns


def _most(kept: Terms, linear: LinearModel) -> int:
    """What keeping everything would count: every ``kept`` variable at its upper bound."""
    return int((kept.coeff * np.array(linear.upper, dtype=np.int64)[kept.index]).sum())


def _kept(allocation: ClassModel, before: IntArray, now: IntArray) -> tuple[Terms, IntArray]:
    """Terms counting what is kept (``min(now, before)`` per class placed and per arc, by new variables
    bounded by both), and a hint for every variable from ``now``."""
    network, linear = allocation.network, allocation.linear
    direct = np.flatnonzero(network.placement_pool == DIRECT)
    placed_by_class: dict[int, list[int]] = defaultdict(list)
    for j, c in enumerate(network.entry_class.tolist()):
        placed_by_class[c].append(int(allocation.entry_index(np.array([j]))[0]))
    for a in direct.tolist():
        placed_by_class[int(network.placement_class[a])].append(int(allocation.flow_index(np.array([a]))[0]))
    arcs = allocation.flow_index(np.arange(network.placements))
    groups = [(index, int(before[index].sum())) for index in
              [np.array(v, dtype=np.int64) for _, v in sorted(placed_by_class.items())]]
    per_arc = [(np.array([i]), int(before[i])) for i in arcs.tolist()]
    weight = int(before[arcs].sum()) + 1  # a place kept outweighs every arc kept
    index, coeff, hints = [], [], []
    for group, w in [(g, weight) for g in groups] + [(a, 1) for a in per_arc]:
        variables, ceiling = group
        if ceiling <= 0:
            continue
        kept = linear.new_variable(0, ceiling, "kept")
        linear.add(Terms.of(np.array([kept.index])) + Terms.of(variables, -1), upper=0)
        index.append(kept.index)
        coeff.append(w)
        hints.append(min(ceiling, int(now[variables].sum())))
    values = np.concatenate([now, np.zeros(len(linear.variables) - len(now), dtype=np.int64)])
    values[len(now):] = hints
    return Terms.of(np.array(index, dtype=np.int64), np.array(coeff, dtype=np.int64)), values


def keep_where_free(facts: Facts, households: HouseholdClasses, dwellings: DwellingClasses, solution: Solution,
                    earlier: Solution) -> Solution:
    """The same places per class as ``solution``, handed to the members so that the fewest change."""
    was_in = {p.household: p.dwelling for p in earlier}
    places: dict[int, list[Placement]] = defaultdict(list)  # per class, the places the solution gives it
    for placement in solution:
        places[int(households.of[placement.household])].append(placement)
    handed: list[Placement] = []
    for c, given in places.items():
        members = households.members[c].tolist() if c >= 0 else [p.household for p in given]
        handed += _hand_out(members, given, was_in)
    return sorted(_back_home(facts, dwellings, handed, was_in), key=lambda p: p.household)


def _hand_out(members: list[int], given: list[Placement], was_in: dict[int, int]) -> list[Placement]:
    """Own dwelling first, then members placed before, then the rest: each member at most one place."""
    open_places = list(given)
    taken: dict[int, Placement] = {}
    for h in members:
        own = next((i for i, place in enumerate(open_places) if place.dwelling == was_in.get(h, -1)), None)
        if own is not None:
            taken[h] = _moved(open_places.pop(own), h)
    for h in [h for h in members if h in was_in and h not in taken] + [h for h in members if h not in was_in]:
        if not open_places:
            break
        if h not in taken:
            taken[h] = _moved(open_places.pop(0), h)
    return list(taken.values())


def _back_home(facts: Facts, dwellings: DwellingClasses, solution: Solution, was_in: dict[int, int]) -> Solution:
    """Each household whose earlier dwelling is interchangeable with its current one goes back there, into a
    free place or by a swap with an occupant who was not there before. It opens no dwelling that was
    closed unless it closes the one it leaves, so that group caps stay kept."""
    capacity = facts.dwellings.households_capacity
    at: dict[int, list[int]] = defaultdict(list)
    where = {p.household: p for p in solution}
    for p in solution:
        at[p.dwelling].append(p.household)

    def may_move(h: int, a: int, b: int) -> bool:
        """Dwellings a and b are alike for household h: one class, and one cell if it has children."""
        same_class = dwellings.of[a] >= 0 and dwellings.of[a] == dwellings.of[b]
        return bool(same_class and (not facts.households.kids[h].any() or dwellings.cell_of[a] == dwellings.cell_of[b]))

    for h in sorted(where):
        home, now = was_in.get(h, -1), where[h].dwelling
        if home < 0 or home == now or not may_move(h, now, home):
            continue
        if len(at[home]) < capacity[home] and (at[home] or len(at[now]) == 1):
            _relocate(where, at, h, home)
            continue
        other = next((o for o in at[home] if was_in.get(o) != home and may_move(o, home, now)), None)
        if other is not None:
            _relocate(where, at, other, now)
            _relocate(where, at, h, home)
    return list(where.values())


def _relocate(where: dict[int, Placement], at: dict[int, list[int]], h: int, dwelling: int) -> None:
    at[where[h].dwelling].remove(h)
    at[dwelling].append(h)
    where[h] = Placement(h, dwelling, dict(where[h].schools))


def _moved(place: Placement, household: int) -> Placement:
    return Placement(household, place.dwelling, dict(place.schools))
