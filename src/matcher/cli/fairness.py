"""``matcher fairness INSTANCE PROPOSAL``: placement rate and waiting time per kind of household and municipality.

Groups far below the overall placement rate are flagged with the reason most of their waiting households
share. A thin shell around ``matcher.accountability.fairness``.
"""

from __future__ import annotations

import argparse
import json

from matcher.accountability.fairness import (
    FAR_BELOW,
    NO_PROTECTED_ATTRIBUTES,
    FairnessReport,
    GroupRow,
    Waiting,
    fairness_report,
)
from matcher.cli.common import EXIT_OK, EXIT_USAGE, write_text
from matcher.cli.recommend import baseline_or_report
from matcher.format import PERCENT, PERMILLE


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fairness", help="placement rate and waiting time per kind of household and per municipality",
        description="Report, for a proposal, the placement rate and the waiting time (weeks) of those placed "
                    "and those left, per household type, step-free need, family reunification, overdue or not, "
                    "tie kind and municipality; flag groups far below the overall rate with the reason that "
                    "explains most of it.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance JSON file, or - for standard input")
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file for that instance")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    baseline = baseline_or_report(args, "fairness")
    if baseline is None:
        return EXIT_USAGE
    report = fairness_report(baseline)
    write_text(None, json.dumps(report.as_dict(), indent=1) if args.json else render(report))
    return EXIT_OK


def render(report: FairnessReport) -> str:
    overall = report.overall
    lines = [f"Fairness of the proposal for {report.instance}: {overall.placed} of {overall.households} households "
             f"placed ({_percent(overall.rate)}), {overall.persons_placed} of {overall.persons} persons.",
             NO_PROTECTED_ATTRIBUTES, "",
             f"  {'group':<30}{'households':>11}{'placed':>8}{'rate':>8}   {'waited, weeks: placed':<24}left",
             f"  {'':<30}{'':>11}{'':>8}{'':>8}   {'(mean / median / max)':<24}(mean / median / max)",
             _group_line(overall)]
    dimension = None
    for group in report.groups:
        if group.dimension != dimension:
            dimension = group.dimension
            lines.append(f"  {dimension}")
        lines.append(_group_line(group, indent=4))
    lines += ["", "  Municipalities (persons)",
              f"    {'id':<10}{'name':<22}{'target':>7}{'before':>8}{'placed':>8}{'after':>7}{'progress':>10}"
              f"{'shortfall':>11}"]
    for m in report.municipalities:
        row = m.as_dict()
        progress = "-" if row["progress_permille"] is None else f"{row['progress_permille'] / PERMILLE:.1%}"
        lines.append(f"    {m.id:<10}{m.name[:21]:<22}{m.target:>7}{m.housed:>8}{m.placed:>8}{m.housed_after:>7}"
                     f"{progress:>10}{m.shortfall:>11}")
    lines.append("")
    if report.flagged:
        lines.append(f"  Flagged: placement rate at least {FAR_BELOW * PERCENT:.0f} points below the overall "
                     f"{_percent(overall.rate)}")
        lines += [f"    - {group.name}: {group.flag.text}" for group in report.flagged if group.flag]
    else:
        lines.append(f"  No group's placement rate lies {FAR_BELOW * PERCENT:.0f} points or more below the overall "
                     f"{_percent(overall.rate)}.")
    return "\n".join(lines)


def _group_line(group: GroupRow, indent: int = 2) -> str:
    name = f"{' ' * indent}{group.name}"
    flag = "  <- flagged" if group.flag else ""
    return (f"{name:<32}{group.households:>11}{group.placed:>8}{_percent(group.rate):>8}   "
            f"{_waiting(group.waiting_placed):<24}{_waiting(group.waiting_left)}{flag}")


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _waiting(waiting: Waiting) -> str:
    if waiting.households == 0:
        return "-"
    return f"{waiting.mean:.1f} / {waiting.median:g} / {waiting.longest}"
