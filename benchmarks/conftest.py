"""The session's runs, shared by every benchmark test, and the bridge to pytest-benchmark.

Each (case, run) of ``benchmarks.registry`` runs once per session, in its own process
(``benchmarks.isolation``), the first time a test asks for it; every test of that case reads the same
record. The figures were measured inside the worker, so the tests hand them to pytest-benchmark through
``REPLAY``, a timer that replays the worker's measurement: the saved JSON then holds the phase's own
seconds, and ``pytest-benchmark compare`` lines them up across runs like any other benchmark.

``--benchmark-disable`` is the smoke run: every case at its smallest size, any unfinished run an error.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from benchmarks.isolation import ERROR, WALLS, RunRecord, not_run, run_isolated
from benchmarks.registry import (
    MEMORY_LIMIT_GIB,
    RUNS,
    SEED,
    SETUP_PHASES,
    SMOKE_BUDGET_S,
    SUITE_BUDGET_S,
    TIER_PHASES,
    WORKERS,
    Case,
    cases,
)

MINIMUM_RUN_SECONDS = 30.0  # a run that cannot get this much of the suite's budget is not started
BYTES_PER_GIB = 1024**3


class ReplayClock:
    """A pytest-benchmark timer that reads 0, then the duration the worker measured."""

    __name__ = "worker_perf_counter"  # how pytest-benchmark names the timer in saved runs

    def __init__(self) -> None:
        self._readings: list[float] = []

    def load(self, seconds: float) -> None:
        self._readings = [0.0, float(seconds)]

    def __call__(self) -> float:
        return self._readings.pop(0)


REPLAY = ReplayClock()


def record(benchmark: Any, group: str, seconds: float, **extra: Any) -> None:
    """Put a duration measured in a worker, and what goes with it, into pytest-benchmark's results."""
    benchmark.group = group
    benchmark.extra_info.update(extra)
    REPLAY.load(seconds)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)


class Runs:
    """Every (case, run) at most once per session, within the suite's time budget."""

    def __init__(self, smoke: bool) -> None:
        self.smoke = smoke
        self.deadline = time.monotonic() + (SMOKE_BUDGET_S if smoke else SUITE_BUDGET_S)
        self._records: dict[tuple[str, str], RunRecord] = {}

    def get(self, case: Case, run: str) -> RunRecord:
        key = (case.name, run)
        if key not in self._records:
            self._records[key] = self._run(case, run)
        return self._records[key]

    def _run(self, case: Case, run: str) -> RunRecord:
        same_model_as = RUNS[run].same_model_as
        if same_model_as is not None:
            no_search = why_no_search(self.get(case, same_model_as))
            if no_search:
                return not_run(run, f"{no_search}; this run builds the same model within the same time limit")
        left = self.deadline - time.monotonic()
        if left < min(MINIMUM_RUN_SECONDS, case.timeout(run)):
            return not_run(run, "the suite's time budget was used up before this run")
        spec = {"run": run, "recipe": case.recipe.as_dict(), "time_limit": case.time_limit,
                "workers": RUNS[run].workers, "last_phase": case.last_phase(run)}
        return run_isolated(spec, timeout=min(case.timeout(run), left), memory_gib=case.memory_gib)


def why_no_search(record: RunRecord) -> str:
    """Why a pipeline run never searched: stopped before its first tier, or the time limit spent before it."""
    if record.outcome in WALLS and record.stopped_in in SETUP_PHASES:
        return f"{record.run} stopped in {record.stopped_in} ({record.outcome})"
    first = record.phase(TIER_PHASES[0]) if TIER_PHASES else None
    if first is not None and first["tier"]["status"] == "not_solved":
        return f"{record.run} spent its whole time limit before the first search"
    return ""


@pytest.fixture(scope="session")
def smoke(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("benchmark_disable"))


@pytest.fixture(scope="session")
def runs(smoke: bool) -> Iterator[Runs]:
    yield Runs(smoke)


def case_by_name(name: str, smoke: bool) -> Case:
    """The case, or a skip in the smoke run for a case it leaves out (another seed: the same code path)."""
    found = next((case for case in cases(smoke) if case.name == name), None)
    if found is None:
        pytest.skip(f"{name}: another seed of a case the smoke run covers")
    return found


def check_outcome(record: RunRecord, smoke: bool) -> None:
    """A bug fails the test; a time or memory wall is a result in the full run, and an error in the smoke run."""
    if record.outcome == ERROR or (smoke and not record.finished):
        pytest.fail(f"{record.run}: {record.outcome}: {record.reason}", pytrace=False)


def not_reached(record: RunRecord, what: str, smoke: bool) -> None:
    """A figure the run never produced: recorded as an expected failure with the wall that stopped it."""
    check_outcome(record, smoke)
    pytest.xfail(f"{what} not reached: {record.run} {record.outcome}: {record.reason}")


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict[str, Any]) -> None:
    """What the README's table needs to say about the machine and the protocol."""
    machine_info["cores"] = os.cpu_count()
    machine_info["memory_gib"] = round(psutil.virtual_memory().total / BYTES_PER_GIB, 1)
    machine_info["matcher_benchmarks"] = {"seed": SEED, "workers": WORKERS, "memory_limit_gib": MEMORY_LIMIT_GIB,
                                          "suite_budget_s": SUITE_BUDGET_S}
