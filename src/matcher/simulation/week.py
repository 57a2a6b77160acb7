"""The instance of one week of a replay, built from the scenario and what happened in earlier weeks.

Step 1 of the scenario format's replay, rule by rule: the households available by the week's last day and
not yet housed; the dwellings whose offer window covers the week and that are not yet let (a shared one
with sharers keeps its free places and no longer names its groups, which already count it); municipalities,
groups and schools carrying what earlier weeks used; and the forbidden pairs (the scenario's and every
declined one) listed only while both their household and their dwelling are in the week's instance.
"""

from __future__ import annotations

from typing import Any

from matcher.format import INSTANCE_FORMAT, Instance
from matcher.simulation.scenario import Scenario, ScenarioDwelling, week_id
from matcher.simulation.state import ReplayState
from matcher.validation import load_instance


def week_instance_id(scenario: Scenario, week: int) -> str:
    """Scenario id + ``-w`` + two-digit week, e.g. ``u16-h1-w07`` (``matcher.simulation.scenario.week_id``)."""
    return week_id(scenario.id, week)


def week_document(scenario: Scenario, state: ReplayState, week: int) -> dict[str, Any]:
    """The week's ``matcher.instance/1`` document, as it goes into the trace."""
    households = [household.model_dump(mode="json") for household in scenario.households
                  if scenario.is_available(household, week) and household.id not in state.housed_week]
    dwellings = [_dwelling_record(dwelling, state) for dwelling in scenario.dwellings
                 if scenario.is_on_offer(dwelling, week) and not state.is_let(dwelling.id, dwelling.shared_places)]
    present = ({record["id"] for record in households}, {record["id"] for record in dwellings})
    return {
        "format": INSTANCE_FORMAT,
        "id": week_instance_id(scenario, week),
        "period": {"start": scenario.week_start(week).isoformat(), "end": scenario.week_end(week).isoformat()},
        "policy": scenario.policy.model_dump(mode="json"),
        "municipalities": [municipality.model_dump(mode="json") | {
                               "housed": municipality.housed + state.persons_in[municipality.id]}
                           for municipality in scenario.municipalities],
        "dwellings": dwellings,
        "households": households,
        "groups": [group.model_dump(mode="json") | {
                       "status_holder_units": group.status_holder_units + state.group_units_let[group.id]}
                   for group in scenario.groups],
        "schools": [school.model_dump(mode="json") | {"seats": school.seats - state.seats_used[school.id]}
                    for school in scenario.schools],
        "forbidden": _forbidden(scenario, state, *present),
    }


def week_instance(scenario: Scenario, state: ReplayState, week: int) -> tuple[dict[str, Any], Instance]:
    """The week's document and the instance read from it through the same validation as any instance."""
    document = week_document(scenario, state, week)
    return document, load_instance(document)


def _dwelling_record(dwelling: ScenarioDwelling, state: ReplayState) -> dict[str, Any]:
    record = dwelling.model_dump(mode="json", exclude={"offer_weeks"})
    if dwelling.is_shared and state.places_let[dwelling.id] > 0:
        record |= {"shared_places": dwelling.shared_places - state.places_let[dwelling.id], "groups": []}
    return record


def _forbidden(scenario: Scenario, state: ReplayState, households: set[str], dwellings: set[str]
               ) -> list[dict[str, Any]]:
    pairs = [pair.model_dump(mode="json", exclude_none=True) for pair in scenario.forbidden]
    pairs += [{"household": h, "dwelling": d, "reason": "declined"} for h, d in state.declined]
    return [pair for pair in pairs if pair["household"] in households and pair["dwelling"] in dwellings]
