"""``matcher serve``: the HTTP API (uvicorn). By default it runs solves too (one machine, SQLite); with
``--concurrent-solves 0`` it only answers requests, and ``matcher worker`` processes run the solves."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.cli.common import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from matcher.api.settings import ServiceSettings

DEFAULT_HOST = "127.0.0.1"  # reachable from this machine only, unless the operator says otherwise
DEFAULT_PORT = 8000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the HTTP API", description="Run the HTTP API (routes under /v1, OpenAPI at /docs). "
        "Data lives in SQLite under --data-dir unless MATCHER_DATABASE_URL names a PostgreSQL database.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--data-dir", type=Path, help="directory for the SQLite database and solve logs "
                        "(default $MATCHER_DATA_DIR or ~/.local/share/matcher)")
    parser.add_argument("--concurrent-solves", type=int, help="solves this server runs at the same time (default 1; "
                        "0: none, separate `matcher worker` processes run them)")
    parser.add_argument("--solve-memory-mb", type=int, help="address-space limit of one solve process "
                        "(default 4096; 0 = none)")
    parser.add_argument("--max-body-bytes", type=int, help="largest request body accepted (default 16 MiB)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(func=run)


def settings_from(args: argparse.Namespace) -> ServiceSettings:
    """The ``MATCHER_*`` environment, overridden by the flags given; raises ``ValueError`` naming bad values."""
    from pydantic import ValidationError

    from matcher.api.settings import ServiceSettings

    flags = {"data_dir": args.data_dir, "concurrent_solves": args.concurrent_solves,
             "solve_memory_mb": getattr(args, "solve_memory_mb", None),
             "max_body_bytes": getattr(args, "max_body_bytes", None)}
    try:
        return ServiceSettings(**{name: value for name, value in flags.items() if value is not None})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ValueError(problems) from None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from matcher.api.app import create_app

    try:
        settings = settings_from(args)
    except ValueError as error:
        print(f"matcher serve: {error}", file=sys.stderr)
        return EXIT_USAGE
    app = create_app(settings)
    freeze_start_up_heap()
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return EXIT_OK


def freeze_start_up_heap() -> None:
    """Keep what the server loaded at start-up out of Python's full garbage collections.

    A full collection walks every object the process holds; after start-up that is some 150,000 (FastAPI,
    SQLAlchemy, pydantic, numpy, OR-Tools), a pass of 0.1-0.3 s, and rendering a backlog's pages allocates
    enough to start one every few dozen requests: that pause was the pages' p99 (issue 16). Those objects
    live as long as the server, so after one collection (no garbage is kept) they are frozen: the collector
    no longer looks at them, and they are freed as usual when their last reference goes.
    """
    gc.collect()
    gc.freeze()
