"""Entry point of the ``matcher`` command: finds the subcommand modules and dispatches to them.

Each subcommand lives in ``matcher/cli/<name>.py`` and exposes ``add_parser(subparsers)`` (which sets
``func`` on its parser to a ``run(args) -> int``). Adding a command is adding its name to ``COMMANDS``;
an entry ``"name:module"`` names a module that differs from the command (``import`` is a Python keyword).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from matcher import __version__

COMMANDS = [
    "validate",
    "check",
    "generate",
    "solve",
    "import:import_sheet",
    "template",
    "export",
    "report",
    "explain",
    "serve",
    "worker",
    "keys",
    "recommend",
    "why-not",
    "fairness",
    "reproduce",
    "audit",
    "replan",
    "schema",
    "simulate",
    "sweep",
    "replay-report",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="matcher", description="Housing allocation proposals for status holders.")
    parser.add_argument("--version", action="version", version=f"matcher {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for entry in COMMANDS:
        name, _, module = entry.partition(":")  # "import:import_sheet" when the module name must differ
        importlib.import_module(f"matcher.cli.{(module or name).replace('-', '_')}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
