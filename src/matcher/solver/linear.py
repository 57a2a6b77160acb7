"""A CP-SAT model whose linear constraints are also kept as arrays, so that HiGHS can solve the same model.

The class model is linear through and through (counts, capacities, balances). Keeping every constraint as
(variable indices, coefficients, lower, upper) while it is added means the LP relaxation and, where it pays,
a MIP solve by HiGHS see exactly the model CP-SAT sees, without reading the protobuf back row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matcher.facts import IntArray

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


@dataclass
class LinearModel:
    cp: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    lower: list[int] = field(default_factory=list)  # variable bounds, by index
    upper: list[int] = field(default_factory=list)
    variables: list[cp_model.IntVar] = field(default_factory=list)
    row_index: list[IntArray] = field(default_factory=list)
    row_coeff: list[IntArray] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)  # -inf / +inf where unbounded
    row_upper: list[float] = field(default_factory=list)

    def new_variables(self, upper: IntArray, prefix: str) -> list[cp_model.IntVar]:
        """Integer variables in [0, upper[i]]."""
        created = [self.cp.new_int_var(0, int(u), f"{prefix}{i}") for i, u in enumerate(upper.tolist())]
        self.variables.extend(created)
        self.lower.extend([0] * len(created))
        self.upper.extend(int(u) for u in upper.tolist())
        return created

    def new_variable(self, lower: int, upper: int, name: str) -> cp_model.IntVar:
        variable = self.cp.new_int_var(lower, upper, name)
        self.variables.append(variable)
        self.lower.append(lower)
        self.upper.append(upper)
        return variable

    def expression(self, terms: Terms) -> cp_model.LinearExprT:
        chosen = [self.variables[i] for i in terms.index.tolist()]
        return cp_model.LinearExpr.weighted_sum(chosen, terms.coeff.tolist()) + terms.constant

    def add(self, terms: Terms, lower: int | None = UNBOUNDED, upper: int | None = UNBOUNDED) -> None:
        """lower <= terms <= upper, in CP-SAT and in the arrays."""
        expression = self.expression(terms)
        if lower is not None and upper is not None:
            self.cp.add_linear_constraint(expression, lower, upper)
        elif lower is not None:
            self.cp.add(expression >= lower)
        elif upper is not None:
            self.cp.add(expression <= upper)
        else:
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
