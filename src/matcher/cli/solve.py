"""``matcher solve INSTANCE``: write the proposal JSON, and a short human summary on stderr."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import TextIO

from matcher.cli.common import EXIT_OK, read_source, write_text
from matcher.format import Proposal
from matcher.solver import Progress, SolveControl, SolveOptions
from matcher.solver.options import DEFAULT_TIME_LIMIT_S, default_workers
from matcher.solver.solve import solve_document

PROGRESS_REFRESH_S = 0.25  # a terminal line redrawn more often than this only flickers


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("solve", help="propose the best allocation for an instance",
                                   description="Solve an instance (file or - for stdin) and write the proposal.")
    parser.add_argument("instance", help="instance JSON file, or - for standard input")
    parser.add_argument("-o", "--output", help="proposal file (default: standard output)")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S,
                        help=f"seconds for all objectives together (default {DEFAULT_TIME_LIMIT_S:.0f})")
    parser.add_argument("--workers", type=int, default=default_workers(), help="CP-SAT search workers")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the search")
    parser.add_argument("--deterministic", action="store_true",
                        help="identical proposals for identical input and seed (deterministic time limit)")
    parser.add_argument("--method", choices=["cpsat", "greedy"], default="cpsat",
                        help="cpsat (default) or greedy: first come, first served, as a coordinator does by hand")
    parser.add_argument("--quiet", action="store_true", help="no progress display and no summary")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.time_limit <= 0 or args.workers < 1:
        print("matcher solve: --time-limit must be > 0 and --workers >= 1", file=sys.stderr)
        return 2
    options = SolveOptions(time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                           deterministic=args.deterministic, method=args.method)
    display = ProgressLine(sys.stderr) if (not args.quiet and sys.stderr.isatty()) else None
    control = SolveControl(on_progress=display.update if display else None)
    try:
        proposal = solve_document(read_source(args.instance), options, control)
    finally:
        if display:
            display.close()
    write_text(args.output, proposal.to_json())
    if not args.quiet:
        print(summary(proposal), file=sys.stderr)
    return EXIT_OK


def summary(proposal: Proposal) -> str:
    """A few lines a coordinator reads at a glance."""
    if proposal.status == "invalid":
        lines = [f"instance {proposal.instance or '(no id)'} is invalid: {len(proposal.errors or [])} problem(s)"]
        return "\n".join(lines + [f"  {error}" for error in proposal.errors or []])
    persons = sum(m.placed for m in proposal.municipalities)
    lines = [f"{proposal.status}: {len(proposal.assignments)} households ({persons} persons) placed, "
             f"{len(proposal.unassigned)} not placed"]
    for objective in proposal.objectives:
        proven = "proven" if objective.value == objective.bound else f"bound {objective.bound}"
        lines.append(f"  {objective.name:<24} {objective.value:>8}  ({proven})")
    seconds = getattr(proposal, "stats", {}).get("total_seconds")
    if seconds is not None:
        lines.append(f"  solved in {seconds:.2f} s")
    return "\n".join(lines)


class ProgressLine:
    """One status line on a terminal, redrawn in place: tier, best value, bound, gap and elapsed time."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._drawn = False

    def update(self, event: Progress) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last_draw < PROGRESS_REFRESH_S:
                return
            self._last_draw = now
            gap = "" if event.value is None or event.bound is None else f"  gap {abs(event.bound - event.value)}"
            text = (f"tier {event.tier_index + 1}/{event.tiers} {event.tier}: best {event.value}  bound {event.bound}"
                    f"{gap}  {event.elapsed:6.1f} s")
            self._stream.write("\r\033[K" + text)
            self._stream.flush()
            self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self._stream.write("\r\033[K")
                self._stream.flush()
