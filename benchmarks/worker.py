"""One benchmark run in its own process: ``python -m benchmarks.worker '<spec as JSON>'``.

``benchmarks.isolation`` starts this under a memory limit and a timeout. The worker writes one JSON line
per event to the file the spec names, flushed at once, so that when the process is stopped mid-way the
parent still knows every phase that finished, the phase that was running, and the peak memory so far.

The ``pipeline`` run (matcher) calls ``matcher.solver.solve.solve`` itself and records each phase as
``solve``'s phase hook reports its end, plus loading before it and writing the proposal after it; so it
measures exactly what ``matcher solve --time-limit`` runs. The ``pair-model`` run is the chain as it was
before the class model (one Boolean per candidate pair, ``benchmarks.pair_model``), and the ``highs`` run
hands that pair model to HiGHS tier by tier.
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
from benchmarks.pair_model.candidates import Candidates, usable_candidates
from benchmarks.pair_model.greedy import greedy_solution
from benchmarks.pair_model.model import build_model
from benchmarks.pair_model.tiers import optimise_pair_model
from benchmarks.registry import HIGHS_TIER_PREFIX, RUNS, TIER_PREFIX, Recipe
from matcher.facts import Facts, derive_facts
from matcher.format import Instance
from matcher.rules import Pairs, compatible_pairs
from matcher.solution import Placement, Solution
from matcher.solver import SolveControl, SolveOptions, solve
from matcher.solver.budget import Budget
from matcher.solver.evaluate import objective_values
from matcher.solver.locks import check_locks
from matcher.solver.options import Phase
from matcher.solver.proposal import build_proposal
from matcher.solver.tiers import TierResult
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
    """matcher's chain: ``solve`` itself, each phase recorded as its phase hook reports it."""
    instance = _load(spec, log)
    chain = RUNS[spec["run"]].chain
    options = SolveOptions(time_limit=spec["time_limit"], workers=spec["workers"], seed=0)
    pairs_began = [0.0]  # solve() times facts and pairs apart; the benchmarks count them as one phase

    def phase_ended(phase: Phase) -> None:
        if phase.name == "facts":
            pairs_began[0] = phase.seconds
            return
        if phase.name not in chain:
            return  # "tiers" (all tiers together) is in solve()'s stats; the benchmarks time each tier
        seconds = phase.seconds + (pairs_began[0] if phase.name == "pairs" else 0.0)
        figures = {"tier": phase.figures["tier"]} if phase.name.startswith(TIER_PREFIX) else {}
        if phase.name in ("greedy", "explain"):
            figures = {key: phase.figures[key] for key in ("objectives", "status") if key in phase.figures}
        if phase.name == "build":
            figures = dict(phase.figures)
        log.end(phase.name, seconds, **figures)
        if phase.name == "network":
            log.emit("info", **phase.figures)
        if phase.name == "pairs":
            log.emit("info", pairs=phase.figures["pairs"])
        _stop_after(spec, phase.name)
        following = chain.index(phase.name) + 1
        if following < len(chain) and chain[following] != "write":
            log.start(chain[following])

    log.start("pairs")
    result = solve(instance, options, SolveControl(on_phase=phase_ended))
    if result.proposal.status == "invalid":
        raise ValueError(f"generated instance {instance.id} is invalid: {result.proposal.errors}")
    log.emit("info", objectives=policy_values(derive_facts(instance), result.solution))
    with log.phase("write") as extra:
        extra["bytes"] = len(result.proposal.to_json().encode())


def policy_values(facts: Facts, solution: Solution) -> dict[str, int]:
    """The objectives of the instance's policy, in its order: every run reports the same names, whatever else
    ``objective_values`` can count (``kept_previous`` on an instance without previous pairs, say)."""
    values = objective_values(facts, solution)
    return {name: values[name] for name in facts.instance.policy.objectives}


def run_pair_model(spec: dict[str, Any], log: EventLog) -> None:
    """The pair model as matcher solved it before the classes: candidates, pair greedy, one Boolean per pair."""
    instance = _load(spec, log)
    started = time.monotonic()
    facts, pairs, locked = _pairs_and_locks(spec, log, instance)
    candidates = _candidates(spec, log, facts, pairs)
    with log.phase("greedy") as extra:
        start = greedy_solution(facts, candidates, locked)
        extra["objectives"] = policy_values(facts, start)
    _stop_after(spec, "greedy")
    with log.phase("build") as extra:
        allocation = build_model(facts, candidates)
        extra |= {"variables": len(allocation.model.proto.variables),
                  "constraints": len(allocation.model.proto.constraints)}
    _stop_after(spec, "build")
    objectives = list(facts.instance.policy.objectives)
    tier_phases = [f"{TIER_PREFIX}{name}" for name in objectives]
    options = SolveOptions(time_limit=spec["time_limit"], workers=spec["workers"], seed=0)

    def tier_done(solution: Solution, done: list[TierResult]) -> None:
        log.end(tier_phases[len(done) - 1], done[-1].seconds, tier=done[-1].as_stats())
        if len(done) < len(tier_phases):
            log.start(tier_phases[len(done)])

    if tier_phases:
        log.start(tier_phases[0])
    solution, tiers = optimise_pair_model(allocation, objectives, start, options, Budget.of(options, started),
                                          on_tier=tier_done)
    log.emit("info", objectives=policy_values(facts, solution))
    _stop_after(spec, tier_phases[-1] if tier_phases else "build")
    with log.phase("explain") as extra:
        proposal = build_proposal(facts, pairs, solution, tiers, {"benchmark": spec["run"]})
        extra["status"] = proposal.status
    _stop_after(spec, "explain")
    with log.phase("write") as extra:
        extra["bytes"] = len(proposal.to_json().encode())


def run_greedy(spec: dict[str, Any], log: EventLog) -> None:
    """The baseline through the public API: ``solve`` with ``method="greedy"``."""
    instance = _load(spec, log)
    with log.phase("solve") as extra:
        proposal = solve(instance, SolveOptions(method="greedy", time_limit=spec["time_limit"],
                                                workers=spec["workers"])).proposal
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
            extra |= outcome.figures() | {"objectives": policy_values(facts, mip.solution())}
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
