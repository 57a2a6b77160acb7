"""Entry point of the ``matcher`` command: lists the subcommands and dispatches to the one chosen.

Each subcommand lives in ``matcher/cli/<module>.py`` and exposes ``add_parser(subparsers)`` (which sets
``func`` on its parser to a ``run(args) -> int``). Adding a command is adding it to ``COMMANDS``.

Only the chosen command's module is imported: the modules import the solver, OR-Tools, the service or Ray,
seconds of start-up that ``matcher --version``, ``matcher --help`` and every other command should not pay.
The listing in ``--help`` therefore comes from the one-line summaries below, which
``tests/test_cli_main.py`` holds equal to each module's own ``help``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
from collections.abc import Collection
from dataclasses import dataclass

from matcher import __version__


@dataclass(frozen=True)
class Command:
    module: str  # under matcher.cli
    summary: str  # the line ``matcher --help`` shows


COMMANDS: dict[str, Command] = {
    "validate": Command("validate", "check an instance; print its problems or a summary"),
    "check": Command("check", "check a proposal against every rule of the format"),
    "generate": Command("generate", "write a realistic synthetic instance"),
    "solve": Command("solve", "propose the best allocation for an instance"),
    "import": Command("import_sheet", "read an instance from an Excel workbook or a folder of CSV files"),
    "template": Command("template", "write an empty workbook with the right sheets and headers"),
    "export": Command("export", "write a proposal as an Excel workbook or CSV files"),
    "report": Command("report", "write a proposal as one self-contained HTML report"),
    "explain": Command("explain", "a proposal's explanations and reasons, in Dutch or English"),
    "serve": Command("serve", "run the HTTP API"),
    "worker": Command("worker", "run queued solves (no HTTP)"),
    "keys": Command("keys", "create, list and revoke API keys"),
    "recommend": Command("recommend", "the best dwellings for a household, or the best households for a dwelling"),
    "why-not": Command("why_not", "why a household did not get a dwelling, in words"),
    "fairness": Command("fairness", "placement rate and waiting time per kind of household and per municipality"),
    "reproduce": Command("reproduce", "re-run a recorded solve and confirm the same proposal"),
    "audit": Command("audit", "export the service's audit trail"),
    "replan": Command("replan", "the next instance from decisions on a proposal (locks, forbidden pairs, pairs "
                                "still under review)"),
    "schema": Command("schema", "print the JSON Schema of a document format"),
    "simulate": Command("simulate", "replay a half-year scenario week by week with a placement policy"),
    "sweep": Command("sweep", "run what-if sweeps of half-year replays on Ray"),
    "replay-report": Command("replay_report", "one HTML page comparing replays of a scenario, policy beside policy"),
}


def build_parser(chosen: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line. Commands in ``chosen`` (default: every one) get their real arguments, which
    imports their modules; the others are only listed, with their summary."""
    parser = argparse.ArgumentParser(prog="matcher", description="Housing allocation proposals for status holders.")
    parser.add_argument("--version", action="version", version=f"matcher {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        if chosen is None or name in chosen:
            importlib.import_module(f"matcher.cli.{command.module}").add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=command.summary, add_help=False)
    return parser


def chosen_command(argv: list[str]) -> set[str]:
    """The subcommand named on the command line (the first word that is not an option), if any."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return {first} if first in COMMANDS else set()


def main(argv: list[str] | None = None) -> int:
    program = argv is None  # the ``matcher`` process itself, not a caller in Python such as the tests
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(chosen_command(argv)).parse_args(argv)
    try:
        code = int(args.func(args))
        if program and getattr(args, "exit_at_answer", False):  # why-not, recommend: their time limit ends at exit
            exit_without_waiting(code)
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def exit_without_waiting(code: int) -> None:
    """End the process at once, with ``code``, when threads other than the main one still run.

    A solve leaves a HiGHS branch-and-cut that is still busy at a tier's deadline behind rather than wait for
    it (``matcher.solver.search``); its thread ends at HiGHS's next check, which in a presolve can be seconds
    away. The interpreter would wait for it at exit: 1.8 s after ``matcher recommend`` had written its answer, on
    a quiet machine. A command whose answer is written has no use for it, so the process ends without joining
    it (standard output and error flushed first). Only for the ``matcher`` process itself (``main``), never
    inside a caller's Python process."""
    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
           if thread is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
