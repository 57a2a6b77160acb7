"""The objectives recomputed from the assignments as the format defines them, and checked against the report."""

from __future__ import annotations

from collections.abc import Iterable

from matcher.checker.report import Violation
from matcher.checker.resolve import ResolvedAssignment
from matcher.facts import DAYS_PER_WEEK, Facts, ceil_km, haversine_km
from matcher.format import MAXIMISED_OBJECTIVES, PERMILLE, Location, Proposal
from matcher.solution import Placement


def reported_objectives(facts: Facts, proposal: Proposal, placed: list[ResolvedAssignment]) -> list[Violation]:
    expected = list(facts.instance.policy.objectives)
    reported = [objective.name for objective in proposal.objectives]
    violations = []
    if reported != expected:
        violations.append(Violation("objective_mismatch", "objectives",
                                    f"must list [{', '.join(expected)}] in policy order; it lists "
                                    f"[{', '.join(reported)}]"))
    recomputed = recompute_objectives(facts, [p.placement for p in placed])
    for i, objective in enumerate(proposal.objectives):
        where = f"objectives[{i}] {objective.name}"
        if objective.value != recomputed[objective.name]:
            violations.append(Violation("objective_mismatch", where, f"value is {objective.value}, but the "
                                                                     f"assignments give {recomputed[objective.name]}"))
        if objective.name in MAXIMISED_OBJECTIVES and objective.bound < objective.value:
            violations.append(Violation("objective_bound", where, f"bound {objective.bound} is below value "
                                                                  f"{objective.value} of a maximised objective"))
        if objective.name not in MAXIMISED_OBJECTIVES and objective.bound > objective.value:
            violations.append(Violation("objective_bound", where, f"bound {objective.bound} is above value "
                                                                  f"{objective.value} of a minimised objective"))
        if proposal.status == "optimal" and objective.bound != objective.value:
            violations.append(Violation("status", where, f"status optimal needs bound == value; bound is "
                                                         f"{objective.bound}, value {objective.value}"))
    return violations


def placed_persons(facts: Facts, placements: Iterable[Placement]) -> dict[str, int]:
    """Persons (``size``, not expected members) each municipality receives, every municipality listed."""
    persons = {municipality.id: 0 for municipality in facts.instance.municipalities}
    for placement in placements:
        dwelling = facts.instance.dwellings[placement.dwelling]
        persons[dwelling.municipality] += facts.instance.households[placement.household].size
    return persons


def recompute_objectives(facts: Facts, placements: Iterable[Placement]) -> dict[str, int]:
    """Every objective of a list of placements, exactly as the format defines them."""
    placements = list(placements)
    return {
        "overdue_housed": sum(1 for p in placements if _overdue(facts, p.household)),
        "persons_housed": sum(facts.instance.households[p.household].size for p in placements),
        "kept_previous": _kept_previous(facts, placements),
        "max_shortfall_permille": _max_shortfall_permille(facts, placed_persons(facts, placements)),
        "quality": sum(placement_quality(facts, p) for p in placements),
    }


def _kept_previous(facts: Facts, placements: list[Placement]) -> int:
    """Assignments that appear in the instance's ``previous`` pairs, read from the instance's own ids."""
    instance = facts.instance
    previous = {(pair.household, pair.dwelling) for pair in instance.previous}
    return sum(1 for p in placements
               if (instance.households[p.household].id, instance.dwellings[p.dwelling].id) in previous)


def _overdue(facts: Facts, household: int) -> bool:
    instance = facts.instance
    waited = (instance.period.start - instance.households[household].waiting_since).days
    return waited >= DAYS_PER_WEEK * instance.policy.overdue_weeks


def _max_shortfall_permille(facts: Facts, persons: dict[str, int]) -> int:
    worst = 0
    for municipality in facts.instance.municipalities:
        if municipality.target > 0:
            missing = max(0, municipality.target - municipality.housed - persons[municipality.id])
            worst = max(worst, PERMILLE * missing // municipality.target)
    return worst


def placement_quality(facts: Facts, placement: Placement) -> int:
    """Tie bonus, minus unused bedrooms (non-shared only), minus whole kilometres to every school named."""
    instance = facts.instance
    weights = instance.policy.quality_weights
    household = instance.households[placement.household]
    dwelling = instance.dwellings[placement.dwelling]
    tie = max((weights.tie.for_kind(t.kind) for t in household.ties if t.municipality == dwelling.municipality),
              default=0)
    unused = 0 if dwelling.is_shared else max(0, dwelling.bedrooms - int(facts.households.need[placement.household]))
    km = sum(int(ceil_km(distance_km(dwelling.location, instance.schools[s].location)))
             for s in placement.schools.values())
    return tie - weights.unused_bedroom * unused - weights.school_km * km


def distance_km(a: Location, b: Location) -> float:
    return float(haversine_km(a.lat, a.lon, b.lat, b.lon))
