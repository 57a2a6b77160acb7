"""One benchmark run in its own process: ``python -m benchmarks.worker '<spec as JSON>'``.

``benchmarks.isolation`` starts this under a memory limit and a timeout. The worker writes one JSON line
per event to the file the spec names, flushed at once, so that when the process is stopped mid-way the
parent still knows every phase that finished, the phase that was running, and the peak memory so far.

The ``pipeline`` run is the chain of ``matcher.solver.solve.solve`` written out step by step (that
function times several steps as one), plus loading before it and writing the proposal after it. Its
clock for the time limit starts where ``solve``'s does, so the tiers get the same budgets as
``matcher solve --time-limit``. ``tests/test_benchmark_registry.py`` checks that it reaches the same
objective values as ``solve``.
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

from benchmarks.highs_peer import TierMip
from benchmarks.registry import RUNS, TIER_PREFIX, Recipe, phases_through
from matcher.compat import compatible_pairs
from matcher.facts import derive_facts
from matcher.format import Instance
from matcher.solution import Solution
from matcher.solver import SolveControl, SolveOptions, solve
from matcher.solver.candidates import usable_candidates
from matcher.solver.evaluate import objective_values
from matcher.solver.greedy import greedy_solution
from matcher.solver.locks import check_locks
from matcher.solver.model import build_model
from matcher.solver.proposal import build_proposal
from matcher.solver.tiers import TierResult, optimise_lexicographically
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


def run_pipeline(spec: dict[str, Any], log: EventLog) -> None:
    """matcher's chain, each phase timed on its own, up to the run's last phase."""
    wanted = set(phases_through(spec["last_phase"]))
    instance = _load(spec, log)
    started = time.monotonic()  # where solve()'s clock starts: the time limit covers everything from here
    facts, pairs, candidates, start = _prepare(instance, log)
    if "build" not in wanted:
        return
    with log.phase("build") as extra:
        allocation = build_model(facts, candidates)
        extra |= {"variables": len(allocation.model.proto.variables),
                  "constraints": len(allocation.model.proto.constraints)}
    objectives = list(instance.policy.objectives)
    tier_phases = [f"{TIER_PREFIX}{name}" for name in objectives]
    options = SolveOptions(time_limit=spec["time_limit"], workers=spec["workers"], seed=0)

    def tier_done(_: Solution, done: list[TierResult]) -> None:
        tier = done[-1]
        log.end(tier_phases[len(done) - 1], tier.seconds, tier=tier.as_stats())
        if len(done) < len(tier_phases):
            log.start(tier_phases[len(done)])

    if tier_phases:
        log.start(tier_phases[0])
    solution, tiers = optimise_lexicographically(allocation, objectives, start, options, SolveControl(), started,
                                                 on_tier=tier_done)
    log.emit("info", objectives=objective_values(facts, solution))
    if "explain" not in wanted:
        return
    with log.phase("explain") as extra:
        proposal = build_proposal(facts, pairs, solution, tiers, {"benchmark": spec["run"]})
        extra["status"] = proposal.status
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
    """The first tier in HiGHS over the same candidates: its LP relaxation, then the MIP."""
    instance = _load(spec, log)
    facts, _, candidates, _ = _prepare(instance, log, greedy=False)
    objective = instance.policy.objectives[0]
    with log.phase("highs-build") as extra:
        mip = TierMip(facts, candidates, objective)
        extra |= {"objective": objective, "columns": mip.columns.total, "rows": mip.rows}
    with log.phase("highs-lp") as extra:
        extra |= mip.relaxation(spec["time_limit"]).figures()
    with log.phase("highs-mip") as extra:
        extra |= mip.solve(spec["time_limit"]).figures()


def _load(spec: dict[str, Any], log: EventLog) -> Instance:
    with log.phase("generate"):
        document = Recipe(**spec["recipe"]).document()
    with log.phase("load"):
        instance = load_instance(document)
    log.emit("info", instance=instance.id, households=len(instance.households), dwellings=len(instance.dwellings),
             municipalities=len(instance.municipalities), schools=len(instance.schools))
    return instance


def _prepare(instance: Instance, log: EventLog, greedy: bool = True) -> tuple[Any, Any, Any, Solution]:
    """Facts, pairs, the lock check, candidates and (for matcher) the greedy warm start."""
    with log.phase("pairs"):
        facts = derive_facts(instance)
        pairs = compatible_pairs(facts)
    log.emit("info", pairs=len(pairs))
    with log.phase("locks"):
        locks = check_locks(facts)
    if not locks.ok:
        raise ValueError(f"generated instance {instance.id} has locks that cannot be kept: {locks.errors}")
    with log.phase("candidates"):
        candidates = usable_candidates(facts, pairs)
    log.emit("info", candidates=len(candidates),
             school_options=sum(len(options) for options in candidates.schools.values()))
    start: Solution = []
    if greedy:
        with log.phase("greedy") as extra:
            start = greedy_solution(facts, candidates, locks.placements)
            extra["objectives"] = objective_values(facts, start)
    return facts, pairs, candidates, start


KINDS = {"pipeline": run_pipeline, "greedy": run_greedy, "highs": run_highs}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    with Path(spec["events"]).open("a", encoding="utf-8") as stream:
        log = EventLog(stream)
        began = time.perf_counter()
        try:
            KINDS[RUNS[spec["run"]].kind](spec, log)
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
