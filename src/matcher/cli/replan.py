"""``matcher replan INSTANCE PROPOSAL DECISIONS -o NEXT``: the next instance after decisions, without the service.

DECISIONS is the workbook ``matcher export`` wrote, with its decision column filled in (accepted /
declined, with a reason), or a CSV or JSON file of ``household, dwelling, decision, reason``. The next
instance locks the accepted pairs (with their schools), forbids the declined ones (with their reasons),
lists every proposed pair still undecided in ``previous``, and ranks ``kept_previous`` right after
``persons_housed``, so that solving it moves nothing a municipality is still looking at unless an overdue
household or a person more housed needs it. Every problem is reported at once; nothing is written then.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, load_instance_or_report, print_problems, write_text
from matcher.exceptions import InstanceInvalid
from matcher.format import OBJECTIVE_NAMES
from matcher.replan.decisions import read_decisions
from matcher.replan.next_instance import next_instance, pair_of
from matcher.validation import load_instance, read_json


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("replan", help="the next instance from decisions on a proposal (locks, "
                                                  "forbidden pairs, pairs still under review)", description=__doc__)
    parser.add_argument("instance", metavar="INSTANCE", help="the instance the proposal was made for")
    parser.add_argument("proposal", metavar="PROPOSAL", help="the proposal JSON file the decisions are about")
    parser.add_argument("decisions", metavar="DECISIONS", help="the exported workbook (.xlsx), a .csv or a .json file")
    parser.add_argument("-o", "--output", required=True, metavar="NEXT", help="the next instance JSON file to write")
    parser.add_argument("--objectives", metavar="A,B,...",
                        help="objective order of the next instance (default: the instance's order with "
                             f"kept_previous right after persons_housed); names: {', '.join(OBJECTIVE_NAMES)}")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if load_instance_or_report(args.instance) is None:
        return EXIT_FAILED
    try:
        document = read_json(Path(args.instance))
        proposal = read_json(Path(args.proposal))
    except InstanceInvalid as error:
        print_problems(args.proposal, error)
        return EXIT_FAILED
    if not isinstance(proposal, dict) or not isinstance(proposal.get("assignments"), list):
        print(f"{args.proposal}: is not a proposal (no assignments list)", file=sys.stderr)
        return EXIT_FAILED
    try:
        decisions = read_decisions(Path(args.decisions), {pair_of(a) for a in proposal["assignments"]
                                                          if isinstance(a, dict)})
    except InstanceInvalid as error:
        print_problems(args.decisions, error)
        return EXIT_FAILED
    objectives = [name.strip() for name in args.objectives.split(",") if name.strip()] if args.objectives else None
    plan = next_instance(document, proposal, decisions, objectives)
    try:
        load_instance(plan.document)
    except InstanceInvalid as error:  # e.g. an accepted pair that contradicts an earlier lock, or a bad name
        print_problems(args.output, error)
        return EXIT_FAILED
    write_text(args.output, json.dumps(plan.document, indent=1, ensure_ascii=False))
    print(f"wrote {args.output}: {len(plan.locks_added)} accepted (locked), {len(plan.forbidden_added)} declined "
          f"(forbidden), {len(plan.previous)} still under review (previous); objectives "
          f"{', '.join(plan.document['policy']['objectives'])}", file=sys.stderr)
    return EXIT_OK
