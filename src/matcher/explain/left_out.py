"""Households left out: the four stages walked in order, each household explained by the first that holds."""

from __future__ import annotations

import numpy as np

from matcher.explain.competition import explain_competition
from matcher.explain.no_compatible import explain_no_compatible
from matcher.explain.placed import Placed
from matcher.explain.reasons import Reason, Reasons
from matcher.explain.unusable import explain_unusable, note_pruned
from matcher.explain.words import ENGLISH, reason_text
from matcher.facts import Facts
from matcher.format import Unassigned
from matcher.rules import Pairs


def unassigned_reasons(facts: Facts, pairs: Pairs, placed: Placed, objectives: list[str]) -> list[Unassigned]:
    h = facts.households
    waiting = placed.placement_of < 0
    reasons = Reasons()
    for unavailable in np.flatnonzero(waiting & ~h.available).tolist():
        record = facts.instance.households[unavailable]
        reasons.add(unavailable, "unavailable",
                    available_from=facts.instance.household_available_from(record).isoformat(),
                    period_end=facts.instance.period.end.isoformat())
    compatible_count = np.bincount(pairs.household, minlength=len(h)) if len(pairs) else np.zeros(len(h), int)
    explain_no_compatible(facts, np.flatnonzero(waiting & h.available & (compatible_count == 0)), reasons)
    with_pairs = waiting[pairs.household] if len(pairs) else np.zeros(0, dtype=np.bool_)
    household = pairs.household[with_pairs].astype(np.int64)
    dwelling = pairs.dwelling[with_pairs].astype(np.int64)
    if np.any(np.diff(household) < 0):  # the stages read each household's pairs as one contiguous run
        order = np.argsort(household, kind="stable")
        household, dwelling = household[order], dwelling[order]
    usable, stages = explain_unusable(facts, household, dwelling, reasons)
    explain_competition(facts, household[usable], dwelling[usable], compatible_count, placed, objectives,
                        reasons)
    note_pruned(facts, household, stages, compatible_count, reasons)
    return [_unassigned(h.ids[i], reasons.found.get(i, [{"code": UNEXPLAINED}]))
            for i in np.flatnonzero(waiting).tolist()]


def _unassigned(household: str, found: list[Reason]) -> Unassigned:
    """The record of the proposal: the reasons in English words (the format's ``reasons``), their codes, and
    the structured reasons themselves, from which any language words them."""
    return Unassigned(household=household, reasons=[reason_text(reason, ENGLISH) for reason in found],
                      reason_codes=[reason["code"] for reason in found], reason_details=found)


UNEXPLAINED = "unexplained"
