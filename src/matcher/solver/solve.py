"""``solve``: the whole pipeline from a validated instance to a proposal, with timings for every phase.

instance -> derived facts -> compatible pairs (for the explanations) -> lock check -> household and dwelling
classes and the placement network -> greedy warm start (first come, first served, over classes) -> class model
-> lexicographic tiers (LP bound, HiGHS, CP-SAT) -> proposal with explanations. ``method="greedy"`` stops
after the warm start and reports the bounds that need no search. ``solve_document`` is the same for a raw
document, turning invalid input into an ``invalid`` proposal as the format asks.

``solve`` returns a ``SolveResult`` (the proposal, the solution behind it, every tier's outcome and the
statistics); ``solve_proposal`` is the short way to just the proposal. A caller that wants to follow the
phases as they end (the benchmarks) passes ``SolveControl(on_phase=...)``.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.exceptions import InstanceInvalid
from matcher.facts import Facts, derive_facts
from matcher.format import MAXIMISED_OBJECTIVES, Instance, Proposal
from matcher.replan.proof import PROOFS_SHARE, Forced, MoveProver
from matcher.rules import compatible_pairs
from matcher.solution import Solution
from matcher.solver import class_model
from matcher.solver.budget import Budget
from matcher.solver.class_model import ClassModel, build_class_model
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.disaggregate import counts
from matcher.solver.evaluate import objective_values
from matcher.solver.greedy import greedy_by_class
from matcher.solver.keeping import keep_where_free, least_change, previous_start
from matcher.solver.locks import check_locks
from matcher.solver.network import Network, build_network
from matcher.solver.options import Phase, SolveControl, SolveOptions
from matcher.solver.priced_bound import priced_bound
from matcher.solver.proposal import build_proposal, invalid_proposal
from matcher.solver.tiers import KnownTier, TierResult, optimise_lexicographically
from matcher.validation import load_instance

EXPLANATION_SECONDS_PER_PAIR = 0.35e-6  # measured on the 2-core machine: 22 s for nl-backlog's 63 M pairs
EXPLANATION_SECONDS_PER_HOUSEHOLD = 0.5e-3  # the floor on a region's backlog: 0.15 s for 600 households on a
# quiet machine, 0.4-0.55 s on the shared one under load (issue 17); the pairs dominate from some 1,500 up
EXPLANATION_MAX_SHARE = 0.25  # of the time limit, at most, kept for the explanations
HAND_BACK_SHARE = 0.01  # of the time limit, kept for a tier's last step to return and the proposal to be built
# (a stopped HiGHS run is left behind, but reading its answer and the disaggregation still take a moment)
LEAST_CHANGE_SHARE = 0.2  # of the time limit, kept for the least change when there is an earlier proposal
TIER_PHASE_PREFIX = "tier:"


@dataclass(frozen=True)
class SolveResult:
    """What a solve produced: the proposal, and what it was made from."""

    proposal: Proposal
    solution: Solution  # the placements behind the proposal (empty for an invalid instance)
    tiers: list[TierResult]  # every objective's outcome, in the policy's order
    stats: dict[str, Any]  # the proposal's ``stats``: versions, options, sizes, tiers, seconds per phase

    @property
    def phases(self) -> dict[str, float]:
        return dict(self.stats.get("phases", {}))


class _Clock:
    """Seconds spent in each phase, for ``stats``, and the phase hook told as each one ends."""

    def __init__(self, control: SolveControl) -> None:
        self.started = time.monotonic()
        self._last = self.started
        self._control = control
        self.phases: dict[str, float] = {}

    def lap(self, phase: str, **figures: Any) -> None:
        now = time.monotonic()
        seconds = now - self._last
        self.phases[f"{phase}_seconds"] = round(seconds, 4)
        self._last = now
        self._control.phase(Phase(phase, seconds, figures))

    def tier(self, tier: TierResult) -> None:
        """A tier has ended: the hook hears of it with the tier's own seconds (the laps keep the total)."""
        self._control.phase(Phase(f"{TIER_PHASE_PREFIX}{tier.name}", tier.seconds, {"tier": tier.as_stats()}))


def solve(instance: Instance, options: SolveOptions | None = None, control: SolveControl | None = None,
          start: Solution | None = None, keep: Solution | None = None, known: dict[str, KnownTier] | None = None,
          enough: Callable[[list[TierResult]], bool] | None = None, prove_moves: bool = True) -> SolveResult:
    """The best proposal the rules allow within the time limit, with proven bounds for every objective.

    ``start``: a feasible solution to start from (forcing: the proposal asked about, minus what the forced
    pair displaces), used when it is better than the greedy's. ``keep``: placements to keep wherever the
    class model leaves the choice free (households of one class are interchangeable), so that an answer
    compared with an earlier proposal moves nobody without need. ``known``: what a wider problem proved per
    objective (forcing: the proposal asked about), see ``matcher.solver.tiers``. ``enough``: told the tiers
    so far after each one; True leaves the later tiers unsolved (forcing, once the cost is proven).
    ``prove_moves``: in a re-plan, explain each moved previous pair by a re-solve with it kept, where the time
    limit leaves room (``matcher.replan.proof``; those re-solves themselves do not, nor do answers with
    ``keep``: forcing wants its cost, not those).
    """
    options = options or SolveOptions()
    control = control or SolveControl()
    clock = _Clock(control)
    stats: dict[str, Any] = {"matcher": __version__, "ortools": version("ortools"),
                             "python": platform.python_version(),
                             "options": {"time_limit": options.time_limit, "workers": options.workers,
                                         "seed": options.seed, "deterministic": options.deterministic,
                                         "method": options.method}}
    facts = derive_facts(instance)
    clock.lap("facts")
    pairs = compatible_pairs(facts)
    clock.lap("pairs", pairs=len(pairs))
    locks = check_locks(facts)
    clock.lap("locks")
    if not locks.ok:
        stats["phases"] = clock.phases
        return SolveResult(invalid_proposal(instance.id, locks.errors, stats), [], [], stats)
    stats["pairs"] = len(pairs)
    objectives: list[str] = list(instance.policy.objectives)
    households, dwellings = household_classes(facts), dwelling_classes(facts)
    network = build_network(facts, households, dwellings)
    clock.lap("network", household_classes=len(households), dwelling_classes=len(dwellings),
              arcs=network.entries + network.placements)
    greedy = greedy_by_class(facts, network, locks.placements)
    offered = start if start is not None else previous_start(facts, network, locks.placements)  # a re-plan's
    solution = _better_start(facts, network, objectives, greedy, offered)
    clock.lap("greedy", objectives=objective_values(facts, greedy))
    allocation = build_class_model(facts, network)
    stats |= class_model_stats(allocation)
    clock.lap("build", **class_model_stats(allocation))
    if options.method == "greedy":
        tiers = bounds_without_search(allocation, objectives, solution)
    else:
        def report_tier(found: Solution, done: list[TierResult]) -> None:
            clock.tier(done[-1])
            # after the last tier the final proposal follows at once: an interim one there only cost time
            # (0.1-0.2 s on a 600-household backlog, which at a 10 s limit is the whole 2 % allowed over it)
            if control.wants_proposals and len(done) < len(objectives):
                control.proposal(build_proposal(facts, pairs, found, done, stats, with_explanations=False))

        explaining = explanation_reserve(len(pairs), options.time_limit, len(facts.households))
        changing = LEAST_CHANGE_SHARE * options.time_limit if keep is not None else 0.0
        budget = Budget.of(options, clock.started, explaining + changing)
        solution, tiers = optimise_lexicographically(allocation, objectives, solution, options, control, budget,
                                                     on_tier=report_tier, known=known, enough=enough)
        clock.lap("tiers")
        if keep is not None:
            # what the tiers left of the time limit, less the explanations' reserve: the deadline holds even
            # when a tier overran (its search is restricted to the arcs in use first, a fraction of a second)
            seconds = changing if options.deterministic else Budget.of(options, clock.started, explaining).left()
            solution, stats["least_change"] = least_change(allocation, solution, start or keep, options, control,
                                                           seconds)
            clock.lap("least_change", status=stats["least_change"])
    if keep is not None:
        solution = keep_where_free(facts, households, dwellings, solution, keep)
    stats["tiers"] = [tier.as_stats() for tier in tiers]
    prover = None
    replan = bool(facts.previous) and "kept_previous" in objectives
    if prove_moves and replan and keep is None and options.method != "greedy" and not control.stopped:
        deadline = min(Budget.of(options, clock.started, explanation_reserve(len(pairs), options.time_limit,
                                                                             len(facts.households))).deadline,
                       time.monotonic() + PROOFS_SHARE * options.time_limit)
        prover = MoveProver(instance, options, deadline, {t.name: t.status == "optimal" for t in tiers}, _forced)
    proposal = build_proposal(facts, pairs, solution, tiers, stats, prover=prover)
    if prover is not None and prover.proofs_made:
        stats["move_proofs"] = prover.proofs_made
    clock.lap("explain", status=proposal.status)
    stats["phases"] = clock.phases
    stats["total_seconds"] = round(time.monotonic() - clock.started, 4)
    return SolveResult(proposal, solution, tiers, stats)


def _forced(instance: Instance, options: SolveOptions, start: Solution | None) -> Forced | None:
    """A moved pair's re-solve for ``matcher.replan.proof``: the whole solve with the pair's lock added."""
    result = solve(instance, options, start=start, prove_moves=False)
    if result.proposal.status == "invalid":
        return None
    return Forced({t.name: t.value for t in result.tiers}, {t.name: t.bound for t in result.tiers},
                  {t.name: t.status == "optimal" for t in result.tiers})


def solve_proposal(instance: Instance, options: SolveOptions | None = None,
                   control: SolveControl | None = None) -> Proposal:
    """Just the proposal: what the CLI, the service's jobs and most tests need."""
    return solve(instance, options, control).proposal


def class_model_stats(allocation: ClassModel) -> dict[str, Any]:
    """The model's size, for ``stats`` and the benchmarks: variables, constraints, classes and arcs."""
    network = allocation.network
    return {"variables": len(allocation.linear.lower), "constraints": allocation.linear.rows,
            "classes": {"households": len(network.households), "dwellings": len(network.dwellings),
                        "cells": len(network.dwellings.cells), "pools": len(network.pool_type),
                        "entries": network.entries, "placements": network.placements,
                        "pruned": network.removed}}


def explanation_reserve(pairs: int, time_limit: float, households: int = 0) -> float:
    """Seconds of the time limit kept for the explanations, so that the proposal is written within it: they
    read every compatible pair (22 s for the 63 M pairs of nl-backlog, under 0.1 s for a region's backlog),
    plus a small share for handing back."""
    explaining = max(EXPLANATION_SECONDS_PER_PAIR * pairs, EXPLANATION_SECONDS_PER_HOUSEHOLD * households)
    return min(EXPLANATION_MAX_SHARE * time_limit, explaining) + HAND_BACK_SHARE * time_limit


def bounds_without_search(allocation: ClassModel, objectives: list[str], solution: Solution) -> list[TierResult]:
    """The greedy's tiers: its values, against the bounds the class model gives without any search (every
    household that has an arc placed at its best arc; for overdue and persons housed, the caps priced).
    Optimal only where the two meet."""
    values = objective_values(allocation.facts, solution)
    results = []
    for name in objectives:
        bound = class_model.trivial_bound(allocation, name, values[name])
        priced = priced_bound(allocation, name)
        if priced is not None:
            bound = max(values[name], min(bound, priced.bound))
        results.append(TierResult(name, "optimal" if bound == values[name] else "feasible", values[name], bound,
                                  0.0, 0.0))
    return results


def _better_start(facts: Facts, network: Network, objectives: list[str], greedy: Solution,
                  offered: Solution | None) -> Solution:
    """The offered start if the class model can represent it and it is at least as good, in the policy's
    order, as the greedy's; otherwise the greedy's."""
    if offered is None or counts(facts, network, offered) is None:
        return greedy
    return offered if _rank(facts, objectives, offered) >= _rank(facts, objectives, greedy) else greedy


def _rank(facts: Facts, objectives: list[str], solution: Solution) -> tuple[int, ...]:
    values = objective_values(facts, solution)
    return tuple(values[name] if name in MAXIMISED_OBJECTIVES else -values[name] for name in objectives)


def solve_document(source: str | bytes | Path | dict[str, Any], options: SolveOptions | None = None,
                   control: SolveControl | None = None) -> Proposal:
    """Solve a raw document; an invalid one yields an ``invalid`` proposal naming every problem."""
    try:
        instance = load_instance(source)
    except InstanceInvalid as error:
        return invalid_proposal(_instance_id(source), [str(problem) for problem in error.problems])
    return solve(instance, options, control).proposal


def _instance_id(source: str | bytes | Path | dict[str, Any]) -> str:
    """The document's id if it has a readable one, so that an invalid proposal still says what it is about."""
    try:
        data = source if isinstance(source, dict) else json.loads(
            source.read_bytes() if isinstance(source, Path) else source)
    except (OSError, ValueError):
        return ""
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str) else ""
