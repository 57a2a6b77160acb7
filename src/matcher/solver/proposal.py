"""Turning a solution (indices) into a proposal document (ids), with its explanations and statistics."""

from __future__ import annotations

from typing import Any

from matcher.explain import explain
from matcher.facts import Facts
from matcher.format import Assignment, MunicipalityProgress, ObjectiveValue, Proposal, Unassigned
from matcher.replan.moves import moved_pairs
from matcher.replan.proof import MoveProver
from matcher.rules import Pairs
from matcher.solution import Solution
from matcher.solver.evaluate import objective_values, persons_placed
from matcher.solver.tiers import TierResult

INTERIM_REASON = "not placed in the best proposal found so far (the solve is still running)"


def invalid_proposal(instance_id: str, errors: list[str], stats: dict[str, Any] | None = None) -> Proposal:
    return Proposal(instance=instance_id, status="invalid", errors=errors, stats=stats or {})


def build_proposal(facts: Facts, pairs: Pairs, solution: Solution, tiers: list[TierResult],
                   stats: dict[str, Any], with_explanations: bool = True, prover: MoveProver | None = None
                   ) -> Proposal:
    """``prover``: re-solves that show why each moved previous pair had to move (a re-plan with time left)."""
    solution = sorted(solution, key=lambda placement: placement.household)
    objectives = facts.instance.policy.objectives
    values = objective_values(facts, solution)
    explanations = explain(facts, pairs, solution, list(objectives)) if with_explanations else None
    proven = all(tier.status == "optimal" for tier in tiers) and len(tiers) == len(objectives)
    extra: dict[str, Any] = {}
    if facts.previous and with_explanations:  # a re-plan: say why each pair still under review moved
        extra["moved"] = [move.as_dict() for move in moved_pairs(facts, pairs, solution, prover)]
    return Proposal(
        instance=facts.instance.id,
        status="optimal" if proven else "feasible",
        objectives=[ObjectiveValue(name=tier.name, value=values[tier.name], bound=tier.bound) for tier in tiers],
        assignments=[_assignment(facts, placement, explanations.assignments[i] if explanations else {})
                     for i, placement in enumerate(solution)],
        unassigned=explanations.unassigned if explanations else _unexplained(facts, solution),
        municipalities=_progress(facts, solution),
        stats=stats,
        **extra,
    )


def _assignment(facts: Facts, placement: Any, extra: dict[str, Any]) -> Assignment:
    schools = {kind: facts.schools.ids[school] for kind, school in sorted(placement.schools.items())}
    return Assignment(household=facts.households.ids[placement.household],
                      dwelling=facts.dwellings.ids[placement.dwelling], schools=schools, **extra)


def _unexplained(facts: Facts, solution: Solution) -> list[Unassigned]:
    """Interim proposals of a running solve list the households left out without analysing why (yet)."""
    placed = {placement.household for placement in solution}
    return [Unassigned(household=household_id, reasons=[INTERIM_REASON])
            for h, household_id in enumerate(facts.households.ids) if h not in placed]


def _progress(facts: Facts, solution: Solution) -> list[MunicipalityProgress]:
    placed = persons_placed(facts, solution)
    return [MunicipalityProgress(id=facts.municipalities.ids[m], target=int(facts.municipalities.target[m]),
                                 housed=int(facts.municipalities.housed[m]), placed=int(placed[m]))
            for m in range(len(facts.municipalities.ids))]
