"""Stage 2: no compatible dwelling. Rules 1-6 as a funnel; the rule that removes the last candidates is named."""

from __future__ import annotations

import numpy as np

from matcher.explain.reasons import Reasons
from matcher.explain.wording import all_of, all_or_it, euros, first_names, plural
from matcher.facts import BoolArray, Facts, IntArray
from matcher.rules import PAIR_BLOCK_CELLS, RULE_STEPS, why_not_a_sharer


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
            text = _NO_COMPATIBLE_TEXT[last.name](facts, household, before[k][r])
            reasons.add(household, f"no_compatible:{last.name}", text)
            if k > 0:
                reasons.add(household, "funnel", _funnel_trail(counts[r, : k + 2]))


def _funnel_trail(counts: IntArray) -> str:
    """The counts a case worker can follow: how many dwellings were left after each rule."""
    steps = [f"{int(n)} {step.passing}" for n, step in zip(counts[1:], RULE_STEPS, strict=False)]
    return f"of {int(counts[0])} dwellings in the region: " + ", then ".join(steps)


def _none_available(facts: Facts, household: int, candidates: BoolArray) -> str:
    total = len(facts.dwellings)
    if total == 0:
        return "no compatible dwelling: the instance offers no dwelling at all"
    return (f"no compatible dwelling: none of the {total} dwellings is available this period "
            f"(all become available after {facts.instance.period.end})")


def _no_size_fit(facts: Facts, household: int, candidates: BoolArray) -> str:
    h, d = facts.households, facts.dwellings
    record = facts.instance.households[household]
    available = int(candidates.sum())
    shared = candidates & d.shared
    own = candidates & ~d.shared
    persons = f"{h.final_size[household]}"
    if record.expected_members:
        persons += f" ({h.size[household]} persons + {record.expected_members} expected)"
    if not own.any():
        return (f"no compatible dwelling: all {available} dwellings available this period are shared places for "
                f"single sharers only, and {why_not_a_sharer(facts, household)}")
    text = (f"no compatible dwelling: no dwelling with max_occupants >= {persons} in the region "
            f"({available} available this period; the largest takes {int(d.max_occupants[own].max())}")
    if shared.any():
        text += f"; {int(shared.sum())} are shared places, and {why_not_a_sharer(facts, household)}"
    return text + ")"


def _too_many_bedrooms(facts: Facts, household: int, candidates: BoolArray) -> str:
    h, d = facts.households, facts.dwellings
    extra = facts.instance.policy.max_extra_bedrooms
    need = int(h.need[household])
    count = int(candidates.sum())
    return (f"no compatible dwelling: {plural(count, 'dwelling')} take {h.final_size[household]} persons but "
            f"{all_or_it(count)} more than {need + extra} bedrooms (the household needs {need}, at most {extra} "
            f"extra allowed; the smallest has {int(d.bedrooms[candidates].min())})")


def _too_expensive(facts: Facts, household: int, candidates: BoolArray) -> str:
    count = int(candidates.sum())
    cheapest = float(facts.dwellings.rent[candidates].min())
    return (f"no compatible dwelling: {plural(count, 'dwelling')} fit the household's size but "
            f"{'all cost' if count > 1 else 'it costs'} more than its maximum rent of "
            f"EUR {euros(facts.households.max_rent[household])} (cheapest EUR {euros(cheapest)})")


def _not_step_free(facts: Facts, household: int, candidates: BoolArray) -> str:
    count = int(candidates.sum())
    return (f"no compatible dwelling: {plural(count, 'dwelling')} fit size and rent but "
            f"{'none is' if count > 1 else 'it is not'} step-free, and the household needs a step-free home")


def _outside_required_ties(facts: Facts, household: int, candidates: BoolArray) -> str:
    required = [facts.municipalities.ids[m] for m in np.flatnonzero(facts.households.required_tie[household])]
    found = [facts.municipalities.ids[m] for m in np.unique(facts.dwellings.municipality[candidates])]
    tie = "the required tie's" if len(required) == 1 else "the required ties'"
    count = int(candidates.sum())
    return (f"no compatible dwelling: {all_of(count, 'remaining candidate')} in "
            f"{'municipalities' if count > 1 else 'a municipality'} other than {tie} {', '.join(required)} "
            f"({'they are' if count > 1 else 'it is'} in {first_names(found)})")


def _all_forbidden(facts: Facts, household: int, candidates: BoolArray) -> str:
    ids = [facts.dwellings.ids[d] for d in np.flatnonzero(candidates)]
    return (f"no compatible dwelling: {all_of(len(ids), 'remaining candidate')} "
            f"{'declined pairs' if len(ids) > 1 else 'a declined pair'} (forbidden: {first_names(ids)})")


_NO_COMPATIBLE_TEXT = {"available": _none_available, "size": _no_size_fit, "bedrooms": _too_many_bedrooms,
                       "rent": _too_expensive, "accessible": _not_step_free, "required_tie": _outside_required_ties,
                       "forbidden": _all_forbidden}  # how the last step reads when it leaves no dwelling
