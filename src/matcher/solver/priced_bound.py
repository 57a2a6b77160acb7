"""A bound on housing overdue households or persons that prices the municipality caps: a min-cost flow.

On a national backlog the LP of the first tier does not converge within its time (372,967 columns; the
column generation is still far off after 150 s), and without it the only bound is the trivial one: every
overdue household that has an arc housed (8,553). What binds there is the municipality caps (persons),
not the dwellings: 14,299 persons may still be placed, and the overdue households alone count 16,314.

Lagrangian relaxation of the caps, with one price ``π`` per person in every municipality: for any
``π >= 0`` and any solution that keeps the rules,

    objective  <=  objective + π · Σ_m (cap_m - persons placed in m)
               <=  π · Σ_m cap_m  +  max over the network of Σ (profit - π · size)

where the max drops the groups, the schools and the caps, and keeps the class sizes, the arcs (which hold
rules 1-6) and the dwellings' places: a maximum-weight flow, solved exactly by OR-Tools' min-cost flow.
``π`` is the best uniform price of the cheaper bound that drops the dwellings too (a convex piecewise-
linear function of one variable, whose minimum lies on a breakpoint ``profit / size``).

Measured on the national backlog (seed 1): 8,283 against the trivial 8,553 and the LP's 8,273 (HiGHS's
interior point needed 223 s for that LP), in 0.6 s. Prices per municipality by subgradient steps from
there gave nothing better within 30 rounds.

The flow's arcs are also where the LP's optimum lives: a large model's column generation starts from them
(``matcher.solver.search``), and then converges where it did not before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.facts import IntArray
from matcher.format import SCHOOL_KINDS
from matcher.solver.class_model import ClassModel
from matcher.solver.network import DIRECT

PRICED_OBJECTIVES = frozenset({"overdue_housed", "persons_housed"})
COST_SCALE = 10_000  # min-cost flow costs are integers: profits and prices in ten-thousandths
UNLIMITED = 10**9  # an arc's capacity where only the nodes limit the flow
ROUNDING_SLACK = 1e-6  # added before flooring the bound: only ever makes it weaker


@dataclass(frozen=True)
class PricedBound:
    bound: int
    support: np.ndarray  # a mask over the model's columns: the arcs the priced flow uses, with their schools


@dataclass(frozen=True)
class _Nodes:
    """Node numbers of the flow: source, sink, then household classes, pools, dwelling classes, cells."""

    classes: int
    pools: int
    dwelling_classes: int
    cells: int

    source = 0
    sink = 1

    def household_class(self, c: IntArray) -> IntArray:
        return 2 + c

    def pool(self, p: IntArray) -> IntArray:
        return 2 + self.classes + p

    def dwelling_class(self, k: IntArray) -> IntArray:
        return 2 + self.classes + self.pools + k

    def cell(self, cell: IntArray) -> IntArray:
        return 2 + self.classes + self.pools + self.dwelling_classes + cell

    @property
    def count(self) -> int:
        return 2 + self.classes + self.pools + self.dwelling_classes + self.cells


def priced_bound(allocation: ClassModel, name: str) -> PricedBound | None:
    """An upper bound on ``overdue_housed`` or ``persons_housed`` (None for any other objective), and the
    columns of the flow that gives it, from which a large model's LP starts (``matcher.solver.search``)."""
    if name not in PRICED_OBJECTIVES:
        return None
    facts, network = allocation.facts, allocation.network
    representative = network.households.representative
    size = facts.households.size[representative].astype(np.int64)
    profit = facts.households.overdue[representative].astype(np.int64) if name == "overdue_housed" else size
    supply = network.households.count * network.classes_with_an_arc()
    capacity = int(facts.municipalities.cap[_municipalities_reached(allocation, profit * supply > 0)].sum())
    price = best_uniform_price(profit, size, supply, capacity)
    support = np.zeros(len(allocation.linear.lower), dtype=np.bool_)
    gaining = (supply > 0) & (profit > price * size)
    # nobody gains at that price (persons where the caps bind: a price of 1): the flow is worth nothing
    flow = _max_weight_flow(allocation, profit, supply, price, support) if gaining.any() else 0.0
    return PricedBound(math.floor(price * capacity + flow + ROUNDING_SLACK), support)


def best_uniform_price(profit: IntArray, size: IntArray, supply: IntArray, capacity: int) -> float:
    """The price per person that minimises ``π · capacity + Σ supply · max(0, profit - π · size)``.

    That function bounds the objective for any ``π >= 0`` when only the total of the caps is kept; it is
    convex and piecewise linear, so its minimum lies at 0 or where some class stops paying off."""
    candidates = {0.0} | {float(p) / float(s) for p, s, n in zip(profit.tolist(), size.tolist(),
                                                                           supply.tolist(), strict=True)
                          if p > 0 and n > 0}

    def relaxed(price: float) -> float:
        return price * capacity + float((supply * np.maximum(0.0, profit - price * size)).sum())

    return min(sorted(candidates), key=relaxed)


def _municipalities_reached(allocation: ClassModel, paying: np.ndarray) -> np.ndarray:
    """Municipalities with a dwelling that some paying household class has an arc to: only their caps can
    bind (a town nobody of them can live in adds nothing to the bound when its price is 0)."""
    network, facts = allocation.network, allocation.facts
    reached = np.zeros(len(facts.municipalities.ids), dtype=np.bool_)
    if not paying.any() or network.placements == 0:
        return reached
    fed = np.zeros(len(network.pool_type), dtype=np.bool_)
    fed[network.entry_pool[paying[network.entry_class]]] = True
    pooled = network.placement_pool != DIRECT
    used = np.zeros(network.placements, dtype=np.bool_)
    used[pooled] = fed[network.placement_pool[pooled]]
    used[~pooled] = paying[network.placement_class[~pooled]]
    reached[facts.dwellings.municipality[network.dwellings.representative[network.dwelling_class[used]]]] = True
    return reached


def _max_weight_flow(allocation: ClassModel, profit: IntArray, supply: IntArray, price: float,
                     support: np.ndarray) -> float:
    """Max of Σ (profit - price · size) over the network's flows, the dwellings' places kept; an upper
    bound on it in real numbers (each arc's price is rounded down, so no flow is ever undervalued).
    ``support`` is marked with the model's columns that the optimal flow uses."""
    network = allocation.network
    dwellings = network.dwellings
    nodes = _Nodes(len(network.households), len(network.pool_type), len(dwellings), len(dwellings.cells))
    paying = np.flatnonzero((supply > 0) & (profit > 0))
    solver = min_cost_flow.SimpleMinCostFlow()

    def arcs(tail: np.ndarray, head: np.ndarray, capacity: np.ndarray, cost: np.ndarray) -> None:
        solver.add_arcs_with_capacity_and_unit_cost(tail.astype(np.int32), head.astype(np.int32),
                                                    capacity.astype(np.int64), cost.astype(np.int64))

    arcs(np.full(len(paying), nodes.source), nodes.household_class(paying), supply[paying], np.zeros(len(paying)))
    entering = np.flatnonzero(np.isin(network.entry_class, paying))
    first_entry = solver.num_arcs()
    arcs(nodes.household_class(network.entry_class[entering]), nodes.pool(network.entry_pool[entering]),
         np.full(len(entering), UNLIMITED), -COST_SCALE * profit[network.entry_class[entering]])
    pooled = network.placement_pool != DIRECT
    direct = ~pooled & np.isin(network.placement_class, paying)
    used = np.flatnonzero(pooled | direct)
    tail = np.where(pooled[used], nodes.pool(network.placement_pool[used]),
                    nodes.household_class(network.placement_class[used]))
    head = np.where(network.cell[used] >= 0, nodes.cell(network.cell[used]),
                    nodes.dwelling_class(network.dwelling_class[used]))
    charge = np.floor(network.size[used] * price * COST_SCALE).astype(np.int64)
    earned = np.where(direct[used], COST_SCALE * profit[np.maximum(network.placement_class[used], 0)], 0)
    first_placement = solver.num_arcs()
    arcs(tail, head, np.full(len(used), UNLIMITED), charge - earned)
    cells = np.arange(len(dwellings.cells))
    arcs(nodes.cell(cells), nodes.dwelling_class(dwellings.class_of_cell), allocation.cell_places, np.zeros(len(cells)))
    classes = np.arange(len(dwellings))
    arcs(nodes.dwelling_class(classes), np.full(len(classes), nodes.sink), allocation.places, np.zeros(len(classes)))
    total = int(supply[paying].sum())
    solver.add_arc_with_capacity_and_unit_cost(nodes.source, nodes.sink, total, 0)  # households left out
    supplies = np.zeros(nodes.count, dtype=np.int64)
    supplies[nodes.source], supplies[nodes.sink] = total, -total
    solver.set_nodes_supplies(np.arange(nodes.count, dtype=np.int32), supplies)
    if solver.solve() != solver.OPTIMAL:
        raise RuntimeError("the priced flow has no optimum (a defect: leaving everyone out is always feasible)")
    entered = entering[_flows(solver, first_entry, len(entering)) > 0]
    placed = used[_flows(solver, first_placement, len(used)) > 0]
    _mark_support(allocation, entered, placed, support)
    return -solver.optimal_cost() / COST_SCALE


def _flows(solver: min_cost_flow.SimpleMinCostFlow, first: int, count: int) -> IntArray:
    return np.asarray(solver.flows(np.arange(first, first + count, dtype=np.int32)), dtype=np.int64)


def _mark_support(allocation: ClassModel, entered: IntArray, placed: IntArray, support: np.ndarray) -> None:
    """The entry and placement arcs the flow uses, and the school choices of the children they place."""
    network = allocation.network
    support[allocation.entry_index(entered)] = True
    support[allocation.flow_index(placed)] = True
    for column, kind in enumerate(SCHOOL_KINDS):
        choices = network.schools[kind]
        with_kids = placed[(network.kids[placed, column] > 0) & (network.cell[placed] >= 0)]
        stride = 1 + int(network.kids[:, column].max(initial=0))
        wanted = np.unique(network.cell[with_kids] * stride + network.kids[with_kids, column])
        options = np.flatnonzero(np.isin(choices.cell * stride + choices.kids, wanted))
        support[allocation.school_index(kind, options)] = True
