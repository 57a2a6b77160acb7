"""The time a solve may spend, in one place: when it started, what is left, and each search's share of it.

A solve has one time limit for everything from the facts to the written proposal. The tiers share it: each
gets an equal part of what is left, so that time a quick tier does not use flows to the next. Part of it is
kept for what follows the tiers (the explanations). A deterministic solve must not depend on how fast the
machine happens to be, so there every tier gets the same fixed share of the time limit and CP-SAT counts
deterministic time instead of seconds. Within a tier, ``TierBudget`` hands its seconds to the steps of the
portfolio (``matcher.solver.search``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matcher.solver.options import SolveOptions

if TYPE_CHECKING:  # CP-SAT takes half a second to load: imported only where a search reaches it
    from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Budget:
    """The time limit of one solve, counted from ``started`` (``time.monotonic()``)."""

    seconds: float
    deterministic: bool = False
    reserve: float = 0.0  # seconds kept for what follows the tiers
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def of(cls, options: SolveOptions, started: float | None = None, reserve: float = 0.0) -> Budget:
        return cls(options.time_limit, options.deterministic, reserve,
                   time.monotonic() if started is None else started)

    @property
    def deadline(self) -> float:
        """When the tiers must be done, on the ``time.monotonic()`` clock."""
        return self.started + self.seconds - self.reserve

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        """Seconds left for the tiers by the wall clock (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def tier_share(self, index: int, tiers: int, earlier_weight: float = 1.0) -> float:
        """Seconds for tier ``index`` of ``tiers``: ``earlier_weight`` parts of what is left against one part
        for each later tier (1: an equal part), or, deterministically, an equal part of the whole time limit
        whatever the earlier tiers took."""
        if self.deterministic:
            return self.share(index, tiers)
        later = tiers - index - 1
        return self.left() * earlier_weight / (earlier_weight + later)

    def share(self, index: int, parts: int) -> float:
        """Seconds for part ``index`` of ``parts`` done one after the other (tiers, or the re-solves of one
        question): an equal part of what is left, or, deterministically, of the whole time limit."""
        if self.deterministic:
            return self.seconds / parts
        return self.left() / (parts - index)


@dataclass
class TierBudget:
    """One tier's seconds, spent step by step (the LP, the restricted rounds, branch-and-cut, CP-SAT).

    By the wall clock, what is left is the tier's seconds less the time since it began. A deterministic solve
    counts instead what the steps so far were allowed (``allow``), so that no step's allowance depends on how
    fast the machine happened to be; its steps are bounded by work counts, and its deadline is a distant one.
    """

    seconds: float
    deterministic: bool = False
    shortest_step: float = 0.0  # a step given less than this is not worth starting
    began: float = field(default_factory=time.monotonic)
    allowed: float = 0.0

    def left(self) -> float:
        used = self.allowed if self.deterministic else time.monotonic() - self.began
        return max(0.0, self.seconds - used)

    @property
    def deadline(self) -> float:
        """When the tier must hand back its answer, on the ``time.monotonic()`` clock."""
        return math.inf if self.deterministic else self.began + self.seconds

    def worth_a_step(self) -> bool:
        return self.deterministic or self.left() >= self.shortest_step

    def allow(self, seconds: float) -> float:
        """Hand ``seconds`` to a step, and count them (what a deterministic tier has left depends on it)."""
        self.allowed += seconds
        return seconds


def configure_cp_sat(solver: cp_model.CpSolver, options: SolveOptions, seconds: float) -> None:
    """Workers, seed and a time limit: in seconds, or in CP-SAT's deterministic time for repeatable answers."""
    parameters = solver.parameters
    parameters.num_workers = max(1, options.workers)
    parameters.random_seed = options.seed
    parameters.log_search_progress = False
    if options.deterministic:
        parameters.interleave_search = True
        parameters.max_deterministic_time = seconds
    else:
        parameters.max_time_in_seconds = seconds
