"""Compatibility of (household, dwelling) pairs: rules 1-6 of the format, stated here and nowhere else.

The rules are one ordered table, ``RULE_STEPS``: each step names its rule, says in words what a pair needs
to pass it, tests it for a block of households against every dwelling at once (``holds``), and says for one
pair what is wrong (``broken``). Everything else reads the table:

- ``compatible_pairs`` (and ``compatible_counts``) take the conjunction of the steps with numpy, a block of
  households at a time (``compatible_blocks``), so that a national instance (15,000 x 10,000) never needs a
  dense 150-million-cell structure;
- ``broken_rules`` says for one pair which rules fail, in words, for the checker and for "why not" questions;
- the explanations walk the same steps in the same order as a funnel, and count what each step leaves.

Tests hold the vectorised and the per-pair view to the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matcher.facts import BoolArray, Facts, IntArray

PairIndex = NDArray[np.int32]  # half the memory of int64 at national size (63 M pairs)

PAIR_BLOCK_CELLS = 4_000_000  # households x dwellings evaluated per block: ~4 MB per boolean temporary
FORBIDDEN_RULE = 6  # the declined pairs: few, so applied pair by pair after the other rules

Rows = slice | IntArray  # the households of a block: a range of indices, or any selection of them


@dataclass(frozen=True)
class BrokenRule:
    rule: int  # the rule's number in the format (1-6)
    name: str  # short machine-readable name
    text: str  # what a case worker reads, in English
    details: dict[str, Any] = field(default_factory=dict)  # the facts ``text`` states, for wording in other languages


@dataclass(frozen=True)
class RuleStep:
    """One test of the compatibility rules; rule 2 (size) takes two steps, own size and bedrooms."""

    rule: int  # the rule's number in the format (1-6)
    name: str  # machine-readable, used in reason codes such as "no_compatible:rent"
    needs: str  # what a pair needs, in words: "the dwelling's rent is at most the household's max_rent"
    passing: str  # the dwellings that pass it, as a funnel counts them: "within its rent"
    holds: Callable[[Facts, Rows], BoolArray]  # households of the block x every dwelling: the step passes
    broken: Callable[[Facts, int, int], list[BrokenRule]]  # for one pair: what is wrong, empty when it passes


# --- the steps, in the order of the format (and of the explanations' funnel) ------------------------------


def _available(facts: Facts, rows: Rows) -> BoolArray:
    return facts.households.available[rows, None] & facts.dwellings.available[None, :]


def _available_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    instance = facts.instance
    end = instance.period.end
    broken = []
    if not facts.dwellings.available[dwelling]:
        since = instance.dwelling_available_from(instance.dwellings[dwelling])
        broken.append(BrokenRule(1, "dwelling_unavailable",
                                 f"the dwelling is available only from {since}, after the period ends ({end})",
                                 {"since": str(since), "end": str(end)}))
    if not facts.households.available[household]:
        since = instance.household_available_from(instance.households[household])
        broken.append(BrokenRule(1, "household_unavailable",
                                 f"the household is available only from {since}, after the period ends ({end})",
                                 {"since": str(since), "end": str(end)}))
    return broken


def _fits_size(facts: Facts, rows: Rows) -> BoolArray:
    h, d = facts.households, facts.dwellings
    shared = d.shared[None, :]
    return (h.sharer[rows, None] & shared) | (~shared & (h.final_size[rows, None] <= d.max_occupants[None, :]))


def _size_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    h, d = facts.households, facts.dwellings
    if d.shared[dwelling]:
        if h.sharer[household]:
            return []
        return [BrokenRule(2, "shared", f"the dwelling is let per room to single sharers only; "
                                        f"{why_not_a_sharer(facts, household)}", _sharer_details(facts, household))]
    if h.final_size[household] > d.max_occupants[dwelling]:
        return [BrokenRule(2, "max_occupants", f"the household will be {_persons(facts, household)}; the dwelling "
                                               f"takes at most {d.max_occupants[dwelling]}",
                           _persons_details(facts, household) | {"most": int(d.max_occupants[dwelling])})]
    return []


def why_not_a_sharer(facts: Facts, household: int) -> str:
    """``the household has 2 persons and is not willing to share``: what keeps it out of a shared dwelling."""
    record = facts.instance.households[household]
    why = []
    if record.size != 1:
        why.append(f"has {record.size} persons")
    if record.expected_members:
        why.append(f"expects {record.expected_members} family member" + ("s" if record.expected_members != 1 else ""))
    if not record.shareable:
        why.append("is not willing to share")
    return "the household " + (", ".join(why[:-1]) + " and " if len(why) > 1 else "") + why[-1]


def _sharer_details(facts: Facts, household: int) -> dict[str, Any]:
    record = facts.instance.households[household]
    return {"size": record.size, "expected": record.expected_members, "shareable": record.shareable}


def _fits_bedrooms(facts: Facts, rows: Rows) -> BoolArray:
    h, d = facts.households, facts.dwellings
    extra = facts.instance.policy.max_extra_bedrooms
    return d.shared[None, :] | (d.bedrooms[None, :] <= h.need[rows, None] + extra)


def _bedrooms_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    h, d = facts.households, facts.dwellings
    extra = facts.instance.policy.max_extra_bedrooms
    if d.shared[dwelling] or d.bedrooms[dwelling] <= h.need[household] + extra:
        return []
    return [BrokenRule(2, "too_many_bedrooms",
                       f"the household needs {h.need[household]} bedroom(s) ({_persons(facts, household)}); the "
                       f"dwelling has {d.bedrooms[dwelling]}, more than {extra} above that need",
                       _persons_details(facts, household) | {"need": int(h.need[household]),
                                                             "bedrooms": int(d.bedrooms[dwelling]), "extra": extra})]


def _persons(facts: Facts, household: int) -> str:
    """``4 persons incl. 1 expected family member(s)``: the size rule 2 counts."""
    record = facts.instance.households[household]
    persons = f"{facts.households.final_size[household]} persons"
    if record.expected_members:
        persons += f" incl. {record.expected_members} expected family member(s)"
    return persons


def _persons_details(facts: Facts, household: int) -> dict[str, Any]:
    return {"persons": int(facts.households.final_size[household]),
            "expected": facts.instance.households[household].expected_members}


def _affordable(facts: Facts, rows: Rows) -> BoolArray:
    return facts.dwellings.rent[None, :] <= facts.households.max_rent[rows, None]


def _rent_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    rent, most = facts.dwellings.rent[dwelling], facts.households.max_rent[household]
    if rent <= most:
        return []
    return [BrokenRule(3, "rent", f"the rent is EUR {rent:.2f}; the household can afford at most EUR {most:.2f}",
                       {"rent": float(rent), "max_rent": float(most)})]


def _accessible(facts: Facts, rows: Rows) -> BoolArray:
    return ~facts.households.needs_accessible[rows, None] | facts.dwellings.accessible[None, :]


def _accessible_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    if not facts.households.needs_accessible[household] or facts.dwellings.accessible[dwelling]:
        return []
    return [BrokenRule(4, "accessible", "the household needs a step-free home; this dwelling is not")]


def _tied(facts: Facts, rows: Rows) -> BoolArray:
    h = facts.households
    return ~h.has_required_tie[rows, None] | h.required_tie[rows][:, facts.dwellings.municipality]


def _tie_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    h = facts.households
    if not h.has_required_tie[household] or h.required_tie[household, facts.dwellings.municipality[dwelling]]:
        return []
    required = sorted({t.municipality for t in facts.instance.households[household].ties if t.required})
    where = facts.instance.dwellings[dwelling].municipality
    return [BrokenRule(5, "required_tie",
                       f"the household must live in {', '.join(required)} (required tie); the dwelling is in {where}",
                       {"required": required, "municipality": where})]


def _not_forbidden(facts: Facts, rows: Rows) -> BoolArray:
    households = np.arange(len(facts.households))[rows]
    allowed = np.ones((len(households), len(facts.dwellings)), dtype=np.bool_)
    row_of = np.full(len(facts.households), -1, dtype=np.int64)
    row_of[households] = np.arange(len(households))
    for household, dwelling in facts.forbidden:
        if row_of[household] >= 0:
            allowed[row_of[household], dwelling] = False
    return allowed


def _forbidden_broken(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    if (household, dwelling) not in facts.forbidden:
        return []
    return [BrokenRule(FORBIDDEN_RULE, "forbidden", "the pair was declined before (forbidden)")]


RULE_STEPS: tuple[RuleStep, ...] = (
    RuleStep(1, "available", "the household and the dwelling are both available by the end of the period",
             "available this period", _available, _available_broken),
    RuleStep(2, "size", "a shared dwelling takes single willing sharers; any other takes the household's final "
                        "size within max_occupants", "fit its size", _fits_size, _size_broken),
    RuleStep(2, "bedrooms", "a dwelling that is not shared has at most max_extra_bedrooms above the household's "
                            "need", "fit its bedroom need", _fits_bedrooms, _bedrooms_broken),
    RuleStep(3, "rent", "the rent is at most the household's max_rent", "within its rent", _affordable,
             _rent_broken),
    RuleStep(4, "accessible", "a household that needs a step-free home gets an accessible dwelling",
             "step-free where needed", _accessible, _accessible_broken),
    RuleStep(5, "required_tie", "a household with required ties lives in one of those municipalities",
             "in its required tie's municipality", _tied, _tie_broken),
    RuleStep(FORBIDDEN_RULE, "forbidden", "the pair was not declined before", "not declined", _not_forbidden,
             _forbidden_broken),
)


# --- all pairs at once ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pairs:
    """Compatible pairs sorted by household, then dwelling."""

    household: PairIndex
    dwelling: PairIndex

    def __len__(self) -> int:
        return len(self.household)


def compatible_block(facts: Facts, households: Rows) -> BoolArray:
    """Rules 1-5 for a block of households against every dwelling (rule 6, forbidden, is applied after)."""
    steps = [step for step in RULE_STEPS if step.rule != FORBIDDEN_RULE]
    mask = steps[0].holds(facts, households)
    for step in steps[1:]:
        mask &= step.holds(facts, households)
    return mask


def compatible_blocks(facts: Facts) -> Iterator[tuple[int, BoolArray]]:
    """Rules 1-6 a block of households at a time: ``(first household of the block, block x dwellings mask)``.

    Callers that only count (``matcher validate`` on a national instance has tens of millions of pairs)
    consume the blocks directly and never hold more than one block in memory.
    """
    n_households, n_dwellings = len(facts.households), len(facts.dwellings)
    block = max(1, PAIR_BLOCK_CELLS // max(1, n_dwellings))
    forbidden = np.array(sorted(facts.forbidden), dtype=np.int64).reshape(-1, 2)
    for begin in range(0, n_households, block):
        end = min(begin + block, n_households)
        mask = compatible_block(facts, slice(begin, end))
        inside = (forbidden[:, 0] >= begin) & (forbidden[:, 0] < end)
        mask[forbidden[inside, 0] - begin, forbidden[inside, 1]] = False
        yield begin, mask


def compatible_pairs(facts: Facts) -> Pairs:
    """Every compatible pair by rules 1-6, without a Python loop over pairs."""
    household_parts: list[PairIndex] = []
    dwelling_parts: list[PairIndex] = []
    for begin, mask in compatible_blocks(facts):
        rows, cols = np.nonzero(mask)
        household_parts.append((rows + begin).astype(np.int32))
        dwelling_parts.append(cols.astype(np.int32))
    household = np.concatenate(household_parts) if household_parts else np.zeros(0, dtype=np.int32)
    dwelling = np.concatenate(dwelling_parts) if dwelling_parts else np.zeros(0, dtype=np.int32)
    return Pairs(household=household, dwelling=dwelling)


def compatible_counts(facts: Facts) -> IntArray:
    """How many dwellings each household is compatible with, without listing the pairs."""
    counts = np.zeros(len(facts.households), dtype=np.int64)
    for begin, mask in compatible_blocks(facts):
        counts[begin:begin + len(mask)] = mask.sum(axis=1)
    return counts


# --- one pair, in words -----------------------------------------------------------------------------------


def broken_rules(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    """Every rule that makes the pair incompatible, in the order of the steps; empty when it is compatible."""
    return [broken for step in RULE_STEPS for broken in step.broken(facts, household, dwelling)]
