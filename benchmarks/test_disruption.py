"""Disruption after declines on the weekly case: other pairs that move, re-plan against fresh solve.

The figure of ``benchmarks.disruption`` for ``u16-week`` (each solve well under a second), recorded with the
re-plan's total seconds; the smoke run draws fewer declines. ``u16-backlog`` takes minutes per draw, so it
is measured by hand (``python -m benchmarks.disruption u16-backlog``) and its figures are in the README.
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import REPLAY, record
from benchmarks.disruption import measure
from benchmarks.registry import Recipe

pytestmark = pytest.mark.benchmark(timer=REPLAY)
WEEK_TIME_LIMIT_S = 20.0
DRAWS, SMOKE_DRAWS = 10, 2


def test_disruption_u16_week(smoke: bool, benchmark: object) -> None:
    result = measure(Recipe("u16-week"), SMOKE_DRAWS if smoke else DRAWS, WEEK_TIME_LIMIT_S, workers=2)
    for kind, figures in result["summary"].items():
        assert figures["first_tiers_equal"], f"{kind}: the re-plan gave up overdue or persons"
        assert figures["all_checked"], f"{kind}: matcher check refused a re-plan (kept_previous recomputed)"
        assert figures["moved_replan_mean"] <= figures["moved_fresh_mean"]
    seconds = sum(draw["replan_s"] for draws in result["draws"].values() for draw in draws)
    record(benchmark, "disruption", seconds, kind="disruption", case="u16-week", summary=result["summary"])
