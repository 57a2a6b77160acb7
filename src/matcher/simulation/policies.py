"""Placement policies for a replay: given the week's instance, a proposal the checker accepts.

A policy sees one week's instance at a time, in order, and nothing else of the scenario: that is what makes
it an online policy (``lookahead`` remembers the instances it has seen, never the weeks to come).

- ``fcfs``: first come, first served, what a coordinator does by hand: households by waiting time, longest
  first, each into the first dwelling that fits (matcher's greedy baseline, ``method="greedy"``).
- ``weekly``: matcher's proven weekly lexicographic optimum (``matcher.solver.solve``).
- ``lookahead``: the weekly optimum with an eye on the weeks to come (``matcher.simulation.lookahead``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matcher.format import Instance, Proposal
from matcher.solver.options import SolveOptions
from matcher.solver.solve import solve_proposal

DEFAULT_SECONDS_PER_WEEK = 10.0
POLICY_NAMES = ("fcfs", "weekly", "lookahead")

WeekPolicy = Callable[[Instance, int], Proposal]  # (the week's instance, the week number) -> proposal


@dataclass(frozen=True)
class PolicySettings:
    """What every policy may be given: a time limit per week and a seed for the solver."""

    seconds_per_week: float = DEFAULT_SECONDS_PER_WEEK
    seed: int = 0

    def solve_options(self, method: str = "cpsat") -> SolveOptions:
        """Deterministic solves, so that the same scenario, policy and seed replay to the same trace."""
        return SolveOptions(time_limit=self.seconds_per_week, seed=self.seed, deterministic=True,
                            method=method)  # type: ignore[arg-type]


def first_come_first_served(settings: PolicySettings) -> WeekPolicy:
    def propose(instance: Instance, week: int) -> Proposal:
        return solve_proposal(instance, settings.solve_options(method="greedy"))

    return propose


def weekly_optimum(settings: PolicySettings) -> WeekPolicy:
    def propose(instance: Instance, week: int) -> Proposal:
        return solve_proposal(instance, settings.solve_options())

    return propose


def make_policy(name: str, settings: PolicySettings) -> WeekPolicy:
    """A fresh policy (a lookahead policy has a memory, so each replay gets its own)."""
    if name == "fcfs":
        return first_come_first_served(settings)
    if name == "weekly":
        return weekly_optimum(settings)
    if name == "lookahead":
        from matcher.simulation.lookahead import lookahead_policy  # the heaviest policy, loaded when asked for

        return lookahead_policy(settings)
    raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICY_NAMES)}")
