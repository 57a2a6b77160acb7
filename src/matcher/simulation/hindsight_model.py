"""Solving the hindsight model: a proven bound by Lagrangian relaxation, a value by a rule-keeping repair.

A U16 half-year allows about 300,000 (household, dwelling) pairs; HiGHS does not get through the LP of
the full model (with the school choices) within minutes on the 2-core machine (measured: a 97,000-column
restriction ran past 60 s). The model is a bipartite matching with side constraints, so:

- **bound**: relax the municipality caps, the group caps and the school seats with prices ``π >= 0``
  (a shared dwelling's term is left out of its groups' rows, which only makes the bound weaker, never
  wrong). What is left is a maximum-weight b-matching (one dwelling per household, places per dwelling)
  with weights ``profit − size × π_m − Σ π_g − Σ_kind kids × (cheapest reachable school's π_s)``, solved
  exactly as a min-cost flow by OR-Tools. ``Σ π × capacity + matching`` bounds the true optimum for any
  prices; subgradient steps on the prices tighten it, and the best bound is kept.
- **value**: each matching is repaired into a solution that keeps every rule (pairs taken by profit,
  each only while its municipality, group and school capacities allow it, with the nearest school that
  has seats), then topped up with any allowed pair that still fits; the best is kept.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.facts import Facts, IntArray
from matcher.format import SCHOOL_KINDS

if TYPE_CHECKING:
    from matcher.simulation.hindsight import HindsightPairs

PRICE_SCALE = 1000  # flow costs are integers: weights in thousandths of a person
FIRST_STEP = 1.0  # of the Polyak step, halved when the bound stops improving
PATIENCE = 3  # rounds without a better bound before the step is halved
MIN_STEP = 1e-3


@dataclass(frozen=True)
class Answer:
    value: int  # of the best rule-keeping solution found
    bound: int  # proven upper bound over every allowed pair
    rounds: int


@dataclass
class _Free:
    """Capacities left while a repair fills the region."""

    places: IntArray
    persons: IntArray
    group_dwellings: IntArray
    seats: IntArray
    opened: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))


@dataclass(frozen=True)
class SchoolOptions:
    """For one kind: (pair, school) entries sorted by pair, for pairs whose household has children of the
    kind; each school reachable from the pair's dwelling with seats for all of them."""

    pair: IntArray
    school: IntArray
    kids: IntArray
    starts: IntArray  # where each pair's entries begin


@dataclass
class HindsightModel:
    pairs: HindsightPairs
    facts: Facts
    schools: list[SchoolOptions]
    group_rows: np.ndarray  # (groups, dwellings): 1 where a non-shared dwelling belongs to the group

    @classmethod
    def of(cls, pairs: HindsightPairs) -> HindsightModel:
        """The pairs that can have a school for every kind of child they have, with their options."""
        facts = pairs.facts
        options = [_school_options(pairs, k, kind) for k, kind in enumerate(SCHOOL_KINDS)]
        usable = np.ones(len(pairs.household), dtype=np.bool_)
        for k, option in enumerate(options):
            has = np.zeros(len(usable), dtype=np.bool_)
            has[option.pair] = True
            usable &= (facts.households.kids[pairs.household, k] == 0) | has
        kept = replace(pairs, household=pairs.household[usable], dwelling=pairs.dwelling[usable],
                       week=pairs.week[usable], overdue_saved=pairs.overdue_saved[usable])
        group_rows = np.zeros((len(facts.groups.ids), len(facts.dwellings)))
        for g, members in enumerate(facts.groups.dwellings):
            group_rows[g, members[~facts.dwellings.shared[members]]] = 1.0
        return cls(kept, facts, [_school_options(kept, k, kind) for k, kind in enumerate(SCHOOL_KINDS)],
                   group_rows)

    def maximise(self, profit: IntArray, time_limit: float) -> Answer:
        """Max ``sum profit[p]`` over a set of allowed pairs keeping every rule: best value and bound."""
        facts = self.facts
        capacity = np.concatenate([facts.municipalities.cap, facts.groups.cap, facts.schools.seats]).astype(float)
        prices = np.zeros(len(capacity))
        deadline = time.monotonic() + time_limit
        best_bound, best_value, step, stale, rounds = math.inf, 0, FIRST_STEP, 0, 0
        while True:
            rounds += 1
            charge, use = self._charges(prices)
            chosen, matched = self._matching(profit - charge)
            bound = float(prices @ capacity) + matched
            best_value = max(best_value, self._repair(profit, chosen))
            if bound < best_bound - 1e-9:
                best_bound, stale = bound, 0
            else:
                stale += 1
                if stale >= PATIENCE:
                    step, stale = step / 2, 0
            gradient = use(chosen) - capacity
            gradient[(prices <= 0) & (gradient < 0)] = 0.0
            norm = float(gradient @ gradient)
            if norm == 0 or best_bound - best_value < 1 or step < MIN_STEP or time.monotonic() >= deadline:
                break
            prices = np.maximum(0.0, prices + step * (best_bound - best_value) / norm * gradient)
        return Answer(value=best_value, bound=max(best_value, math.floor(best_bound + 1e-6)), rounds=rounds)

    def _charges(self, prices: np.ndarray) -> tuple[np.ndarray, Callable[[IntArray], np.ndarray]]:
        """What each pair pays under the prices (municipality, groups, cheapest schools), and a function
        giving, for chosen pairs, how much of each relaxed capacity they use (the subgradient's first term)."""
        facts, pairs = self.facts, self.pairs
        n_m, n_g = len(facts.municipalities.ids), len(facts.groups.ids)
        municipality_price, group_price, seat_price = prices[:n_m], prices[n_m:n_m + n_g], prices[n_m + n_g:]
        group_charge = self.group_rows.T @ group_price if n_g else np.zeros(len(facts.dwellings))
        municipality = facts.dwellings.municipality[pairs.dwelling]
        size = facts.households.size[pairs.household]
        charge = size * municipality_price[municipality] + group_charge[pairs.dwelling]
        cheapest: list[tuple[IntArray, IntArray, IntArray]] = []
        for option in self.schools:
            entry = option.kids * seat_price[option.school]
            starts = option.starts
            best = np.minimum.reduceat(entry, starts) if len(starts) else np.zeros(0)
            first = _argmin_per_segment(entry, starts)
            charge[option.pair[starts]] += best
            cheapest.append((option.pair[starts], option.school[first], option.kids[first]))

        def use(chosen: IntArray) -> np.ndarray:
            picked = np.zeros(len(pairs.household), dtype=np.bool_)
            picked[chosen] = True
            persons = np.bincount(municipality[chosen], weights=size[chosen], minlength=n_m)
            groups = self.group_rows @ np.bincount(pairs.dwelling[chosen], minlength=len(facts.dwellings)) \
                if n_g else np.zeros(0)
            seats = np.zeros(len(facts.schools.ids))
            for pair, school, kids in cheapest:
                taken = picked[pair]
                seats += np.bincount(school[taken], weights=kids[taken], minlength=len(seats))
            return np.concatenate([persons, groups, seats])

        return charge, use

    def _matching(self, weight: np.ndarray) -> tuple[IntArray, float]:
        """Max-weight b-matching of households to dwelling places: the pairs chosen, and an upper bound on
        its weight in real numbers (the flow works in thousandths; the rounding error is added)."""
        facts, pairs = self.facts, self.pairs
        useful = np.flatnonzero(weight > 0)
        n_households, n_dwellings = len(facts.households), len(facts.dwellings)
        source, sink = n_households + n_dwellings, n_households + n_dwellings + 1
        flow = min_cost_flow.SimpleMinCostFlow()
        scaled = np.floor(weight[useful] * PRICE_SCALE).astype(np.int64) + 1  # rounded up: the bound stays valid
        arcs = flow.add_arcs_with_capacity_and_unit_cost(
            pairs.household[useful].astype(np.int32), (n_households + pairs.dwelling[useful]).astype(np.int32),
            np.ones(len(useful), dtype=np.int64), -scaled)
        flow.add_arcs_with_capacity_and_unit_cost(
            np.full(n_households, source, dtype=np.int32), np.arange(n_households, dtype=np.int32),
            np.ones(n_households, dtype=np.int64), np.zeros(n_households, dtype=np.int64))
        flow.add_arcs_with_capacity_and_unit_cost(
            (n_households + np.arange(n_dwellings)).astype(np.int32), np.full(n_dwellings, sink, dtype=np.int32),
            facts.dwellings.households_capacity.astype(np.int64), np.zeros(n_dwellings, dtype=np.int64))
        flow.add_arc_with_capacity_and_unit_cost(source, sink, n_households, 0)
        supplies = np.zeros(n_households + n_dwellings + 2, dtype=np.int64)
        supplies[source], supplies[sink] = n_households, -n_households
        flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        if flow.solve() != flow.OPTIMAL:
            raise RuntimeError("the hindsight matching has no optimum (a defect)")
        chosen = useful[flow.flows(arcs) > 0]
        return chosen, -flow.optimal_cost() / PRICE_SCALE

    def _repair(self, profit: IntArray, chosen: IntArray) -> int:
        """A rule-keeping solution from the matching's pairs (most profitable first), topped up greedily."""
        facts, pairs = self.facts, self.pairs
        free = _Free(places=facts.dwellings.households_capacity.copy(), persons=facts.municipalities.cap.copy(),
                     group_dwellings=facts.groups.cap.copy(), seats=facts.schools.seats.copy(),
                     opened=np.zeros(len(facts.dwellings), dtype=np.bool_))
        housed = np.zeros(len(facts.households), dtype=np.bool_)
        total = 0
        rest = np.flatnonzero(profit > 0)
        for p in [*chosen[np.argsort(-profit[chosen], kind="stable")].tolist(),
                  *rest[np.argsort(-profit[rest], kind="stable")].tolist()]:
            if not housed[pairs.household[p]] and self._place(free, int(p)):
                housed[pairs.household[p]] = True
                total += int(profit[p])
        return total

    def _place(self, free: _Free, p: int) -> bool:
        """Take pair p if every capacity allows it, with the nearest school of each kind that has seats."""
        facts = self.facts
        h, d = int(self.pairs.household[p]), int(self.pairs.dwelling[p])
        m, groups, size = facts.dwellings.municipality[d], facts.dwellings.groups[d], facts.households.size[h]
        opens = not free.opened[d]
        if free.places[d] < 1 or free.persons[m] < size or (opens and (free.group_dwellings[groups] < 1).any()):
            return False
        schools = []
        for k, kind in enumerate(SCHOOL_KINDS):
            kids = int(facts.households.kids[h, k])
            if kids == 0:
                continue
            reach = facts.reach[kind]
            options = reach.school[reach.of(d)]
            with_room = options[free.seats[options] >= kids]
            if len(with_room) == 0:
                return False
            schools.append((int(with_room[0]), kids))
        free.places[d] -= 1
        free.persons[m] -= size
        if opens:
            free.group_dwellings[groups] -= 1
            free.opened[d] = True
        for school, kids in schools:
            free.seats[school] -= kids
        return True


def _school_options(pairs: HindsightPairs, k: int, kind: str) -> SchoolOptions:
    facts = pairs.facts
    reach = facts.reach[kind]
    kids = facts.households.kids[pairs.household, k]
    with_kids = np.flatnonzero(kids > 0)
    d = pairs.dwelling[with_kids]
    counts = reach.start[d + 1] - reach.start[d]
    pair = np.repeat(with_kids, counts)
    offsets = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
    school = reach.school[np.repeat(reach.start[d], counts) + offsets]
    children = kids[pair]
    room = facts.schools.seats[school] >= children
    pair, school, children = pair[room].astype(np.int64), school[room].astype(np.int64), children[room]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, dtype=np.int64)
    return SchoolOptions(pair, school, children.astype(np.int64), starts)


def _argmin_per_segment(values: np.ndarray, starts: IntArray) -> IntArray:
    """Index of the smallest value within each segment ``[starts[i], starts[i + 1])`` (first one on ties)."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(values)]))
    order = np.lexsort((np.arange(len(values)), values, segment))
    return order[np.searchsorted(segment[order], np.arange(len(starts)))]
