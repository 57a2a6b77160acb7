"""``matcher template --xlsx FILE``: an empty workbook for a coordinator to fill in and ``matcher import``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK
from matcher.workflow.columns import DEFAULT_LANGUAGE, LANGUAGES
from matcher.workflow.template import write_template


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("template", help="write an empty workbook with the right sheets and headers",
                                   description=__doc__)
    parser.add_argument("--xlsx", required=True, metavar="FILE", help="the workbook to write")
    parser.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                        help=f"language of sheet names, headers and drop-downs (default {DEFAULT_LANGUAGE})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        write_template(Path(args.xlsx), args.language)
    except OSError as error:
        print(f"matcher template: cannot write {args.xlsx}: {error.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.xlsx}: empty workbook written; fill it in and run: matcher import {args.xlsx} -o instance.json",
          file=sys.stderr)
    return EXIT_OK
