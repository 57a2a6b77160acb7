"""Locks and forbidden pairs, picked last with the compatibility rules so that every lock is valid."""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.facts import Facts, derive_facts
from matcher.generator.common import BoolArray, IntArray, Record
from matcher.generator.presets import Preset
from matcher.rules import compatible_block
from matcher.validation import load_instance

FORBIDDEN_REASONS = ("declined: too far from work", "medical: stairs", "declined: previous offer refused",
                     "safety: conflict with a neighbour")

def draw_locks_and_forbidden(rng: np.random.Generator, document: dict[str, Any], spec: Preset
                         ) -> tuple[list[Record], list[Record]]:
    """Locks that keep every rule together, and forbidden pairs that would otherwise be compatible.

    A locked household has no school-age children, so that no school seat is involved; the locks are
    taken one by one while municipality, group and dwelling capacities still allow them. A very small
    resized instance may offer fewer valid locks than the preset asks for; it then gets fewer.
    """
    facts = derive_facts(load_instance(document))
    households, dwellings = facts.households, facts.dwellings
    persons_left = facts.municipalities.cap.copy()
    group_left = facts.groups.cap.copy()
    places_left = dwellings.households_capacity.copy()
    occupied = np.zeros(len(dwellings), dtype=np.bool_)
    locks: list[Record] = []
    locked = np.zeros(len(households), dtype=np.bool_)
    for h in rng.permutation(len(households)).tolist():
        if len(locks) == spec.locks:
            break
        if households.kids[h].any():
            continue
        for d in _compatible_dwellings(facts, h, rng).tolist():
            m, groups = dwellings.municipality[d], dwellings.groups[d]
            opens = not occupied[d]
            if places_left[d] < 1 or persons_left[m] < households.size[h] or (opens and (group_left[groups] < 1).any()):
                continue
            places_left[d] -= 1
            persons_left[m] -= households.size[h]
            if opens:
                group_left[groups] -= 1
                occupied[d] = True
            locked[h] = True
            locks.append({"household": households.ids[h], "dwelling": dwellings.ids[d]})
            break
    return locks, _forbidden(rng, facts, locked, spec.forbidden)


def _compatible_dwellings(facts: Facts, household: int, rng: np.random.Generator) -> IntArray:
    row = compatible_block(facts, slice(household, household + 1))[0]
    return rng.permutation(np.flatnonzero(row))


def _forbidden(rng: np.random.Generator, facts: Facts, locked: BoolArray, count: int) -> list[Record]:
    forbidden: list[Record] = []
    for h in rng.permutation(np.flatnonzero(~locked)).tolist():
        if len(forbidden) == count:
            break
        options = _compatible_dwellings(facts, h, rng)
        if len(options):
            forbidden.append({"household": facts.households.ids[h], "dwelling": facts.dwellings.ids[int(options[0])],
                              "reason": FORBIDDEN_REASONS[int(rng.integers(len(FORBIDDEN_REASONS)))]})
    return forbidden
