"""Recommended fit: the best dwellings for one household, or the best households for one dwelling.

"Best" means what the optimizer means: each alternative pair is forced into the proposal (see
``matcher.accountability.forcing``), and the alternatives are ranked by the objective values the forced
proposals reach, in the policy's lexicographic order, then by how little else has to change (fewer lost
places, then fewer moves). Pairs that no proposal can contain are not ranked; they are counted by the
rule that rules them out, so the case worker also learns why the list is short.

The pairs share the question's one time limit, in two passes. First every possible pair is re-solved up to
the tier that decides its cost (the first that differs from the proposal), most promising first (by what the
proposal minus what the pair displaces already reaches), so that when the time runs out the pairs left
unanswered are the least likely to rank. Then the time left goes to whole re-solves, from there, of the
pairs that could still be among the best (their proven bounds are not beaten by ``top`` others).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from matcher.accountability import statements
from matcher.accountability.baseline import Baseline, QuestionInvalid
from matcher.accountability.forcing import (
    RESOLVE_TIME_LIMIT_S,
    Blocked,
    Forced,
    best_possible,
    force_pair,
    question_budget,
    rank_key,
    resolve_options,
)
from matcher.accountability.obstacles import pair_obstacles
from matcher.explain.words import ENGLISH
from matcher.explain.words.answers import answer_lines
from matcher.format import MAXIMISED_OBJECTIVES
from matcher.solution import Placement
from matcher.solver import SolveOptions
from matcher.solver.budget import Budget
from matcher.solver.evaluate import objective_values, persons_placed, shortfall_permille

DEFAULT_TOP = 5
COST_PASS_SHARE = 0.5  # of a recommend's budget, at most, for the first pass (each pair up to its deciding tier)
SHORTFALL = "max_shortfall_permille"
SHORTEST_RECOMMEND_S = 5.0  # a re-solve given less is not started (the pair is reported as not answered): on a
# region's backlog its fixed costs (lock check, facts to model, least change, explanations) take 1-4 s under load,
# and with 2 s each of 361 pairs for one dwelling, a 30 s question overran by 8 s

Subject = Literal["household", "dwelling"]


@dataclass(frozen=True)
class Recommendation:
    """The best alternatives for one household or one dwelling, best first."""

    subject: Subject
    id: str
    current: list[str]  # the subject's partner(s) in the proposal: its dwelling, or the dwelling's households
    options: list[Forced]  # at most ``top``, best first
    considered: int  # pairs that could be in some proposal, re-solved and ranked
    blocked: list[Blocked] = field(default_factory=list)  # pairs no proposal can contain
    unanswered: list[str] = field(default_factory=list)  # partners of possible pairs not re-solved in time
    order_proven: list[bool] = field(default_factory=list)  # per option: proven at least as good as every pair
    # ranked after it, on the policy's objectives (``order_proven`` below)
    statements: list[dict[str, Any]] = field(default_factory=list)  # the answer, to be worded in any language

    def blocked_by_rule(self) -> list[tuple[tuple[str, str], int]]:
        """How many pairs each rule (rule, name) rules out (a pair broken by two rules counts for both), most
        first."""
        counts = Counter((obstacle.rule, obstacle.name) for pair in self.blocked for obstacle in pair.obstacles)
        return counts.most_common()

    def words(self, language: str) -> list[str]:
        return answer_lines(self.statements, language)

    def as_dict(self, language: str = ENGLISH) -> dict[str, Any]:
        return {
            "subject": self.subject, "id": self.id, "current": self.current, "considered": self.considered,
            "options": [{"rank": rank, **option.as_dict(), **option.proof(), "order_proven": proven}
                        for rank, (option, proven) in enumerate(zip(self.options, self.order_proven, strict=True),
                                                                start=1)],
            "blocked": [pair.as_dict() for pair in self.blocked], "unanswered": self.unanswered,
            "blocked_by_rule": [{"rule": f"{rule} ({name})", "pairs": count}
                                for (rule, name), count in self.blocked_by_rule()],
            "language": language, "statements": self.statements, "answer": self.words(language),
        }


def recommend_dwellings(baseline: Baseline, household_id: str, top: int = DEFAULT_TOP,
                        options: SolveOptions | None = None, among: Collection[str] | None = None,
                        budget: Budget | None = None) -> Recommendation:
    """The ``top`` best dwellings for a household, given the rest of the proposal (only ``among``, if given),
    within ``options.time_limit`` counted from ``budget``'s start (or from now)."""
    _check_top(top)
    household = baseline.household(household_id)
    dwellings = _restricted(baseline.facts.dwellings.ids, among)
    outcomes = _force_all(baseline, [(household, d) for d in dwellings], options, budget, top)
    current = baseline.placement_of(household)
    return _ranked(baseline, "household", household_id,
                   [baseline.facts.dwellings.ids[current.dwelling]] if current else [], outcomes, top)


def recommend_households(baseline: Baseline, dwelling_id: str, top: int = DEFAULT_TOP,
                         options: SolveOptions | None = None, among: Collection[str] | None = None,
                         budget: Budget | None = None) -> Recommendation:
    """The ``top`` best households for a dwelling, given the rest of the proposal (only ``among``, if given)."""
    _check_top(top)
    dwelling = baseline.dwelling(dwelling_id)
    households = _restricted(baseline.facts.households.ids, among)
    outcomes = _force_all(baseline, [(h, dwelling) for h in households], options, budget, top)
    current = [baseline.facts.households.ids[h] for h in baseline.occupants_of(dwelling)]
    return _ranked(baseline, "dwelling", dwelling_id, current, outcomes, top)


Outcome = Forced | Blocked | tuple[str, str]  # a pair's answer; a bare (household, dwelling): not re-solved


def _force_all(baseline: Baseline, pairs: list[tuple[int, int]], options: SolveOptions | None,
               budget: Budget | None, top: int) -> list[Outcome]:
    """Every pair forced, over one budget, in two passes.

    1. The blocked pairs at once; then the possible ones, most promising first, each re-solved up to the first
       tier that differs from the proposal (what decides the cost), within the first ``COST_PASS_SHARE`` of
       the budget (until too little is left to start one).
    2. With what is left, a whole re-solve of every pair that could still rank among the ``top``: the order
       of pairs with the same cost is decided by the later objectives and who moves.
    3. By the clock, if time is still left (the second pass had few pairs), the pairs the first pass did not
       reach, in its order (measured: half of a 30 s question left unused with 302 pairs unanswered).
    """
    options = options or SolveOptions(time_limit=RESOLVE_TIME_LIMIT_S)
    budget = budget or question_budget(options)
    facts = baseline.facts
    outcomes: dict[tuple[int, int], Outcome] = {}
    possible = []
    for h, d in pairs:
        obstacles = pair_obstacles(facts, h, d)
        if obstacles:
            outcomes[h, d] = Blocked(facts.households.ids[h], facts.dwellings.ids[d], obstacles)
        elif _proven_already(baseline, h, d):
            outcomes[h, d] = force_pair(baseline, h, d, options)  # nothing to re-solve
        else:
            possible.append((h, d))
    first = dataclasses.replace(budget, seconds=COST_PASS_SHARE * budget.seconds)
    promise = _promises(baseline, possible)
    queue = sorted(possible, key=promise.__getitem__)
    outcomes |= _in_turn(baseline, queue, options, first, until_deciding=True)
    # by the clock, the second pass has whatever the first left; deterministically, the rest of the budget
    second = dataclasses.replace(budget, seconds=budget.seconds - first.seconds) if options.deterministic else budget
    outcomes |= _in_turn(baseline, _could_rank(baseline, outcomes, top), options, second, until_deciding=False,
                         earlier=outcomes)
    if not options.deterministic:  # 3. by the clock, what is still left goes on with the first pass's queue
        waiting = [pair for pair in queue if isinstance(outcomes[pair], tuple)]
        outcomes |= _in_turn(baseline, waiting, options, budget, until_deciding=True)
    return [outcomes[pair] for pair in pairs]


def _in_turn(baseline: Baseline, queue: list[tuple[int, int]], options: SolveOptions, budget: Budget,
             until_deciding: bool, earlier: dict[tuple[int, int], Outcome] | None = None
             ) -> dict[tuple[int, int], Outcome]:
    """The pairs re-solved one after another, each from its ``earlier`` answer if there is one. Deterministic:
    each a fixed part of the budget; else an equal part of what is left among the pairs still to come, as many
    as can each get the shortest re-solve worth starting (the last in the queue wait: they keep their earlier
    answer, or are answered as not re-solved)."""
    ids_h, ids_d = baseline.facts.households.ids, baseline.facts.dwellings.ids
    outcomes: dict[tuple[int, int], Outcome] = {}
    for index, (h, d) in enumerate(queue):
        parts = len(queue) if options.deterministic else min(len(queue) - index,
                                                              int(budget.left() / SHORTEST_RECOMMEND_S))
        if parts < 1:
            return outcomes | {pair: (earlier or {}).get(pair, (ids_h[pair[0]], ids_d[pair[1]]))
                               for pair in queue[index:]}
        before = (earlier or {}).get((h, d))
        outcomes[h, d] = force_pair(baseline, h, d, resolve_options(options, budget, 0, parts), until_deciding,
                                    before if isinstance(before, Forced) else None, deadline=budget.deadline)
    return outcomes


def _could_rank(baseline: Baseline, outcomes: dict[tuple[int, int], Outcome], top: int) -> list[tuple[int, int]]:
    """The pairs of the first pass that are not proven in full and could still be among the ``top``: their
    best possible values are not beaten by ``top`` values already found."""
    objectives = baseline.objectives
    forced = {pair: outcome for pair, outcome in outcomes.items() if isinstance(outcome, Forced)}
    found = sorted(rank_key(outcome, objectives)[:len(objectives)] for outcome in forced.values())
    line = found[top - 1] if len(found) >= top else None
    could = [pair for pair, outcome in forced.items() if outcome.resolved and not outcome.proven
             and (line is None or best_possible(outcome.proposal, objectives) <= line)]
    return sorted(could, key=lambda pair: rank_key(forced[pair], objectives))


def _proven_already(baseline: Baseline, household: int, dwelling: int) -> bool:
    """The pair is in the proposal, and the proposal is proven optimal: forcing it changes nothing."""
    current = baseline.placement_of(household)
    return current is not None and current.dwelling == dwelling and baseline.proposal.status == "optimal"


def _promises(baseline: Baseline, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, ...]]:
    """How good forcing each pair looks before any search, smallest first: the policy's objectives of the
    proposal with the pair in it, the household's own placement and a full dwelling's occupants taken out
    (caps and schools aside: an order, no claim). Counted as changes to the proposal's values, since a
    dwelling can have hundreds of pairs to order."""
    facts = baseline.facts
    placed = persons_placed(facts, baseline.solution)
    at: dict[int, list[Placement]] = defaultdict(list)
    for placement in baseline.solution:
        at[placement.dwelling].append(placement)
    ordered = {}
    for household, dwelling in pairs:
        full = len(at[dwelling]) >= facts.dwellings.households_capacity[dwelling]
        out = [p for p in baseline.solution if p.household == household] + \
            [p for p in at[dwelling] if full and p.household != household]
        into = [Placement(household, dwelling)]
        lost, gained = objective_values(facts, out), objective_values(facts, into)
        values = {name: baseline.values[name] - lost[name] + gained[name] for name in baseline.objectives}
        persons = placed - persons_placed(facts, out) + persons_placed(facts, into)
        values[SHORTFALL] = shortfall_permille(facts, persons)  # a worst case, not a sum
        ordered[household, dwelling] = tuple(-values[name] if name in MAXIMISED_OBJECTIVES else values[name]
                                             for name in baseline.objectives)
    return ordered


def _restricted(ids: list[str], among: Collection[str] | None) -> list[int]:
    """Indices of the records to consider: all, or those named in ``among`` (unknown names are ignored)."""
    return list(range(len(ids))) if among is None else [i for i, record in enumerate(ids) if record in among]


def _check_top(top: int) -> None:
    if top < 1:
        raise QuestionInvalid([f"top must be at least 1, got {top}"])


def _ranked(baseline: Baseline, subject: Subject, subject_id: str, current: list[str],
            outcomes: list[Outcome], top: int) -> Recommendation:
    forced = [outcome for outcome in outcomes if isinstance(outcome, Forced)]
    order = sorted(range(len(forced)), key=lambda i: (*rank_key(forced[i], baseline.objectives), i))
    ranked = [forced[i] for i in order]
    partner = 1 if subject == "household" else 0
    found = Recommendation(subject=subject, id=subject_id, current=current, options=ranked[:top],
                           considered=len(forced),
                           blocked=[outcome for outcome in outcomes if isinstance(outcome, Blocked)],
                           unanswered=[outcome[partner] for outcome in outcomes if isinstance(outcome, tuple)],
                           order_proven=order_proven(baseline, ranked)[:top])
    return dataclasses.replace(found, statements=statements.recommendation(baseline, found))


def order_proven(baseline: Baseline, ranked: list[Forced]) -> list[bool]:
    """Per option, best first: whether it is proven at least as good, on the policy's objectives, as every pair
    ranked after it. Its reached values must be no worse than the best each of those could still reach (their
    proven bounds, ``best_possible``, and never better than what the unforced proposal's bounds allow); a proposal
    found proves what it reaches, so a proven order needs no option to be proven optimal itself."""
    objectives = baseline.objectives
    reached = [rank_key(forced, objectives)[:len(objectives)] for forced in ranked]
    ceiling = best_possible(baseline.proposal, objectives)  # forcing a pair only narrows the problem
    best = [max(best_possible(forced.proposal, objectives), ceiling) for forced in ranked]
    could_beat = [min(best[j:], default=None) for j in range(1, len(ranked) + 1)]  # the best of those after i
    return [could is None or reached[i] <= could for i, could in enumerate(could_beat)]
