"""``matcher validate INSTANCE``: every problem of an instance, or a summary of what it holds.

The first thing a coordinator runs on a new instance: exit 1 with the full list of problems (each naming
its JSON path and record), or exit 0 with the figures worth a glance before solving (``--json`` for
machines).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, print_problems, read_source, write_text
from matcher.exceptions import InstanceInvalid
from matcher.facts import derive_facts
from matcher.rules import compatible_counts
from matcher.summary import Summary, summarize
from matcher.validation import load_instance

SHOWN_IDS = 10  # households without a compatible pair listed by id in the text summary


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("validate", help="check an instance; print its problems or a summary",
                                   description=__doc__)
    parser.add_argument("instance", metavar="INSTANCE", help="instance JSON file, or - for standard input")
    parser.add_argument("--json", action="store_true", help="print the summary (or the problems) as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        instance = load_instance(read_source(args.instance))
    except InstanceInvalid as error:
        if args.json:
            write_text(None, json.dumps({"valid": False, "problems": [p.as_dict() for p in error.problems]},
                                        indent=1, ensure_ascii=False))
        else:
            print_problems(args.instance, error)
        return EXIT_FAILED
    facts = derive_facts(instance)
    summary = summarize(facts, compatible_counts(facts))
    if args.json:
        write_text(None, json.dumps({"valid": True, **summary.as_dict()}, indent=1, ensure_ascii=False))
    else:
        write_text(None, format_summary(summary))
    return EXIT_OK


def format_summary(summary: Summary) -> str:
    """The summary as a short plain-text report, one topic per block."""
    blocks = [
        [f"instance {summary.instance}: valid, period {summary.period_start} to {summary.period_end}"],
        _household_lines(summary),
        _dwelling_lines(summary),
        _pair_lines(summary),
        _school_lines(summary),
        _municipality_lines(summary),
        _group_lines(summary),
    ]
    return "\n\n".join("\n".join(block) for block in blocks if block)


def _household_lines(summary: Summary) -> list[str]:
    h = summary.households
    families = ", ".join(f"{count} of {size}" for size, count in h.families_by_size.items()) or "none"
    return [
        f"households: {h.total} ({h.persons} persons)",
        f"  singles             {h.singles} (of which shareable: {h.shareable_singles})",
        f"  couples             {h.couples}",
        f"  families            {h.families} (by size: {families})",
        f"  needing step-free   {h.needing_step_free}",
        f"  expecting reunion   {h.expecting_reunification} ({h.expected_members} persons expected)",
        f"  overdue             {h.overdue}",
        f"  unavailable         {h.unavailable} (available only after the period)",
    ]


def _dwelling_lines(summary: Summary) -> list[str]:
    d = summary.dwellings
    lines = [f"dwellings: {d.total} ({d.step_free} step-free, {d.unavailable} available only after the period)"]
    for kind, count in d.by_type.items():
        label = {"studio": "studio", "shared": "shared"}.get(kind, f"{kind} bedroom{'' if kind == '1' else 's'}")
        extra = f" ({d.shared_places} places)" if kind == "shared" else ""
        lines.append(f"  {label:<19} {count}{extra}")
    return lines


def _pair_lines(summary: Summary) -> list[str]:
    p = summary.pairs
    lines = [f"compatible pairs: {p.compatible} ({summary.locks} locked, {summary.forbidden} forbidden)",
             f"  households with none: {len(p.households_without_pair)}"]
    if p.households_without_pair:
        shown = ", ".join(p.households_without_pair[:SHOWN_IDS])
        more = len(p.households_without_pair) - SHOWN_IDS
        lines[-1] += f" ({shown}{f', and {more} more' if more > 0 else ''})"
    return lines


def _school_lines(summary: Summary) -> list[str]:
    return ["schools:"] + [f"  {s.kind:<10} {s.schools} schools, {s.seats} free seats, {s.pupils} pupils"
                           for s in summary.schools]


def _municipality_lines(summary: Summary) -> list[str]:
    rows = [(m.id, m.name, str(m.target), str(m.housed), str(m.cap), str(m.dwellings)) for m in summary.municipalities]
    return ["municipalities:", *_table(("id", "name", "target", "housed", "cap", "dwellings"), rows)]


def _group_lines(summary: Summary) -> list[str]:
    if not summary.groups:
        return ["groups: none"]
    rows = [(g.id, g.kind, str(g.units), str(g.status_holder_units), f"{g.max_share:g}", str(g.cap), str(g.dwellings))
            for g in summary.groups]
    return ["groups:", *_table(("id", "kind", "units", "status holders", "max share", "cap", "dwellings"), rows)]


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Left-aligned text columns, numbers right-aligned, two spaces apart, indented under their heading."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    numeric = [all(row[i].replace(".", "", 1).isdigit() for row in rows) and bool(rows) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  " + "  ".join(cell.rjust(w) if right else cell.ljust(w)
                                for cell, w, right in zip(cells, widths, numeric, strict=True)).rstrip()

    return [line(header), *(line(row) for row in rows)]
