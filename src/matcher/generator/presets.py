"""The presets: a region and its sizes, and the checks on the arguments that choose one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.generator.variety import STANDARD, Variety
from matcher.regions import Region, netherlands, u16

STREAMS = ("region", "period", "municipalities", "households", "dwellings", "groups", "schools", "locks")
MAX_RECORDS = 1_000_000


@dataclass(frozen=True)
class Preset:
    name: str
    region: Callable[[], Region]
    households: int
    dwellings: int
    primary_schools: int
    secondary_schools: int
    municipalities: int | None = None  # a random subset of the region of this size; None: all
    locks: int = 0
    forbidden: int = 0


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("tiny", u16, households=6, dwellings=6, primary_schools=2, secondary_schools=1, municipalities=2,
               forbidden=1),
        Preset("u16-week", u16, households=40, dwellings=35, primary_schools=13, secondary_schools=5, locks=1,
               forbidden=1),
        Preset("u16-backlog", u16, households=600, dwellings=450, primary_schools=40, secondary_schools=8, locks=3,
               forbidden=5),
        Preset("nl-backlog", netherlands, households=15_000, dwellings=10_000, primary_schools=720,
               secondary_schools=140),
    )
}
DWELLINGS_PER_HOUSEHOLD = 0.75  # when only the households are resized

def checked_preset(preset: str, seed: int, households: int | None, dwellings: int | None) -> Preset:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    for name, value in (("households", households), ("dwellings", dwellings)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= MAX_RECORDS):
            raise ValueError(f"{name} must be a whole number from 1 to {MAX_RECORDS}, got {value!r}")
    return PRESETS[preset]


def instance_id(spec: Preset, seed: int, households: int | None, dwellings: int | None, variety: Variety) -> str:
    """``u16-backlog-s1``, ``nl-backlog-s1-h3000``, ``u16-backlog-wide-s2``: the recipe, readable."""
    resized = "".join(f"-{letter}{value}" for letter, value in (("h", households), ("d", dwellings))
                      if value is not None)
    varied = "" if variety == STANDARD else f"-{variety.name}"
    return f"{spec.name}{varied}-s{seed}{resized}"


def draw_region(rng: np.random.Generator, spec: Preset) -> Region:
    region = spec.region()
    if spec.municipalities is None or spec.municipalities >= len(region):
        return region
    return region.subset(np.sort(rng.choice(len(region), size=spec.municipalities, replace=False)))
