"""``matcher why-not INSTANCE PROPOSAL --household H --dwelling D``: why this household did not get this dwelling.

Either every rule that forbids the pair, in words, or what forcing it into the proposal would cost: the
objective that gets worse and by how much, and every household that would lose its place or move.
"""

from __future__ import annotations

import argparse
import json

from matcher.accountability.baseline import QuestionInvalid
from matcher.accountability.forcing import question_budget
from matcher.accountability.why_not import why_not
from matcher.cli.common import EXIT_OK, EXIT_USAGE, write_text
from matcher.cli.recommend import (
    add_resolve_arguments,
    baseline_or_report,
    command_started,
    report,
    resolve_options,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "why-not", help="why a household did not get a dwelling, in words",
        description="Explain why a proposal does not give dwelling D to household H: every rule that forbids "
                    "the pair, or, when it is possible, the proposal that results from forcing it, which "
                    "objective gets worse and by how much, and which households would lose their place.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance JSON file, or - for standard input")
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file for that instance")
    parser.add_argument("--household", metavar="H", required=True, help="household id")
    parser.add_argument("--dwelling", metavar="D", required=True, help="dwelling id")
    parser.add_argument("--json", action="store_true",
                        help="print machine-readable JSON, including the forced proposal")
    add_resolve_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = command_started()
    options = resolve_options(args, "why-not")
    baseline = baseline_or_report(args, "why-not")
    if options is None or baseline is None:
        return EXIT_USAGE
    try:
        answer = why_not(baseline, args.household, args.dwelling, options, question_budget(options, started))
    except QuestionInvalid as error:
        report("why-not", error)
        return EXIT_USAGE
    if args.json:
        write_text(None, json.dumps(answer.as_dict(args.language), indent=1))
    else:
        write_text(None, "\n".join(answer.words(args.language)))
    return EXIT_OK
