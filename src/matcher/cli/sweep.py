"""``matcher sweep SWEEP.toml -o RESULTS_DIR``: what-if sweeps, every replay a Ray task.

A thin shell around ``matcher.sweep.run_sweep``: a progress bar on a terminal (a plain line per finished
replay otherwise), then where the table and the page are and which replays failed. Exit 0 when every
replay finished, 1 when some failed (they are in the table and on the page), 2 for a bad sweep file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from matcher.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE

BAR_WIDTH = 30


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep", help="run what-if sweeps of half-year replays on Ray",
        description="Replay every (variant, seed, policy) of a sweep file as a Ray task; only replays not "
                    "stored in RESULTS_DIR yet are run. Writes RESULTS_DIR/results.csv and "
                    "RESULTS_DIR/report.html. Needs the sweep extra: pip install 'matcher[sweep]'.")
    parser.add_argument("sweep_file", metavar="SWEEP.toml", type=Path, help="the sweep file (docs/sweeps.md)")
    parser.add_argument("-o", "--output", metavar="RESULTS_DIR", type=Path, required=True,
                        help="results directory (created; re-use it to run only what is missing)")
    parser.add_argument("--address", default=None,
                        help="an existing Ray cluster (e.g. ray://head:10001 or auto); default: a local Ray")
    parser.add_argument("--workers", type=int, default=None,
                        help="replays at once on the local Ray (default: every core); not with --address")
    parser.add_argument("--figure", default=None, help="the figure to rank variants on (default: the file's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from matcher.sweep.sweepfile import FIGURES, SweepFileInvalid

    if args.workers is not None and (args.workers < 1 or args.address):
        print("sweep: --workers must be >= 1, and only for a local Ray (not with --address)", file=sys.stderr)
        return EXIT_USAGE
    if args.figure is not None and args.figure not in FIGURES:
        print(f"sweep: --figure must be one of {', '.join(FIGURES)}", file=sys.stderr)
        return EXIT_USAGE
    from matcher.sweep import run_sweep

    progress = Progress(sys.stderr)
    try:
        outcome = run_sweep(args.sweep_file, args.output, address=args.address, workers=args.workers,
                            figure=args.figure, on_result=progress.update)
    except ModuleNotFoundError as error:
        if error.name != "ray":
            raise
        print("sweep: needs Ray; install it with pip install 'matcher[sweep]'", file=sys.stderr)
        return EXIT_USAGE
    except SweepFileInvalid as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as error:
        print(f"sweep: {error}", file=sys.stderr)
        return EXIT_USAGE
    progress.close()
    run_outcome = outcome.run
    print(f"sweep: {len(outcome.table)} replays, {run_outcome.executed} run now, {run_outcome.reused} already "
          f"stored; table {outcome.table_path}, page {outcome.page_path}", file=sys.stderr)
    for row in outcome.failed:
        print(f"  {row.variant}, seed {row.seed}, {row.policy}: {row.record.get('status')}: "
              f"{row.record.get('error')}", file=sys.stderr)
    return EXIT_FAILED if outcome.failed else EXIT_OK


class Progress:
    """A bar redrawn in place on a terminal; one plain line per finished replay elsewhere (logs, CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.began = time.monotonic()
        self.drawn = False

    def update(self, record: dict[str, Any], finished: int, total: int) -> None:
        elapsed = time.monotonic() - self.began
        left = elapsed / finished * (total - finished)
        what = f"{record.get('variant')} s{record.get('seed')} {record.get('policy')}: {record.get('status')}"
        if self.live:
            filled = round(BAR_WIDTH * finished / total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r\033[K[{bar}] {finished}/{total}, {elapsed:.0f} s, ~{left:.0f} s left  {what}")
            self.drawn = True
        else:
            self.stream.write(f"replay {finished}/{total} ({elapsed:.0f} s): {what}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
