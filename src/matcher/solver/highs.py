"""HiGHS on the class model: the LP relaxation for a proven bound and guidance, and a MIP solve where it pays.

The placement network is a flow with a few side constraints (municipality persons, group dwellings, school
seats), so its LP relaxation is tight: on u16-backlog the LP bound of the first three tiers is the integer
optimum. CP-SAT alone climbs towards such an optimum one unit at a time and rarely closes the gap; the LP
gives the bound at once. One HiGHS instance mirrors the model for the whole solve, so each tier's LP starts
from the previous tier's basis (only the objective and the held rows change).

Bounds are never taken on trust from the LP solver's tolerances: a bound is recomputed from HiGHS's row
duals as a Lagrangian bound (valid for any multipliers of the right sign, over the variables' boxes) in
exactly rounded floating point, so a reported LP bound is a proof. A MIP solution is checked row by row in
integers before it is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from matcher.facts import FloatArray, IntArray
from matcher.solver.linear import LinearModel, Terms

SUPPORT_EPSILON = 1e-6  # an LP value above this counts as used
BOUND_SLACK = 1e-6  # added before rounding a bound inward: only ever makes it weaker
MIP_ABSOLUTE_GAP = 0.999  # objectives are integers: a gap below one is a proof
INFINITY = highspy.kHighsInf
DUAL_SIMPLEX, PRIMAL_SIMPLEX = 1, 4  # HiGHS simplex_strategy values


@dataclass(frozen=True)
class Relaxation:
    bound: float  # proven bound on the objective (upper when maximising, lower when minimising)
    values: FloatArray  # an optimal LP solution, one value per variable
    maximise: bool
    reduced_cost: FloatArray  # of the minimised form, for the multipliers behind the bound
    lower: FloatArray  # variable bounds
    upper: FloatArray

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


class HighsMirror:
    """The class model's rows in one HiGHS instance, kept in step as tiers add rows."""

    def __init__(self, linear: LinearModel) -> None:
        self.linear = linear
        self.highs = new_highs()
        self.synced = 0
        self.solved = False
        columns = len(linear.lower)
        self.highs.addVars(columns, np.array(linear.lower, dtype=np.float64), np.array(linear.upper, dtype=np.float64))
        self.sync()

    def sync(self) -> None:
        """Add the rows the model gained since the last call."""
        first, last = self.synced, self.linear.rows
        if last == first:
            return
        start, index, value = _csr(self.linear, first, last)
        self.highs.addRows(last - first, np.array(self.linear.row_lower[first:last]),
                           np.array(self.linear.row_upper[first:last]), len(index), start[:-1].astype(np.int32),
                           index.astype(np.int32), value)
        self.synced = last

    def relax(self, objective: Terms, maximise: bool, time_limit: float) -> Relaxation | None:
        """The LP optimum of the objective (warm-started), or None if HiGHS does not finish in time."""
        self.sync()
        cost = self._cost(objective, maximise)
        self.highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self.highs.setOptionValue("time_limit", max(0.01, float(time_limit)))
        # after the first solve only the objective changes and the held rows keep the old optimum feasible:
        # primal simplex continues from it (dual simplex took 40 times longer on the persons tier)
        self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX if self.solved else DUAL_SIMPLEX)
        self.highs.run()
        self.solved = True
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = self.highs.getSolution()
        row_dual = np.asarray(solution.row_dual, dtype=np.float64)
        lower, reduced_cost = max(self._lagrangian(cost, row_dual), self._lagrangian(cost, -row_dual),
                                  key=lambda pair: pair[0])
        minimised = lower + (-objective.constant if maximise else objective.constant)
        return Relaxation(bound=-minimised if maximise else minimised,
                          values=np.asarray(solution.col_value, dtype=np.float64), maximise=maximise,
                          reduced_cost=reduced_cost, lower=np.array(self.linear.lower, dtype=np.float64),
                          upper=np.array(self.linear.upper, dtype=np.float64))

    def solve_mip(self, objective: Terms, maximise: bool, start: IntArray | None, time_limit: float,
                  should_stop: Callable[[], bool], box: tuple[FloatArray, FloatArray] | None = None) -> MipOutcome:
        """Branch-and-cut on a copy of the model (within ``box``, variable bounds that every solution of
        interest keeps), warm-started; the answer is checked against every row before it is returned."""
        self.sync()
        highs = new_highs()
        columns = len(self.linear.lower)
        start_rows, index, value = _csr(self.linear, 0, self.linear.rows)
        lower, upper = box if box is not None else (np.array(self.linear.lower, dtype=np.float64),
                                                    np.array(self.linear.upper, dtype=np.float64))
        highs.addVars(columns, lower.astype(np.float64), upper.astype(np.float64))
        highs.addRows(self.linear.rows, np.array(self.linear.row_lower), np.array(self.linear.row_upper), len(index),
                      start_rows[:-1].astype(np.int32), index.astype(np.int32), value)
        cost = self._cost(objective, maximise)
        highs.changeColsCost(columns, np.arange(columns, dtype=np.int32), cost)
        highs.changeColsIntegrality(columns, np.arange(columns, dtype=np.int32),
                                    np.full(columns, highspy.HighsVarType.kInteger))
        highs.setOptionValue("time_limit", max(0.01, float(time_limit)))
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", MIP_ABSOLUTE_GAP)
        if start is not None and (start >= lower).all() and (start <= upper).all():
            solution = highspy.HighsSolution()
            solution.col_value = start.astype(np.float64).tolist()
            solution.value_valid = True
            highs.setSolution(solution)
        _stop_when(highs, should_stop)
        highs.run()
        info = highs.getInfo()
        values = None
        if info.primal_solution_status == 2:  # feasible
            rounded = np.rint(np.asarray(highs.getSolution().col_value)).astype(np.int64)
            values = rounded if self.linear.satisfied_by(rounded) else None
        status = highs.getModelStatus()
        proven = status == highspy.HighsModelStatus.kOptimal and values is not None
        dual = info.mip_dual_bound
        bound = None if not math.isfinite(dual) else (-(dual - objective.constant) if maximise
                                                       else dual + objective.constant)
        return MipOutcome(values=values, proven=proven, infeasible=status == highspy.HighsModelStatus.kInfeasible,
                          bound=bound)

    def _cost(self, objective: Terms, maximise: bool) -> FloatArray:
        cost = np.zeros(len(self.linear.lower), dtype=np.float64)
        np.add.at(cost, objective.index, objective.coeff.astype(np.float64))
        return -cost if maximise else cost

    def _lagrangian(self, cost: FloatArray, multipliers: FloatArray) -> tuple[float, FloatArray]:
        """min over the boxes of c x - y (A x - rhs(y)): a lower bound on the LP for any y (weak duality).

        A positive multiplier prices a row's lower side, a negative one its upper side; an infinite side
        gets no price.
        """
        start, index, value = _csr(self.linear, 0, self.synced)
        row_lower = np.array(self.linear.row_lower[:self.synced])
        row_upper = np.array(self.linear.row_upper[:self.synced])
        y = np.where((multipliers > 0) & np.isfinite(row_lower), multipliers, 0.0)
        y = np.where((multipliers < 0) & np.isfinite(row_upper), multipliers, y)
        rows = np.repeat(np.arange(len(row_lower)), np.diff(start))
        priced = cost.copy()
        np.add.at(priced, index, -y[rows] * value)
        lower, upper = np.array(self.linear.lower, dtype=np.float64), np.array(self.linear.upper, dtype=np.float64)
        column_terms = np.where(priced >= 0, priced * lower, priced * upper)
        row_terms = np.where(y > 0, y * np.where(y > 0, row_lower, 0.0), y * np.where(y < 0, row_upper, 0.0))
        return math.fsum(column_terms.tolist()) + math.fsum(row_terms.tolist()), priced


def _csr(linear: LinearModel, first: int, last: int) -> tuple[IntArray, IntArray, FloatArray]:
    lengths = np.array([len(i) for i in linear.row_index[first:last]], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if last == first:
        return start, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    index = np.concatenate(linear.row_index[first:last]).astype(np.int64)
    value = np.concatenate(linear.row_coeff[first:last]).astype(np.float64)
    return start, index, value


def new_highs() -> highspy.Highs:
    """A silent single-threaded HiGHS (the public constructor prints a banner on stdout, which a CLI pipes)."""
    core = getattr(highspy, "_core", None)
    highs = core._Highs() if core is not None and hasattr(core, "_Highs") else highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs


def _stop_when(highs: highspy.Highs, should_stop: Callable[[], bool]) -> None:
    """Let a caller's stop request interrupt the MIP search."""

    def interrupt(callback_type: object, message: str, data_out: object, data_in: object, user_data: object) -> None:
        if data_in is not None and should_stop():
            data_in.user_interrupt = True

    highs.setCallback(interrupt, None)
    highs.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
