"""Synthetic scenarios: a region's half-year of arrivals and offers, for replays, tests and benchmarks.

The people, homes, groups and schools come from ``matcher.generator`` (one instance as large as the whole
half-year); this module only spreads them over the weeks: a backlog already waiting at the start, then
arrivals week by week (permit some weeks before they are linked to the region), dwellings offered week by
week for a few weeks each, and targets in line with the arrivals. The same preset and seed always give the
same document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.generator import generate  # h17 turns generator.py into a package; this is the one import of it
from matcher.simulation.scenario import SCENARIO_FORMAT

HALF_YEAR_START = dt.date(2026, 1, 5)  # the first Monday of 2026's first half-year
OFFER_WEEKS = (2, 3, 4, 5, 6)  # how long corporations keep an offer for the region
OFFER_WEEK_WEIGHTS = (0.15, 0.2, 0.4, 0.15, 0.1)
LINKING_DAYS = (21, 91)  # permit to linking with the region: three to thirteen weeks
BACKLOG_WAIT_DAYS = (7, 210)  # the backlog at the start has waited one to thirty weeks
EARLY_OFFER_DAYS = 21  # dwellings on offer at the start were offered up to three weeks before
TARGET_SHARE_OF_ARRIVALS = 0.95  # the taakstelling follows the persons expected, a little under them
ACCEPTANCE_PROBABILITY = 0.85
STREAM = 14  # the number: the scenario's own random stream, apart from the generator's


@dataclass(frozen=True)
class ScenarioPreset:
    name: str
    base: str  # matcher.generator preset giving the region, people and homes
    weeks: int
    backlog: int  # households already waiting at the start
    households_per_week: float  # mean arrivals (Poisson)
    offered_at_start: int  # dwellings already on offer at the start
    dwellings_per_week: float  # mean offers (Poisson)


SCENARIO_PRESETS: dict[str, ScenarioPreset] = {
    preset.name: preset
    for preset in (
        ScenarioPreset("u16-halfyear", "u16-backlog", weeks=26, backlog=120, households_per_week=40,
                       offered_at_start=20, dwellings_per_week=35),
        ScenarioPreset("u16-quarter", "u16-backlog", weeks=13, backlog=40, households_per_week=15,
                       offered_at_start=8, dwellings_per_week=13),
        ScenarioPreset("tiny-halfyear", "u16-backlog", weeks=8, backlog=6, households_per_week=5,
                       offered_at_start=4, dwellings_per_week=4.5),
    )
}


def generate_scenario(preset: str = "u16-halfyear", seed: int = 0) -> dict[str, Any]:
    """A ``matcher.scenario/1`` document (plain JSON-ready dict); raises ``ValueError`` on bad arguments."""
    if preset not in SCENARIO_PRESETS:
        raise ValueError(f"unknown scenario preset {preset!r}; choose one of {', '.join(SCENARIO_PRESETS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    spec = SCENARIO_PRESETS[preset]
    rng = np.random.default_rng([seed, STREAM])
    arrivals = rng.poisson(spec.households_per_week, spec.weeks)
    offers = rng.poisson(spec.dwellings_per_week, spec.weeks)
    base = generate(spec.base, seed, households=spec.backlog + int(arrivals.sum()),
                    dwellings=spec.offered_at_start + int(offers.sum()))
    households = _spread_households(rng, base["households"], spec.backlog, arrivals)
    return {
        "format": SCENARIO_FORMAT,
        "id": f"{spec.name}-s{seed}",
        "generator": {"preset": spec.name, "seed": seed},
        "start": HALF_YEAR_START.isoformat(),
        "weeks": spec.weeks,
        "acceptance": {"probability": ACCEPTANCE_PROBABILITY, "seed": seed},
        "policy": base["policy"],
        "municipalities": _targets(base["municipalities"], households),
        "dwellings": _spread_dwellings(rng, base["dwellings"], spec.offered_at_start, offers),
        "households": households,
        "groups": base["groups"],
        "schools": base["schools"],
        "forbidden": base["forbidden"],
    }


def _week_day(rng: np.random.Generator, week: int) -> dt.date:
    """A day of week ``week`` of the half-year."""
    return HALF_YEAR_START + dt.timedelta(days=7 * week + int(rng.integers(0, 7)))


def _arrival_day(rng: np.random.Generator, i: int, at_start: int, weeks: np.ndarray) -> dt.date:
    """When record ``i`` becomes available: the first ``at_start`` records are already there when the
    half-year starts (some days before it), the others arrive in their week, in file order."""
    if i < at_start:
        return HALF_YEAR_START - dt.timedelta(days=int(rng.integers(0, EARLY_OFFER_DAYS)))
    return _week_day(rng, int(weeks[i - at_start]))


def _spread_households(rng: np.random.Generator, records: list[dict[str, Any]], backlog: int,
                       arrivals: np.ndarray) -> list[dict[str, Any]]:
    """The first ``backlog`` households wait at the start; the others arrive week by week, in file order."""
    weeks = np.repeat(np.arange(len(arrivals)), arrivals)
    spread = []
    for i, record in enumerate(records):
        available = _arrival_day(rng, i, backlog, weeks)
        if i < backlog:
            waiting = HALF_YEAR_START - dt.timedelta(days=int(rng.integers(*BACKLOG_WAIT_DAYS)))
        else:
            waiting = available - dt.timedelta(days=int(rng.integers(*LINKING_DAYS)))
        spread.append(record | {"waiting_since": min(waiting, available).isoformat(),
                                "available_from": available.isoformat()})
    return spread


def _spread_dwellings(rng: np.random.Generator, records: list[dict[str, Any]], at_start: int,
                      offers: np.ndarray) -> list[dict[str, Any]]:
    weeks = np.repeat(np.arange(len(offers)), offers)
    spread = []
    for i, record in enumerate(records):
        available = _arrival_day(rng, i, at_start, weeks)
        offer_weeks = int(rng.choice(OFFER_WEEKS, p=OFFER_WEEK_WEIGHTS))
        spread.append(record | {"available_from": available.isoformat(), "offer_weeks": offer_weeks})
    return spread


def _targets(municipalities: list[dict[str, Any]], households: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each town's share of the generator's targets, scaled to the persons arriving; nobody housed yet at
    the start of the half-year."""
    persons = sum(len(household["members"]) for household in households)
    weights = np.array([max(1, municipality["target"]) for municipality in municipalities], dtype=float)
    targets = np.floor(TARGET_SHARE_OF_ARRIVALS * persons * weights / weights.sum()).astype(int)
    return [municipality | {"target": int(target), "housed": 0}
            for municipality, target in zip(municipalities, targets.tolist(), strict=True)]
