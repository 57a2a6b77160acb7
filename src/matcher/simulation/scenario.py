"""The scenario format (``matcher.scenario/1``): a region's half-year as pydantic models, read and validated.

A scenario is an instance spread over weeks, so its records are the instance's records with two fields made
stricter: every household and dwelling says from which day it exists (``available_from`` is required), and a
dwelling says how many weeks it stays on offer (``offer_weeks``). Reading works as ``matcher.validation``
does for an instance: the record checks and the cross-record checks both run, and every problem names its
JSON path and record id.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from matcher.exceptions import InstanceInvalid, Problem, ScenarioInvalid
from matcher.format import (
    MAX_ID_LENGTH,
    Date,
    Dwelling,
    Forbidden,
    Group,
    Household,
    Municipality,
    Number,
    Policy,
    Record,
    School,
    Whole,
    normal_id,
)
from matcher.validation import _pydantic_problems, document_reference_problems, read_json

SCENARIO_FORMAT = "matcher.scenario/1"
WEEK_ID_MARK = "-w"  # a week's instance id: the scenario's id, this, and the week in at least two digits
WEEK_ID_DIGITS = 2
MAX_SCENARIO_ID_LENGTH = MAX_ID_LENGTH - len(WEEK_ID_MARK) - WEEK_ID_DIGITS  # 196: so that "id-w07" is an id
DEFAULT_OFFER_WEEKS = 4
NOT_IN_A_SCENARIO = {  # instance fields a scenario has no use for, and why
    "period": "the weeks make the periods",
    "locks": "what is accepted is housed at once",
    "previous": "what is accepted is housed at once",
}


def week_id(scenario_id: str, week: int) -> str:
    """The id of week ``week``'s instance: scenario id + ``-w`` + two-digit week, e.g. ``u16-h1-w07``."""
    return f"{scenario_id}{WEEK_ID_MARK}{week:0{WEEK_ID_DIGITS}d}"


def _room_for_the_week(text: str) -> str:
    """A scenario id is an id with room for the week: every week's instance id must be an id itself."""
    if len(text) > MAX_SCENARIO_ID_LENGTH:
        raise PydanticCustomError(
            "scenario_id_length", "must have at most {limit} characters, got {length}: each week's instance id "
            "is this id followed by the week (\"{suffix}\"), and an id has at most {ids}",
            {"limit": MAX_SCENARIO_ID_LENGTH, "length": len(text), "suffix": week_id("", 7), "ids": MAX_ID_LENGTH})
    return text


ScenarioId = Annotated[str, Field(min_length=1, json_schema_extra={"maxLength": MAX_SCENARIO_ID_LENGTH}),
                       AfterValidator(normal_id), AfterValidator(_room_for_the_week)]


class ScenarioDwelling(Dwelling):
    """A dwelling that a corporation offers on ``available_from`` for ``offer_weeks`` weeks."""

    available_from: Date  # required in a scenario
    offer_weeks: Whole = Field(default=DEFAULT_OFFER_WEEKS, ge=1)

    def offered_until(self) -> dt.date:
        """The first day on which the offer has lapsed: weeks starting before it may let the dwelling."""
        return self.available_from + dt.timedelta(days=7 * self.offer_weeks)


class ScenarioHousehold(Household):
    """A household that can be matched from ``available_from`` (permit plus linking to the region)."""

    available_from: Date  # required in a scenario


class Acceptance(Record):
    """How proposed pairs are decided: accepted when ``u(h, d) < probability`` (see ``decisions``)."""

    probability: Number = Field(default=1.0, ge=0.0, le=1.0)
    seed: Whole = 0


class Scenario(Record):
    """A region over ``weeks`` weeks from ``start``; construct it through ``load_scenario`` to get every check."""

    format: Literal["matcher.scenario/1"]
    id: ScenarioId
    start: Date
    weeks: Whole = Field(ge=1)
    acceptance: Acceptance = Field(default_factory=Acceptance)
    policy: Policy = Field(default_factory=Policy)
    municipalities: list[Municipality]
    dwellings: list[ScenarioDwelling]
    households: list[ScenarioHousehold]
    groups: list[Group] = Field(default_factory=list)
    schools: list[School] = Field(default_factory=list)
    forbidden: list[Forbidden] = Field(default_factory=list)

    def week_start(self, week: int) -> dt.date:
        return self.start + dt.timedelta(days=7 * week)

    def week_end(self, week: int) -> dt.date:
        return self.week_start(week) + dt.timedelta(days=6)

    @cached_property
    def household_by_id(self) -> dict[str, ScenarioHousehold]:
        return {household.id: household for household in self.households}

    @cached_property
    def dwelling_by_id(self) -> dict[str, ScenarioDwelling]:
        return {dwelling.id: dwelling for dwelling in self.dwellings}

    def is_available(self, household: ScenarioHousehold, week: int) -> bool:
        """The household can be matched in week ``week``: ``available_from <= e``."""
        return household.available_from <= self.week_end(week)

    def is_on_offer(self, dwelling: ScenarioDwelling, week: int) -> bool:
        """The week falls in the dwelling's offer window: ``available_from <= e`` and ``s < available_from + 7 *
        offer_weeks`` (whether it is still free is the replay's business)."""
        return dwelling.available_from <= self.week_end(week) and self.week_start(week) < dwelling.offered_until()

    @property
    def end(self) -> dt.date:
        """The first day after the horizon."""
        return self.week_start(self.weeks)


def load_scenario(source: str | bytes | Path | dict[str, Any]) -> Scenario:
    """Return a fully validated scenario or raise ``ScenarioInvalid`` with every problem found."""
    try:
        data = source if isinstance(source, dict) else read_json(source)
    except InstanceInvalid as error:
        raise ScenarioInvalid(error.problems) from None
    if not isinstance(data, dict):
        raise ScenarioInvalid([Problem("", None, "must be a JSON object", "type")])
    if data.get("format") != SCENARIO_FORMAT:
        found = repr(data.get("format")).replace("'", '"') if "format" in data else "nothing"
        raise ScenarioInvalid([Problem("format", None, f'must be "{SCENARIO_FORMAT}", got {found}', "format")])
    try:
        scenario: Scenario | None = Scenario.model_validate(data)
        problems: list[Problem] = []
    except ValidationError as error:
        scenario, problems = None, list(_pydantic_problems(error, data))
    problems += _scenario_problems(data, scenario)
    problems += list(document_reference_problems({key: value for key, value in data.items() if key != "locks"}))
    if problems or scenario is None:
        raise ScenarioInvalid(problems)
    return scenario


def _scenario_problems(data: dict[str, Any], scenario: Scenario | None) -> list[Problem]:
    """What only a scenario can get wrong: instance-only fields, and an id with no room for a week past 99. A
    start on another day than a Monday is accepted: the replay rules count weeks from ``start`` whatever its
    weekday, so refusing it would only turn away a document that every implementation replays the same way."""
    problems = [Problem(field, None, f"has no place in a scenario: {why}", "scenario_field")
                for field, why in NOT_IN_A_SCENARIO.items() if data.get(field) not in (None, [])]
    if scenario is not None:
        last = week_id(scenario.id, scenario.weeks - 1)  # past week 99 the week takes more than two digits
        if len(last) > MAX_ID_LENGTH:
            problems.append(Problem("id", None, f"must leave room for the week in every week's instance id: with "
                                                f"{scenario.weeks} weeks the last is this id followed by "
                                                f"\"{last[len(scenario.id):]}\", {len(last)} characters, and an "
                                                f"id has at most {MAX_ID_LENGTH}", "scenario_id_length"))
    return problems
