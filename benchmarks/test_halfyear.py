"""The half-year case: every policy's replay beside hindsight (``benchmarks.halfyear``).

The full run replays u16-halfyear on the held-out seeds; the smoke run (``--benchmark-disable``) a
tiny-halfyear, so the wiring is checked on every change in seconds. The time recorded is the replay's
seconds per simulated week; the figures and the ratio to hindsight go into ``extra_info``.
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import REPLAY, record
from benchmarks.halfyear import HELD_OUT_SEEDS, measure

pytestmark = pytest.mark.benchmark(timer=REPLAY)


@pytest.mark.parametrize("seed", HELD_OUT_SEEDS[:1])
def test_halfyear(seed: int, smoke: bool, benchmark: object) -> None:
    preset = "tiny-halfyear" if smoke else "u16-halfyear"
    row = measure(preset, seed, hindsight_seconds=5.0 if smoke else 60.0, seconds_per_week=5.0 if smoke else None)
    hindsight = row["hindsight"]
    for policy, outcome in row["policies"].items():
        figures = outcome["figures"]
        assert figures["persons_housed"] <= hindsight["persons_housed"]["bound"], policy
        assert figures["overdue_weeks"] >= hindsight["overdue_weeks"]["bound"], policy
    record(benchmark, f"halfyear-{preset}", row["policies"]["lookahead"]["seconds_per_week"], kind="halfyear",
           case=preset, **row)
