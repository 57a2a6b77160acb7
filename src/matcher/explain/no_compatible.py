"""Stage 2: no compatible dwelling. Rules 1-6 as a funnel; the rule that removes the last candidates is named."""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.explain.reasons import Reasons, few
from matcher.facts import BoolArray, Facts, IntArray
from matcher.rules import PAIR_BLOCK_CELLS, RULE_STEPS


def explain_no_compatible(facts: Facts, households: IntArray, reasons: Reasons) -> None:
    """For households without any compatible pair, name the funnel step that removed the last dwelling."""
    block = max(1, PAIR_BLOCK_CELLS // max(1, len(facts.dwellings)))
    for begin in range(0, len(households), block):
        rows = households[begin:begin + block]
        remaining = np.ones((len(rows), len(facts.dwellings)), dtype=np.bool_)
        before: list[BoolArray] = []
        for step in RULE_STEPS:
            before.append(remaining)
            remaining = remaining & step.holds(facts, rows)
        counts = np.stack([b.sum(axis=1) for b in before] + [remaining.sum(axis=1)], axis=1)
        for r, household in enumerate(rows.tolist()):
            k = int(np.argmax(counts[r, 1:] == 0))  # the first step after which nothing is left
            last = RULE_STEPS[k]
            reasons.add(household, f"no_compatible:{last.name}",
                        **_NO_COMPATIBLE_FACTS[last.name](facts, household, before[k][r]))
            if k > 0:
                reasons.add(household, "funnel", **_funnel_trail(counts[r, : k + 2]))


def _funnel_trail(counts: IntArray) -> dict[str, Any]:
    """The counts a case worker can follow: how many dwellings were left after each rule."""
    return {"region": int(counts[0]),
            "steps": [{"step": step.name, "count": int(n)} for n, step in zip(counts[1:], RULE_STEPS, strict=False)]}


def _none_available(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    return {"dwellings": len(facts.dwellings), "period_end": facts.instance.period.end.isoformat()}


def _no_size_fit(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    h, d = facts.households, facts.dwellings
    record = facts.instance.households[household]
    own = candidates & ~d.shared
    return {"persons": int(h.final_size[household]), "size": int(h.size[household]),
            "expected": record.expected_members, "available": int(candidates.sum()),
            "largest": int(d.max_occupants[own].max()) if own.any() else None,
            "shared": int((candidates & d.shared).sum()),
            "sharer": {"size": record.size, "expected": record.expected_members, "shareable": record.shareable}}


def _too_many_bedrooms(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    h, d = facts.households, facts.dwellings
    return {"dwellings": int(candidates.sum()), "persons": int(h.final_size[household]), "need": int(h.need[household]),
            "extra": facts.instance.policy.max_extra_bedrooms, "smallest": int(d.bedrooms[candidates].min())}


def _too_expensive(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    return {"dwellings": int(candidates.sum()), "max_rent": float(facts.households.max_rent[household]),
            "cheapest": float(facts.dwellings.rent[candidates].min())}


def _not_step_free(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    return {"dwellings": int(candidates.sum())}


def _outside_required_ties(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    required = [facts.municipalities.ids[m] for m in np.flatnonzero(facts.households.required_tie[household])]
    found = [facts.municipalities.ids[m] for m in np.unique(facts.dwellings.municipality[candidates])]
    return {"dwellings": int(candidates.sum()), "required": required, "found": few(found)}


def _all_forbidden(facts: Facts, household: int, candidates: BoolArray) -> dict[str, Any]:
    return {"dwellings": few([facts.dwellings.ids[d] for d in np.flatnonzero(candidates)])}


_NO_COMPATIBLE_FACTS = {"available": _none_available, "size": _no_size_fit, "bedrooms": _too_many_bedrooms,
                        "rent": _too_expensive, "accessible": _not_step_free, "required_tie": _outside_required_ties,
                        "forbidden": _all_forbidden}  # what the reason names when the last step leaves no dwelling
