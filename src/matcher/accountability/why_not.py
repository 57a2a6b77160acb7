"""Why not: why a household did not get a given dwelling, in words a case worker can repeat.

Three answers are possible. The pair is in the proposal already. Or no proposal can contain it: then every
rule that forbids it is named, with the real numbers (``matcher.accountability.obstacles``). Or some
proposal could contain it: then the pair is forced (``matcher.accountability.forcing``) and the answer is
what that costs: the most important objective that gets worse and by how much, which is the reason the
optimizer did not choose it, plus every household that would lose its place or move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from matcher.accountability.baseline import Baseline
from matcher.accountability.forcing import (
    RESOLVE_TIME_LIMIT_S,
    Blocked,
    Forced,
    ObjectiveChange,
    force_pair,
    question_budget,
    resolve_options,
)
from matcher.accountability.obstacles import Obstacle
from matcher.accountability.wording import describe_dwelling, describe_household
from matcher.solver import SolveOptions
from matcher.solver.budget import Budget

Verdict = Literal["in_proposal", "impossible", "possible"]
LOCKED_WORDS = "locked (already accepted)"  # how an explanation summary marks a locked placement
FORCED_WORDS = "forced (asked about)"


@dataclass(frozen=True)
class WhyNot:
    household: str
    dwelling: str
    verdict: Verdict
    current: str | None  # the household's dwelling in the proposal
    occupants: list[str]  # the households the proposal puts in the dwelling
    obstacles: list[Obstacle] = field(default_factory=list)  # when impossible
    forced: Forced | None = None  # when possible
    lines: list[str] = field(default_factory=list)  # the answer in words

    def as_dict(self) -> dict[str, Any]:
        return {"household": self.household, "dwelling": self.dwelling, "verdict": self.verdict,
                "current": self.current, "occupants": self.occupants,
                "obstacles": [obstacle.as_dict() for obstacle in self.obstacles],
                "forced": self.forced.as_dict() | self.forced.proof() if self.forced else None,
                "forced_proposal": self.forced.proposal.model_dump(mode="json", exclude_none=True)
                if self.forced else None,
                "answer": self.lines}


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
    who, where = describe_household(facts, household), describe_dwelling(facts, dwelling)
    if current == dwelling_id:
        return WhyNot(household_id, dwelling_id, "in_proposal", current, occupants,
                      lines=[f"{who} gets {where} in this proposal."])
    outcome = force_pair(baseline, household, dwelling, resolve_options(options, budget))
    situation = _situation(current, occupants)
    if isinstance(outcome, Blocked):
        count = len(outcome.obstacles)
        lines = [f"{who} cannot get {where}: {count} rule{'s' if count != 1 else ''} forbid{'s' if count == 1 else ''} "
                 "it, whatever happens to the other households."]
        lines += [f"- {obstacle}" for obstacle in outcome.obstacles]
        return WhyNot(household_id, dwelling_id, "impossible", current, occupants, obstacles=outcome.obstacles,
                      lines=lines + situation)
    return WhyNot(household_id, dwelling_id, "possible", current, occupants, forced=outcome,
                  lines=[f"{who} could get {where}.", *_cost(baseline, outcome), *situation])


def _situation(current: str | None, occupants: list[str]) -> list[str]:
    return [f"In this proposal the household {'has ' + current if current else 'is not placed'}; "
            f"the dwelling {'goes to ' + ', '.join(occupants) if occupants else 'stays empty'}."]


def _cost(baseline: Baseline, forced: Forced) -> list[str]:
    """What forcing the pair changes: the deciding objective first, then every objective and household."""
    facts = baseline.facts
    deciding = forced.deciding
    if deciding is None:
        lines = ["Forcing it changes no objective: the proposal could equally contain it; the optimizer chose "
                 "among equally good proposals."]
    elif deciding.worse_by > 0:
        lines = [f"The proposal does not contain it because {_worse_in_words(deciding)} "
                 f"({deciding.name}, the most important objective that gets worse)."]
    else:
        lines = [f"Forcing it would improve {deciding.name} ({deciding.text()}): the proposal asked about was not "
                 "proven optimal."]
    if not forced.proven and forced.cost_proven:
        lines.append("Every objective up to the one that decides is proven optimal, so this cost is proven; the "
                     "later objectives were not proven within the time limit, so who would move is what was found.")
    elif not forced.proven and forced.proven_worse_by > 0:
        lines.append(f"That {deciding.name if deciding else 'it'} gets worse is proven, by at least "
                     f"{forced.proven_worse_by}; the exact amount was not proven within the time limit, so these "
                     "figures are what was found.")
    elif not forced.proven:
        lines.append("The forced proposal is not proven optimal within the time limit: these figures are what was "
                     "found; with more time the cost could be lower.")
    lines.append("Objectives with the pair forced: " + "; ".join(change.text() for change in forced.changes))
    summary = _placement_summary(forced)
    if summary:
        lines.append(f"The household in {forced.dwelling}: {summary}")
    index = facts.household_index
    if forced.previous:
        lines.append(f"The household would leave {forced.previous}.")
    if forced.lost:
        lines.append("Would lose their place: " + "; ".join(describe_household(facts, index[h]) for h in forced.lost))
    if forced.moved:
        lines.append("Would move: " + "; ".join(f"{m.household} from {m.before} to {m.after}" for m in forced.moved))
    if forced.gained:
        lines.append("Would get a place: " + "; ".join(describe_household(facts, index[h]) for h in forced.gained))
    if not (forced.lost or forced.moved or forced.gained):
        lines.append("No other household would have to change.")
    return lines


def _worse_in_words(change: ObjectiveChange) -> str:
    n = change.worse_by
    if change.name == "overdue_housed":
        return f"{n} overdue household{'s' if n != 1 else ''} fewer would be housed"
    if change.name == "persons_housed":
        return f"{n} person{'s' if n != 1 else ''} fewer would be housed"
    if change.name == "kept_previous":
        return f"{n} pair{'s' if n != 1 else ''} fewer of the version under review would stay as proposed"
    if change.name == "max_shortfall_permille":
        return (f"the worst municipal shortfall on the taakstelling would rise from {change.before} to "
                f"{change.after} per mille")
    return (f"the quality score (ties, unused bedrooms, school distance) would drop from {change.before} to "
            f"{change.after}")


def _placement_summary(forced: Forced) -> str | None:
    """The forced placement's own contributions, as the proposal's explanation words them.

    The forced pair is a lock of the re-solved instance, so the explanation calls it accepted; here it is
    only asked about, and is called forced.
    """
    for assignment in forced.proposal.assignments:
        if assignment.household == forced.household:
            explanation = (assignment.model_extra or {}).get("explanation")
            summary = explanation.get("summary") if isinstance(explanation, dict) else None
            return summary.replace(LOCKED_WORDS, FORCED_WORDS, 1) if isinstance(summary, str) else None
    return None
