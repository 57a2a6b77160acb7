"""The HiGHS peer: matcher's objective tiers, lexicographically, as MIPs over the straightforward pair model.

Every figure in the benchmark table is a ratio to a peer run on the same machine at the same moment. HiGHS
is the peer a user would pick instead of matcher, on the model anyone would write first: the pair model of
``benchmarks.pair_model.model``, with one binary per candidate pair and per school option, one more for each
shared dwelling that counts towards a group cap, and the same constraint families row for row (one
dwelling per household, dwelling capacity, one school per needed kind, school seats, group caps,
municipality caps, locks). Its LP relaxation on the first tier is the bound matcher's first tier is
measured against; then each tier is one MIP, the earlier tiers held at their proven optima and the
previous tier's solution as the start.

The matrix is built with numpy, a block of rows per constraint family, so that building it is not what
limits the sizes HiGHS is measured at.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection
from dataclasses import dataclass, field

import highspy
import numpy as np

from benchmarks.pair_model.candidates import Candidates
from matcher.facts import Facts, IntArray
from matcher.format import MAXIMISED_OBJECTIVES, PERMILLE, SCHOOL_KINDS
from matcher.solution import Placement, Solution
from matcher.solver.evaluate import pair_quality

BOUND_EPSILON = 1e-6  # HiGHS reports bounds as doubles; integer objectives round them inward by this much
FEASIBLE_SOLUTION = 2  # HiGHS's kSolutionStatusFeasible
INTEGER_GAP = 1.0 - 1e-6  # every objective is integral: a gap below one unit is a proof of optimality
CHOSEN = 0.5  # a binary column above this in HiGHS's solution is taken as 1
LP_ALGORITHM = "ipm"
INDEX = np.int32  # HiGHS's own index type: half the memory of int64 triplets
INTERRUPTS = (highspy.cb.HighsCallbackType.kCallbackMipInterrupt,
              highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt,
              highspy.cb.HighsCallbackType.kCallbackIpmInterrupt)


@dataclass
class _Rows:
    """Constraint rows collected as (row, column, value) triplets, one constraint family at a time."""

    rows: list[IntArray] = field(default_factory=list)
    columns: list[IntArray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    count: int = 0

    def add(self, row: IntArray, column: IntArray, value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Add ``len(lower)`` rows; ``row`` numbers the triplets from 0 within this block."""
        self.rows.append((np.asarray(row, dtype=np.int64) + self.count).astype(INDEX))
        self.columns.append(np.asarray(column, dtype=INDEX))
        self.values.append(np.asarray(value, dtype=np.float64))
        self.lower.append(np.asarray(lower, dtype=np.float64))
        self.upper.append(np.asarray(upper, dtype=np.float64))
        self.count += len(lower)

    def pass_to(self, highs: highspy.Highs) -> None:
        if not self.count:
            return
        row, column, value = (np.concatenate(parts) for parts in (self.rows, self.columns, self.values))
        order = np.argsort(row, kind="stable")
        starts = np.searchsorted(row[order], np.arange(self.count, dtype=INDEX)).astype(INDEX)
        del row
        highs.addRows(self.count, np.concatenate(self.lower), np.concatenate(self.upper), len(order), starts,
                      column[order], value[order])


@dataclass(frozen=True)
class Columns:
    """Where each kind of variable starts in HiGHS's column order."""

    pairs: int  # x[c] for candidate c: columns 0 .. pairs-1
    school_start: dict[str, int]  # s[kind][o] at school_start[kind] + o
    used_start: int  # u[d] for the shared dwellings in capped groups, in ``used_dwellings`` order
    used_dwellings: IntArray
    shortfall: int  # z, the worst shortfall in permille; -1 when no tier needs it
    total: int


@dataclass(frozen=True)
class Outcome:
    """One HiGHS solve: the LP relaxation or one tier's MIP, within its time limit."""

    status: str  # "optimal", "time limit" or HiGHS's own words for anything else
    seconds: float
    value: int | None  # the best solution's objective (for the LP: its optimum rounded inward)
    bound: int | None  # a proven bound on the integer tier, rounded inward; None when there is none

    @property
    def proven(self) -> bool:
        return self.status == "optimal" and self.value is not None

    def figures(self) -> dict[str, object]:
        """Status, value and bound: the seconds are the phase's own."""
        return {"status": self.status, "value": self.value, "bound": self.bound}


class PairMip:
    """The pair model in one HiGHS instance, solved tier by tier: later tiers see the earlier ones held.

    Use: ``relaxation(first)`` (optional), then for each objective ``solve(name)`` and, when it is proven,
    ``hold(name, value)`` before the next; ``solution()`` is the last MIP's solution as placements.
    """

    def __init__(self, facts: Facts, candidates: Candidates, objectives: Collection[str]) -> None:
        self.facts, self.candidates = facts, candidates
        self.highs, self.columns = build(facts, candidates, "max_shortfall_permille" in objectives)
        self.rows = self.highs.getNumRow()
        self._all = np.arange(self.columns.total, dtype=INDEX)
        self._incumbent: np.ndarray | None = None  # the last MIP's solution, the next tier's start

    def relaxation(self, name: str, time_limit: float) -> Outcome:
        """The LP relaxation of one tier: its optimum bounds the integer tier.

        Interior point with crossover: on these assignment LPs it is several times faster than HiGHS's
        default dual simplex (17 s against 74 s at 1,000 households), and crossover leaves an exact
        vertex, so the optimum can be rounded inward safely.
        """
        self._objective(name)
        self._integrality(highspy.HighsVarType.kContinuous)
        self.highs.setOptionValue("solver", LP_ALGORITHM)
        try:
            return self._run(name, time_limit, mip=False)
        finally:
            self.highs.setOptionValue("solver", "choose")

    def solve(self, name: str, time_limit: float) -> Outcome:
        """One tier's MIP, started from the previous tier's solution (the first tier from cold)."""
        self._objective(name)
        self._integrality(highspy.HighsVarType.kInteger)
        if self._incumbent is not None:
            start = highspy.HighsSolution()
            start.col_value = self._incumbent.tolist()
            start.value_valid = True
            self.highs.setSolution(start)
        outcome = self._run(name, time_limit, mip=True)
        if outcome.value is not None:
            self._incumbent = np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
        return outcome

    def hold(self, name: str, value: int) -> None:
        """Later tiers keep this tier's proven optimum: one row, the objective equal to its value."""
        cost = objective_costs(self.facts, self.candidates, self.columns, name)
        nonzero = np.flatnonzero(cost).astype(INDEX)
        self.highs.addRow(float(value), float(value), len(nonzero), nonzero, cost[nonzero])

    def solution(self) -> Solution:
        """The last MIP's solution as placements, for ``objective_values`` to evaluate independently."""
        if self._incumbent is None:
            return []
        return placements_of(self.candidates, self.columns, self._incumbent)

    def _objective(self, name: str) -> None:
        cost = objective_costs(self.facts, self.candidates, self.columns, name)
        self.highs.changeColsCost(self.columns.total, self._all, cost)
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize if name in MAXIMISED_OBJECTIVES
                                        else highspy.ObjSense.kMinimize)

    def _integrality(self, kind: highspy.HighsVarType) -> None:
        self.highs.changeColsIntegrality(self.columns.total, self._all,
                                         np.full(self.columns.total, kind, dtype=np.uint8))

    def _run(self, name: str, time_limit: float, mip: bool) -> Outcome:
        """One run within ``time_limit`` seconds of its own.

        An LP's time limit can count over every run of the instance (``matcher.solver.highs`` found its LP
        starved that way), so an LP's limit is what has run so far plus this run's seconds; a MIP restarts
        its clock (on u16-backlog a 3 s MIP after a 3 s LP, limited to 6 s, stopped in presolve at 6.8 s).
        The run is also interrupted at its wall-clock deadline: HiGHS looks at its own clock only now and
        then (a 60 s MIP of the last sweep ran 98 s).
        """
        highs = self.highs
        seconds_allowed = max(float(time_limit), 0.0)
        highs.setOptionValue("time_limit", (0.0 if mip else highs.getRunTime()) + seconds_allowed)
        began = time.perf_counter()
        _interrupt_at(highs, began + seconds_allowed)
        try:
            highs.run()
        finally:
            for kind in INTERRUPTS:
                highs.stopCallback(kind)
        seconds = time.perf_counter() - began
        status = highs.getModelStatus()
        info = highs.getInfo()
        named = {highspy.HighsModelStatus.kOptimal: "optimal", highspy.HighsModelStatus.kTimeLimit: "time limit",
                 highspy.HighsModelStatus.kInterrupt: "time limit"}
        words = named.get(status, highs.modelStatusToString(status).lower())
        value = info.objective_function_value if info.primal_solution_status == FEASIBLE_SOLUTION else None
        if mip:  # an integral solution's value, and the search's dual bound
            bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
            return Outcome(words, seconds, None if value is None else round(value),
                           None if bound is None else _inward(name, bound))
        optimum = _inward(name, value) if value is not None and status == highspy.HighsModelStatus.kOptimal else None
        return Outcome(words, seconds, optimum, optimum)


def _inward(name: str, value: float) -> int:
    """A double bound made integral without ever crossing the true optimum."""
    if name in MAXIMISED_OBJECTIVES:
        return math.floor(value + BOUND_EPSILON)
    return math.ceil(value - BOUND_EPSILON)


def _interrupt_at(highs: highspy.Highs, deadline: float) -> None:
    """Stop the run at ``deadline`` (``time.perf_counter``) wherever it is: branch-and-bound, a simplex (the
    MIP's root LP, crossover) or interior point. A MIP keeps its best solution and bound."""

    def interrupt(callback_type: object, message: str, data_out: object, data_in: object, user_data: object) -> None:
        if data_in is not None and time.perf_counter() >= deadline:
            data_in.user_interrupt = True

    highs.setCallback(interrupt, None)
    for kind in INTERRUPTS:
        highs.startCallback(kind)


def placements_of(candidates: Candidates, columns: Columns, values: np.ndarray) -> Solution:
    """The chosen pairs of a column vector, with the school each chosen pair names per kind."""
    chosen = np.flatnonzero(values[:columns.pairs] > CHOSEN)
    schools: dict[int, dict[str, int]] = {int(c): {} for c in chosen}
    for kind in SCHOOL_KINDS:
        options = candidates.schools[kind]
        start = columns.school_start[kind]
        for o in np.flatnonzero(values[start:start + len(options)] > CHOSEN).tolist():
            c = int(options.candidate[o])
            if c in schools:
                schools[c][kind] = int(options.school[o])
    return [Placement(int(candidates.household[c]), int(candidates.dwelling[c]), schools[int(c)]) for c in chosen]


def columns_of(candidates: Candidates, columns: Columns, solution: Solution, shortfall: int = 0) -> np.ndarray:
    """A solution as a column vector (the inverse of ``placements_of``); ``shortfall`` is z's value.

    The "used" columns of shared dwellings are set from the pairs, so that the vector satisfies every row
    the solution keeps.
    """
    values = np.zeros(columns.total)
    position = {(int(h), int(d)): c for c, (h, d) in enumerate(zip(candidates.household.tolist(),
                                                                  candidates.dwelling.tolist(), strict=True))}
    for placement in solution:
        c = position[(placement.household, placement.dwelling)]
        values[c] = 1.0
        for kind, school in placement.schools.items():
            options = candidates.schools[kind]
            o = int(np.flatnonzero((options.candidate == c) & (options.school == school))[0])
            values[columns.school_start[kind] + o] = 1.0
    occupied = {placement.dwelling for placement in solution}
    for offset, d in enumerate(columns.used_dwellings.tolist()):
        values[columns.used_start + offset] = float(d in occupied)
    if columns.shortfall >= 0:
        values[columns.shortfall] = shortfall
    return values


def build(facts: Facts, candidates: Candidates, with_shortfall: bool) -> tuple[highspy.Highs, Columns]:
    """Every hard rule of ``benchmarks.pair_model.model``; the objectives are set per tier."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", INTEGER_GAP)
    columns = _columns(facts, candidates, with_shortfall)
    lower, upper = np.zeros(columns.total), np.ones(columns.total)
    if columns.shortfall >= 0:
        upper[columns.shortfall] = PERMILLE
    _lock_bounds(facts, candidates, columns, lower)
    highs.addVars(columns.total, lower, upper)

    rows = _Rows()
    _one_dwelling_per_household(candidates, rows)
    _dwelling_capacity(facts, candidates, rows)
    _school_choice(facts, candidates, columns, rows)
    _school_seats(facts, candidates, columns, rows)
    _group_caps(facts, candidates, columns, rows)
    _municipality_caps(facts, candidates, rows)
    if columns.shortfall >= 0:
        _shortfall(facts, candidates, columns, rows)
    rows.pass_to(highs)
    return highs, columns


# --- columns ---------------------------------------------------------------------------------------------


def _columns(facts: Facts, candidates: Candidates, with_shortfall: bool) -> Columns:
    school_start: dict[str, int] = {}
    position = len(candidates)
    for kind in SCHOOL_KINDS:
        school_start[kind] = position
        position += len(candidates.schools[kind])
    used = _shared_dwellings_in_capped_groups(facts, candidates)
    used_start = position
    position += len(used)
    shortfall = -1
    if with_shortfall:
        shortfall, position = position, position + 1
    return Columns(pairs=len(candidates), school_start=school_start, used_start=used_start, used_dwellings=used,
                   shortfall=shortfall, total=position)


def _candidates_per_dwelling(facts: Facts, candidates: Candidates) -> IntArray:
    return np.bincount(candidates.dwelling, minlength=len(facts.dwellings))


def _capped_groups(facts: Facts, candidates: Candidates) -> list[tuple[int, IntArray]]:
    """Groups whose cap can bind: more reachable dwellings than the cap (as ``add_group_caps``)."""
    reachable = _candidates_per_dwelling(facts, candidates) > 0
    capped = []
    for g, members in enumerate(facts.groups.dwellings):
        members = np.asarray(members, dtype=np.int64)
        members = members[reachable[members]]
        if len(members) > facts.groups.cap[g]:
            capped.append((g, members))
    return capped


def _shared_dwellings_in_capped_groups(facts: Facts, candidates: Candidates) -> IntArray:
    """Shared dwellings with several candidates need their own 'used' variable (as ``dwelling_used``)."""
    per_dwelling = _candidates_per_dwelling(facts, candidates)
    needs = np.zeros(len(facts.dwellings), dtype=np.bool_)
    for _, members in _capped_groups(facts, candidates):
        needs[members] = True
    return np.flatnonzero(needs & facts.dwellings.shared & (per_dwelling > 1))


def _lock_bounds(facts: Facts, candidates: Candidates, columns: Columns, lower: np.ndarray) -> None:
    """Locks: the locked pair and the schools the lock names are fixed to one."""
    for lock in facts.instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        c = int(np.flatnonzero((candidates.household == h) & (candidates.dwelling == d))[0])
        lower[c] = 1.0
        for kind, school_id in lock.named_schools().items():
            options = candidates.schools[kind]
            named = np.flatnonzero((options.candidate == c) & (options.school == facts.school_index[school_id]))
            lower[columns.school_start[kind] + int(named[0])] = 1.0


# --- constraint families ---------------------------------------------------------------------------------


def _grouped_rows(keys: IntArray, wanted: np.ndarray) -> tuple[IntArray, IntArray]:
    """For triplets keyed by ``keys``: keep those whose key is wanted, and number the wanted keys 0.. ."""
    row_of = np.full(len(wanted), -1, dtype=np.int64)
    row_of[wanted] = np.arange(int(wanted.sum()))
    keep = np.flatnonzero(wanted[keys])
    return keep, row_of[keys[keep]]


def _one_dwelling_per_household(candidates: Candidates, rows: _Rows) -> None:
    per_household = np.bincount(candidates.household)
    keep, row = _grouped_rows(candidates.household, per_household > 1)
    count = int((per_household > 1).sum())
    rows.add(row, keep, np.ones(len(keep)), np.full(count, -np.inf), np.ones(count))


def _dwelling_capacity(facts: Facts, candidates: Candidates, rows: _Rows) -> None:
    capacity = facts.dwellings.households_capacity
    binding = _candidates_per_dwelling(facts, candidates) > capacity
    keep, row = _grouped_rows(candidates.dwelling, binding)
    rows.add(row, keep, np.ones(len(keep)), np.full(int(binding.sum()), -np.inf), capacity[binding])


def _school_choice(facts: Facts, candidates: Candidates, columns: Columns, rows: _Rows) -> None:
    """Sum of the chosen schools of a kind equals the pair's own variable, for pairs whose household needs it."""
    for column, kind in enumerate(SCHOOL_KINDS):
        needing = facts.households.kids[candidates.household, column] > 0
        row_of = np.full(len(candidates), -1, dtype=np.int64)
        row_of[needing] = np.arange(int(needing.sum()))
        options = candidates.schools[kind]
        pair_rows = row_of[needing.nonzero()[0]]
        option_rows = row_of[options.candidate]
        kept = option_rows >= 0
        row = np.concatenate([pair_rows, option_rows[kept]])
        col = np.concatenate([np.flatnonzero(needing), columns.school_start[kind] + np.flatnonzero(kept)])
        value = np.concatenate([-np.ones(len(pair_rows)), np.ones(int(kept.sum()))])
        zeros = np.zeros(int(needing.sum()))
        rows.add(row, col, value, zeros, zeros)


def _school_seats(facts: Facts, candidates: Candidates, columns: Columns, rows: _Rows) -> None:
    for column, kind in enumerate(SCHOOL_KINDS):
        options = candidates.schools[kind]
        pupils = facts.households.kids[candidates.household[options.candidate], column]
        demand = np.bincount(options.school, weights=pupils, minlength=len(facts.schools.ids))
        binding = demand > facts.schools.seats
        keep, row = _grouped_rows(options.school, binding)
        rows.add(row, columns.school_start[kind] + keep, pupils[keep], np.full(int(binding.sum()), -np.inf),
                 facts.schools.seats[binding])


def _group_caps(facts: Facts, candidates: Candidates, columns: Columns, rows: _Rows) -> None:
    """Dwellings used within a group stay within its cap; a shared dwelling's use is its own binary."""
    used_column = np.full(len(facts.dwellings), -1, dtype=np.int64)
    used_column[columns.used_dwellings] = columns.used_start + np.arange(len(columns.used_dwellings))
    by_dwelling = np.argsort(candidates.dwelling, kind="stable")
    starts = np.searchsorted(candidates.dwelling[by_dwelling], np.arange(len(facts.dwellings) + 1))

    row_parts, col_parts, value_parts, caps = [], [], [], []
    for row, (g, members) in enumerate(_capped_groups(facts, candidates)):
        own = used_column[members] >= 0
        pairs = np.concatenate([by_dwelling[starts[d]:starts[d + 1]] for d in members[~own]] or [np.zeros(0, int)])
        cols = np.concatenate([pairs, used_column[members[own]]])
        row_parts.append(np.full(len(cols), row))
        col_parts.append(cols)
        value_parts.append(np.ones(len(cols)))
        caps.append(facts.groups.cap[g])
    if caps:
        rows.add(np.concatenate(row_parts), np.concatenate(col_parts), np.concatenate(value_parts),
                 np.full(len(caps), -np.inf), np.array(caps))

    # u[d] >= x[c] for each pair of d, and sum of x over d >= u[d] (as ``dwelling_used``)
    used = columns.used_dwellings
    pair_lists = [by_dwelling[starts[d]:starts[d + 1]] for d in used]
    if not pair_lists:
        return
    pairs = np.concatenate(pair_lists)
    owner = np.repeat(np.arange(len(used)), [len(p) for p in pair_lists])
    link = np.arange(len(pairs))
    rows.add(np.concatenate([link, link]), np.concatenate([pairs, used_column[used[owner]]]),
             np.concatenate([np.ones(len(pairs)), -np.ones(len(pairs))]), np.full(len(pairs), -np.inf),
             np.zeros(len(pairs)))
    rows.add(np.concatenate([owner, np.arange(len(used))]), np.concatenate([pairs, used_column[used]]),
             np.concatenate([np.ones(len(pairs)), -np.ones(len(used))]), np.zeros(len(used)),
             np.full(len(used), np.inf))


def _municipality_caps(facts: Facts, candidates: Candidates, rows: _Rows) -> None:
    size = facts.households.size[candidates.household]
    municipality = facts.dwellings.municipality[candidates.dwelling]
    demand = np.bincount(municipality, weights=size, minlength=len(facts.municipalities.ids))
    binding = demand > facts.municipalities.cap
    keep, row = _grouped_rows(municipality, binding)
    rows.add(row, keep, size[keep], np.full(int(binding.sum()), -np.inf), facts.municipalities.cap[binding])


def _shortfall(facts: Facts, candidates: Candidates, columns: Columns, rows: _Rows) -> None:
    """target * z + 1000 * placed >= 1000 * (target - housed) - target + 1, per municipality with a target."""
    target, housed = facts.municipalities.target, facts.municipalities.housed
    with_target = target > 0
    size = facts.households.size[candidates.household]
    keep, row = _grouped_rows(facts.dwellings.municipality[candidates.dwelling], with_target)
    count = int(with_target.sum())
    row = np.concatenate([row, np.arange(count)])
    col = np.concatenate([keep, np.full(count, columns.shortfall)])
    value = np.concatenate([PERMILLE * size[keep], target[with_target]])
    lower = PERMILLE * (target - housed)[with_target] - target[with_target] + 1
    rows.add(row, col, value, lower, np.full(count, np.inf))


# --- objectives ------------------------------------------------------------------------------------------


def objective_costs(facts: Facts, candidates: Candidates, columns: Columns, objective: str) -> np.ndarray:
    """One objective as a cost per column, term for term as ``benchmarks.pair_model.model`` states it."""
    cost = np.zeros(columns.total)
    h = candidates.household
    if objective == "overdue_housed":
        cost[:columns.pairs] = facts.households.overdue[h]
    elif objective == "persons_housed":
        cost[:columns.pairs] = facts.households.size[h]
    elif objective == "max_shortfall_permille":
        if columns.shortfall < 0:
            raise ValueError("the model was built without the shortfall column")
        cost[columns.shortfall] = 1.0
    elif objective == "quality":
        weights = facts.instance.policy.quality_weights
        cost[:columns.pairs] = pair_quality(facts, h, candidates.dwelling)
        for kind in SCHOOL_KINDS:
            options = candidates.schools[kind]
            start = columns.school_start[kind]
            cost[start:start + len(options)] = -weights.school_km * options.cost_km
    else:
        raise ValueError(f"unknown objective {objective!r}")
    return cost
