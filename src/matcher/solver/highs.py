"""HiGHS on the class model: the LP relaxation for a proven bound and guidance, and a MIP solve where it pays.

The placement network is a flow with a few side constraints (municipality persons, group dwellings, school
seats), so its LP relaxation is tight: on u16-backlog the LP bound of the first three tiers is the integer
optimum. CP-SAT alone climbs towards such an optimum one unit at a time and rarely closes the gap; the LP
gives the bound at once. One HiGHS instance mirrors the model for the whole solve, so each tier's LP starts
from the previous tier's basis (only the objective and the held rows change).

Bounds are never taken on trust from the LP solver's tolerances: a bound is recomputed from HiGHS's row
duals as a Lagrangian bound (valid for any multipliers of the right sign, over the variables' boxes) in
exactly rounded floating point, so a reported LP bound is a proof. A MIP solution is checked row by row in
integers before it is used, and a MIP's proof or bound counts only if HiGHS values its incumbent as that
solution is valued (``_as_claimed``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from matcher.facts import FloatArray, IntArray
from matcher.solver.linear import LinearModel, Terms

SUPPORT_EPSILON = 1e-6  # an LP value above this counts as used
BOUND_SLACK = 1e-6  # added before rounding a bound inward: only ever makes it weaker
MIP_ABSOLUTE_GAP = 0.999  # objectives are integers: a gap below one is a proof
INCUMBENT_TOLERANCE = 0.5  # of an integer objective: HiGHS's incumbent value and the returned solution's agree
INFINITY = highspy.kHighsInf
DUAL_SIMPLEX, PRIMAL_SIMPLEX = 1, 4  # HiGHS simplex_strategy values
PRICING_TOLERANCE = 1e-7  # a reduced cost below minus this lets a column improve the LP
COLUMNS_PER_ROUND = 5_000
DUAL_RESTART_OBJECTIVES = frozenset({"quality"})  # tiers whose LP restarts from the last basis by dual simplex:
# measured (issue 17, simplex iterations, all columns, the earlier tiers held) on the quality tier: 7,220
# against 15,016 by primal simplex on the wide u16 backlog, 2,009 against 4,462 on u16-backlog s2; on the persons
# tier primal simplex wins by far (6,900 against 24,606; 325 against 6,630), as the note at ``relax`` says
SIMPLEX_ITERATIONS_PER_SECOND = 5_000  # deterministic work limits, measured on the 2-core reference machine
MIP_NODES_PER_SECOND = 50
DETERMINISTIC_SAFETY_FACTOR = 10.0


@dataclass(frozen=True)
class Relaxation:
    bound: float  # proven bound on the objective (upper when maximising, lower when minimising)
    values: FloatArray  # an optimal LP solution, one value per variable
    maximise: bool
    reduced_cost: FloatArray  # of the minimised form, for the multipliers behind the bound
    lower: FloatArray  # variable bounds
    upper: FloatArray
    iterations: int = 0  # simplex (or interior point) iterations it took: work that the machine's load leaves alone

    def domains_reaching(self, target: int) -> tuple[FloatArray, FloatArray]:
        """Variable bounds that every solution at least as good as ``target`` keeps (reduced-cost fixing).

        For x in the boxes, (minimised objective at x) - (Lagrangian bound) >= sum_j |d_j| * (distance of x_j
        from the bound its reduced cost d_j favours); a solution reaching the target has at most
        |bound - target| of that to spend, so no variable moves further than that allows.
        """
        slack = abs(self.bound - target) + BOUND_SLACK
        if (target > self.bound + BOUND_SLACK) if self.maximise else (target < self.bound - BOUND_SLACK):
            return self.lower.copy(), self.lower - 1.0  # beyond the bound: nothing reaches it
        magnitude = np.abs(self.reduced_cost)
        reach = np.where(magnitude > 0, np.floor(slack / np.maximum(magnitude, 1e-300)), np.inf)
        upper = np.where(self.reduced_cost > 0, np.minimum(self.upper, self.lower + reach), self.upper)
        lower = np.where(self.reduced_cost < 0, np.maximum(self.lower, self.upper - reach), self.lower)
        return lower, upper

    def support(self) -> np.ndarray:
        return self.values > SUPPORT_EPSILON

    @property
    def rounded(self) -> int:
        """The bound on an integer objective, rounded inward."""
        if self.maximise:
            return math.floor(self.bound + BOUND_SLACK)
        return math.ceil(self.bound - BOUND_SLACK)


@dataclass(frozen=True)
class MipOutcome:
    values: IntArray | None  # the best solution found, checked against every row, or None
    proven: bool  # HiGHS closed the gap (below one unit of the integer objective)
    infeasible: bool  # HiGHS proved that no solution exists (within the box it was given)
    bound: float | None
    nodes: int = 0  # branch-and-bound nodes HiGHS explored: a measure of work that the machine's load leaves alone


class HighsMirror:
    """The class model's rows in one HiGHS instance, kept in step as tiers add rows.

    On a large model (a national backlog has some 400,000 columns) the simplex stalls in degenerate pivots,
    so the LP holds only *active* columns, and the others are priced: with the row duals y of the LP over
    the active columns, every column's reduced cost c_j - A_j y is one sparse product away, and the columns
    that could improve the LP join it, until none can (column generation). The bound is always the
    Lagrangian one over *every* column, so it is valid at any round, converged or not.

    HiGHS is deterministic on one thread but its time limits are wall-clock. With ``deterministic``, its
    work is bounded by counts instead (simplex iterations, branch-and-bound nodes, per second of budget),
    with the wall-clock limit only as a distant safety net, so that the same input gives the same proposal.
    """

    def __init__(self, linear: LinearModel, deterministic: bool = False, active: np.ndarray | None = None) -> None:
        self.linear = linear
        self.deterministic = deterministic
        self.highs = new_highs()
        self.synced = 0
        self.solved = False
        total = len(linear.lower)
        self.lower = np.array(linear.lower, dtype=np.float64)
        self.upper = np.array(linear.upper, dtype=np.float64)
        self.columns = np.flatnonzero(active) if active is not None else np.arange(total)  # LP column -> model
        self.position = np.full(total, -1, dtype=np.int64)
        self.position[self.columns] = np.arange(len(self.columns))
        self._matrix: _Matrix | None = None
        self.highs.addVars(len(self.columns), self.lower[self.columns], self.upper[self.columns])
        self.sync()

    @property
    def complete(self) -> bool:
        return len(self.columns) == len(self.lower)

    def sync(self) -> None:
        """Add the rows the model gained since the last call (over the active columns)."""
        first, last = self.synced, self.linear.rows
        if last == first:
            return
        start, index, value = _csr(self.linear, first, last)
        rows = np.repeat(np.arange(last - first), np.diff(start))
        keep = self.position[index] >= 0
        counts = np.bincount(rows[keep], minlength=last - first)
        self.highs.addRows(last - first, np.array(self.linear.row_lower[first:last]),
                           np.array(self.linear.row_upper[first:last]), int(keep.sum()),
                           (np.cumsum(counts) - counts).astype(np.int32), self.position[index[keep]].astype(np.int32),
                           value[keep])
        self.synced = last
        self._matrix = None

    def matrix(self) -> _Matrix:
        if self._matrix is None:
            self._matrix = _Matrix.of(self.linear, self.synced)
        return self._matrix

    def relax(self, objective: Terms, maximise: bool, time_limit: float, dual_restart: bool = False
              ) -> Relaxation | None:
        """The LP optimum of the objective (warm-started, with columns priced in as needed); None if HiGHS
        gives no dual solution in time. ``dual_restart``: the first run from the last basis by dual simplex
        (see ``DUAL_RESTART_OBJECTIVES``); the runs after columns joined always by primal simplex."""
        self.sync()
        cost = self._cost(objective, maximise)
        self.highs.changeColsCost(len(self.columns), np.arange(len(self.columns), dtype=np.int32), cost[self.columns])
        deadline = time.monotonic() + time_limit
        best: tuple[float, FloatArray, FloatArray] | None = None
        iterations, first = 0, True
        while True:
            _limit(self.highs, max(0.01, deadline - time.monotonic()), self.deterministic)
            # after the first solve only the objective, held rows or new columns change and the old optimum
            # stays feasible: primal simplex continues from it (dual simplex took 40 times longer on the
            # persons tier of u16-backlog), except where the objective changes all over (quality)
            dual = not self.solved or (first and dual_restart)
            self.highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX if dual else PRIMAL_SIMPLEX)
            self.highs.run()
            self.solved, first = True, False
            iterations += int(self.highs.getInfo().simplex_iteration_count)
            if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            solution = self.highs.getSolution()
            row_dual = np.asarray(solution.row_dual, dtype=np.float64)
            # HiGHS's duals satisfy col_dual = c - A^T row_dual (measured to 1e-13 on u16-backlog); taking the
            # better of +y and -y instead once picked the wrong sign mid-way through column generation, which
            # then priced in nothing and left the quality bound of u16-backlog at 31,467 instead of 2,187
            lower, reduced_cost = self._lagrangian(cost, row_dual)
            values = np.zeros(len(cost))
            values[self.columns] = np.asarray(solution.col_value, dtype=np.float64)
            if best is None or lower > best[0]:
                best = (lower, reduced_cost, values)
            entering = self._entering(reduced_cost)
            if len(entering) == 0 or time.monotonic() >= deadline:
                best = (best[0], best[1], values)  # the last LP solution goes with the final columns
                break
            self._activate(entering, cost)
        if best is None:
            return None
        lower, reduced_cost, values = best
        minimised = lower + (-objective.constant if maximise else objective.constant)
        return Relaxation(bound=-minimised if maximise else minimised, values=values, maximise=maximise,
                          reduced_cost=reduced_cost, lower=self.lower, upper=self.upper, iterations=iterations)

    def include(self, columns: np.ndarray) -> None:
        """Make sure these columns (a mask over the model's) are in the LP, e.g. the incumbent's, so that the
        held rows of earlier tiers stay satisfiable within it."""
        self.sync()
        missing = np.flatnonzero(columns & (self.position < 0))
        if len(missing):
            self._activate(missing, np.zeros(len(self.lower)))

    def _entering(self, reduced_cost: FloatArray) -> IntArray:
        """Inactive columns whose reduced cost says they would improve the LP, most promising first."""
        inactive = self.position < 0
        candidates = np.flatnonzero(inactive & (reduced_cost < -PRICING_TOLERANCE))
        if len(candidates) > COLUMNS_PER_ROUND:
            candidates = candidates[np.argsort(reduced_cost[candidates], kind="stable")[:COLUMNS_PER_ROUND]]
        return np.sort(candidates)

    def _activate(self, columns: IntArray, cost: FloatArray) -> None:
        matrix = self.matrix()
        starts, rows, values = matrix.columns(columns)
        self.highs.addCols(len(columns), cost[columns], self.lower[columns], self.upper[columns], len(rows),
                           starts.astype(np.int32), rows.astype(np.int32), values)
        self.position[columns] = np.arange(len(self.columns), len(self.columns) + len(columns))
        self.columns = np.concatenate([self.columns, columns])

    def solve_mip(self, objective: Terms, maximise: bool, start: IntArray | None, time_limit: float,
                  should_stop: Callable[[], bool], box: tuple[FloatArray, FloatArray] | None = None,
                  columns: np.ndarray | None = None, settings: Mapping[str, Any] | None = None) -> MipOutcome:
        """Branch-and-cut on a copy of the model, warm-started; the answer is checked against every row.

        ``box``: variable bounds that every solution of interest keeps. ``columns``: a mask of the model's
        columns to keep; the others are fixed at zero (a restricted model, a heuristic unless the caller
        knows better). ``settings``: further HiGHS options (the measurements set ``mip_max_nodes``, say).
        """
        self.sync()
        kept = np.flatnonzero(columns) if columns is not None else np.arange(len(self.lower))
        lower, upper = box if box is not None else (self.lower, self.upper)
        matrix = self.matrix()
        starts, rows, values = matrix.columns(kept)
        lp = highspy.HighsLp()
        rows_given = len(matrix.row_lower)
        lp.num_col_, lp.num_row_ = len(kept), rows_given
        cost = self._cost(objective, maximise)[kept]
        lp.col_cost_ = cost
        lp.col_lower_, lp.col_upper_ = lower[kept].astype(np.float64), upper[kept].astype(np.float64)
        lp.row_lower_, lp.row_upper_ = matrix.row_lower, matrix.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.append(starts, len(rows)).astype(np.int32)
        lp.a_matrix_.index_ = rows.astype(np.int32)
        lp.a_matrix_.value_ = values
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(kept), len(matrix.row_lower)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(kept)
        highs = new_highs()
        highs.passModel(lp)
        _limit(highs, time_limit, self.deterministic, mip=True)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", MIP_ABSOLUTE_GAP)
        for option, setting in (settings or {}).items():
            highs.setOptionValue(option, setting)
        outside = np.ones(len(self.lower), dtype=np.bool_)
        outside[kept] = False
        if start is not None and not start[outside].any() and (start >= lower).all() and (start <= upper).all():
            solution = highspy.HighsSolution()
            solution.col_value = start[kept].astype(np.float64).tolist()
            solution.value_valid = True
            highs.setSolution(solution)
        deadline = time.monotonic() + (DETERMINISTIC_SAFETY_FACTOR if self.deterministic else 1.0) * time_limit
        _stop_when(highs, lambda: should_stop() or time.monotonic() > deadline)
        highs.run()
        info = highs.getInfo()
        found = None
        if info.primal_solution_status == 2:  # feasible
            full = np.zeros(len(self.lower), dtype=np.int64)
            full[kept] = np.rint(np.asarray(highs.getSolution().col_value)).astype(np.int64)
            found = full if self.linear.satisfied_by(full, rows_given) else None
        status = highs.getModelStatus()
        dual = info.mip_dual_bound
        bound = None if not math.isfinite(dual) else (-(dual - objective.constant) if maximise
                                                       else dual + objective.constant)
        # HiGHS may have searched against an incumbent that is not the solution it returns: then its proof and its
        # bound are of that other search (issue 17: a start moved into presolve's space as quality 1,895 where it
        # is 1,865, and "optimal" at 1,865 when 1,872 exists); the solution itself is checked and stays
        trusted = found is None or _as_claimed(cost, found[kept], info.objective_function_value)
        return MipOutcome(values=found,
                          proven=trusted and status == highspy.HighsModelStatus.kOptimal and found is not None,
                          infeasible=trusted and status == highspy.HighsModelStatus.kInfeasible,
                          bound=bound if trusted else None, nodes=int(info.mip_node_count))

    def another_vertex(self, objective: Terms, relaxation: Relaxation, among: np.ndarray, seed: int,
                       time_limit: float) -> np.ndarray:
        """The support of another optimal LP solution: random costs on ``among``, objective held at the bound.

        The first tiers' LP optima are massively degenerate; an integral solution at the bound often uses
        arcs that no single vertex does, and a few random vertices of the optimal face usually cover one.
        """
        cost = np.zeros(len(self.columns))
        mask = among[self.columns]
        cost[mask] = np.random.default_rng(seed).random(int(mask.sum()))
        coefficient = np.zeros(len(self.lower))
        np.add.at(coefficient, objective.index, objective.coeff.astype(np.float64))
        row = coefficient[self.columns]
        nonzero = np.flatnonzero(row).astype(np.int32)
        level = relaxation.bound - objective.constant
        slack = BOUND_SLACK * max(1.0, abs(level))
        low, high = (level - slack, INFINITY) if relaxation.maximise else (-INFINITY, level + slack)
        self.highs.addRow(low, high, len(nonzero), nonzero, row[nonzero])
        self.highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        _limit(self.highs, time_limit, self.deterministic)
        self.highs.run()
        found = np.zeros(len(self.lower), dtype=np.bool_)
        if self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            found[self.columns] = np.asarray(self.highs.getSolution().col_value) > SUPPORT_EPSILON
        self.highs.deleteRows(1, np.array([self.highs.getNumRow() - 1], dtype=np.int32))
        return found

    def _cost(self, objective: Terms, maximise: bool) -> FloatArray:
        cost = np.zeros(len(self.linear.lower), dtype=np.float64)
        np.add.at(cost, objective.index, objective.coeff.astype(np.float64))
        return -cost if maximise else cost

    def _lagrangian(self, cost: FloatArray, multipliers: FloatArray) -> tuple[float, FloatArray]:
        """min over the boxes of c x - y (A x - rhs(y)): a lower bound on the LP for any y (weak duality),
        over every column of the model, with the reduced costs c - A^T y.

        A positive multiplier prices a row's lower side, a negative one its upper side; an infinite side
        gets no price.
        """
        matrix = self.matrix()
        row_lower, row_upper = matrix.row_lower, matrix.row_upper
        y = np.where((multipliers > 0) & np.isfinite(row_lower), multipliers, 0.0)
        y = np.where((multipliers < 0) & np.isfinite(row_upper), multipliers, y)
        priced = cost - np.bincount(matrix.index, weights=y[matrix.row] * matrix.value, minlength=len(cost))
        lower, upper = self.lower, self.upper
        column_terms = np.where(priced >= 0, priced * lower, priced * upper)
        row_terms = np.where(y > 0, y * np.where(y > 0, row_lower, 0.0), y * np.where(y < 0, row_upper, 0.0))
        return math.fsum(column_terms.tolist()) + math.fsum(row_terms.tolist()), priced


@dataclass(frozen=True)
class _Matrix:
    """Every synced row of the model, by row (for pricing) and by column (for columns that join the LP)."""

    row: IntArray  # row of each nonzero, in row order
    index: IntArray  # column of each nonzero
    value: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    by_column: IntArray  # nonzeros ordered by column
    column_start: IntArray

    @classmethod
    def of(cls, linear: LinearModel, rows: int) -> _Matrix:
        start, index, value = _csr(linear, 0, rows)
        row = np.repeat(np.arange(rows), np.diff(start))
        by_column = np.argsort(index, kind="stable")
        column_start = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=len(linear.lower)))])
        return cls(row=row, index=index, value=value, row_lower=np.array(linear.row_lower[:rows]),
                   row_upper=np.array(linear.row_upper[:rows]), by_column=by_column,
                   column_start=column_start.astype(np.int64))

    def columns(self, columns: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """CSC of the given columns: starts, row indices, values."""
        begin, end = self.column_start[columns], self.column_start[columns + 1]
        lengths = end - begin
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        picks = np.repeat(begin - starts, lengths) + np.arange(int(lengths.sum()))
        nonzero = self.by_column[picks]
        return starts, self.row[nonzero], self.value[nonzero]


def _csr(linear: LinearModel, first: int, last: int) -> tuple[IntArray, IntArray, FloatArray]:
    lengths = np.array([len(i) for i in linear.row_index[first:last]], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if last == first:
        return start, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    index = np.concatenate(linear.row_index[first:last]).astype(np.int64)
    value = np.concatenate(linear.row_coeff[first:last]).astype(np.float64)
    return start, index, value


def _limit(highs: highspy.Highs, seconds: float, deterministic: bool, mip: bool = False) -> None:
    """Limit the next run. HiGHS compares its time limit with the instance's run time summed over every run,
    so the limit is what has run so far plus this run's seconds."""
    seconds = max(0.01, float(seconds))
    so_far = highs.getRunTime()
    if not deterministic:
        highs.setOptionValue("time_limit", so_far + seconds)
        return
    highs.setOptionValue("time_limit", so_far + DETERMINISTIC_SAFETY_FACTOR * seconds)
    highs.setOptionValue("simplex_iteration_limit", int(SIMPLEX_ITERATIONS_PER_SECOND * seconds) + 1)
    if mip:
        highs.setOptionValue("mip_max_nodes", int(MIP_NODES_PER_SECOND * seconds) + 1)


def _as_claimed(cost: FloatArray, values: IntArray, claimed: float) -> bool:
    """Whether the solution HiGHS returns has the objective value HiGHS reports for its incumbent.

    HiGHS 1.16 can carry a warm start into its presolved model with another objective value ("MIP start
    solution is feasible in the reduced space" with a different value), when bounds from reduced costs fix
    some columns. It then prunes against a value no solution has, and may report "optimal" for a solution
    that is not. Valued worse than it is, the start shows that the presolved model and the returned solution
    disagree just the same, so neither direction is trusted. Objectives are integers: half a unit tells. (On
    the case that showed it, presolve without rule 9, 12 or 13, doubleton equations, the aggregator or
    parallel rows and columns, kept the start's value: benchmarks/README.md, issue 17, sixth session.)
    """
    achieved = math.fsum((cost * values).tolist())
    return abs(achieved - claimed) < INCUMBENT_TOLERANCE


def new_highs() -> highspy.Highs:
    """A silent single-threaded HiGHS (the public constructor prints a banner on stdout, which a CLI pipes)."""
    core = getattr(highspy, "_core", None)
    highs = core._Highs() if core is not None and hasattr(core, "_Highs") else highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs


def _stop_when(highs: highspy.Highs, should_stop: Callable[[], bool]) -> None:
    """Let a caller's stop request (or a deadline: HiGHS checks its own time limit only now and then, and
    was seen 40 % over it) interrupt the MIP search."""

    def interrupt(callback_type: object, message: str, data_out: object, data_in: Any, user_data: object) -> None:
        if data_in is not None and should_stop():
            data_in.user_interrupt = True

    highs.setCallback(interrupt, None)
    highs.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
