"""``matcher generate --preset P --seed N [-o FILE]``: write a realistic synthetic instance.

The same preset, seed and sizes always give the same file, so tests, the demo and the benchmarks can name
an instance by its arguments. A thin shell around ``matcher.generator``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, write_text
from matcher.generator import MAX_RECORDS, PRESETS, VARIETIES, generate, instance_json
from matcher.simulation.generate import SCENARIO_PRESETS, generate_scenario


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high], rejected with a clear message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            limit = f">= {low}" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"must be {limit}, got {value}")
        return value

    return parse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write a realistic synthetic instance",
        description="Write a matcher.instance/1 document for a preset region and size; the same arguments "
                    "always give the same document. Presets: tiny (6 households, 2 municipalities), u16-week "
                    "(40 households, the 16 U16 municipalities, one lock), u16-backlog (600 households), "
                    "nl-backlog (15,000 households over 342 synthetic municipalities). Scenario presets "
                    "(matcher.scenario/1, for matcher simulate): u16-halfyear (26 weeks, about 40 households and "
                    "35 dwellings a week), u16-quarter (13 weeks, about 15 a week), tiny-halfyear (8 weeks, about "
                    "5 a week).",
    )
    parser.add_argument("--preset", required=True, choices=[*PRESETS, *SCENARIO_PRESETS],
                        help="region and default sizes, or a scenario preset")
    parser.add_argument("--seed", required=True, type=_whole(0), help="random seed (whole number >= 0)")
    parser.add_argument("--households", type=_whole(1, MAX_RECORDS), help="number of households (resizes the preset)")
    parser.add_argument("--dwellings", type=_whole(1, MAX_RECORDS),
                        help="number of dwellings (default: the preset's, or 0.75 x households when resized)")
    parser.add_argument("--variety", choices=list(VARIETIES), default="standard",
                        help="how varied the attributes are: standard (the committed instances and the first benchmark "
                             "cases) or wide (rents to the euro, more ties, reunification, occupancies and groups, "
                             "waiting dates over two years; more household and dwelling classes)")
    parser.add_argument("-o", "--output", metavar="FILE", default=None, help="output file, or - for standard output "
                                                                          "(the default)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        document = _document(args)
    except ValueError as error:
        print(f"generate: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        write_text(args.output, instance_json(document))
    except OSError as error:
        print(f"generate: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _document(args: argparse.Namespace) -> dict[str, Any]:
    if args.preset not in SCENARIO_PRESETS:
        return generate(args.preset, args.seed, households=args.households, dwellings=args.dwellings,
                        variety=args.variety)
    if args.households is not None or args.dwellings is not None:
        raise ValueError(f"--households and --dwellings resize an instance preset; the scenario preset "
                         f"{args.preset} has its own weekly arrivals and offers")
    if args.variety != "standard":
        raise ValueError(f"--variety {args.variety} applies to instance presets; the scenario preset "
                         f"{args.preset} is generated with the standard variety")
    return generate_scenario(args.preset, args.seed)
