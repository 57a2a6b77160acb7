"""What a replay remembers from week to week: who is housed where, what is let, seats used, pairs declined.

Everything here is a consequence of accepted and declined pairs; the weekly instance is rebuilt from the
scenario and this state alone (``matcher.simulation.week``), so the state is the replay's whole memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from matcher.format import SCHOOL_KINDS, Assignment
from matcher.simulation.scenario import Scenario, ScenarioHousehold


def kids_of_kind(scenario: Scenario, household: ScenarioHousehold, kind: str) -> int:
    low, high = scenario.policy.ages(kind)
    return sum(1 for member in household.members if low <= member.age <= high)


@dataclass
class ReplayState:
    """The replay's memory after some weeks (ids throughout, in the order things happened)."""

    housed_week: dict[str, int] = field(default_factory=dict)  # household -> the week it was housed
    housed_in: dict[str, str] = field(default_factory=dict)  # household -> dwelling
    places_let: Counter[str] = field(default_factory=Counter)  # dwelling -> households moved in
    persons_in: Counter[str] = field(default_factory=Counter)  # municipality -> persons housed since start
    group_units_let: Counter[str] = field(default_factory=Counter)  # group -> dwellings let since start
    seats_used: Counter[str] = field(default_factory=Counter)  # school -> pupils placed since start
    declined: list[tuple[str, str]] = field(default_factory=list)  # (household, dwelling), in decision order

    def is_let(self, dwelling_id: str, shared_places: int) -> bool:
        """No place left: a shared dwelling once all its places are taken, any other once taken."""
        return self.places_let[dwelling_id] >= max(1, shared_places)

    def accept(self, scenario: Scenario, assignment: Assignment, week: int) -> None:
        """House the assignment's household in week ``week``: its persons, its dwelling, its schools count."""
        household = scenario.household_by_id[assignment.household]
        dwelling = scenario.dwelling_by_id[assignment.dwelling]
        self.housed_week[household.id] = week
        self.housed_in[household.id] = dwelling.id
        if self.places_let[dwelling.id] == 0:
            for group in dwelling.groups:
                self.group_units_let[group] += 1  # a shared dwelling counts once, when its first place is let
        self.places_let[dwelling.id] += 1
        self.persons_in[dwelling.municipality] += household.size
        for kind, school in assignment.named_schools().items():
            if kind in SCHOOL_KINDS:
                self.seats_used[school] += kids_of_kind(scenario, household, kind)

    def decline(self, assignment: Assignment) -> None:
        self.declined.append((assignment.household, assignment.dwelling))

