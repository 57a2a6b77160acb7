"""What the whole solution uses up: the placements as arrays, and the limits a waiting household runs into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.explain.contributions import NO_SCHOOL, contributions
from matcher.facts import BoolArray, Facts, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.solution import Placement


@dataclass(frozen=True)
class Placed:
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
    def of(facts: Facts, solution: Sequence[Placement]) -> Placed:
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
        return Placed(
            household=household, dwelling=dwelling, school=school,
            quality=contributions(facts, household, dwelling, school).total,
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
