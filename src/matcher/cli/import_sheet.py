"""``matcher import WORKBOOK.xlsx -o instance.json`` (or ``--csv DIR``): a coordinator's spreadsheet as an instance.

Every problem is printed at once, located by sheet, row and column, followed by those of the format's own
validation (the same as ``matcher validate``). The module is not called ``import`` because that is a
Python keyword; ``matcher.cli.main`` maps the command name to it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, print_problems, write_text
from matcher.exceptions import InstanceInvalid
from matcher.workflow.spreadsheet_import import import_csv_dir, import_workbook


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("import", help="read an instance from an Excel workbook or a folder of CSV files",
                                   description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("workbook", nargs="?", metavar="WORKBOOK", help="the .xlsx workbook (see matcher template)")
    source.add_argument("--csv", metavar="DIR", help="a folder with one CSV file per sheet instead of a workbook")
    parser.add_argument("-o", "--output", help="instance JSON file (default: standard output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = args.csv or args.workbook
    if not source:
        print("matcher import: give a WORKBOOK or --csv DIR", file=sys.stderr)
        return EXIT_USAGE
    try:
        imported = import_csv_dir(Path(args.csv)) if args.csv else import_workbook(Path(args.workbook))
    except InstanceInvalid as error:
        print_problems(source, error)
        return EXIT_FAILED
    for note in imported.notes:
        print(f"note: {note}", file=sys.stderr)
    write_text(args.output, json.dumps(imported.document, indent=1, ensure_ascii=False))
    instance = imported.instance
    if args.output not in (None, "-"):
        print(f"{args.output}: instance {instance.id} with {len(instance.households)} households, "
              f"{len(instance.dwellings)} dwellings, {len(instance.municipalities)} municipalities", file=sys.stderr)
    return EXIT_OK
