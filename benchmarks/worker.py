"""One benchmark run in its own process: ``python -m benchmarks.worker '<spec as JSON>'``.

``benchmarks.isolation`` starts this under a memory limit and a timeout. The worker writes one JSON line
per event to the file the spec names, flushed at once, so that when the process is stopped mid-way the
parent still knows every phase that finished, the phase that was running, and the peak memory so far.

The ``pipeline`` run (matcher) is the chain of ``matcher.solver.solve.solve`` written out step by step
(that function times several steps as one), plus loading before it and writing the proposal after it. Its
clock for the time limit starts where ``solve``'s does, so the tiers get the same budgets as
``matcher solve --time-limit``. ``tests/test_benchmark_registry.py`` checks that it reaches the same
objective values as ``solve``. The ``pair-model`` run is the chain as it was before the class model (one
Boolean per candidate pair), and the ``highs`` run hands that pair model to HiGHS tier by tier.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from benchmarks.highs_peer import PairMip
from benchmarks.registry import HIGHS_TIER_PREFIX, RUNS, TIER_PREFIX, Recipe
from matcher.facts import Facts, derive_facts
from matcher.format import Instance
from matcher.rules import Pairs, compatible_pairs
from matcher.solution import Placement, Solution
from matcher.solver import SolveControl, SolveOptions, solve
from matcher.solver.candidates import Candidates, usable_candidates
from matcher.solver.class_model import build_class_model
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.evaluate import objective_values
from matcher.solver.greedy import greedy_by_class, greedy_solution
from matcher.solver.locks import check_locks
from matcher.solver.model import build_model
from matcher.solver.network import build_network
from matcher.solver.proposal import build_proposal
from matcher.solver.solve import class_model_stats, explanation_reserve
from matcher.solver.tiers import TierModel, TierResult, optimise_lexicographically
from matcher.validation import load_instance

KIB_PER_MIB = 1024
EXIT_MEMORY = 3  # the run ran out of its address space in Python code (MemoryError)
EXIT_ERROR = 1


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


class EventLog:
    """JSON lines, one per event, flushed immediately: what the parent reads if this process dies."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.current: str | None = None

    def emit(self, event: str, **fields: Any) -> None:
        self._stream.write(json.dumps({"event": event, **fields}) + "\n")
        self._stream.flush()

    def start(self, phase: str) -> None:
        self.current = phase
        self.emit("start", phase=phase)

    def end(self, phase: str, seconds: float, **fields: Any) -> None:
        self.current = None
        self.emit("end", phase=phase, seconds=round(seconds, 4), peak_rss_mib=round(peak_rss_mib(), 1), **fields)

    @contextmanager
    def phase(self, name: str) -> Iterator[dict[str, Any]]:
        """Time the block; whatever the block puts in the yielded dict is recorded with the phase."""
        self.start(name)
        extra: dict[str, Any] = {}
        began = time.perf_counter()
        yield extra
        self.end(name, time.perf_counter() - began, **extra)


class LastPhase(Exception):
    """The run's last phase has ended: the rest of the chain is not measured in this case."""


def run_pipeline(spec: dict[str, Any], log: EventLog) -> None:
    """matcher's chain as ``solve`` runs it, each phase timed on its own, up to the run's last phase."""
    instance = _load(spec, log)
    started = time.monotonic()  # where solve()'s clock starts: the time limit covers everything from here
    facts, pairs, locked = _pairs_and_locks(spec, log, instance)
    with log.phase("network"):
        households, dwellings = household_classes(facts), dwelling_classes(facts)
        network = build_network(facts, households, dwellings)
    log.emit("info", household_classes=len(households), dwelling_classes=len(dwellings),
             arcs=network.entries + network.placements)
    _stop_after(spec, "network")
    with log.phase("greedy") as extra:
        start = greedy_by_class(facts, network, locked)
        extra["objectives"] = objective_values(facts, start)
    _stop_after(spec, "greedy")
    with log.phase("build") as extra:
        allocation = build_class_model(facts, network)
        extra |= class_model_stats(allocation)
    _stop_after(spec, "build")
    _tiers_and_proposal(spec, log, facts, pairs, allocation, start, started, interim=True)


def run_pair_model(spec: dict[str, Any], log: EventLog) -> None:
    """The pair model as matcher solved it before the classes: candidates, pair greedy, one Boolean per pair."""
    instance = _load(spec, log)
    started = time.monotonic()
    facts, pairs, locked = _pairs_and_locks(spec, log, instance)
    candidates = _candidates(spec, log, facts, pairs)
    with log.phase("greedy") as extra:
        start = greedy_solution(facts, candidates, locked)
        extra["objectives"] = objective_values(facts, start)
    _stop_after(spec, "greedy")
    with log.phase("build") as extra:
        allocation = build_model(facts, candidates)
        extra |= {"variables": len(allocation.model.proto.variables),
                  "constraints": len(allocation.model.proto.constraints)}
    _stop_after(spec, "build")
    _tiers_and_proposal(spec, log, facts, pairs, allocation, start, started, interim=False)


def _tiers_and_proposal(spec: dict[str, Any], log: EventLog, facts: Facts, pairs: Pairs, allocation: TierModel,
                        start: Solution, started: float, interim: bool) -> None:
    """The lexicographic tiers, then the explained proposal, each tier its own phase.

    After each tier today's ``solve`` builds an interim proposal (without explanations) for its watchers;
    that time counts against the time limit, so matcher's chain does the same (``interim``) and records it
    with the tier. The pair model's chain never did.
    """
    objectives = list(facts.instance.policy.objectives)
    tier_phases = [f"{TIER_PREFIX}{name}" for name in objectives]
    options = SolveOptions(time_limit=spec["time_limit"], workers=spec["workers"], seed=0)
    stats: dict[str, Any] = {"benchmark": spec["run"]}

    def tier_done(solution: Solution, done: list[TierResult]) -> None:
        began = time.perf_counter()
        if interim:
            build_proposal(facts, pairs, solution, done, stats, with_explanations=False)
        tier = done[-1]
        log.end(tier_phases[len(done) - 1], tier.seconds, tier=tier.as_stats(),
                **({"interim_seconds": round(time.perf_counter() - began, 4)} if interim else {}))
        if len(done) < len(tier_phases):
            log.start(tier_phases[len(done)])

    if tier_phases:
        log.start(tier_phases[0])
    reserve = explanation_reserve(len(pairs), options.time_limit) if interim else 0.0  # as solve() keeps it
    solution, tiers = optimise_lexicographically(allocation, objectives, start, options, SolveControl(), started,
                                                 on_tier=tier_done, reserve=reserve)
    log.emit("info", objectives=objective_values(facts, solution))
    _stop_after(spec, tier_phases[-1] if tier_phases else "build")
    with log.phase("explain") as extra:
        proposal = build_proposal(facts, pairs, solution, tiers, stats)
        extra["status"] = proposal.status
    _stop_after(spec, "explain")
    with log.phase("write") as extra:
        extra["bytes"] = len(proposal.to_json().encode())


def run_greedy(spec: dict[str, Any], log: EventLog) -> None:
    """The baseline through the public API: ``solve`` with ``method="greedy"``."""
    instance = _load(spec, log)
    with log.phase("solve") as extra:
        proposal = solve(instance, SolveOptions(method="greedy", time_limit=spec["time_limit"],
                                                workers=spec["workers"]))
        extra |= {"status": proposal.status, "objectives": {o.name: o.value for o in proposal.objectives},
                  "solve_phases": proposal.stats.get("phases", {})}


def run_highs(spec: dict[str, Any], log: EventLog) -> None:
    """HiGHS on the pair model: the first tier's LP relaxation, then one MIP per tier while each is proven.

    A tier HiGHS does not prove ends the run: the next tier would hold a value that is not the optimum, and
    its figures would compare with nothing matcher computes.
    """
    instance = _load(spec, log)
    facts, pairs, _ = _pairs_and_locks(spec, log, instance)
    candidates = _candidates(spec, log, facts, pairs)
    objectives = list(instance.policy.objectives)
    with log.phase("highs-build") as extra:
        mip = PairMip(facts, candidates, objectives)
        extra |= {"columns": mip.columns.total, "rows": mip.rows}
    if not objectives:
        return
    with log.phase("highs-lp") as extra:
        extra |= {"objective": objectives[0]} | mip.relaxation(objectives[0], spec["time_limit"]).figures()
    for name in objectives:
        with log.phase(f"{HIGHS_TIER_PREFIX}{name}") as extra:
            outcome = mip.solve(name, spec["time_limit"])
            extra |= outcome.figures() | {"objectives": objective_values(facts, mip.solution())}
        if not outcome.proven:
            log.emit("info", highs_stopped={"tier": name, "status": outcome.status})
            return
        mip.hold(name, outcome.value)  # type: ignore[arg-type]  # a proven outcome has a value


def _load(spec: dict[str, Any], log: EventLog) -> Instance:
    with log.phase("generate"):
        document = Recipe(**spec["recipe"]).document()
    with log.phase("load"):
        instance = load_instance(document)
    log.emit("info", instance=instance.id, households=len(instance.households), dwellings=len(instance.dwellings),
             municipalities=len(instance.municipalities), schools=len(instance.schools))
    _stop_after(spec, "load")
    return instance


def _pairs_and_locks(spec: dict[str, Any], log: EventLog, instance: Instance) -> tuple[Facts, Pairs,
                                                                                        list[Placement]]:
    """Facts and compatible pairs, then the lock check: the steps every chain starts with."""
    with log.phase("pairs"):
        facts = derive_facts(instance)
        pairs = compatible_pairs(facts)
    log.emit("info", pairs=len(pairs))
    _stop_after(spec, "pairs")
    with log.phase("locks"):
        locks = check_locks(facts)
    if not locks.ok:
        raise ValueError(f"generated instance {instance.id} has locks that cannot be kept: {locks.errors}")
    _stop_after(spec, "locks")
    return facts, pairs, locks.placements


def _candidates(spec: dict[str, Any], log: EventLog, facts: Facts, pairs: Pairs) -> Candidates:
    with log.phase("candidates"):
        candidates = usable_candidates(facts, pairs)
    log.emit("info", candidates=len(candidates),
             school_options=sum(len(options) for options in candidates.schools.values()))
    _stop_after(spec, "candidates")
    return candidates


def _stop_after(spec: dict[str, Any], phase: str) -> None:
    if spec.get("last_phase") == phase:
        raise LastPhase(phase)


KINDS = {"pipeline": run_pipeline, "pair-model": run_pair_model, "greedy": run_greedy, "highs": run_highs}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    with Path(spec["events"]).open("a", encoding="utf-8") as stream:
        log = EventLog(stream)
        began = time.perf_counter()
        try:
            KINDS[RUNS[spec["run"]].kind](spec, log)
        except LastPhase:
            pass
        except MemoryError:
            log.emit("failed", phase=log.current, reason="memory", peak_rss_mib=round(peak_rss_mib(), 1))
            return EXIT_MEMORY
        except Exception as error:  # noqa: BLE001 - any other failure is a bug the suite must show
            log.emit("failed", phase=log.current, reason="error", detail=f"{type(error).__name__}: {error}",
                     traceback=traceback.format_exc())
            return EXIT_ERROR
        log.emit("done", seconds=round(time.perf_counter() - began, 4), peak_rss_mib=round(peak_rss_mib(), 1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
