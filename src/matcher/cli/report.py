"""``matcher report INSTANCE PROPOSAL -o report.html``: one self-contained HTML page to mail around.

A map of the region (dwellings assigned or left empty, the households' new homes, schools and their free
seats, groups near their cap), the taakstelling per municipality, the assignments and the unassigned
households with their reasons, and the solve status with each objective's gap. Works offline except for
the map tiles (``--no-tiles`` draws the map without a background).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, load_instance_or_report, load_proposal_or_report, print_problems
from matcher.exceptions import ProposalInvalid
from matcher.workflow.columns import DEFAULT_LANGUAGE, LANGUAGES
from matcher.workflow.report import OPENSTREETMAP, render_report


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="write a proposal as one self-contained HTML report",
                                   description=__doc__)
    parser.add_argument("instance", metavar="INSTANCE", help="instance JSON file")
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file for that instance")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write")
    parser.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                        help=f"language of the page (default {DEFAULT_LANGUAGE})")
    parser.add_argument("--no-tiles", action="store_true", help="no map background (nothing is fetched at all)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance_or_report(args.instance)
    proposal = None if instance is None else load_proposal_or_report(args.proposal)
    if instance is None or proposal is None:
        return EXIT_FAILED
    try:
        page = render_report(instance, proposal, args.language, None if args.no_tiles else OPENSTREETMAP)
    except ProposalInvalid as error:  # ids the instance does not have
        print_problems(args.proposal, error)
        return EXIT_FAILED
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as error:
        print(f"matcher report: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {args.output} ({len(page.encode('utf-8')) // 1024} KiB)", file=sys.stderr)
    return EXIT_OK
