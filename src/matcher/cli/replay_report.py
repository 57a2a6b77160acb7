"""``matcher replay-report SCENARIO RESULT [RESULT ...] -o REPORT.html``: the replays side by side.

Each RESULT is a ``matcher.simulation/1`` document of the same scenario (one per policy, from
``matcher simulate``); the page shows their weekly curves and figures together.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from matcher.cli.common import EXIT_FAILED, EXIT_OK, load_scenario_or_report, write_text
from matcher.simulation import SimulationResult
from matcher.simulation.report import ReportMismatch, render_replay_report


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "replay-report",
        help="one HTML page comparing replays of a scenario, policy beside policy",
        description="Write a self-contained HTML page with the weekly curves of one or more replays of a "
                    "scenario (households waiting, overdue, taakstelling progress, dwellings lost) and their "
                    "figures, from the results of matcher simulate.",
    )
    parser.add_argument("scenario", help="the scenario file (matcher.scenario/1)")
    parser.add_argument("results", nargs="+", help="result files of matcher simulate (matcher.simulation/1)")
    parser.add_argument("-o", "--output", metavar="FILE", default=None, help="HTML file (default: standard output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario_or_report(args.scenario)
    if scenario is None:
        return EXIT_FAILED
    results = []
    for path in args.results:
        try:
            results.append(SimulationResult.model_validate(json.loads(Path(path).read_text(encoding="utf-8"))))
        except (OSError, ValueError) as error:
            print(f"replay-report: cannot read {path} as a matcher.simulation/1 result: {error}", file=sys.stderr)
            return EXIT_FAILED
    try:
        write_text(args.output, render_replay_report(scenario, results))
    except ReportMismatch as error:
        print(f"replay-report: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
