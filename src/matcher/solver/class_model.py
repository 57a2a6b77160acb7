"""The CP-SAT model over the placement network: integer counts of households per arc instead of Booleans.

Variables: ``entry[j]`` households of a class entering a pool, ``flow[a]`` households sent along a placement
arc, ``school[kind][i]`` households of a (cell, children) combination sending their children to a school,
``used[k]`` dwellings of a shared dwelling class in a capped group that receive someone, and the worst
municipality shortfall. Each constraint family is one small function adding one rule of
``docs/format.md`` in counted form; objectives are linear in the counts. Every constraint is
linear and also kept as arrays (``matcher.solver.linear``), so that HiGHS solves exactly this model.
``matcher.solver.tiers`` optimises the objectives lexicographically, ``matcher.solver.disaggregate`` turns
counts back into named placements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.format import PERMILLE, SCHOOL_KINDS
from matcher.solution import Solution
from matcher.solver.disaggregate import Counts, counts, placements
from matcher.solver.linear import LinearModel, Terms, Variable
from matcher.solver.network import DIRECT, Network

if TYPE_CHECKING:  # CP-SAT takes half a second to load: imported only when a tier reaches it (``linear``)
    from ortools.sat.python import cp_model

NOTHING = np.zeros(0, dtype=np.int64)


@dataclass
class ClassModel:
    facts: Facts
    network: Network
    linear: LinearModel
    entry: list[Variable]
    flow: list[Variable]
    school: dict[str, list[Variable]]
    flow_bound: IntArray
    school_bound: dict[str, IntArray]
    used: dict[int, Variable] = field(default_factory=dict)  # shared dwelling classes in capped groups
    terms: dict[str, Terms] = field(default_factory=dict)  # each objective, by variable index

    @property
    def model(self) -> cp_model.CpModel:
        """The model for CP-SAT (made from the arrays on first use)."""
        return self.linear.cp

    @property
    def objectives(self) -> dict[str, cp_model.LinearExprT]:
        """Each objective as a CP-SAT expression."""
        return {name: self.linear.expression(terms) for name, terms in self.terms.items()}

    @property
    def places(self) -> IntArray:
        """Households each dwelling class can take: its dwellings, times the places of a shared one."""
        return _places(self.facts, self.network.dwellings.members)

    @property
    def cell_places(self) -> IntArray:
        return _places(self.facts, self.network.dwellings.cells)

    def entry_index(self, positions: IntArray) -> IntArray:
        return positions + self.entry[0].index if self.entry else NOTHING

    def flow_index(self, positions: IntArray) -> IntArray:
        return positions + self.flow[0].index if self.flow else NOTHING

    def school_index(self, kind: str, positions: IntArray) -> IntArray:
        return positions + self.school[kind][0].index if self.school[kind] else NOTHING

    def counted(self) -> IntArray:
        """Indices of the count variables (entries, flows, schools): the ones a search may restrict."""
        return np.array([v.index for v in self.entry + self.flow] +
                        [v.index for kind in SCHOOL_KINDS for v in self.school[kind]], dtype=np.int64)


def _places(facts: Facts, groups: list[IntArray]) -> IntArray:
    capacity = facts.dwellings.households_capacity
    return np.array([int(capacity[rows[0]]) * len(rows) for rows in groups], dtype=np.int64)


def build_class_model(facts: Facts, network: Network) -> ClassModel:
    """Every hard rule and every objective over the network."""
    allocation = new_class_model(facts, network)
    add_class_sizes(allocation)
    add_pool_balance(allocation)
    add_dwelling_capacity(allocation)
    add_school_choice(allocation)
    add_school_seats(allocation)
    add_group_caps(allocation)
    add_municipality_caps(allocation)
    add_locks(allocation)
    add_objectives(allocation)
    return allocation


def new_class_model(facts: Facts, network: Network) -> ClassModel:
    """Variables only, each bounded by what can possibly flow through it."""
    linear = LinearModel()
    count = network.households.count
    places = _places(facts, network.dwellings.members)
    cell_places = _places(facts, network.dwellings.cells)
    target_places = places[network.dwelling_class]
    with_cell = network.cell >= 0
    target_places[with_cell] = cell_places[network.cell[with_cell]]
    pooled = network.placement_pool >= 0
    pool_capacity = np.zeros(len(network.pool_type), dtype=np.int64)
    np.add.at(pool_capacity, network.placement_pool[pooled], target_places[pooled])
    pool_supply = np.zeros(len(network.pool_type), dtype=np.int64)
    np.add.at(pool_supply, network.entry_pool, count[network.entry_class])
    entry_bound = np.minimum(count[network.entry_class], pool_capacity[network.entry_pool])
    supply = np.zeros(network.placements, dtype=np.int64)
    supply[pooled] = pool_supply[network.placement_pool[pooled]]
    supply[~pooled] = count[network.placement_class[~pooled]]
    flow_bound = np.minimum(supply, target_places)
    flow_bound[network.keeps] = np.minimum(flow_bound[network.keeps], network.keep_limit[network.keeps])
    entry = linear.new_variables(entry_bound, "e")
    flow = linear.new_variables(flow_bound, "f")
    school_bound = {kind: cell_places[choices.cell] for kind, choices in network.schools.items()}
    school = {kind: linear.new_variables(school_bound[kind], f"s{kind[0]}") for kind in SCHOOL_KINDS}
    return ClassModel(facts, network, linear, entry, flow, school, flow_bound, school_bound)


def _groups(keys: IntArray) -> list[tuple[int, IntArray]]:
    """(key, positions holding it), for every key, in key order."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    return [(int(keys[part[0]]), part) for part in np.split(order, bounds)]


def add_class_sizes(allocation: ClassModel) -> None:
    """A class places at most as many households as it has members."""
    network = allocation.network
    count = network.households.count
    direct = np.flatnonzero(network.placement_pool == DIRECT)
    entries = dict(_groups(network.entry_class))
    directs = dict(_groups(network.placement_class[direct]))
    for c in sorted(set(entries) | set(directs)):
        index = np.concatenate([allocation.entry_index(entries.get(c, NOTHING)),
                                allocation.flow_index(direct[directs.get(c, NOTHING)])])
        if len(index) > 1:  # a single arc is bounded by the class size already
            allocation.linear.add(Terms.of(index), upper=int(count[c]))


def add_pool_balance(allocation: ClassModel) -> None:
    """Whatever enters a pool leaves it for a dwelling."""
    network = allocation.network
    pooled = np.flatnonzero(network.placement_pool >= 0)
    leaving = dict(_groups(network.placement_pool[pooled]))
    for p, entering in _groups(network.entry_pool):
        balance = Terms.of(allocation.entry_index(entering)) + Terms.of(allocation.flow_index(pooled[leaving[p]]), -1)
        allocation.linear.add(balance, lower=0, upper=0)


def add_dwelling_capacity(allocation: ClassModel) -> None:
    """A class of own dwellings takes one household per dwelling, a shared one ``shared_places`` per dwelling;
    a cell (for households with children) likewise. Kept per class and per cell, this is exact: children
    take the dwellings of their cells, everybody else any dwelling of the class that is still free."""
    network = allocation.network
    places, cell_places = allocation.places, allocation.cell_places
    for k, arcs in _groups(network.dwelling_class):
        if allocation.flow_bound[arcs].sum() > places[k]:
            allocation.linear.add(Terms.of(allocation.flow_index(arcs)), upper=int(places[k]))
    with_cell = np.flatnonzero(network.cell >= 0)
    cells_per_class = np.bincount(network.dwellings.class_of_cell, minlength=len(network.dwellings))
    for r, arcs in _groups(network.cell[with_cell]):
        alone = cells_per_class[network.dwellings.class_of_cell[r]] == 1  # the class row covers it
        if allocation.flow_bound[with_cell[arcs]].sum() > cell_places[r] and not alone:
            allocation.linear.add(Terms.of(allocation.flow_index(with_cell[arcs])), upper=int(cell_places[r]))


def add_school_choice(allocation: ClassModel) -> None:
    """Households with k children of a kind placed in a cell send them to schools: the counts add up."""
    network = allocation.network
    for column, kind in enumerate(SCHOOL_KINDS):
        choices = network.schools[kind]
        needing = np.flatnonzero((network.kids[:, column] > 0) & (network.cell >= 0))
        stride = 1 + int(network.kids[:, column].max(initial=0))
        arc_keys = network.cell[needing] * stride + network.kids[needing, column]
        option_keys = choices.cell * stride + choices.kids
        options_of = dict(_groups(option_keys))
        for key, arcs in _groups(arc_keys):
            total = Terms.of(allocation.school_index(kind, options_of.get(key, NOTHING))) + \
                Terms.of(allocation.flow_index(needing[arcs]), -1)
            allocation.linear.add(total, lower=0, upper=0)


def add_school_seats(allocation: ClassModel) -> None:
    """Children placed at a school never outnumber its free seats."""
    seats = allocation.facts.schools.seats
    for kind in SCHOOL_KINDS:
        choices = allocation.network.schools[kind]
        for s, options in _groups(choices.school):
            if (allocation.school_bound[kind][options] * choices.kids[options]).sum() > seats[s]:
                pupils = Terms.of(allocation.school_index(kind, options), choices.kids[options])
                allocation.linear.add(pupils, upper=int(seats[s]))


def _dwellings_used(allocation: ClassModel, k: int, arcs: IntArray) -> Terms:
    """Dwellings of class k that receive someone: the households placed, or for a shared class a count that
    covers them (a packing never needs more than ``ceil(households / places)`` dwellings)."""
    facts = allocation.facts
    first = int(allocation.network.dwellings.members[k][0])
    placed = Terms.of(allocation.flow_index(arcs))
    if not facts.dwellings.shared[first]:
        return placed
    if k not in allocation.used:
        dwellings = len(allocation.network.dwellings.members[k])
        used = allocation.linear.new_variable(0, dwellings, f"used{k}")
        places = int(facts.dwellings.shared_places[first])
        allocation.linear.add(placed + Terms.of(np.array([used.index]), -places), upper=0)
        allocation.used[k] = used
    return Terms.of(np.array([allocation.used[k].index]))


def add_group_caps(allocation: ClassModel) -> None:
    """Mixed occupancy: distinct dwellings of a group that receive someone stay within the group's cap."""
    facts = allocation.facts
    dwellings = allocation.network.dwellings
    arcs_of = dict(_groups(allocation.network.dwelling_class))
    classes_of_group: dict[int, list[int]] = {}
    for k, rows in enumerate(dwellings.members):
        if k in arcs_of:
            for g in facts.dwellings.groups[int(rows[0])].tolist():
                classes_of_group.setdefault(g, []).append(k)
    for g, classes in sorted(classes_of_group.items()):
        reachable = sum(min(len(dwellings.members[k]), int(allocation.flow_bound[arcs_of[k]].sum())) for k in classes)
        if reachable > facts.groups.cap[g]:
            used = Terms.of(NOTHING)
            for k in classes:
                used = used + _dwellings_used(allocation, k, arcs_of[k])
            allocation.linear.add(used, upper=int(facts.groups.cap[g]))


def _municipality_of_arcs(allocation: ClassModel) -> IntArray:
    facts = allocation.facts
    return facts.dwellings.municipality[allocation.network.dwellings.representative[allocation.network.dwelling_class]]


def persons_placed_in(allocation: ClassModel, arcs: IntArray) -> Terms:
    return Terms.of(allocation.flow_index(arcs), allocation.network.size[arcs])


def add_municipality_caps(allocation: ClassModel) -> None:
    """Persons placed in a municipality stay within floor(target * (1 + share)) - housed."""
    cap = allocation.facts.municipalities.cap
    for m, arcs in _groups(_municipality_of_arcs(allocation)):
        if (allocation.flow_bound[arcs] * allocation.network.size[arcs]).sum() > cap[m]:
            allocation.linear.add(persons_placed_in(allocation, arcs), upper=int(cap[m]))


def add_locks(allocation: ClassModel) -> None:
    """Accepted pairs stay, with the schools the lock names (locked records are alone in their classes)."""
    facts, network = allocation.facts, allocation.network
    for lock in facts.instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        c, k = network.households.of[h], network.dwellings.of[d]
        arcs = np.flatnonzero((network.placement_class == c) & (network.dwelling_class == k))
        allocation.linear.add(Terms.of(allocation.flow_index(arcs)), lower=1, upper=1)
        for kind, school_id in lock.named_schools().items():
            choices = network.schools[kind]
            column = SCHOOL_KINDS.index(kind)
            named = np.flatnonzero((choices.cell == network.dwellings.cell_of[d])
                                   & (choices.kids == facts.households.kids[h, column])
                                   & (choices.school == facts.school_index[school_id]))
            allocation.linear.add(Terms.of(allocation.school_index(kind, named[:1])), lower=1)


# --- objectives -----------------------------------------------------------------------------------------


def add_objectives(allocation: ClassModel) -> None:
    allocation.terms = {
        "overdue_housed": _per_household(allocation, allocation.facts.households.overdue),
        "persons_housed": _per_household(allocation, allocation.facts.households.size),
        "kept_previous": Terms.of(allocation.flow_index(np.flatnonzero(allocation.network.keeps))),
        "max_shortfall_permille": _max_shortfall_permille(allocation),
        "quality": _quality(allocation),
    }


def _per_household(allocation: ClassModel, values: np.ndarray) -> Terms:
    """A per-household attribute counted once per household placed: on entries, and on direct placements."""
    network = allocation.network
    per_class = values[network.households.representative].astype(np.int64)
    direct = np.flatnonzero(network.placement_pool == DIRECT)
    return (Terms.of(allocation.entry_index(np.arange(network.entries)), per_class[network.entry_class])
            + Terms.of(allocation.flow_index(direct), per_class[network.placement_class[direct]]))


def unused_bedroom_penalty(facts: Facts, household: IntArray, dwelling: IntArray) -> IntArray:
    unused = np.maximum(0, facts.dwellings.bedrooms[dwelling] - facts.households.need[household])
    return facts.instance.policy.quality_weights.unused_bedroom * np.where(facts.dwellings.shared[dwelling], 0, unused)


def _quality(allocation: ClassModel) -> Terms:
    """Tie bonus on direct arcs (pools never claim it), unused bedrooms where the household meets the
    dwelling type (entries, direct arcs), and whole kilometres per school named."""
    facts, network = allocation.facts, allocation.network
    representative = network.households.representative
    type_dwelling = _dwelling_of_type(network)
    entry = -unused_bedroom_penalty(facts, representative[network.entry_class],
                                    type_dwelling[network.pool_type[network.entry_pool]])
    direct = np.flatnonzero(network.placement_pool == DIRECT)
    household = representative[network.placement_class[direct]]
    dwelling = network.dwellings.representative[network.dwelling_class[direct]]
    tie = facts.households.tie_bonus[household, facts.dwellings.municipality[dwelling]]
    school_km = facts.instance.policy.quality_weights.school_km
    terms = (Terms.of(allocation.entry_index(np.arange(network.entries)), entry)
             + Terms.of(allocation.flow_index(direct), tie - unused_bedroom_penalty(facts, household, dwelling)))
    for kind in SCHOOL_KINDS:
        choices = network.schools[kind]
        terms = terms + Terms.of(allocation.school_index(kind, np.arange(len(choices))), -school_km * choices.cost_km)
    return terms


def _dwelling_of_type(network: Network) -> IntArray:
    """A dwelling of each type (every dwelling of a type has the same bedrooms and sharing)."""
    types = network.dwellings.type_of_class
    first = np.zeros(int(types.max()) + 1 if len(types) else 0, dtype=np.int64)
    first[types[::-1]] = network.dwellings.representative[::-1]
    return first


def _max_shortfall_permille(allocation: ClassModel) -> Terms:
    """z >= floor(1000 * max(0, target - housed - placed) / target) for every municipality with a target.

    With integers, z >= floor(a / T) is exactly T * z >= a - T + 1; the max(0, .) is implied by z >= 0.
    """
    facts = allocation.facts
    worst = allocation.linear.new_variable(0, PERMILLE, "max_shortfall_permille")
    worst_terms = Terms.of(np.array([worst.index]))
    arcs_of = dict(_groups(_municipality_of_arcs(allocation)))
    for m, (target, housed) in enumerate(zip(facts.municipalities.target.tolist(),
                                            facts.municipalities.housed.tolist(), strict=True)):
        if target > 0:
            placed = persons_placed_in(allocation, arcs_of.get(m, NOTHING))
            allocation.linear.add(worst_terms.scaled(target) + placed.scaled(PERMILLE),
                                  lower=PERMILLE * (target - housed) - target + 1)
    return worst_terms


def hold(allocation: ClassModel, name: str, value: int, maximise: bool, exact: bool) -> None:
    """Later tiers may not make this objective worse than ``value`` (a proven optimum: not different)."""
    terms = allocation.terms[name]
    if exact:
        allocation.linear.add(terms, lower=value, upper=value)
    elif maximise:
        allocation.linear.add(terms, lower=value)
    else:
        allocation.linear.add(terms, upper=value)


# --- what the tiers need: warm starts, reading a solution, a bound without search --------------------------


def values_of(allocation: ClassModel, solution: Solution) -> IntArray | None:
    """A value for every variable that represents the solution, or None if it has no representation."""
    found = counts(allocation.facts, allocation.network, solution)
    if found is None:
        return None
    values = np.zeros(len(allocation.linear.lower), dtype=np.int64)
    values[allocation.entry_index(np.arange(len(allocation.entry)))] = found.entry
    values[allocation.flow_index(np.arange(len(allocation.flow)))] = found.flow
    for kind in SCHOOL_KINDS:
        values[allocation.school_index(kind, np.arange(len(allocation.school[kind])))] = found.school[kind]
    for k, variable in allocation.used.items():
        values[variable.index] = found.used.get(k, 0)
    worst = allocation.terms["max_shortfall_permille"].index[0]
    values[worst] = _shortfall_of(allocation, values)
    return values


def _shortfall_of(allocation: ClassModel, values: IntArray) -> int:
    facts = allocation.facts
    placed = np.zeros(len(facts.municipalities.ids), dtype=np.int64)
    municipality = _municipality_of_arcs(allocation)
    flows = values[allocation.flow_index(np.arange(len(allocation.flow)))]
    np.add.at(placed, municipality, flows * allocation.network.size)
    target, housed = facts.municipalities.target, facts.municipalities.housed
    with_target = target > 0
    if not with_target.any():
        return 0
    return int((PERMILLE * np.maximum(0, target - housed - placed)[with_target] // target[with_target]).max())


def hint(allocation: ClassModel, solution: Solution) -> bool:
    """A complete hint from a solution; False (and no hint) if the solution has no representation."""
    allocation.model.clear_hints()
    values = values_of(allocation, solution)
    if values is None:
        return False
    for variable, number in zip(allocation.linear.cp_variables, values.tolist(), strict=True):
        allocation.model.add_hint(variable, number)
    return True


def counts_of(allocation: ClassModel, values: IntArray) -> Counts:
    return Counts(entry=values[allocation.entry_index(np.arange(len(allocation.entry)))],
                  flow=values[allocation.flow_index(np.arange(len(allocation.flow)))],
                  school={kind: values[allocation.school_index(kind, np.arange(len(allocation.school[kind])))]
                          for kind in SCHOOL_KINDS},
                  used={k: int(values[v.index]) for k, v in allocation.used.items()})


def read_values(allocation: ClassModel, solver: cp_model.CpSolver) -> IntArray:
    return np.array(solver.values(allocation.linear.cp_variables), dtype=np.int64)


def solution_of(allocation: ClassModel, values: IntArray) -> Solution:
    return placements(allocation.facts, allocation.network, counts_of(allocation, values))


def read_solution(allocation: ClassModel, solver: cp_model.CpSolver) -> Solution:
    return solution_of(allocation, read_values(allocation, solver))


def trivial_bound(allocation: ClassModel, name: str, value: int) -> int:
    """A bound that needs no search: every household that has an arc placed at its best arc."""
    network, facts = allocation.network, allocation.facts
    reached = network.classes_with_an_arc()
    count = network.households.count
    representative = network.households.representative
    if name == "overdue_housed":
        return max(value, int((count * (reached & facts.households.overdue[representative])).sum()))
    if name == "persons_housed":
        return max(value, int((count * reached * facts.households.size[representative]).sum()))
    if name == "kept_previous":
        return max(value, int(network.keep_limit[network.keeps].sum()))
    if name == "max_shortfall_permille":
        return min(value, 0)
    quality = allocation.terms["quality"]
    coefficient = np.zeros(len(allocation.linear.lower), dtype=np.int64)
    coefficient[quality.index] = quality.coeff
    best = np.zeros(len(network.households), dtype=np.int64)
    np.maximum.at(best, network.entry_class, coefficient[allocation.entry_index(np.arange(network.entries))])
    direct = np.flatnonzero(network.placement_pool == DIRECT)
    np.maximum.at(best, network.placement_class[direct], coefficient[allocation.flow_index(direct)])
    school_km = facts.instance.policy.quality_weights.school_km
    farthest = max((int(choices.cost_km.max()) for choices in network.schools.values() if len(choices)), default=0)
    kinds = (facts.households.kids[representative] > 0).sum(axis=1)
    best += max(0, -school_km) * farthest * kinds  # only where kilometres earn points
    return max(value, int((count * best * reached).sum()))
