"""A solve process starts cheaply: what it loads before its job, and a solve that HiGHS decides, leave out
OR-Tools' CP-SAT (with the pandas it pulls in) and SQLAlchemy. Each took about half a second of every
solve process's start (the service starts one per job); CP-SAT is loaded by the first tier that reaches it.
A question's process answers, scoped to a municipality, without FastAPI and SQLAlchemy (its time limit runs
from the moment it took the job, so their loading was the question's own time)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES

LEFT_OUT = ("ortools.sat.python.cp_model", "pandas", "sqlalchemy")
SERVER_ONLY = ("sqlalchemy", "fastapi")
PROBE = """
import json, sys
from matcher.api.jobs import worker
import importlib
importlib.import_module(worker.PREWARMED)
loaded_at_start = [m for m in {left_out!r} if m in sys.modules]
from matcher.solver import SolveOptions, solve
from matcher.validation import load_instance
result = solve(load_instance(json.load(open({instance!r}))), SolveOptions(time_limit=10, workers=1))
print(json.dumps({{"at_start": loaded_at_start, "after_solve": [m for m in {left_out!r} if m in sys.modules],
                  "status": result.proposal.status,
                  "cp_sat_ran": any("full_seconds" in tier.phases for tier in result.tiers)}}))
"""


def probe(instance: str) -> dict[str, object]:
    """Start a solve process's imports in a fresh interpreter, solve ``instance``, say what was loaded."""
    code = PROBE.format(left_out=LEFT_OUT, instance=str(EXAMPLES / instance))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_solve_process_starts_without_cp_sat_or_sqlalchemy_and_a_highs_decided_solve_never_loads_them() -> None:
    found = probe("tiny-s1.json")
    assert found["at_start"] == []
    assert found["status"] == "optimal"
    assert found["cp_sat_ran"] is False  # every tier of the tiny example is proven by HiGHS
    assert found["after_solve"] == []


QUESTION_PROBE = """
import json, sys
from matcher.api.jobs import worker
import importlib
importlib.import_module(worker.PREWARMED)
from matcher.api.questions import answer
from matcher.job_kinds import WHY_NOT
found = answer(WHY_NOT, json.load(open({instance!r})), json.load(open({proposal!r})),
               {{"household": "h00000", "dwelling": "d00005", "language": "en", "municipality": "GM0632"}},
               {{"time_limit": 10, "workers": 1}})
print(json.dumps({{"loaded": [m for m in {server_only!r} if m in sys.modules], "verdict": found["verdict"]}}))
"""


def test_a_question_process_answers_for_a_municipality_without_fastapi_or_sqlalchemy() -> None:
    code = QUESTION_PROBE.format(instance=str(EXAMPLES / "tiny-s1.json"),
                                 proposal=str(EXAMPLES / "tiny-s1.proposal.json"), server_only=SERVER_ONLY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []
    assert found["verdict"]  # answered (the answer itself is compared with the library in test_accountability_api)
