"""The one "usable pair" pruning: compatible pairs that no feasible proposal can use, stated once.

A compatible pair (rules 1-6) can still be useless: the household has more persons than its dwelling's
municipality may still take, or the dwelling sits in a group that may receive no more dwellings, or a
lock pins the household elsewhere or the dwelling to another household. The solver's placement network
drops such arcs (``matcher.solver.network``, on each class's representative) and the explanations name
them (``matcher.explain.unusable``, pair by pair); both ask these functions. (School seats are the fourth
test: the network reads them per cell, the explanations per dwelling, from the same reach lists.)
The checker keeps its own counting on purpose: it shares no solver code.
"""

from __future__ import annotations

import numpy as np

from matcher.facts import BoolArray, Facts, IntArray


def fits_municipality_cap(facts: Facts, persons: IntArray, dwelling: IntArray) -> BoolArray:
    """Per pair: the dwelling's municipality may still take this many persons."""
    return persons <= facts.municipalities.cap[facts.dwellings.municipality[dwelling]]


def in_full_group(facts: Facts) -> BoolArray:
    """Per dwelling: it belongs to a group that may receive no more dwellings."""
    inside = np.zeros(len(facts.dwellings), dtype=np.bool_)
    for g in np.flatnonzero(facts.groups.cap <= 0).tolist():
        inside[facts.groups.dwellings[g]] = True
    return inside


def lock_maps(facts: Facts) -> tuple[IntArray, IntArray]:
    """Per household its locked dwelling, per non-shared dwelling its locked household (-1 where none)."""
    dwelling_of = np.full(len(facts.households), -1, dtype=np.int64)
    household_of = np.full(len(facts.dwellings), -1, dtype=np.int64)
    for lock in facts.instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        dwelling_of[h] = d
        if not facts.dwellings.shared[d]:
            household_of[d] = h
    return dwelling_of, household_of


def respects_locks(facts: Facts, household: IntArray, dwelling: IntArray) -> BoolArray:
    """Per pair: a locked household takes only its locked dwelling, a locked non-shared dwelling only its
    household."""
    dwelling_of, household_of = lock_maps(facts)
    return (((dwelling_of[household] < 0) | (dwelling_of[household] == dwelling))
            & ((household_of[dwelling] < 0) | (household_of[dwelling] == household)))
