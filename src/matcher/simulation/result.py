"""The result of a replay (``matcher.simulation/1``) as pydantic models, and what ``on_week`` receives.

``SimulationResult.model_dump(mode="json")`` is the document the scenario format defines: the scenario and
policy, the final figures, one row per week, and optionally the hindsight yardstick.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from matcher.format import Instance, Proposal

SIMULATION_FORMAT = "matcher.simulation/1"


class Figures(BaseModel):
    """The figures of a replay, as the scenario format defines them."""

    model_config = ConfigDict(extra="allow")

    persons_housed: int
    households_housed: int
    overdue_weeks: int
    max_shortfall_permille: int
    dwellings_lost: int
    mean_wait_weeks: float | None
    declined: int


class WeekRecord(BaseModel):
    """One week of a replay: its instance, what the policy proposed, what was decided, the figures so far;
    and, informative only (for the replay report's curves), the households waiting in the week's instance,
    those overdue at its start, and the persons housed per municipality at its end."""

    model_config = ConfigDict(extra="allow")

    week: int
    instance: str
    proposal_status: str
    assigned: int
    accepted: int
    declined: int
    figures: Figures
    waiting: int | None = None
    overdue: int | None = None
    housed: dict[str, int] | None = None


class Bounded(BaseModel):
    """A hindsight optimum: the best value found and the best proven bound on it."""

    value: int
    bound: int


class Hindsight(BaseModel):
    model_config = ConfigDict(extra="allow")

    persons_housed: Bounded
    overdue_weeks: Bounded


class SimulationResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    format: Literal["matcher.simulation/1"] = "matcher.simulation/1"
    scenario: str
    policy: str
    figures: Figures
    weeks: list[WeekRecord]
    hindsight: Hindsight | None = None

    def to_json(self, indent: int | None = 1) -> str:
        """The document; ``mean_wait_weeks`` stays ``null`` when nobody was housed, ``hindsight`` is left out
        when it was not computed."""
        return json.dumps(self.model_dump(mode="json", exclude={"hindsight"} if self.hindsight is None else None),
                          indent=indent, ensure_ascii=False)

    def ratios(self) -> dict[str, float] | None:
        """The replay against hindsight: persons as a share of the bound, overdue weeks as a multiple of it."""
        if self.hindsight is None:
            return None
        persons, overdue = self.hindsight.persons_housed.bound, self.hindsight.overdue_weeks.bound
        return {"persons_housed": self.figures.persons_housed / persons if persons else 1.0,
                "overdue_weeks": self.figures.overdue_weeks / overdue if overdue else float("inf")}


@dataclass(frozen=True)
class WeekOutcome:
    """What ``simulate``'s ``on_week`` hook receives after each week: the row, the instance and the proposal."""

    record: WeekRecord
    document: dict[str, Any]
    instance: Instance
    proposal: Proposal
    seconds: float
