"""The solver's own arithmetic of the objectives for a solution (the checker has an independent copy)."""

from __future__ import annotations

import numpy as np

from matcher.facts import Facts, ceil_km, haversine_km
from matcher.format import MAXIMISED_OBJECTIVES, PERMILLE
from matcher.solution import Solution


def persons_placed(facts: Facts, solution: Solution) -> np.ndarray:
    placed = np.zeros(len(facts.municipalities.ids), dtype=np.int64)
    for placement in solution:
        placed[facts.dwellings.municipality[placement.dwelling]] += facts.households.size[placement.household]
    return placed


def shortfall_permille(facts: Facts, placed: np.ndarray) -> int:
    target, housed = facts.municipalities.target, facts.municipalities.housed
    with_target = target > 0
    if not with_target.any():
        return 0
    missing = np.maximum(0, target - housed - placed)[with_target]
    return int((PERMILLE * missing // target[with_target]).max())


def school_km_charged(facts: Facts, dwelling: int, school: int) -> int:
    km = haversine_km(facts.dwellings.lat[dwelling], facts.dwellings.lon[dwelling],
                      facts.schools.lat[school], facts.schools.lon[school])
    return int(ceil_km(float(km)))


def objective_values(facts: Facts, solution: Solution) -> dict[str, int]:
    households = np.array([p.household for p in solution], dtype=np.int64)
    dwellings = np.array([p.dwelling for p in solution], dtype=np.int64)
    school_penalty = facts.instance.policy.quality_weights.school_km * sum(
        school_km_charged(facts, p.dwelling, s) for p in solution for s in p.schools.values())
    return {
        "overdue_housed": int(facts.households.overdue[households].sum()),
        "persons_housed": int(facts.households.size[households].sum()),
        "kept_previous": sum(1 for p in solution if facts.previous.get(p.household) == p.dwelling),
        "max_shortfall_permille": shortfall_permille(facts, persons_placed(facts, solution)),
        "quality": int(pair_quality(facts, households, dwellings).sum()) - int(school_penalty),
    }


def is_better(name: str, value: int, than: int) -> bool:
    return value > than if name in MAXIMISED_OBJECTIVES else value < than


def pair_quality(facts: Facts, household: np.ndarray, dwelling: np.ndarray) -> np.ndarray:
    """The quality points of placing each household in each dwelling, before schools."""
    weights = facts.instance.policy.quality_weights
    tie = facts.households.tie_bonus[household, facts.dwellings.municipality[dwelling]]
    unused = np.maximum(0, facts.dwellings.bedrooms[dwelling] - facts.households.need[household])
    unused = np.where(facts.dwellings.shared[dwelling], 0, unused)
    return tie - weights.unused_bedroom * unused
