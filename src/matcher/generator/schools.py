"""Schools: primary schools spread over towns, ISK locations in the larger ones, fewer seats than children."""

from __future__ import annotations

import math

import numpy as np

from matcher.generator.common import Record, around, location, scatter_km
from matcher.generator.presets import Preset
from matcher.regions import Region

SEAT_SHARE = 0.8  # free newcomer seats per child of that age: fewer seats than children, so seats bind
PRIMARY_SPREAD_EXPONENT = 0.6  # primary schools follow population, but small towns get theirs too
PRIMARY_SCATTER, SECONDARY_SCATTER = 0.6, 0.3  # of the town's dwelling scatter

def _seats(children: int) -> int:
    """Free seats for a kind: about SEAT_SHARE per child and strictly fewer than the children, but one child
    alone still finds a seat somewhere."""
    return min(math.ceil(SEAT_SHARE * children), children - 1) if children >= 2 else children


def draw_schools(rng: np.random.Generator, region: Region, spec: Preset, kids: dict[str, int]) -> list[Record]:
    """Primary schools spread over towns, ISK locations in the larger ones; fewer seats than children."""
    scatter = scatter_km(region)
    records: list[Record] = []
    plan = (("primary", spec.primary_schools, PRIMARY_SPREAD_EXPONENT, PRIMARY_SCATTER),
            ("secondary", spec.secondary_schools, 1.0, SECONDARY_SCATTER))
    for kind, count, exponent, spread in plan:
        weights = region.population.astype(np.float64) ** exponent
        town = rng.choice(len(region), size=count, p=weights / weights.sum())
        lat, lon = around(rng, region.lat[town], region.lon[town], spread * scatter[town])
        seats = rng.multinomial(_seats(kids[kind]), np.full(count, 1.0 / count))
        for i in range(count):
            records.append({"id": f"s{len(records):04d}", "kind": kind, "location": location(lat[i], lon[i]),
                            "seats": int(seats[i])})
    return records

