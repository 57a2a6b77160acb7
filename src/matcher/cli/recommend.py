"""``matcher recommend INSTANCE PROPOSAL --household H | --dwelling D``: the best alternatives, best first.

Each alternative pair is forced into the proposal and re-solved (see ``matcher.accountability.forcing``),
so the figures shown are the objective values the proposal would then reach, and the changes listed are
what else would have to move. Also the home of the re-solve options that ``matcher why-not`` shares.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import psutil

from matcher.accountability.baseline import Baseline, QuestionInvalid, read_baseline
from matcher.accountability.forcing import RESOLVE_TIME_LIMIT_S, question_budget
from matcher.accountability.recommend import DEFAULT_TOP, recommend_dwellings, recommend_households
from matcher.cli.common import EXIT_OK, EXIT_USAGE, read_source, write_text
from matcher.cli.explain import DEFAULT_LANGUAGE
from matcher.explain.words import LANGUAGES
from matcher.solver import SolveOptions
from matcher.solver.options import default_workers

STDIN = "-"
FRESH_PROCESS_S = 15.0  # a process younger than this was started for the question: its start counts


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "recommend", help="the best dwellings for a household, or the best households for a dwelling",
        description="Rank the alternatives for one household (--household) or one dwelling (--dwelling), given "
                    "the rest of the proposal: each pair is forced into the proposal and re-solved, and the "
                    "alternatives are ranked by the objective values they lead to (policy order), then by how "
                    "little else changes.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance JSON file, or - for standard input")
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file for that instance")
    subject = parser.add_mutually_exclusive_group(required=True)
    subject.add_argument("--household", metavar="H", help="the household id to find dwellings for")
    subject.add_argument("--dwelling", metavar="D", help="the dwelling id to find households for")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP, help=f"how many to list (default {DEFAULT_TOP})")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    add_resolve_arguments(parser)
    parser.set_defaults(func=run)


def add_resolve_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the re-solves that force a pair: shared by recommend and why-not."""
    parser.add_argument("--time-limit", type=float, default=RESOLVE_TIME_LIMIT_S,
                        help=f"seconds for the whole question, from reading the documents to the answer; the "
                             f"re-solves share them (default {RESOLVE_TIME_LIMIT_S:g})")
    parser.add_argument("--workers", type=int, default=default_workers(), help="CP-SAT search workers")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the search")
    parser.add_argument("--deterministic", action="store_true",
                        help="identical answers for identical input and seed (deterministic time limit)")
    parser.set_defaults(exit_at_answer=True)  # a search left behind is not waited for (``exit_without_waiting``)
    parser.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                        help=f"language of the answer's words (default {DEFAULT_LANGUAGE}); --json has the "
                             "statements they are worded from, and the words in this language")


def command_started() -> float:
    """When the question began, on the ``time.monotonic()`` clock: when the process started, if it was started
    for it (Python and the imports take seconds under load, and the time limit is the command's), else now (a
    caller that runs the command inside a process of its own, such as the tests)."""
    now = time.monotonic()
    try:
        age = time.time() - psutil.Process().create_time()
    except psutil.Error:
        return now
    return now - age if 0.0 <= age < FRESH_PROCESS_S else now


def resolve_options(args: argparse.Namespace, command: str) -> SolveOptions | None:
    if args.time_limit <= 0 or args.workers < 1:
        print(f"matcher {command}: --time-limit must be > 0 and --workers >= 1", file=sys.stderr)
        return None
    return SolveOptions(time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                        deterministic=args.deterministic)


def baseline_or_report(args: argparse.Namespace, command: str) -> Baseline | None:
    """Both documents read and checked; on failure every problem goes to stderr and None comes back."""
    if args.instance == STDIN and args.proposal == STDIN:
        print(f"matcher {command}: INSTANCE and PROPOSAL cannot both be read from standard input (-)",
              file=sys.stderr)
        return None
    try:
        return read_baseline(read_source(args.instance), read_source(args.proposal))
    except QuestionInvalid as error:
        report(command, error)
        return None


def report(command: str, error: QuestionInvalid) -> None:
    for problem in error.problems:
        print(f"matcher {command}: {problem}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    started = command_started()
    options = resolve_options(args, "recommend")
    baseline = baseline_or_report(args, "recommend")
    if options is None or baseline is None:
        return EXIT_USAGE
    budget = question_budget(options, started)
    try:
        if args.household is not None:
            recommendation = recommend_dwellings(baseline, args.household, args.top, options, budget=budget)
        else:
            recommendation = recommend_households(baseline, args.dwelling, args.top, options, budget=budget)
    except QuestionInvalid as error:
        report("recommend", error)
        return EXIT_USAGE
    if args.json:
        write_text(None, json.dumps(recommendation.as_dict(args.language), indent=1))
    else:
        write_text(None, "\n".join(recommendation.words(args.language)))
    return EXIT_OK
