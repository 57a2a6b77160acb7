"""``matcher simulate SCENARIO --policy P [-o RESULT] [--trace DIR] [--time-limit-per-week S]``.

Replays a ``matcher.scenario/1`` week by week with a placement policy and writes the
``matcher.simulation/1`` result; with ``--trace`` every week's instance and proposal as well, so that each
week can be checked with ``matcher check``. On a terminal a progress line per week goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from matcher.cli.common import EXIT_FAILED, EXIT_OK, load_scenario_or_report, write_text
from matcher.simulation import POLICY_NAMES, WeekOutcome, simulate


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="replay a half-year scenario week by week with a placement policy",
        description="Replay a matcher.scenario/1 document week by week: each week's instance, the policy's "
                    "proposal, and the households' decisions, as the scenario format defines them. Policies: "
                    "fcfs (first come, first served), weekly (matcher's proven weekly optimum), lookahead "
                    "(the weekly optimum with an eye on the weeks to come).",
    )
    parser.add_argument("scenario", help="scenario file (matcher.scenario/1), or - for standard input")
    parser.add_argument("--policy", required=True, choices=POLICY_NAMES, help="placement policy")
    parser.add_argument("-o", "--output", metavar="RESULT", default=None,
                        help="result file (matcher.simulation/1), or - for standard output (the default)")
    parser.add_argument("--trace", metavar="DIR", type=Path, default=None,
                        help="write every week's instance and proposal (wNN.instance.json, wNN.proposal.json)")
    parser.add_argument("--time-limit-per-week", metavar="S", type=float, default=None,
                        help="solver seconds per week (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="solver seed")
    parser.add_argument("--hindsight", action="store_true",
                        help="also solve the scenario with everything known in advance, the yardstick")
    parser.add_argument("--hindsight-time-limit", metavar="S", type=float, default=60.0,
                        help="seconds for each of the two hindsight optimisations (default 60)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario_or_report(args.scenario)
    if scenario is None:
        return EXIT_FAILED
    result = simulate(scenario, args.policy, time_limit_per_week=args.time_limit_per_week, seed=args.seed,
                      trace_dir=args.trace, on_week=_progress(scenario.weeks) if sys.stderr.isatty() else None)
    if args.hindsight:
        from matcher.simulation.hindsight import solve_hindsight  # a large model, built only when asked for

        result.hindsight = solve_hindsight(scenario, time_limit=args.hindsight_time_limit)
    write_text(args.output, result.to_json())
    return EXIT_OK


def _progress(weeks: int) -> Callable[[WeekOutcome], None]:
    def show(outcome: WeekOutcome) -> None:
        row = outcome.record
        print(f"week {row.week + 1:>2}/{weeks}  {row.instance}  {row.proposal_status:<8} assigned {row.assigned:>3}  "
              f"accepted {row.accepted:>3}  housed {row.figures.households_housed:>4}  "
              f"overdue weeks {row.figures.overdue_weeks:>5}  {outcome.seconds:5.1f} s", file=sys.stderr)

    return show
