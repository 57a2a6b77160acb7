"""Realistic synthetic instances, the same document for the same arguments.

Tests, the demo and the benchmarks need instances that look like a real week in a Dutch housing region:
mostly single status holders, many of them willing to share, some large families with children of every
school age, rents near the passend-toewijzen limits, and every capacity rule of the format (municipality
caps, mixed-occupancy groups, school seats, shared places) binding somewhere, so that no part of the
model is idle. Each preset names a region (``matcher.regions``) and the sizes; ``--households`` and
``--dwellings`` resize any preset for the benchmark sweep.

The parts live in their own modules (``presets``, ``period``, ``households``, ``dwellings``,
``groups``, ``schools``, ``locks``); this module puts them together in one document.

Determinism: every part of the instance draws from its own ``numpy.random.default_rng([seed, part])``
stream, so the same arguments give the same JSON, and resizing the households does not reshuffle the
period or the targets. Locks and forbidden pairs are picked last, with ``matcher.rules`` deciding which pairs
are compatible, so that a generated lock is always valid.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from matcher.format import INSTANCE_FORMAT
from matcher.generator.common import DAYS_PER_WEEK
from matcher.generator.dwellings import draw_dwellings
from matcher.generator.groups import draw_groups
from matcher.generator.households import RENT_LIMIT_LARGE, RENT_LIMIT_SMALL, draw_households
from matcher.generator.locks import draw_locks_and_forbidden
from matcher.generator.period import NATIONAL_POPULATION, NATIONAL_TARGET_RANGE, draw_municipalities, draw_period
from matcher.generator.presets import (
    DWELLINGS_PER_HOUSEHOLD,
    MAX_RECORDS,
    PRESETS,
    STREAMS,
    Preset,
    checked_preset,
    draw_region,
    instance_id,
)
from matcher.generator.schools import draw_schools
from matcher.generator.variety import STANDARD, VARIETIES, Variety, checked_variety

__all__ = ["MAX_RECORDS", "NATIONAL_POPULATION", "NATIONAL_TARGET_RANGE", "PRESETS", "RENT_LIMIT_LARGE",
           "RENT_LIMIT_SMALL", "VARIETIES", "Preset", "Variety", "generate", "instance_json"]


def generate(preset: str, seed: int, households: int | None = None, dwellings: int | None = None,
             variety: str = STANDARD.name) -> dict[str, Any]:
    """A ``matcher.instance/1`` document (plain JSON-ready dict); raises ``ValueError`` on bad arguments.

    ``variety`` (``matcher.generator.variety``) widens the ranges the attributes are drawn from; the standard
    lists are the ones the committed instances and the first benchmark cases use."""
    spec = checked_preset(preset, seed, households, dwellings)
    kind = checked_variety(variety)
    n_households = households if households is not None else spec.households
    n_dwellings = dwellings if dwellings is not None else (
        spec.dwellings if households is None else max(1, round(DWELLINGS_PER_HOUSEHOLD * households)))
    streams = {name: np.random.default_rng([seed, i]) for i, name in enumerate(STREAMS)}
    region = draw_region(streams["region"], spec)
    start, elapsed = draw_period(streams["period"])
    end = start + dt.timedelta(days=DAYS_PER_WEEK - 1)
    people = draw_households(streams["households"], n_households, region, start, end, kind)
    stock = draw_dwellings(streams["dwellings"], n_dwellings, region, start, end, sharers=people.sharers,
                           variety=kind)
    groups = draw_groups(streams["groups"], stock, region, kind)
    schools = draw_schools(streams["schools"], region, spec, people.kids)
    municipalities = draw_municipalities(streams["municipalities"], region, elapsed, stock)
    document: dict[str, Any] = {
        "format": INSTANCE_FORMAT,
        "id": instance_id(spec, seed, households, dwellings, kind),
        "generator": _recipe(spec, seed, n_households, n_dwellings, kind),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "policy": {},
        "municipalities": municipalities,
        "dwellings": stock.records(region),
        "households": people.records,
        "groups": groups,
        "schools": schools,
        "locks": [],
        "forbidden": [],
    }
    if spec.locks or spec.forbidden:
        document["locks"], document["forbidden"] = draw_locks_and_forbidden(streams["locks"], document, spec)
    return document


def _recipe(spec: Preset, seed: int, households: int, dwellings: int, variety: Variety) -> dict[str, Any]:
    """The arguments that give this document again (the standard variety is left out, as before it existed)."""
    recipe: dict[str, Any] = {"preset": spec.name, "seed": seed, "households": households, "dwellings": dwellings}
    if variety != STANDARD:
        recipe["variety"] = variety.name
    return recipe


def instance_json(document: dict[str, Any]) -> str:
    """JSON with one record per line: readable, diffable, and a third of the size of an indented dump."""
    lines = ["{"]
    for position, (key, value) in enumerate(document.items()):
        comma = "," if position < len(document) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {json.dumps(key)}: [")
            lines.extend(f"    {json.dumps(record, ensure_ascii=False)}{',' if i < len(value) - 1 else ''}"
                         for i, record in enumerate(value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"

