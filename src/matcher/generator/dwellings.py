"""Dwellings: studios to four-bedroom homes at social rents, shared places, step-free homes.

The dwellings stay arrays (``Stock``) while groups move and join them; records are written at the end.
There are fewer shared places than willing sharers, so that shared places bind.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from matcher.generator.common import (
    COORDINATE_DECIMALS,
    BoolArray,
    FloatArray,
    IntArray,
    Record,
    around,
    availability_dates,
    count,
    exactly,
    scatter_km,
    steps,
)
from matcher.generator.variety import STANDARD, Variety
from matcher.regions import Region

STUDIO, ONE, TWO, THREE, FOUR = 0, 1, 2, 3, 4
BEDROOM_WEIGHTS = (0.16, 0.32, 0.25, 0.17, 0.10)  # studios and 1-4 bedroom homes
RENT_RANGE_BY_BEDROOMS = ((450, 600), (500, 700), (560, 780), (620, 860), (680, 900))  # social housing, EUR
SHARED_PLACE_RENT_RANGE = (375, 550)
SHARED_PLACES_RANGE = (2, 5)
SHARED_PLACES_PER_SHARER = 0.7  # fewer places than willing sharers: shared places bind
MAX_SHARED_SHARE = 0.2
ACCESSIBLE_SHARE = 0.15
DWELLING_LATE_SHARE = 0.06
DWELLING_MIDWEEK_SHARE = 0.10

@dataclass
class Stock:
    """The dwellings as arrays while groups still move them and join them; records only at the end."""

    municipality: IntArray
    lat: FloatArray
    lon: FloatArray
    bedrooms: IntArray
    max_occupants: IntArray
    rent: IntArray
    accessible: BoolArray
    shared_places: IntArray
    available_from: list[str | None]
    available: BoolArray  # available within the period
    groups: list[list[str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.municipality)

    @property
    def persons(self) -> IntArray:
        """Persons a dwelling can take: its places when shared, else its maximum occupancy."""
        return np.where(self.shared_places > 0, self.shared_places, self.max_occupants)

    def records(self, region: Region) -> list[Record]:
        width = max(5, len(str(len(self) - 1)))
        lat = np.round(self.lat, COORDINATE_DECIMALS).tolist()
        lon = np.round(self.lon, COORDINATE_DECIMALS).tolist()
        records = []
        for i, (m, bedrooms, occupants, rent, accessible, places) in enumerate(zip(
                self.municipality.tolist(), self.bedrooms.tolist(), self.max_occupants.tolist(), self.rent.tolist(),
                self.accessible.tolist(), self.shared_places.tolist(), strict=True)):
            record: Record = {"id": f"d{i:0{width}d}", "municipality": region.codes[m],
                              "location": {"lat": lat[i], "lon": lon[i]}, "bedrooms": bedrooms,
                              "max_occupants": occupants, "rent": rent}
            if accessible:
                record["accessible"] = True
            if places:
                record["shared_places"] = places
            if self.groups[i]:
                record["groups"] = self.groups[i]
            if self.available_from[i] is not None:
                record["available_from"] = self.available_from[i]
            records.append(record)
        return records


def draw_dwellings(rng: np.random.Generator, n: int, region: Region, start: dt.date, end: dt.date,
                   sharers: int, variety: Variety = STANDARD) -> Stock:
    municipality = rng.choice(len(region), size=n, p=region.population / region.population.sum())
    lat, lon = around(rng, region.lat[municipality], region.lon[municipality], scatter_km(region)[municipality])
    shared = exactly(rng, n, _shared_count(n, sharers))
    bedrooms = rng.choice(len(BEDROOM_WEIGHTS), size=n, p=BEDROOM_WEIGHTS)
    larger = rng.random(n) < np.array(variety.larger_occupancy_share)[bedrooms]
    max_occupants = np.array(variety.max_occupants_choices)[bedrooms, larger.astype(np.int64)]
    rent_range = np.array(RENT_RANGE_BY_BEDROOMS)[bedrooms]
    rent = steps(rng, rent_range[:, 0], rent_range[:, 1], variety.dwelling_rent_step)
    late = exactly(rng, n, count(n, DWELLING_LATE_SHARE, at_least=1 if n > 1 else 0))
    midweek = exactly(rng, n, count(n, DWELLING_MIDWEEK_SHARE), among=~late)
    places = rng.integers(SHARED_PLACES_RANGE[0], SHARED_PLACES_RANGE[1] + 1, n)
    open_shared = shared & ~late
    places[open_shared] = _fewer_places_than_sharers(places[open_shared], sharers)
    shared_places = np.where(shared, places, 0)
    bedrooms = np.where(shared, places, bedrooms)  # one room per sharer
    max_occupants = np.where(shared, places, max_occupants)
    rent = np.where(shared, steps(rng, *SHARED_PLACE_RENT_RANGE, variety.dwelling_rent_step), rent)
    accessible = exactly(rng, n, count(int((~shared).sum()), ACCESSIBLE_SHARE, at_least=1), among=~shared)
    usable = ~shared & ~late
    if usable.any() and not (accessible & usable).any():  # a step-free home someone can move into this week
        accessible |= exactly(rng, n, 1, among=usable)
    return Stock(
        municipality=municipality.astype(np.int64), lat=lat, lon=lon, bedrooms=bedrooms.astype(np.int64),
        max_occupants=max_occupants.astype(np.int64), rent=rent.astype(np.int64), accessible=accessible,
        shared_places=shared_places.astype(np.int64),
        available_from=availability_dates(rng, late, midweek, start, end), available=~late,
        groups=[[] for _ in range(n)],
    )


def _shared_count(n: int, sharers: int) -> int:
    """Shared dwellings with somewhat fewer places than willing sharers, at least one, at most a fifth."""
    mean_places = sum(SHARED_PLACES_RANGE) / 2
    wanted = round(SHARED_PLACES_PER_SHARER * sharers / mean_places)
    return min(max(1, wanted), max(1, math.floor(MAX_SHARED_SHARE * n))) if n > 1 else 0


def _fewer_places_than_sharers(places: IntArray, sharers: int) -> IntArray:
    """Take places away from the largest shared dwellings until the sharers outnumber the places, if possible."""
    places = places.copy()
    while places.sum() >= sharers and places.max(initial=0) > SHARED_PLACES_RANGE[0]:
        places[np.argmax(places)] -= 1
    return places

