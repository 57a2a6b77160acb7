"""Recommended fit: the best dwellings for one household, or the best households for one dwelling.

"Best" means what the optimizer means: each alternative pair is forced into the proposal (see
``matcher.accountability.forcing``), and the alternatives are ranked by the objective values the forced
proposals reach, in the policy's lexicographic order, then by how little else has to change (fewer lost
places, then fewer moves). Pairs that no proposal can contain are not ranked; they are counted by the
rule that rules them out, so the case worker also learns why the list is short.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from matcher.accountability.baseline import Baseline, QuestionInvalid
from matcher.accountability.forcing import Blocked, Forced, force_pair, rank_key
from matcher.solver import SolveOptions

DEFAULT_TOP = 5

Subject = Literal["household", "dwelling"]


@dataclass(frozen=True)
class Recommendation:
    """The best alternatives for one household or one dwelling, best first."""

    subject: Subject
    id: str
    current: list[str]  # the subject's partner(s) in the proposal: its dwelling, or the dwelling's households
    options: list[Forced]  # at most ``top``, best first
    considered: int  # pairs that could be in some proposal, all re-solved and ranked
    blocked: list[Blocked] = field(default_factory=list)  # pairs no proposal can contain

    def blocked_by_rule(self) -> list[tuple[str, int]]:
        """How many pairs each rule rules out (a pair broken by two rules counts for both), most first."""
        counts = Counter(f"{obstacle.rule} ({obstacle.name})" for pair in self.blocked for obstacle in pair.obstacles)
        return counts.most_common()

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "id": self.id, "current": self.current, "considered": self.considered,
            "options": [{"rank": rank, **option.as_dict()} for rank, option in enumerate(self.options, start=1)],
            "blocked": [pair.as_dict() for pair in self.blocked],
            "blocked_by_rule": [{"rule": rule, "pairs": count} for rule, count in self.blocked_by_rule()],
        }


def recommend_dwellings(baseline: Baseline, household_id: str, top: int = DEFAULT_TOP,
                        options: SolveOptions | None = None, among: Collection[str] | None = None) -> Recommendation:
    """The ``top`` best dwellings for a household, given the rest of the proposal (only ``among``, if given)."""
    _check_top(top)
    household = baseline.household(household_id)
    dwellings = _restricted(baseline.facts.dwellings.ids, among)
    outcomes = [force_pair(baseline, household, d, options) for d in dwellings]
    current = baseline.placement_of(household)
    return _ranked(baseline, "household", household_id,
                   [baseline.facts.dwellings.ids[current.dwelling]] if current else [], outcomes, top)


def recommend_households(baseline: Baseline, dwelling_id: str, top: int = DEFAULT_TOP,
                         options: SolveOptions | None = None, among: Collection[str] | None = None) -> Recommendation:
    """The ``top`` best households for a dwelling, given the rest of the proposal (only ``among``, if given)."""
    _check_top(top)
    dwelling = baseline.dwelling(dwelling_id)
    households = _restricted(baseline.facts.households.ids, among)
    outcomes = [force_pair(baseline, h, dwelling, options) for h in households]
    current = [baseline.facts.households.ids[h] for h in baseline.occupants_of(dwelling)]
    return _ranked(baseline, "dwelling", dwelling_id, current, outcomes, top)


def _restricted(ids: list[str], among: Collection[str] | None) -> list[int]:
    """Indices of the records to consider: all, or those named in ``among`` (unknown names are ignored)."""
    return list(range(len(ids))) if among is None else [i for i, record in enumerate(ids) if record in among]


def _check_top(top: int) -> None:
    if top < 1:
        raise QuestionInvalid([f"top must be at least 1, got {top}"])


def _ranked(baseline: Baseline, subject: Subject, subject_id: str, current: list[str],
            outcomes: list[Forced | Blocked], top: int) -> Recommendation:
    forced = [outcome for outcome in outcomes if isinstance(outcome, Forced)]
    order = sorted(range(len(forced)), key=lambda i: (*rank_key(forced[i], baseline.objectives), i))
    return Recommendation(subject=subject, id=subject_id, current=current,
                          options=[forced[i] for i in order[:top]], considered=len(forced),
                          blocked=[outcome for outcome in outcomes if isinstance(outcome, Blocked)])
