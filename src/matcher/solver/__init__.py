"""The optimiser: ``solve(instance, options, control) -> SolveResult``; ``solve_proposal`` for just the proposal."""

from matcher.solver.budget import Budget
from matcher.solver.options import Phase, Progress, SolveControl, SolveOptions
from matcher.solver.solve import SolveResult, solve, solve_proposal

__all__ = ["Budget", "Phase", "Progress", "SolveControl", "SolveOptions", "SolveResult", "solve", "solve_proposal"]
