"""``lookahead``: the weekly optimum, with the weeks to come in view, learnt only from the weeks so far.

What the weekly optimum gets wrong over a half-year (measured, see the README): it houses this week's
overdue households and then maximises persons, so households just under the 14-week line wait on and
become overdue next week; first come, first served runs up fewer overdue weeks. ``lookahead`` widens the
first tier to the households that will *soon* be overdue: it solves the week with ``overdue_weeks``
lowered by a margin, so a household within the margin of the line counts as overdue now.

The margin is learnt from the replay so far, never from the scenario's future: the policy sees only the
weekly instances it is given, in order, and measures how many weeks the households it has seen housed
spent in the pool before they left it. A household that waits that long after today would cross the line
before it is housed; so the margin is that typical time in the pool (at least one week, at most
``MAX_MARGIN_WEEKS``; ``FIRST_MARGIN_WEEKS`` before anything has been observed).

The proposal is for the week's real instance: its objective values are recomputed there, their bounds are
those of the week's proven lexicographic optimum (solved as well), and where the two differ the proposal
says so in an extra ``lookahead`` field: the optimum's values, the dwellings the optimum would have let
and this proposal holds back, the households it prioritises, and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.facts import Facts, derive_facts
from matcher.format import Instance, Lock, ObjectiveValue, Proposal
from matcher.rules import compatible_pairs
from matcher.simulation.policies import PolicySettings, WeekPolicy
from matcher.solution import Placement
from matcher.solver.evaluate import objective_values, pair_quality
from matcher.solver.solve import solve_proposal

FIRST_MARGIN_WEEKS = 4
MAX_MARGIN_WEEKS = 8
MIN_MARGIN_WEEKS = 1


@dataclass
class PoolMemory:
    """What the policy has seen: the week each household first appeared, and how long those that left
    the pool stayed in it. Built from the weekly instances alone."""

    first_seen: dict[str, int] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)
    stays: list[int] = field(default_factory=list)  # weeks in the pool of the households that left it

    def observe(self, instance: Instance, week: int) -> None:
        present = {household.id for household in instance.households}
        for gone in self.waiting - present:
            self.stays.append(week - self.first_seen[gone])
        for household in present - self.waiting:
            self.first_seen.setdefault(household, week)
        self.waiting = present

    def margin_weeks(self) -> int:
        if not self.stays:
            return FIRST_MARGIN_WEEKS
        typical = sum(self.stays) / len(self.stays)
        return max(MIN_MARGIN_WEEKS, min(MAX_MARGIN_WEEKS, math.ceil(typical)))


def lookahead_policy(settings: PolicySettings) -> WeekPolicy:
    memory = PoolMemory()

    def propose(instance: Instance, week: int) -> Proposal:
        memory.observe(instance, week)
        margin = memory.margin_weeks()
        optimum = solve_proposal(instance, settings.solve_options())
        if instance.policy.overdue_weeks == 0 or "overdue_housed" not in instance.policy.objectives:
            return optimum
        chosen = solve_proposal(_ahead(instance, optimum, margin), settings.solve_options())
        return _for_the_real_week(instance, optimum, chosen, margin)

    return propose


def _ahead(instance: Instance, optimum: Proposal, margin: int) -> Instance:
    """The week as the look-ahead solves it: the optimum's overdue households kept where the optimum put
    them (locked: they lose a week each week they wait), and ``overdue_weeks`` lowered by the margin, so
    that after them the households nearest the line come first."""
    facts = derive_facts(instance)
    overdue = {facts.households.ids[h] for h in np.flatnonzero(facts.households.overdue).tolist()}
    locks = [Lock(household=a.household, dwelling=a.dwelling, schools=a.named_schools() or None)
             for a in optimum.assignments if a.household in overdue]
    policy = instance.policy.model_copy(update={"overdue_weeks": max(0, instance.policy.overdue_weeks - margin)})
    return instance.model_copy(update={"policy": policy, "locks": locks})


def _for_the_real_week(instance: Instance, optimum: Proposal, chosen: Proposal, margin: int) -> Proposal:
    """``chosen``'s assignments as a proposal for ``instance``: values recomputed there, bounds from the
    week's optimum, and a ``lookahead`` field saying where and why it departs from that optimum."""
    facts = derive_facts(instance)
    solution = [Placement(facts.household_index[a.household], facts.dwelling_index[a.dwelling],
                          {kind: facts.school_index[s] for kind, s in a.named_schools().items()})
                for a in chosen.assignments]
    values = objective_values(facts, solution)
    objectives = _objectives(facts, values, optimum)
    departs = any(o.value != p.value for o, p in zip(objectives, optimum.objectives, strict=True))
    status = "optimal" if all(o.value == o.bound for o in objectives) else "feasible"
    return chosen.model_copy(update={
        "instance": instance.id,
        "status": status,
        "objectives": objectives,
        "lookahead": _why(instance, optimum, chosen, margin, departs),
    })


def _objectives(facts: Facts, values: dict[str, int], optimum: Proposal) -> list[ObjectiveValue]:
    """Values recomputed for the week; bounds the optimum's while every earlier tier has the optimum's
    value (a later tier's bound holds given the earlier values), from the first departure on the trivial
    bound, which holds whatever the earlier values."""
    objectives, same_so_far = [], True
    for tier in optimum.objectives:
        value = values[tier.name]
        bound = tier.bound if same_so_far else _trivial_bound(facts, tier.name, value, tier.bound)
        objectives.append(ObjectiveValue(name=tier.name, value=value, bound=bound))
        same_so_far = same_so_far and value == tier.value
    return objectives


def _trivial_bound(facts: Facts, name: str, value: int, optimum_bound: int) -> int:
    """A bound that holds whatever the earlier tiers' values: every household with a compatible dwelling
    placed at its best one (schools cost nothing); for an objective it does not know, the optimum's bound
    widened to the worst it can be."""
    pairs = compatible_pairs(facts)
    placeable = np.zeros(len(facts.households), dtype=np.bool_)
    placeable[pairs.household] = True
    households = facts.households
    if name == "overdue_housed":
        return max(value, int((placeable & households.overdue).sum()))
    if name == "persons_housed":
        return max(value, int(households.size[placeable].sum()))
    if name == "max_shortfall_permille":
        return min(value, 0)
    if name == "quality":
        best = np.zeros(len(households))
        np.maximum.at(best, pairs.household, pair_quality(facts, pairs.household, pairs.dwelling))
        return max(value, int(best.sum()))
    return max(value, int(placeable.sum()))  # kept_previous: at most one kept pair per household


def _why(instance: Instance, optimum: Proposal, chosen: Proposal, margin: int, departs: bool) -> dict[str, Any]:
    ours = {a.dwelling for a in chosen.assignments}
    held_back = sorted({a.dwelling for a in optimum.assignments} - ours)
    prioritised = sorted({a.household for a in chosen.assignments} - {a.household for a in optimum.assignments})
    line = instance.policy.overdue_weeks
    return {
        "departs_from_weekly_optimum": departs,
        "margin_weeks": margin,
        "weekly_optimum": {o.name: o.value for o in optimum.objectives},
        "held_back_dwellings": held_back,
        "prioritised_households": prioritised,
        "why": (f"households within {margin} week(s) of the {line}-week line count as overdue now: housed "
                f"this week they will not be overdue in the weeks to come ({margin} weeks is how long the "
                f"households housed so far stayed in the pool)") if departs else "the week's optimum",
    }
