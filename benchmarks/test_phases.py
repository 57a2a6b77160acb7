"""One entry per (case, phase) of matcher's pipeline: the phase's own seconds, as the registry declares them.

A phase the run never finished (the case hit its memory or time wall earlier) is an expected failure
that names the wall; in the smoke run it is an error.
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import REPLAY, Runs, case_by_name, not_reached, record
from benchmarks.registry import CASES, SUBJECT, TIER_PREFIX

pytestmark = pytest.mark.benchmark(timer=REPLAY)
EVENT_KEYS = ("event", "phase", "seconds")


@pytest.mark.parametrize(("name", "phase"), [(case.name, phase) for case in CASES for phase in case.phases])
def test_phase(name: str, phase: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    run = runs.get(case, SUBJECT)
    end = run.phase(phase)
    if end is None:
        not_reached(run, phase, smoke)
        return
    extra = {key: value for key, value in end.items() if key not in EVENT_KEYS}
    record(benchmark, case.name, end["seconds"], kind="phase", case=case.name, phase=phase, **extra)
    if phase.startswith(TIER_PREFIX):
        tier = end["tier"]
        assert tier["name"] == phase.removeprefix(TIER_PREFIX)
        assert tier["status"] in ("optimal", "feasible", "not_solved")
