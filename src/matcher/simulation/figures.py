"""The figures of a replay, exactly as the scenario format defines them, from the scenario and the state.

They are computed from what happened (``ReplayState``) and the scenario, never from the policy's proposals,
so that every policy is measured by the same ruler and an independent re-implementation can recompute them
from the trace.
"""

from __future__ import annotations

from matcher.facts import DAYS_PER_WEEK
from matcher.simulation.result import Figures
from matcher.simulation.scenario import Scenario
from matcher.simulation.state import ReplayState

PERMILLE = 1000
WAIT_DECIMALS = 2


def overdue_at_start(scenario: Scenario, state: ReplayState, week: int) -> int:
    """Households available in week ``week``, not housed before it, and overdue at its first day."""
    start = scenario.week_start(week)
    overdue_days = DAYS_PER_WEEK * scenario.policy.overdue_weeks
    return sum(1 for household in scenario.households
               if scenario.is_available(household, week)
               and state.housed_week.get(household.id, week) >= week
               and (start - household.waiting_since).days >= overdue_days)


def max_shortfall_permille(scenario: Scenario, state: ReplayState) -> int:
    """Over municipalities with a target: the largest share of it, in permille, still missing."""
    worst = 0
    for municipality in scenario.municipalities:
        if municipality.target > 0:
            missing = max(0, municipality.target - municipality.housed - state.persons_in[municipality.id])
            worst = max(worst, PERMILLE * missing // municipality.target)
    return worst


def dwellings_lost(scenario: Scenario, state: ReplayState, weeks: int) -> int:
    """Dwellings offered within the first ``weeks`` weeks whose window ended by then with not one place let."""
    horizon_end = scenario.week_start(weeks)
    return sum(1 for dwelling in scenario.dwellings
               if dwelling.offered_until() <= horizon_end
               and any(scenario.is_on_offer(dwelling, week) for week in range(weeks))
               and state.places_let[dwelling.id] == 0)


def mean_wait_weeks(scenario: Scenario, state: ReplayState) -> float | None:
    """Mean of (first day of the week housed − waiting_since) in weeks over the households housed."""
    if not state.housed_week:
        return None
    days = sum((scenario.week_start(week) - scenario.household_by_id[household].waiting_since).days
               for household, week in state.housed_week.items())
    return round(days / DAYS_PER_WEEK / len(state.housed_week), WAIT_DECIMALS)


def figures(scenario: Scenario, state: ReplayState, weeks: int, overdue_weeks: int) -> Figures:
    """The figures after ``weeks`` weeks (the whole horizon for the final ones); ``overdue_weeks`` is counted
    week by week by the replay, at each week's start, before anything of that week is decided."""
    housed = [scenario.household_by_id[household] for household in state.housed_week]
    return Figures(
        persons_housed=sum(household.size for household in housed),
        households_housed=len(housed),
        overdue_weeks=overdue_weeks,
        max_shortfall_permille=max_shortfall_permille(scenario, state),
        dwellings_lost=dwellings_lost(scenario, state, weeks),
        mean_wait_weeks=mean_wait_weeks(scenario, state),
        declined=len(state.declined),
    )
