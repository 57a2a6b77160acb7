"""``matcher export PROPOSAL --instance INSTANCE --xlsx FILE`` (or ``--csv DIR``): a proposal as spreadsheets.

Sheets: a summary (status, objectives and their bounds), the assignments (with explanation columns when
the proposal has them), the households left unassigned with their reasons, and each municipality's
progress on its taakstelling. Formatted for reading and printing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, load_instance_or_report, load_proposal_or_report, print_problems
from matcher.exceptions import ProposalInvalid
from matcher.workflow.columns import DEFAULT_LANGUAGE, LANGUAGES
from matcher.workflow.outcome import build_outcome
from matcher.workflow.spreadsheet_export import write_export_csv, write_export_xlsx


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="write a proposal as an Excel workbook or CSV files",
                                   description=__doc__)
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file")
    parser.add_argument("--instance", required=True, metavar="INSTANCE", help="the instance the proposal is for")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--xlsx", metavar="FILE", help="the workbook to write")
    target.add_argument("--csv", metavar="DIR", help="a folder to write one CSV file per sheet into")
    parser.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                        help=f"language of sheet names, headers, explanations and reasons (default {DEFAULT_LANGUAGE})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance_or_report(args.instance)
    proposal = None if instance is None else load_proposal_or_report(args.proposal)
    if instance is None or proposal is None:
        return EXIT_FAILED
    try:
        outcome = build_outcome(instance, proposal)
    except ProposalInvalid as error:  # ids the instance does not have
        print_problems(args.proposal, error)
        return EXIT_FAILED
    try:
        if args.xlsx:
            write_export_xlsx(outcome, Path(args.xlsx), args.language)
            written = args.xlsx
        else:
            written = ", ".join(str(path) for path in write_export_csv(outcome, Path(args.csv), args.language))
    except OSError as error:
        print(f"matcher export: cannot write {args.xlsx or args.csv}: {error.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {written}: {len(outcome.assignments)} assignments, {len(outcome.unassigned)} unassigned",
          file=sys.stderr)
    return EXIT_OK

