"""One replay inside a Ray worker: under a memory bound, timed, and never raising.

Ray's ``memory=`` resource only keeps the scheduler from packing too many tasks on a node; nothing stops a
task from using more. So the task bounds itself: it lowers the soft ``RLIMIT_AS`` of its worker process to
the address space the worker already has plus the sweep's ``memory_mb``, and puts it back afterwards (Ray
reuses workers). A replay that exceeds it gets a ``MemoryError`` (or, inside the C++ solver, dies), and is
recorded as out of memory. Every other exception is recorded as a failure with a short traceback. The peak
memory reported is the worker's resident set, sampled while the replay runs; besides the wall seconds, the
processor seconds the worker spent, which a loaded machine does not inflate.
"""

from __future__ import annotations

import os
import resource
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psutil

from matcher import simulation  # loaded with this module, before any bound: the bound is the replay's alone
from matcher.sweep.store import FAILED, OK, OUT_OF_MEMORY, SOLVER_WORKERS, Replay

MEBIBYTE = 1024 * 1024
SAMPLE_EVERY_S = 0.1  # how often the worker's resident memory is sampled
TRACEBACK_LINES = 12  # the end of a failure's traceback kept in its record

ReplayFunction = Callable[[Replay], dict[str, Any]]  # a replay -> its matcher.simulation/1 document


def simulate_replay(replay: Replay) -> dict[str, Any]:
    """The real thing: ``matcher.simulation.simulate`` on the replay's scenario, policy and options."""
    scenario = simulation.load_scenario(replay.scenario)
    result = simulation.simulate(scenario, replay.policy, time_limit_per_week=replay.time_limit_per_week,
                                 seed=replay.seed)
    return result.model_dump(mode="json")


def execute(replay: Replay, function: ReplayFunction = simulate_replay) -> dict[str, Any]:
    """The replay's record: status, figures, seconds, peak memory; an error and traceback when it failed."""
    os.environ["MATCHER_WORKERS"] = str(SOLVER_WORKERS)  # the task holds one CPU: the solver uses one
    record: dict[str, Any] = {"key": replay.key, "variant": replay.variant, "seed": replay.seed,
                              "policy": replay.policy, "scenario": replay.scenario.get("id")}
    began, cpu_began = time.monotonic(), _cpu_seconds()
    with _peak_memory() as peak, _address_space_limit(replay.memory_mb * MEBIBYTE):
        try:
            simulation = function(replay)
            record |= {"status": OK, "figures": simulation["figures"], "simulation": simulation}
        except MemoryError:
            record |= {"status": OUT_OF_MEMORY, "error": f"out of memory: above {replay.memory_mb} MiB"}
        except Exception as error:  # noqa: BLE001 - any failure is recorded, never raised: the sweep goes on
            record |= {"status": FAILED, "error": f"{type(error).__name__}: {error}",
                       "traceback": _summary(error)}
    record |= {"seconds": round(time.monotonic() - began, 3), "cpu_seconds": round(_cpu_seconds() - cpu_began, 3),
               "peak_memory_mb": round(peak[0] / MEBIBYTE, 1)}
    return record


def _cpu_seconds() -> float:
    """The worker's processor time so far: a replay's cost that the machine's load does not inflate."""
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def _summary(error: BaseException) -> str:
    lines = "".join(traceback.format_exception(error)).splitlines()
    return "\n".join(lines[-TRACEBACK_LINES:])


@contextmanager
def _address_space_limit(extra_bytes: int) -> Iterator[None]:
    """The soft address-space limit lowered to what the process has now plus ``extra_bytes``, meanwhile."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = psutil.Process().memory_info().vms + extra_bytes
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def _peak_memory() -> Iterator[list[int]]:
    """A one-element list that ends up holding the highest resident set size seen while inside."""
    process = psutil.Process()
    peak = [process.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_EVERY_S):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], process.memory_info().rss)
