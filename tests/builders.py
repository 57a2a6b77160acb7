"""Tiny hand-made instances for tests: every field defaulted, so a test states only what it is about."""

from __future__ import annotations

import copy
from typing import Any

UTRECHT = {"lat": 52.0907, "lon": 5.1214}
PERIOD = {"start": "2026-11-09", "end": "2026-11-15"}
LONG_AGO = "2026-01-05"  # overdue with the default 14 weeks
RECENTLY = "2026-11-02"  # not overdue


def near(km_north: float, base: dict[str, float] = UTRECHT) -> dict[str, float]:
    """A point roughly km_north kilometres north of base (1 degree of latitude is about 111.2 km)."""
    return {"lat": base["lat"] + km_north / 111.195, "lon": base["lon"]}


def municipality(id: str = "GM0344", target: int = 100, housed: int = 0, **extra: Any) -> dict[str, Any]:
    return {"id": id, "name": id, "target": target, "housed": housed, **extra}


def dwelling(id: str, municipality: str = "GM0344", bedrooms: int = 1, max_occupants: int = 2, rent: float = 600,
             location: dict[str, float] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": id, "municipality": municipality, "location": location or UTRECHT, "bedrooms": bedrooms,
            "max_occupants": max_occupants, "rent": rent, **extra}


def household(id: str, ages: list[int] | None = None, waiting_since: str = RECENTLY, **extra: Any) -> dict[str, Any]:
    return {"id": id, "members": [{"age": a} for a in (ages or [30])], "waiting_since": waiting_since, **extra}


def school(id: str, kind: str = "primary", seats: int = 10, location: dict[str, float] | None = None) -> dict[str, Any]:
    return {"id": id, "kind": kind, "location": location or UTRECHT, "seats": seats}


def instance(households: list[dict[str, Any]], dwellings: list[dict[str, Any]],
             municipalities: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return copy.deepcopy({"format": "matcher.instance/1", "id": "test", "period": PERIOD,
                          "municipalities": municipalities or [municipality()], "dwellings": dwellings,
                          "households": households, **extra})
