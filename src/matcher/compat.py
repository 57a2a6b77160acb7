"""Compatibility of (household, dwelling) pairs: rules 1-6 of the format, decided here and nowhere else.

Two views of the same rules: ``compatible_pairs`` (and ``compatible_counts``) evaluate them for all pairs
at once with numpy, a block of households at a time (``compatible_blocks``) so that a national instance
(15,000 x 10,000) never needs a dense 150-million-cell structure; ``broken_rules`` evaluates them for one pair
and says in words which rules fail, for the checker and for "why not" questions. Tests hold the two views to
the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.facts import BoolArray, Facts, IntArray

PairIndex = NDArray[np.int32]  # half the memory of int64 at national size (63 M pairs)

PAIR_BLOCK_CELLS = 4_000_000  # households x dwellings evaluated per block: ~4 MB per boolean temporary


@dataclass(frozen=True)
class Pairs:
    """Compatible pairs sorted by household, then dwelling."""

    household: PairIndex
    dwelling: PairIndex

    def __len__(self) -> int:
        return len(self.household)


def compatible_block(facts: Facts, households: slice | IntArray) -> BoolArray:
    """Rules 1-5 for a block of households against every dwelling (rule 6, forbidden, is applied after)."""
    h, d = facts.households, facts.dwellings
    policy = facts.instance.policy
    available = h.available[households, None] & d.available[None, :]
    fits_shared = h.sharer[households, None] & d.shared[None, :]
    fits_own = (
        ~d.shared[None, :]
        & (h.final_size[households, None] <= d.max_occupants[None, :])
        & (d.bedrooms[None, :] <= h.need[households, None] + policy.max_extra_bedrooms)
    )
    affordable = d.rent[None, :] <= h.max_rent[households, None]
    accessible = ~h.needs_accessible[households, None] | d.accessible[None, :]
    tied = ~h.has_required_tie[households, None] | h.required_tie[households][:, d.municipality]
    return available & (fits_shared | fits_own) & affordable & accessible & tied


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


# --- one pair, in words ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenRule:
    rule: int  # the rule's number in the format (1-6)
    name: str  # short machine-readable name
    text: str  # what a case worker reads


def broken_rules(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    """Every rule that makes the pair incompatible; empty when it is compatible."""
    instance = facts.instance
    h_record, d_record = instance.households[household], instance.dwellings[dwelling]
    h, d = facts.households, facts.dwellings
    broken: list[BrokenRule] = []
    if not d.available[dwelling]:
        broken.append(BrokenRule(1, "dwelling_unavailable",
                                 f"the dwelling is available only from {instance.dwelling_available_from(d_record)}, "
                                 f"after the period ends ({instance.period.end})"))
    if not h.available[household]:
        broken.append(BrokenRule(1, "household_unavailable",
                                 f"the household is available only from "
                                 f"{instance.household_available_from(h_record)}, after the period ends "
                                 f"({instance.period.end})"))
    broken.extend(_size_rule(facts, household, dwelling))
    if d.rent[dwelling] > h.max_rent[household]:
        broken.append(BrokenRule(3, "rent", f"the rent is EUR {d.rent[dwelling]:.2f}; the household can afford "
                                            f"at most EUR {h.max_rent[household]:.2f}"))
    if h.needs_accessible[household] and not d.accessible[dwelling]:
        broken.append(BrokenRule(4, "accessible", "the household needs a step-free home; this dwelling is not"))
    if h.has_required_tie[household] and not h.required_tie[household, d.municipality[dwelling]]:
        required = sorted({t.municipality for t in h_record.ties if t.required})
        broken.append(BrokenRule(5, "required_tie",
                                 f"the household must live in {', '.join(required)} (required tie); the dwelling is "
                                 f"in {d_record.municipality}"))
    if (household, dwelling) in facts.forbidden:
        broken.append(BrokenRule(6, "forbidden", "the pair was declined before (forbidden)"))
    return broken


def _size_rule(facts: Facts, household: int, dwelling: int) -> list[BrokenRule]:
    h, d = facts.households, facts.dwellings
    record = facts.instance.households[household]
    if d.shared[dwelling]:
        if h.sharer[household]:
            return []
        why = []
        if h.size[household] != 1:
            why.append(f"the household has {h.size[household]} persons")
        if record.expected_members:
            why.append(f"{record.expected_members} family member(s) are expected")
        if not record.shareable:
            why.append("the household is not willing to share")
        return [BrokenRule(2, "shared", "the dwelling is let per room to single sharers only; " + " and ".join(why))]
    broken = []
    persons = f"{h.final_size[household]} persons"
    if record.expected_members:
        persons += f" incl. {record.expected_members} expected family member(s)"
    if h.final_size[household] > d.max_occupants[dwelling]:
        broken.append(BrokenRule(2, "max_occupants", f"the household will be {persons}; the dwelling takes at most "
                                                     f"{d.max_occupants[dwelling]}"))
    extra = facts.instance.policy.max_extra_bedrooms
    if d.bedrooms[dwelling] > h.need[household] + extra:
        broken.append(BrokenRule(2, "too_many_bedrooms",
                                 f"the household needs {h.need[household]} bedroom(s) ({persons}); the dwelling has "
                                 f"{d.bedrooms[dwelling]}, more than {extra} above that need"))
    return broken
