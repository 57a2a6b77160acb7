"""``matcher explain PROPOSAL [--household H ...] [--language nl|en]``: the proposal's own explanations, in words.

For each household (every one, or those named): where it goes and why (its part of every objective, the
municipality's progress), or why it is still waiting (every reason, most specific first). The words come
from the structured explanations in the proposal (``explanation``, ``reason_details``), in Dutch or English;
a proposal without them (written by another tool) is shown with its own text.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matcher.cli.common import EXIT_FAILED, EXIT_OK, load_proposal_or_report, write_text
from matcher.explain.words import DUTCH, ENGLISH, LANGUAGES, placement_phrases, reason_texts

DEFAULT_LANGUAGE = DUTCH
HEADINGS: dict[str, tuple[str, str]] = {DUTCH: ("{household} → {dwelling}", "{household} wacht"),
            ENGLISH: ("{household} → {dwelling}", "{household} waits")}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("explain", help="a proposal's explanations and reasons, in Dutch or English",
                                   description=__doc__)
    parser.add_argument("proposal", metavar="PROPOSAL", help="proposal JSON file, or - for standard input")
    parser.add_argument("--household", metavar="H", action="append", default=[],
                        help="only this household (repeat for more)")
    parser.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                        help=f"language of the words (default {DEFAULT_LANGUAGE})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    proposal = load_proposal_or_report(args.proposal)
    if proposal is None:
        return EXIT_FAILED
    placed, waiting = explained_households(proposal.model_dump(mode="json"), args.language)
    wanted = args.household or [*placed, *waiting]
    unknown = [household for household in wanted if household not in placed and household not in waiting]
    if unknown:
        print(f"matcher explain: not in the proposal: {', '.join(unknown)}", file=sys.stderr)
        return EXIT_FAILED
    write_text(None, "\n\n".join(placed.get(household) or waiting[household] for household in wanted))
    return EXIT_OK


def explained_households(document: dict[str, Any], language: str) -> tuple[dict[str, str], dict[str, str]]:
    """Per household, its explanation as a short block of text: the placed ones, then the waiting ones."""
    placed_heading, waiting_heading = HEADINGS.get(language, HEADINGS[DEFAULT_LANGUAGE])
    placed = {}
    for assignment in document.get("assignments") or []:
        heading = placed_heading.format(household=assignment["household"], dwelling=assignment["dwelling"])
        phrases = placement_phrases(assignment.get("explanation"), language)
        placed[str(assignment["household"])] = "\n".join([heading, *(f"  - {phrase}" for phrase in phrases)])
    waiting = {}
    for record in document.get("unassigned") or []:
        heading = waiting_heading.format(household=record["household"])
        reasons = reason_texts(record, language)
        waiting[str(record["household"])] = "\n".join([heading, *(f"  - {reason}" for reason in reasons)])
    return placed, waiting
