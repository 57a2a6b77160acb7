"""Keeping earlier placements where the class model leaves the choice free.

Households of one class are interchangeable for every rule and every objective (``matcher.solver.classes``),
so the class model decides only how many of a class go where; which members take those places is free.
When an answer is compared with an earlier proposal (forcing a pair, a recommendation), that freedom is
used to move nobody without need: within each class, members keep their own earlier dwelling where the
solution has a place there, then members placed before take the class's other places, then the others, in
the class's order (longest waiting first). Given the class counts this keeps the most households placed
and, among those, the most in their own dwelling; every objective value stays exactly as it was.
"""

from __future__ import annotations

from collections import defaultdict

from matcher.solution import Placement, Solution
from matcher.solver.classes import HouseholdClasses


def keep_where_free(households: HouseholdClasses, solution: Solution, earlier: Solution) -> Solution:
    """The same places per class as ``solution``, handed to the members so that the fewest change."""
    was_in = {p.household: p.dwelling for p in earlier}
    places: dict[int, list[Placement]] = defaultdict(list)  # per class, the places the solution gives it
    for placement in solution:
        places[int(households.of[placement.household])].append(placement)
    kept: list[Placement] = []
    for c, given in places.items():
        kept += _hand_out(households.members[c].tolist() if c >= 0 else [p.household for p in given], given,
                          was_in)
    return sorted(kept, key=lambda p: p.household)


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


def _moved(place: Placement, household: int) -> Placement:
    return Placement(household, place.dwelling, dict(place.schools))
