"""Why-not and recommend on the weekly case: the seconds of each answer, with what is proven.

The figures of ``benchmarks.accountability`` for ``u16-week`` (every re-solve well under a second); the smoke
run asks fewer questions. ``u16-backlog`` takes a few minutes in all, so it is measured by hand on a quiet
machine (``python -m benchmarks.accountability u16-backlog``) and its figures are in the README.
"""

from __future__ import annotations

import pytest

from benchmarks.accountability import measure
from benchmarks.conftest import REPLAY, record

pytestmark = pytest.mark.benchmark(timer=REPLAY)
QUESTION_TIME_LIMIT_S = 20.0
PAIRS, SMOKE_PAIRS = 5, 2


def test_accountability_u16_week(smoke: bool, benchmark: object) -> None:
    result = measure("u16-week", SMOKE_PAIRS if smoke else PAIRS, QUESTION_TIME_LIMIT_S, workers=2, saved=None)
    answers = result["why_not"] + result.get("recommend", {}).get("options", [])
    assert answers and all(answer.get("cost_proven", True) for answer in answers), "a week's costs are proven"
    seconds = sum(answer["seconds"] for answer in result["why_not"]) + result.get("recommend", {}).get("seconds", 0)
    record(benchmark, "accountability", seconds, kind="accountability", case="u16-week",
           why_not=result["why_not"], recommend=result.get("recommend"))
