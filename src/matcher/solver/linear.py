"""A linear integer model kept as arrays, so that HiGHS and CP-SAT solve exactly the same model.

The class model is linear through and through (counts, capacities, balances). Keeping every constraint as
(variable indices, coefficients, lower, upper) while it is added means the LP relaxation and, where it pays,
a MIP solve by HiGHS see exactly the model CP-SAT sees; CP-SAT's copy is made from the arrays only when a
tier gets as far as CP-SAT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matcher.facts import IntArray

if TYPE_CHECKING:  # CP-SAT takes half a second to load: imported only when a tier reaches it (``cp``)
    from ortools.sat.python import cp_model

UNBOUNDED = None


@dataclass(frozen=True)
class Terms:
    """A linear expression by variable index: sum(coeff[i] * x[index[i]]) + constant."""

    index: IntArray
    coeff: IntArray
    constant: int = 0

    @staticmethod
    def of(index: IntArray, coeff: IntArray | int = 1, constant: int = 0) -> Terms:
        index = np.asarray(index, dtype=np.int64)
        coefficients = np.broadcast_to(np.asarray(coeff, dtype=np.int64), index.shape).copy()
        keep = coefficients != 0
        return Terms(index[keep], coefficients[keep], constant)

    def __add__(self, other: Terms) -> Terms:
        return Terms(np.concatenate([self.index, other.index]), np.concatenate([self.coeff, other.coeff]),
                     self.constant + other.constant)

    def scaled(self, factor: int) -> Terms:
        return Terms(self.index, self.coeff * factor, self.constant * factor)

    def value(self, values: IntArray) -> int:
        return int((self.coeff * values[self.index]).sum()) + self.constant


@dataclass(frozen=True)
class Variable:
    """A variable of the model, by its index into the bounds (and the columns HiGHS sees)."""

    index: int


@dataclass
class LinearModel:
    """Variables and rows as arrays; the CP-SAT twin of the model is made from them only when asked for.

    Most tiers are decided by HiGHS and never run CP-SAT, and making CP-SAT's variables and constraints
    through its Python layer was half of building the model (0.4 of 0.7 s of processor time on the wide u16
    backlog's 34,000 variables), so ``cp`` catches up with the arrays on first use, and again after more rows.
    """

    lower: list[int] = field(default_factory=list)  # variable bounds, by index
    upper: list[int] = field(default_factory=list)
    row_index: list[IntArray] = field(default_factory=list)
    row_coeff: list[IntArray] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)  # -inf / +inf where unbounded
    row_upper: list[float] = field(default_factory=list)
    _cp: cp_model.CpModel | None = None  # made on first use
    _cp_variables: list[cp_model.IntVar] = field(default_factory=list)
    _cp_rows: int = 0  # rows already in ``_cp``

    def new_variables(self, upper: IntArray, prefix: str = "") -> list[Variable]:
        """Integer variables in [0, upper[i]]."""
        first = len(self.lower)
        self.lower.extend([0] * len(upper))
        self.upper.extend(int(u) for u in upper.tolist())
        return [Variable(i) for i in range(first, len(self.lower))]

    def new_variable(self, lower: int, upper: int, name: str = "") -> Variable:
        self.lower.append(lower)
        self.upper.append(upper)
        return Variable(len(self.lower) - 1)

    @property
    def variables(self) -> range:
        """Every variable's index."""
        return range(len(self.lower))

    @property
    def cp(self) -> cp_model.CpModel:
        """The same model for CP-SAT, brought up to date with every variable and row added so far."""
        if self._cp is None:
            from ortools.sat.python import cp_model

            self._cp = cp_model.CpModel()
        for index in range(len(self._cp_variables), len(self.lower)):
            self._cp_variables.append(self._cp.new_int_var(self.lower[index], self.upper[index], f"x{index}"))
        for row in range(self._cp_rows, self.rows):
            expression = self._weighted(self.row_index[row], self.row_coeff[row])
            low, high = self.row_lower[row], self.row_upper[row]
            if np.isfinite(low) and np.isfinite(high):
                self._cp.add_linear_constraint(expression, int(low), int(high))
            elif np.isfinite(low):
                self._cp.add(expression >= int(low))
            else:
                self._cp.add(expression <= int(high))
        self._cp_rows = self.rows
        return self._cp

    @property
    def cp_variables(self) -> list[cp_model.IntVar]:
        """CP-SAT's variables, by index."""
        self.cp  # noqa: B018 - brings them up to date
        return self._cp_variables

    def _weighted(self, index: IntArray, coeff: IntArray) -> cp_model.LinearExprT:
        from ortools.sat.python import cp_model

        chosen = [self._cp_variables[i] for i in index.tolist()]
        return cp_model.LinearExpr.weighted_sum(chosen, coeff.tolist())

    def expression(self, terms: Terms) -> cp_model.LinearExprT:
        """The terms as a CP-SAT expression (over the CP-SAT twin, made if need be)."""
        self.cp  # noqa: B018 - the variables must exist
        return self._weighted(terms.index, terms.coeff) + terms.constant

    def add(self, terms: Terms, lower: int | None = UNBOUNDED, upper: int | None = UNBOUNDED) -> None:
        """lower <= terms <= upper, kept as arrays (CP-SAT gets it when ``cp`` is next asked for)."""
        if lower is None and upper is None:
            return
        self.row_index.append(terms.index)
        self.row_coeff.append(terms.coeff)
        self.row_lower.append(float(lower - terms.constant) if lower is not None else -np.inf)
        self.row_upper.append(float(upper - terms.constant) if upper is not None else np.inf)

    @property
    def rows(self) -> int:
        return len(self.row_lower)

    def satisfied_by(self, values: IntArray, rows: int | None = None) -> bool:
        """Every recorded row (the first ``rows``, when given: a search that ran on a thread checks the rows it
        was given, while later tiers may be adding more) and variable bound holds for these integer values
        (checked exactly)."""
        if len(values) != len(self.lower):
            return False
        if (values < np.array(self.lower)).any() or (values > np.array(self.upper)).any():
            return False
        last = self.rows if rows is None else rows
        for index, coeff, low, high in zip(self.row_index[:last], self.row_coeff[:last], self.row_lower[:last],
                                           self.row_upper[:last], strict=True):
            total = int((coeff * values[index]).sum())
            if total < low or total > high:
                return False
        return True
