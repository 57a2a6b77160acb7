"""Why not: why a household did not get a given dwelling, in words a case worker can repeat.

Three answers are possible. The pair is in the proposal already. Or no proposal can contain it: then every
rule that forbids it is named, with the real numbers (``matcher.accountability.obstacles``). Or some
proposal could contain it: then the pair is forced (``matcher.accountability.forcing``) and the answer is
what that costs: the most important objective that gets worse and by how much, which is the reason the
optimizer did not choose it, plus every household that would lose its place or move. The answer is kept as
statements (``matcher.accountability.statements``), each claiming only what is proven, and worded in Dutch or
English by ``matcher.explain.words``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from matcher.accountability import statements
from matcher.accountability.baseline import Baseline
from matcher.accountability.forcing import (
    RESOLVE_TIME_LIMIT_S,
    Blocked,
    Forced,
    force_pair,
    question_budget,
    resolve_options,
)
from matcher.accountability.obstacles import Obstacle
from matcher.explain.words import ENGLISH
from matcher.explain.words.answers import answer_lines
from matcher.solver import SolveOptions
from matcher.solver.budget import Budget

Verdict = Literal["in_proposal", "impossible", "possible"]


@dataclass(frozen=True)
class WhyNot:
    household: str
    dwelling: str
    verdict: Verdict
    current: str | None  # the household's dwelling in the proposal
    occupants: list[str]  # the households the proposal puts in the dwelling
    obstacles: list[Obstacle] = field(default_factory=list)  # when impossible
    forced: Forced | None = None  # when possible
    statements: list[dict[str, Any]] = field(default_factory=list)  # the answer, to be worded in any language

    @property
    def lines(self) -> list[str]:
        """The answer in English words."""
        return self.words(ENGLISH)

    def words(self, language: str) -> list[str]:
        return answer_lines(self.statements, language)

    def as_dict(self, language: str = ENGLISH) -> dict[str, Any]:
        return {"household": self.household, "dwelling": self.dwelling, "verdict": self.verdict,
                "current": self.current, "occupants": self.occupants,
                "obstacles": [obstacle.as_dict() for obstacle in self.obstacles],
                "forced": self.forced.as_dict() | self.forced.proof() if self.forced else None,
                "forced_proposal": self.forced.proposal.model_dump(mode="json", exclude_none=True)
                if self.forced else None,
                "language": language, "statements": self.statements, "answer": self.words(language)}


def why_not(baseline: Baseline, household_id: str, dwelling_id: str, options: SolveOptions | None = None,
            budget: Budget | None = None) -> WhyNot:
    """The answer within ``options.time_limit``, counted from ``budget``'s start (the command's, so that
    reading the documents counts too) or from now."""
    options = options or SolveOptions(time_limit=RESOLVE_TIME_LIMIT_S)
    budget = budget or question_budget(options)
    household, dwelling = baseline.household(household_id), baseline.dwelling(dwelling_id)
    facts = baseline.facts
    placement = baseline.placement_of(household)
    current = facts.dwellings.ids[placement.dwelling] if placement else None
    occupants = [facts.households.ids[h] for h in baseline.occupants_of(dwelling)]
    if current == dwelling_id:
        return WhyNot(household_id, dwelling_id, "in_proposal", current, occupants,
                      statements=statements.in_proposal(baseline, household, dwelling))
    outcome = force_pair(baseline, household, dwelling, resolve_options(options, budget), deadline=budget.deadline)
    if isinstance(outcome, Blocked):
        return WhyNot(household_id, dwelling_id, "impossible", current, occupants, obstacles=outcome.obstacles,
                      statements=statements.impossible(baseline, household, dwelling, outcome, current, occupants))
    return WhyNot(household_id, dwelling_id, "possible", current, occupants, forced=outcome,
                  statements=statements.possible(baseline, household, dwelling, outcome, current, occupants))
