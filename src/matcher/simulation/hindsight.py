"""Hindsight: the scenario solved with every arrival, offer and decision known in advance, the yardstick.

Each household gets at most one dwelling in a week in which both are in that week's instance, every rule
holds over the whole horizon, and no pair is used that would be declined. Its maximum of ``persons_housed``
bounds every online policy from above; its minimum of ``overdue_weeks`` bounds every policy from below.

Why no (household, dwelling, week) variables: every capacity in the replay is cumulative. A municipality's
cap in week w is its half-year cap minus what earlier weeks placed, and likewise for group dwellings,
school seats and shared places; so a set of pairs is feasible over the horizon exactly when it is
feasible all at once, whichever weeks the pairs take, as long as each pair has a week in which both are
present. The week only matters for ``overdue_weeks``, and there the earliest such week is always best (a
household housed earlier is overdue in no more weeks). So the time-indexed model reduces, exactly, to one
static model over the allowed pairs, each at its earliest common week, solved twice.

How the model is solved (a Lagrangian bound and a rule-keeping repair) is ``hindsight_model``'s business.
The rules themselves come from matcher's one definition of them (``matcher.facts``, ``matcher.rules``),
applied to one instance that spans the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.facts import DAYS_PER_WEEK, Facts, IntArray, derive_facts
from matcher.format import INSTANCE_FORMAT
from matcher.rules import compatible_pairs
from matcher.simulation.decisions import is_accepted
from matcher.simulation.hindsight_model import HindsightModel
from matcher.simulation.result import Bounded, Hindsight
from matcher.simulation.scenario import Scenario
from matcher.validation import load_instance

DEFAULT_SECONDS = 60.0


@dataclass(frozen=True)
class HindsightPairs:
    """The pairs hindsight may use, each at its earliest common week, and what housing it saves."""

    facts: Facts  # of the instance spanning the horizon
    household: IntArray
    dwelling: IntArray
    week: IntArray  # earliest week with both in the week's instance
    overdue_saved: IntArray  # overdue weeks the household is spared when housed in that week
    overdue_unhoused: int  # overdue weeks of all households if nobody were housed


def solve_hindsight(scenario: Scenario, time_limit: float = DEFAULT_SECONDS) -> Hindsight:
    """Max ``persons_housed`` and, separately, min ``overdue_weeks``, each with value and proven bound;
    ``time_limit`` is for each of the two."""
    model = HindsightModel.of(hindsight_pairs(scenario))
    pairs = model.pairs  # those with a school for every kind of child they have
    persons = model.maximise(pairs.facts.households.size[pairs.household], time_limit)
    saved = model.maximise(pairs.overdue_saved, time_limit)
    return Hindsight(persons_housed=Bounded(value=persons.value, bound=persons.bound),
                     overdue_weeks=Bounded(value=pairs.overdue_unhoused - saved.value,
                                           bound=pairs.overdue_unhoused - saved.bound),
                     pairs=len(pairs.household), rounds=persons.rounds + saved.rounds)


def horizon_document(scenario: Scenario) -> dict[str, Any]:
    """One instance over the whole horizon: every household available within it, every dwelling on offer in
    some week of it, the scenario's capacities; which weeks a pair shares is applied afterwards."""
    last_day = scenario.week_end(scenario.weeks - 1)
    return {
        "format": INSTANCE_FORMAT,
        "id": f"{scenario.id}-hindsight",
        "period": {"start": scenario.start.isoformat(), "end": last_day.isoformat()},
        "policy": scenario.policy.model_dump(mode="json"),
        "municipalities": [m.model_dump(mode="json") for m in scenario.municipalities],
        "dwellings": [d.model_dump(mode="json", exclude={"offer_weeks"}) for d in scenario.dwellings
                      if any(scenario.is_on_offer(d, week) for week in range(scenario.weeks))],
        "households": [h.model_dump(mode="json") for h in scenario.households if h.available_from <= last_day],
        "groups": [g.model_dump(mode="json") for g in scenario.groups],
        "schools": [s.model_dump(mode="json") for s in scenario.schools],
        "forbidden": [],
    }


def _first_week(scenario: Scenario, days_after_start: IntArray) -> IntArray:
    """The first week whose last day is on or after the given day: ``e_w >= day``."""
    return np.maximum(0, -((6 - days_after_start) // DAYS_PER_WEEK))


def hindsight_pairs(scenario: Scenario) -> HindsightPairs:
    document = horizon_document(scenario)
    facts = derive_facts(load_instance(document))
    pairs = compatible_pairs(facts)
    household_day = np.array([(scenario.household_by_id[h].available_from - scenario.start).days
                              for h in facts.households.ids], dtype=np.int64)
    dwelling_records = [scenario.dwelling_by_id[d] for d in facts.dwellings.ids]
    dwelling_day = np.array([(d.available_from - scenario.start).days for d in dwelling_records], dtype=np.int64)
    offer_end = np.array([(d.offered_until() - scenario.start).days for d in dwelling_records], dtype=np.int64)
    h, d = pairs.household.astype(np.int64), pairs.dwelling.astype(np.int64)
    week = _first_week(scenario, np.maximum(household_day[h], dwelling_day[d]))
    shared_week = (week < scenario.weeks) & (DAYS_PER_WEEK * week < offer_end[d])
    forbidden = {(f.household, f.dwelling) for f in scenario.forbidden}
    acceptance = scenario.acceptance
    keep = np.array([bool(ok) and (facts.households.ids[a], facts.dwellings.ids[b]) not in forbidden
                     and is_accepted(acceptance.probability, acceptance.seed, facts.households.ids[a],
                                     facts.dwellings.ids[b])
                     for a, b, ok in zip(h.tolist(), d.tolist(), shared_week.tolist(), strict=True)],
                    dtype=np.bool_).reshape(-1)
    h, d, week = h[keep], d[keep], week[keep]
    overdue_from = _overdue_from(scenario, facts, household_day)
    saved = np.maximum(0, scenario.weeks - np.maximum(overdue_from[h], week + 1))
    unhoused = int(np.maximum(0, scenario.weeks - overdue_from).sum())
    return HindsightPairs(facts, h, d, week, saved, unhoused)


def _overdue_from(scenario: Scenario, facts: Facts, household_day: IntArray) -> IntArray:
    """Per household, the first week in which it is available and overdue at the week's start."""
    overdue_days = DAYS_PER_WEEK * scenario.policy.overdue_weeks
    waiting_day = np.array([(scenario.household_by_id[h].waiting_since - scenario.start).days
                            for h in facts.households.ids], dtype=np.int64)
    overdue_week = np.maximum(0, -(-(waiting_day + overdue_days) // DAYS_PER_WEEK))  # s_w - waiting >= overdue
    return np.maximum(overdue_week, _first_week(scenario, household_day))


