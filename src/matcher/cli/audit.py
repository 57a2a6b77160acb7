"""``matcher audit export``: the service's audit trail (instances, solves, decisions) as CSV.

Reads the database ``matcher serve`` uses (``MATCHER_DATABASE_URL``, or the SQLite file in ``--data-dir``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from matcher.accountability.audit_export import write_csv
from matcher.accountability.audit_trail import all_entries
from matcher.cli.common import EXIT_OK, EXIT_USAGE
from matcher.storage import Database, database_url

STDOUT = "-"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="export the service's audit trail",
                                   description="Read the audit trail of the service: every instance stored, solve "
                                               "asked for and decision taken, with who (key id and role) and when.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write the audit trail as CSV, oldest first",
                                description="Write the whole audit trail as CSV (one row per act, oldest first).")
    export.add_argument("-o", "--output", default=STDOUT, help="CSV file (default: standard output)")
    export.add_argument("--data-dir", type=Path, help="the server's data directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        database = Database.open(database_url(args.data_dir))
    except (SQLAlchemyError, OSError) as error:
        print(f"matcher audit export: cannot open the database: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with database.session() as session:
            if args.output == STDOUT:
                rows = write_csv(all_entries(session), sys.stdout)
            else:
                with Path(args.output).open("w", encoding="utf-8", newline="") as stream:
                    rows = write_csv(all_entries(session), stream)
    finally:
        database.close()
    if args.output != STDOUT:
        print(f"{rows} audit entries written to {args.output}", file=sys.stderr)
    return EXIT_OK
