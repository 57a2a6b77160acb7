"""The week to plan and each municipality's taakstelling: target, and how much of it is already housed.

The week falls part-way through its half-year, so ``housed`` is part-way too, each town at its own pace.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from matcher.facts import floor_share
from matcher.generator.common import DEFAULT_POLICY, Record
from matcher.generator.dwellings import Stock
from matcher.regions import Region

YEAR = 2026
FIRST_MONDAY = dt.date(2026, 1, 5)
ELAPSED_RANGE = (0.3, 0.9)  # the week falls part-way through its half-year, so `housed` is part-way too
NATIONAL_POPULATION = 18_000_000
NATIONAL_TARGET_RANGE = (13_000, 20_000)  # persons per half-year, the national taakstelling
HOUSING_PACE_RANGE = (0.5, 1.15)  # how far ahead of or behind the elapsed share a municipality is

def _half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    return (dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)) if day.month <= 6 else \
        (dt.date(day.year, 7, 1), dt.date(day.year, 12, 31))


def _elapsed(day: dt.date) -> float:
    first, last = _half_year(day)
    return (day - first).days / ((last - first).days + 1)


def draw_period(rng: np.random.Generator) -> tuple[dt.date, float]:
    """A Monday of 2026 part-way through its half-year, and the share of the half-year already gone."""
    mondays = [FIRST_MONDAY + dt.timedelta(weeks=k) for k in range(53)]
    mondays = [day for day in mondays if day.year == YEAR and ELAPSED_RANGE[0] <= _elapsed(day) <= ELAPSED_RANGE[1]]
    start = mondays[int(rng.integers(len(mondays)))]
    return start, _elapsed(start)


def draw_municipalities(rng: np.random.Generator, region: Region, elapsed: float, stock: Stock) -> list[Record]:
    """Targets by population; `housed` part-way, each town at its own pace; one cap made to bind if none does."""
    national = int(rng.integers(NATIONAL_TARGET_RANGE[0], NATIONAL_TARGET_RANGE[1] + 1))
    target = np.rint(region.population * national / NATIONAL_POPULATION).astype(np.int64)
    ceiling = np.array([floor_share(t * (1 + DEFAULT_POLICY.max_over_target_share)) for t in target.tolist()],
                       dtype=np.int64)
    pace = rng.uniform(*HOUSING_PACE_RANGE, len(region))
    housed = np.clip(np.rint(target * elapsed * pace), 0, ceiling).astype(np.int64)
    offered = np.bincount(stock.municipality[stock.available], weights=stock.persons[stock.available],
                          minlength=len(region)).astype(np.int64)
    if (offered > 0).any() and not ((ceiling - housed < offered) & (offered > 0)).any():
        m = int(rng.choice(np.flatnonzero(offered > 0)))
        cap = int(rng.integers(1, offered[m])) if offered[m] >= 2 else 0  # room left, but not for all offered
        housed[m] = max(0, ceiling[m] - cap)
    return [{"id": code, "name": name, "target": int(t), "housed": int(h)}
            for code, name, t, h in zip(region.codes, region.names, target.tolist(), housed.tolist(), strict=True)]

