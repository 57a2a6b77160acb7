"""Assignments resolved to records: unknown ids become violations, the rest become placements to check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.checker.report import Violation
from matcher.facts import Facts
from matcher.format import Assignment
from matcher.solution import Placement


@dataclass(frozen=True)
class ResolvedAssignment:
    """An assignment whose household and dwelling exist, with the position it has in the proposal."""

    where: str  # "assignments[3] h00012 -> d00007"
    household: int
    dwelling: int
    named: dict[str, str]  # school kind -> school id as written, unknown ids included
    schools: dict[str, int] = field(default_factory=dict)  # school kind -> index, known schools only

    @property
    def placement(self) -> Placement:
        return Placement(self.household, self.dwelling, dict(self.schools))


def resolve(facts: Facts, assignments: Sequence[Assignment]) -> tuple[list[ResolvedAssignment], list[Violation]]:
    placed: list[ResolvedAssignment] = []
    violations: list[Violation] = []
    for position, assignment in enumerate(assignments):
        where = f"assignments[{position}] {assignment.household} -> {assignment.dwelling}"
        household = facts.household_index.get(assignment.household)
        dwelling = facts.dwelling_index.get(assignment.dwelling)
        if household is None:
            violations.append(Violation("unknown_id", where, f'unknown household "{assignment.household}"',
                                        (assignment.household,)))
        if dwelling is None:
            violations.append(Violation("unknown_id", where, f'unknown dwelling "{assignment.dwelling}"',
                                        (assignment.dwelling,)))
        named = assignment.named_schools()
        schools = {}
        for kind, school_id in named.items():
            if school_id in facts.school_index:
                schools[kind] = facts.school_index[school_id]
            else:
                violations.append(Violation("unknown_id", where, f'unknown {kind} school "{school_id}"',
                                            (school_id,)))
        if household is not None and dwelling is not None:
            placed.append(ResolvedAssignment(where, household, dwelling, named, schools))
    return placed, violations


def records_of(facts: Facts, placed: ResolvedAssignment, *more: str) -> tuple[str, ...]:
    return (facts.households.ids[placed.household], facts.dwellings.ids[placed.dwelling], *more)
