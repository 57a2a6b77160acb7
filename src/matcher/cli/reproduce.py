"""``matcher reproduce RECORD``: re-run a recorded solve deterministically and confirm the same proposal.

RECORD is a proposal written by ``matcher solve`` (then ``--instance`` names its instance), one JSON document
holding both, ``{"instance": {...}, "proposal": {...}}``, or the id of a solve stored by the service
(``sol_...``, read from the database ``matcher serve`` uses; the instance's content hash recorded with the
proposal is checked too).
Exit 0 when the re-run gives the same proposal, 1 when it differs (every difference is listed), 2 when
the record cannot be read or re-run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from matcher.accountability.audit_trail import stored_solve
from matcher.accountability.baseline import QuestionInvalid, read_instance, read_proposal_document
from matcher.accountability.reproduce import Reproduction, reproduce
from matcher.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, read_source, write_text
from matcher.exceptions import ProposalInvalid
from matcher.format import PROPOSAL_FORMAT
from matcher.proposal_reader import read_proposal
from matcher.storage import Database, database_url

RECORD_KEYS = ("instance", "proposal")
SOLVE_ID_PREFIX = "sol_"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reproduce", help="re-run a recorded solve and confirm the same proposal",
        description="Re-run the solve recorded in a proposal (its stats hold the options and seed) with the "
                    "deterministic time limit, and confirm that it gives the same proposal, or list every "
                    "difference. Exit 0 when the same, 1 when different, 2 when the record cannot be used.")
    parser.add_argument("record", metavar="RECORD",
                        help='a proposal JSON file (with --instance), a record {"instance", "proposal"}, or a '
                             'stored solve id (sol_...)')
    parser.add_argument("--instance", metavar="INSTANCE", help="the instance of a proposal file")
    parser.add_argument("--data-dir", type=Path, help="the server's data directory (for a stored solve id)")
    parser.add_argument("-o", "--output", help="also write the re-run proposal to this file")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        instance_source, proposal_source, problems = _sources(args)
        instance, proposal = read_instance(instance_source), read_proposal_document(proposal_source)
        result = reproduce(instance, proposal)
    except QuestionInvalid as error:
        for problem in error.problems:
            print(f"matcher reproduce: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if problems:
        result = dataclasses.replace(result, differences=problems + result.differences)
    if args.output:
        write_text(args.output, result.rerun.to_json())
    write_text(None, json.dumps(result.as_dict(), indent=1) if args.json else render(result))
    return EXIT_OK if result.same else EXIT_FAILED


def _sources(args: argparse.Namespace) -> tuple[Any, Any, list[str]]:
    """The instance and the proposal (from a stored solve, one record document, or a proposal file and
    --instance), and what is already known to differ from the record."""
    if args.record.startswith(SOLVE_ID_PREFIX) and not Path(args.record).exists():
        return _stored(args)
    try:
        document = read_proposal(read_source(args.record))
    except ProposalInvalid as error:
        raise QuestionInvalid([f"{args.record}: {problem}" for problem in error.problems]) from None
    if isinstance(document, dict) and all(isinstance(document.get(key), dict) for key in RECORD_KEYS):
        if args.instance:
            raise QuestionInvalid([f"{args.record} holds its own instance; leave out --instance"])
        return document["instance"], document["proposal"], []
    if isinstance(document, dict) and document.get("format") == PROPOSAL_FORMAT:
        if not args.instance:
            raise QuestionInvalid([f"{args.record} is a proposal: name its instance with --instance INSTANCE"])
        return read_source(args.instance), document, []
    raise QuestionInvalid([f'{args.record}: neither a {PROPOSAL_FORMAT} document nor a record with "instance" '
                           f'and "proposal" objects'])


def _stored(args: argparse.Namespace) -> tuple[Any, Any, list[str]]:
    try:
        database = Database.open(database_url(args.data_dir))
    except (SQLAlchemyError, OSError) as error:
        raise QuestionInvalid([f"cannot open the database: {error}"]) from None
    try:
        with database.session() as session:
            stored = stored_solve(session, args.record)
    finally:
        database.close()
    if stored is None:
        raise QuestionInvalid([f"solve {args.record!r} is not stored, or has no proposal yet"])
    problems = [] if stored.instance_unchanged else [
        f"instance: its content hash is {stored.current_hash}, but the proposal was recorded for "
        f"{stored.recorded_hash}: the stored instance was changed after the solve"]
    return stored.instance, stored.proposal, problems


def render(result: Reproduction) -> str:
    options = result.options
    settings = (f"seed {options.seed}, {options.workers} worker(s), time limit {options.time_limit:g} "
                f"(deterministic), method {options.method}")
    if result.same:
        lines = [f"reproduced: the re-run gives the same proposal ({settings})"]
    elif result.same_values:
        lines = [f"differs in placements only: the re-run reaches the same status and objective values but places "
                 f"households differently ({settings}); {len(result.differences)} difference(s):"]
    else:
        lines = [f"differs: the re-run gives another proposal ({settings}); {len(result.differences)} difference(s):"]
    lines += [f"  {difference}" for difference in result.differences]
    lines += [f"  note: {warning}" for warning in result.warnings]
    return "\n".join(lines)
