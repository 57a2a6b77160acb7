"""What is still free while placements are added one by one: dwelling places, municipality persons, group
dwellings and school seats. The greedy fills the region with it; forcing rebuilds a proposal's placements
around a forced pair with it. (The checker counts on its own, on purpose: it shares no solver code.)"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.facts import Facts
from matcher.format import SCHOOL_KINDS
from matcher.solution import Placement


@dataclass
class Capacity:
    dwelling_places: np.ndarray  # per dwelling: households it can still take
    municipality_persons: np.ndarray  # per municipality: persons it can still take
    group_dwellings: np.ndarray  # per group: dwellings that may still receive someone
    school_seats: np.ndarray  # per school
    dwelling_used: np.ndarray  # per dwelling: received a household already (counted against its groups)

    @classmethod
    def of(cls, facts: Facts) -> Capacity:
        return cls(
            dwelling_places=facts.dwellings.households_capacity.copy(),
            municipality_persons=facts.municipalities.cap.copy(),
            group_dwellings=facts.groups.cap.copy(),
            school_seats=facts.schools.seats.copy(),
            dwelling_used=np.zeros(len(facts.dwellings), dtype=np.bool_),
        )

    def fits(self, facts: Facts, placement: Placement) -> bool:
        """Whether every capacity still allows the placement, its schools included."""
        h, d = placement.household, placement.dwelling
        new_groups = facts.dwellings.groups[d] if not self.dwelling_used[d] else np.zeros(0, dtype=np.int64)
        return bool(self.dwelling_places[d] >= 1
                    and self.municipality_persons[facts.dwellings.municipality[d]] >= facts.households.size[h]
                    and (self.group_dwellings[new_groups] >= 1).all()
                    and all(self.school_seats[s] >= facts.households.kids[h, SCHOOL_KINDS.index(kind)]
                            for kind, s in placement.schools.items()))

    def take(self, facts: Facts, placement: Placement) -> None:
        """Book the places, persons, group dwellings and school seats that a placement uses."""
        h, d = placement.household, placement.dwelling
        if not self.dwelling_used[d]:
            self.group_dwellings[facts.dwellings.groups[d]] -= 1
            self.dwelling_used[d] = True
        self.dwelling_places[d] -= 1
        self.municipality_persons[int(facts.dwellings.municipality[d])] -= int(facts.households.size[h])
        for kind, s in placement.schools.items():
            self.school_seats[s] -= int(facts.households.kids[h, SCHOOL_KINDS.index(kind)])
