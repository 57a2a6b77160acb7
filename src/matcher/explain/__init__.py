"""Explanations: what every placement contributes, and why every other household is still waiting.

A case worker has to defend a proposal to a household, a municipality and a housing corporation. For a
placement that means its contributions to each objective (overdue, persons, tie bonus, unused bedrooms,
school kilometres, the municipality's progress). For a household left out it means the most specific
reason that holds, found by walking four stages in order and stopping at the first that explains it:

1. the household is not available this period;
2. no dwelling is compatible: the rules are applied as a funnel in a fixed order, and the rule that
   removes the last candidates is reported with the counts before it;
3. compatible dwellings exist but none is usable (the pruning the solver applies as well: municipality
   caps, group caps, school reach with enough seats, locks of other households);
4. usable dwellings exist: each went to another household that ranks above this one on some objective
   tier, or a limit (municipality cap, group cap, school seats) was used up by the placed households.

Everything is computed with numpy over the pair arrays; Python loops run only over the households left
out and the few distinct facts each reason names, so a national backlog stays within seconds.

The modules follow that order: ``placed`` (what the solution uses up), ``contributions`` (a placement's
part of every objective), ``left_out`` (the stages walked for each household left out, collecting
``reasons``), ``no_compatible`` (stage 2, the funnel over ``matcher.rules.RULE_STEPS``), ``unusable``
(stage 3), ``competition`` (stage 4). Each reason is data (a code and its facts); ``words`` turns reasons and
explanations into sentences, one module per language (the proposal's English ``reasons`` are its words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.explain.contributions import assignment_explanations
from matcher.explain.left_out import unassigned_reasons
from matcher.explain.placed import Placed
from matcher.facts import Facts
from matcher.format import Unassigned
from matcher.rules import Pairs
from matcher.solution import Placement

__all__ = ["Explanations", "explain"]


@dataclass(frozen=True)
class Explanations:
    assignments: list[dict[str, Any]]  # one dict per placement, same order as the solution: extra fields
    unassigned: list[Unassigned]  # one per household not placed, in input order


def explain(facts: Facts, pairs: Pairs, solution: list[Placement], objectives: list[str]) -> Explanations:
    """Annotate every placement with its contributions and every household left out with its reasons."""
    placed = Placed.of(facts, solution)
    return Explanations(
        assignments=assignment_explanations(facts, solution, placed),
        unassigned=unassigned_reasons(facts, pairs, placed, list(objectives)),
    )

