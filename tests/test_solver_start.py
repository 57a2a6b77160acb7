"""A solve process starts cheaply: what it loads before its job, and a solve that HiGHS decides, leave out
OR-Tools' CP-SAT (with the pandas it pulls in) and SQLAlchemy. Each took about half a second of every
solve process's start (the service starts one per job); CP-SAT is loaded by the first tier that reaches it."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES

LEFT_OUT = ("ortools.sat.python.cp_model", "pandas", "sqlalchemy")
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
