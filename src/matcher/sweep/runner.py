"""Run a sweep's replays as Ray tasks: locally by default, on an existing cluster with an address.

Ray schedules; this module only submits every replay that is not stored yet, waits for results as they
come (``ray.wait``), stores each one the moment it arrives and reports progress. Each task holds one CPU
(the replay's solver uses one core) and declares its memory bound to Ray's scheduler; the task enforces
the bound itself (``matcher.sweep.task``). Tasks are never retried: a replay that fails, fails the same way
again. A worker that dies (the C++ solver aborting over the memory bound, Ray's own memory monitor) is
recorded like any other failure, never fatal to the sweep.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matcher.sweep.store import FAILED, OUT_OF_MEMORY, Replay, Store
from matcher.sweep.task import MEBIBYTE, ReplayFunction, execute, simulate_replay

OnResult = Callable[[dict[str, Any], int, int], None]  # (record, finished so far, to run)


@dataclass
class RunOutcome:
    """What a run did: how many replays it executed, and the records of this run by hash."""

    executed: int = 0
    reused: int = 0
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for record in self.records.values() if record.get("status") == status)


def start_ray(address: str | None = None, workers: int | None = None) -> None:
    """Connect to a cluster, or start a local Ray with ``workers`` CPUs (default: every core): no
    dashboard, no usage statistics, quiet logs. Does nothing when Ray is already running in this process."""
    import ray

    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    settings: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address is None:  # a cluster's head decides its own dashboard and CPUs
        settings |= {"include_dashboard": False, "num_cpus": workers or os.cpu_count() or 1}
    ray.init(address=address, **settings)


def check_memory_bound(memory_mb: int) -> None:
    """Fail early when no node could ever hold a task of this bound (Ray would wait for it forever)."""
    import ray

    largest = max((node["Resources"].get("memory", 0) for node in ray.nodes() if node.get("Alive")), default=0)
    if memory_mb * MEBIBYTE > largest:
        raise ValueError(f"memory_mb = {memory_mb} is more than the largest Ray node offers "
                         f"({largest // MEBIBYTE} MiB); lower it in the sweep file")


def run(replays: list[Replay], store: Store, *, function: ReplayFunction = simulate_replay,
        on_result: OnResult | None = None) -> RunOutcome:
    """Run every replay not stored yet (each distinct hash once) on the running Ray; store each result."""
    import ray

    outcome = RunOutcome()
    pending: dict[str, Replay] = {}
    for replay in replays:
        if replay.key in pending or replay.key in outcome.records:
            continue
        if store.finished(replay.key):
            outcome.records[replay.key] = store.get(replay.key) or {}
            outcome.reused += 1
        else:
            pending[replay.key] = replay
    if not pending:
        return outcome
    memory_mb = max(replay.memory_mb for replay in pending.values())
    check_memory_bound(memory_mb)
    remote = ray.remote(num_cpus=1, max_retries=0, memory=memory_mb * MEBIBYTE)(execute)
    function_ref = ray.put(function)
    waiting = {remote.remote(replay, function_ref): replay for replay in pending.values()}
    while waiting:
        done, _ = ray.wait(list(waiting), num_returns=1)
        for reference in done:
            replay = waiting.pop(reference)
            record = _result(ray, reference, replay)
            store.put(replay.key, record)
            outcome.records[replay.key] = record
            outcome.executed += 1
            if on_result is not None:
                on_result(record, outcome.executed, len(pending))
    return outcome


def _result(ray: Any, reference: Any, replay: Replay) -> dict[str, Any]:
    """The task's record, or a record of how its worker died."""
    began = time.monotonic()
    try:
        return dict(ray.get(reference))
    except ray.exceptions.OutOfMemoryError as error:  # Ray's memory monitor killed the worker
        status, message = OUT_OF_MEMORY, f"out of memory (killed by Ray's memory monitor): {_first_line(error)}"
    except ray.exceptions.WorkerCrashedError as error:
        status, message = FAILED, f"the worker died (over its memory bound in native code?): {_first_line(error)}"
    except ray.exceptions.RayError as error:
        status, message = FAILED, f"{type(error).__name__}: {_first_line(error)}"
    return {"key": replay.key, "variant": replay.variant, "seed": replay.seed, "policy": replay.policy,
            "scenario": replay.scenario.get("id"), "status": status, "error": message,
            "seconds": round(time.monotonic() - began, 3)}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

