"""``matcher check INSTANCE PROPOSAL``: does a (possibly hand-edited) proposal still keep every rule?

Exit 0 when everything holds, 1 when the proposal breaks a rule or reports a wrong figure, 2 when the
instance or the proposal cannot be read. A thin shell around ``matcher.checker``.
"""

from __future__ import annotations

import argparse
import json
import sys

from matcher.checker import CheckReport, check_proposal
from matcher.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    load_instance_or_report,
    print_problems,
    read_source,
    write_text,
)
from matcher.exceptions import ProposalInvalid
from matcher.proposal_reader import read_proposal

STDIN = "-"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check a proposal against every rule of the format",
        description="Check a matcher.proposal/1 document against its instance: every hard rule, the unassigned "
                    "and municipality lists, and the reported objectives (recomputed independently of the "
                    "solver). Exit 0 when everything holds, 1 on violations, 2 when a file cannot be read.",
    )
    parser.add_argument("instance", metavar="INSTANCE", help="instance JSON file, or - for standard input")
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file, or - for standard input")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.instance == STDIN and args.proposal == STDIN:
        print("check: INSTANCE and PROPOSAL cannot both be read from standard input (-)", file=sys.stderr)
        return EXIT_USAGE
    instance = load_instance_or_report(args.instance)
    if instance is None:
        return EXIT_USAGE
    try:
        report = check_proposal(instance, read_proposal(read_source(args.proposal)))
    except ProposalInvalid as error:
        print_problems(args.proposal, error)
        return EXIT_USAGE
    write_text(None, json.dumps(report.as_dict(), indent=1) if args.json else render(report, args.proposal))
    return EXIT_OK if report.ok else EXIT_FAILED


def render(report: CheckReport, name: str) -> str:
    """The report as a coordinator reads it: verdict, each violation, then the objectives side by side."""
    context = (f"instance {report.instance}, status {report.status}, {report.assigned} assigned, "
               f"{report.unassigned} unassigned")
    if report.ok:
        lines = [f"{name}: OK, every rule holds ({context})"]
    else:
        lines = [f"{name}: {len(report.violations)} violation(s) ({context})"]
        lines += [f"  [{violation.rule}] {violation}" for violation in report.violations]
    if report.status == "invalid":
        return "\n".join(lines)  # an invalid instance has no objectives to compare
    lines += ["", f"  {'objective':<24}{'reported':>10}{'bound':>10}{'recomputed':>12}"]
    for row in report.objective_rows():
        value, bound = _cell(row["value"]), _cell(row["bound"])
        flag = "" if row["value"] == row["recomputed"] else "   <- differs"
        lines.append(f"  {row['name']:<24}{value:>10}{bound:>10}{row['recomputed']:>12}{flag}")
    return "\n".join(lines)


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)
