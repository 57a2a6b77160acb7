"""``matcher schema NAME``: print the JSON Schema of a document format (instance, proposal, scenario, simulation).

``matcher schema --all-to DIR`` writes every schema into DIR instead; ``make schemas`` uses it to rewrite
the committed files under ``schemas/``. The schemas come from ``matcher.schemas``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.cli.common import EXIT_OK, EXIT_USAGE, write_text
from matcher.schemas import DOCUMENTS, json_schema, render, write_all


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of a document format",
        description="Print the JSON Schema (draft 2020-12) of a matcher document, generated from the models "
                    "that read it, for editors and for validating documents without Python. With --all-to, "
                    "write every schema into a folder as NAME.schema.json.",
    )
    parser.add_argument("name", metavar="NAME", nargs="?", choices=list(DOCUMENTS),
                        help=f"the document kind: {', '.join(DOCUMENTS)}")
    parser.add_argument("--all-to", metavar="DIR", type=Path, help="write every schema into this folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if (args.name is None) == (args.all_to is None):
        print(f"schema: give either NAME ({', '.join(DOCUMENTS)}) or --all-to DIR", file=sys.stderr)
        return EXIT_USAGE
    if args.all_to is not None:
        for path in write_all(args.all_to):
            print(f"wrote {path}", file=sys.stderr)
        return EXIT_OK
    write_text(None, render(json_schema(args.name)))
    return EXIT_OK
