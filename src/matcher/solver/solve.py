"""``solve``: the whole pipeline from a validated instance to a proposal, with timings for every phase.

instance -> derived facts -> compatible pairs (for the explanations) -> lock check -> household and dwelling
classes and the placement network -> greedy warm start (first come, first served, over classes) -> class model
-> lexicographic tiers (LP bound, CP-SAT, HiGHS) -> proposal with explanations. ``method="greedy"`` keeps the
pair-level baseline: candidate pairs -> greedy. ``solve_document`` is the same for a raw document, turning
invalid input into an ``invalid`` proposal as the format asks.
"""

from __future__ import annotations

import json
import platform
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.exceptions import InstanceInvalid
from matcher.facts import derive_facts
from matcher.format import Instance, Proposal
from matcher.rules import compatible_pairs
from matcher.solution import Solution
from matcher.solver.candidates import usable_candidates
from matcher.solver.class_model import ClassModel, build_class_model
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.evaluate import objective_values
from matcher.solver.greedy import greedy_by_class, greedy_solution
from matcher.solver.locks import check_locks
from matcher.solver.network import build_network
from matcher.solver.options import SolveControl, SolveOptions
from matcher.solver.proposal import build_proposal, invalid_proposal
from matcher.solver.tiers import TierResult, optimise_lexicographically, trivial_bound
from matcher.validation import load_instance

EXPLANATION_SECONDS_PER_PAIR = 0.35e-6  # measured on the 2-core machine: 22 s for nl-backlog's 63 M pairs
EXPLANATION_MAX_SHARE = 0.25  # of the time limit, at most, kept for the explanations


class _Clock:
    """Seconds spent in each phase, for ``stats`` and the benchmarks."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._last = self.started
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[f"{phase}_seconds"] = round(now - self._last, 4)
        self._last = now


def solve(instance: Instance, options: SolveOptions | None = None, control: SolveControl | None = None) -> Proposal:
    """The best proposal the rules allow within the time limit, with proven bounds for every objective."""
    options = options or SolveOptions()
    control = control or SolveControl()
    clock = _Clock()
    stats: dict[str, Any] = {"matcher": __version__, "ortools": version("ortools"),
                             "python": platform.python_version(),
                             "options": {"time_limit": options.time_limit, "workers": options.workers,
                                         "seed": options.seed, "deterministic": options.deterministic,
                                         "method": options.method}}
    facts = derive_facts(instance)
    clock.lap("facts")
    pairs = compatible_pairs(facts)
    clock.lap("pairs")
    locks = check_locks(facts)
    clock.lap("locks")
    if not locks.ok:
        return invalid_proposal(instance.id, locks.errors, stats | {"phases": clock.phases})
    stats["pairs"] = len(pairs)
    objectives: list[str] = list(instance.policy.objectives)
    if options.method == "greedy":
        candidates = usable_candidates(facts, pairs)
        start = greedy_solution(facts, candidates, locks.placements)
        clock.lap("greedy")
        stats |= {"candidates": len(candidates), "pruned": candidates.removed}
        solution, tiers = start, _greedy_tiers(facts, candidates, start, objectives)
    else:
        households, dwellings = household_classes(facts), dwelling_classes(facts)
        network = build_network(facts, households, dwellings)
        clock.lap("network")
        start = greedy_by_class(facts, network, locks.placements)
        clock.lap("greedy")
        allocation = build_class_model(facts, network)
        clock.lap("build")
        stats |= class_model_stats(allocation)

        def report_tier(solution: Solution, done: list[TierResult]) -> None:
            control.proposal(build_proposal(facts, pairs, solution, done, stats, with_explanations=False))

        solution, tiers = optimise_lexicographically(allocation, objectives, start, options, control,
                                                     clock.started, on_tier=report_tier,
                                                     reserve=explanation_reserve(len(pairs), options.time_limit))
        clock.lap("tiers")
    stats["tiers"] = [tier.as_stats() for tier in tiers]
    proposal = build_proposal(facts, pairs, solution, tiers, stats)
    clock.lap("explain")
    stats["phases"] = clock.phases
    stats["total_seconds"] = round(time.monotonic() - clock.started, 4)
    return proposal


def class_model_stats(allocation: ClassModel) -> dict[str, Any]:
    """The model's size, for ``stats`` and the benchmarks: variables, constraints, classes and arcs."""
    network = allocation.network
    return {"variables": len(allocation.linear.lower), "constraints": allocation.linear.rows,
            "classes": {"households": len(network.households), "dwellings": len(network.dwellings),
                        "cells": len(network.dwellings.cells), "pools": len(network.pool_type),
                        "entries": network.entries, "placements": network.placements,
                        "pruned": network.removed}}


def explanation_reserve(pairs: int, time_limit: float) -> float:
    """Seconds of the time limit kept for the explanations, so that the proposal is written within it: they
    read every compatible pair (22 s for the 63 M pairs of nl-backlog, under 0.1 s for a region's backlog)."""
    return min(EXPLANATION_MAX_SHARE * time_limit, EXPLANATION_SECONDS_PER_PAIR * pairs)


def _greedy_tiers(facts: Any, candidates: Any, solution: Solution, objectives: list[str]) -> list[TierResult]:
    values = objective_values(facts, solution)
    results = []
    for name in objectives:
        bound = trivial_bound(facts, candidates, name, values[name])
        results.append(TierResult(name, "optimal" if bound == values[name] else "feasible", values[name], bound,
                                  0.0, 0.0))
    return results


def solve_document(source: str | bytes | Path | dict[str, Any], options: SolveOptions | None = None,
                   control: SolveControl | None = None) -> Proposal:
    """Solve a raw document; an invalid one yields an ``invalid`` proposal naming every problem."""
    try:
        instance = load_instance(source)
    except InstanceInvalid as error:
        return invalid_proposal(_instance_id(source), [str(problem) for problem in error.problems])
    return solve(instance, options, control)


def _instance_id(source: str | bytes | Path | dict[str, Any]) -> str:
    """The document's id if it has a readable one, so that an invalid proposal still says what it is about."""
    try:
        data = source if isinstance(source, dict) else json.loads(
            source.read_bytes() if isinstance(source, Path) else source)
    except (OSError, ValueError):
        return ""
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str) else ""
