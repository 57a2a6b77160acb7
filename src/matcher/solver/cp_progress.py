"""CP-SAT's report of each improving solution, passed on as the solve's progress.

Apart from ``tiers.py`` because a subclass of CP-SAT's callback needs OR-Tools loaded (half a second of a
solve process's start), while many solves never reach CP-SAT: a tier imports this module when it does.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from matcher.solver.options import Progress, SolveControl


class ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution's objective and the bound so far."""

    def __init__(self, control: SolveControl, name: str, index: int, tiers: int, started: float) -> None:
        super().__init__()
        self._control, self._name, self._index, self._tiers, self._started = control, name, index, tiers, started

    def on_solution_callback(self) -> None:
        self._control.progress(Progress(self._name, self._index, self._tiers, int(round(self.objective_value)),
                                        int(round(self.best_objective_bound)), time.monotonic() - self._started))
