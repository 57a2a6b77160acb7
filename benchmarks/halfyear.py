"""Half-year replays: each policy's figures, its ratio to hindsight and its seconds per simulated week.

    .venv/bin/python -m benchmarks.halfyear [--preset u16-halfyear] [--seeds 11 12 13] [--json OUT]

For each seed: generate the scenario, replay it with every policy (``fcfs``, ``weekly``, ``lookahead``),
and solve hindsight once (``persons_housed`` bound and value, ``overdue_weeks`` bound and value). Seeds 11
and up are held out: nothing in matcher was tuned on them. ``tests``-sized runs use ``tiny-halfyear``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from matcher.simulation import POLICY_NAMES, generate_scenario, load_scenario, simulate
from matcher.simulation.hindsight import solve_hindsight

HELD_OUT_SEEDS = (11, 12, 13)
HINDSIGHT_SECONDS = 60.0


def measure(preset: str, seed: int, hindsight_seconds: float = HINDSIGHT_SECONDS,
            seconds_per_week: float | None = None) -> dict[str, Any]:
    """One scenario: hindsight and every policy, with times."""
    scenario = load_scenario(generate_scenario(preset, seed))
    began = time.monotonic()
    hindsight = solve_hindsight(scenario, time_limit=hindsight_seconds)
    row: dict[str, Any] = {"preset": preset, "seed": seed, "households": len(scenario.households),
                           "dwellings": len(scenario.dwellings), "weeks": scenario.weeks,
                           "hindsight": hindsight.model_dump(mode="json"),
                           "hindsight_seconds": round(time.monotonic() - began, 2), "policies": {}}
    for policy in POLICY_NAMES:
        began = time.monotonic()
        result = simulate(scenario, policy, time_limit_per_week=seconds_per_week)
        seconds = time.monotonic() - began
        result.hindsight = hindsight
        row["policies"][policy] = {
            "figures": result.figures.model_dump(mode="json"),
            "persons_vs_bound": round(result.figures.persons_housed / hindsight.persons_housed.bound, 4),
            "persons_vs_hindsight_value": round(result.figures.persons_housed / hindsight.persons_housed.value, 4),
            "seconds": round(seconds, 2),
            "seconds_per_week": round(seconds / scenario.weeks, 3),
        }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="u16-halfyear")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(HELD_OUT_SEEDS))
    parser.add_argument("--hindsight-seconds", type=float, default=HINDSIGHT_SECONDS)
    parser.add_argument("--json", default=None, help="write the rows here too")
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        row = measure(args.preset, seed, args.hindsight_seconds)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
