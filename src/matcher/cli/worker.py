"""``matcher worker``: runs queued solves from the service's database, without serving HTTP.

For more than one machine: any number of ``matcher serve --concurrent-solves 0`` (the API) and of
``matcher worker`` (the solves) share one PostgreSQL database (``MATCHER_DATABASE_URL``). Each worker takes
jobs under a lease it renews while they run; a worker that dies loses its jobs to the others once their
leases expire. SIGTERM or Ctrl-C stops the worker: its solves end and their jobs are given back at once.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from matcher.cli.common import EXIT_OK, EXIT_USAGE
from matcher.cli.serve import settings_from


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker", help="run queued solves (no HTTP)",
        description="Run the solves queued in the service's database (MATCHER_DATABASE_URL, else the SQLite file "
                    "in --data-dir), next to API servers started with `matcher serve --concurrent-solves 0`.")
    parser.add_argument("--data-dir", type=Path, help="directory for solve logs (and the SQLite database)")
    parser.add_argument("--concurrent-solves", type=int, help="solves this worker runs at the same time (default 1)")
    parser.add_argument("--solve-memory-mb", type=int, help="address-space limit of one solve process "
                        "(default 4096; 0 = none)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from matcher.api.jobs.runner import SolveRunner
    from matcher.storage.engine import Database

    try:
        settings = settings_from(args)
    except ValueError as error:
        print(f"matcher worker: {error}", file=sys.stderr)
        return EXIT_USAGE
    if settings.concurrent_solves < 1:
        print("matcher worker: --concurrent-solves must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    stopping = threading.Event()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    database = Database.open(settings.resolved_database_url())
    runner = SolveRunner(database, settings)
    runner.start()
    print(f"matcher worker {runner.holder}: running up to {settings.concurrent_solves} solve(s)", file=sys.stderr,
          flush=True)
    try:
        stopping.wait()
    finally:
        runner.close()
        database.close()
    return EXIT_OK
