"""One entry per case: matcher's whole run, with every run's record for ``benchmarks/report.py``.

The entry's time is matcher's run end to end in its worker, generation excluded (for a run that was
stopped: until it was stopped). Its ``extra_info``
holds the case's recipe, the peers left out of it (and why), and the full record of every run (matcher
and peers): outcome, the phase a stopped run was in, every phase's seconds and peak memory; the Markdown
table is rendered from it.
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import REPLAY, Runs, case_by_name, check_outcome, record
from benchmarks.registry import CASES, SUBJECT

pytestmark = pytest.mark.benchmark(timer=REPLAY)


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_case(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    records = {run: runs.get(case, run) for run in case.runs}
    subject = records[SUBJECT]
    done = next((event for event in subject.events if event["event"] == "done"), None)
    generated = subject.phase("generate")
    seconds = (done["seconds"] if done else subject.wall_seconds) - (generated["seconds"] if generated else 0.0)
    record(benchmark, case.name, seconds, kind="case", case=case.name, recipe=case.recipe.as_dict(),
           time_limit=case.time_limit, memory_limit_gib=case.memory_gib, notes=case.notes,
           left_out=case.left_out, runs={run: r.as_dict() for run, r in records.items()})
    for r in records.values():
        check_outcome(r, smoke)
