"""The optimiser: ``solve(instance, options, control) -> Proposal``."""

from matcher.solver.options import Progress, SolveControl, SolveOptions
from matcher.solver.solve import solve

__all__ = ["Progress", "SolveControl", "SolveOptions", "solve"]
