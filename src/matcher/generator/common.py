"""What every part of the generator shares: array types, the default policy, and small drawing helpers.

The helpers draw exact counts (``exactly``) rather than independent coin flips, so that a small instance
still gets its one accessible dwelling or its one tied household, and scatter points around town centres.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matcher.format import Policy
from matcher.regions import Region, offset_km

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Record = dict[str, Any]

DEFAULT_POLICY = Policy()  # generated instances leave the policy at its defaults
DAYS_PER_WEEK = 7
LATEST_ARRIVAL_DAYS = 28  # households and dwellings available only after the period come within 4 weeks
SCATTER_BASE_KM, SCATTER_PER_SQRT_100K_KM = 1.0, 1.5  # larger towns spread wider
SCATTER_CLIP = 2.5  # standard deviations
COORDINATE_DECIMALS = 5

def count(n: int, share: float, at_least: int = 0) -> int:
    """How many of n records get a feature: the share rounded, at least ``at_least``, at most n."""
    return min(n, max(at_least, round(share * n)))


def exactly(rng: np.random.Generator, n: int, count: int, among: BoolArray | None = None) -> BoolArray:
    """A mask with ``count`` True entries at random positions (within ``among`` when given)."""
    pool = np.arange(n) if among is None else np.flatnonzero(among)
    mask = np.zeros(n, dtype=np.bool_)
    mask[rng.choice(pool, size=min(count, len(pool)), replace=False)] = True
    return mask


def steps(rng: np.random.Generator, low: IntArray | int, high: IntArray | int, step: int) -> IntArray:
    """Uniform multiples of ``step`` in [low, high]: rents quoted in whole fives."""
    return step * rng.integers(np.asarray(low) // step, np.asarray(high) // step + 1)


def scatter_km(region: Region) -> FloatArray:
    return SCATTER_BASE_KM + SCATTER_PER_SQRT_100K_KM * np.sqrt(region.population / 100_000)


def around(rng: np.random.Generator, lat: FloatArray, lon: FloatArray, sigma_km: FloatArray | float
            ) -> tuple[FloatArray, FloatArray]:
    """Points scattered normally around the given centres (a few km), never absurdly far."""
    north = np.clip(rng.standard_normal(len(lat)), -SCATTER_CLIP, SCATTER_CLIP) * sigma_km
    east = np.clip(rng.standard_normal(len(lat)), -SCATTER_CLIP, SCATTER_CLIP) * sigma_km
    return offset_km(lat, lon, north, east)


def location(lat: float, lon: float) -> dict[str, float]:
    return {"lat": round(lat, COORDINATE_DECIMALS), "lon": round(lon, COORDINATE_DECIMALS)}


def availability_dates(rng: np.random.Generator, late: BoolArray, midweek: BoolArray, start: dt.date,
                        end: dt.date) -> list[str | None]:
    n = len(late)
    after_days = rng.integers(1, LATEST_ARRIVAL_DAYS + 1, n)
    within_days = rng.integers(1, (end - start).days + 1, n)
    dates: list[str | None] = []
    for i in range(n):
        if late[i]:
            dates.append((end + dt.timedelta(days=int(after_days[i]))).isoformat())
        elif midweek[i]:
            dates.append((start + dt.timedelta(days=int(within_days[i]))).isoformat())
        else:
            dates.append(None)
    return dates

