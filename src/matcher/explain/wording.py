"""Wording helpers of the explanations: counts, shares and lists that end in "and N more"."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from matcher.facts import IntArray

NAMED_AT_MOST = 3  # ids named in one reason before "and N more"


def household_starts(household: IntArray, n_households: int) -> IntArray:
    """Offsets of each household's rows in an array sorted by household."""
    return np.searchsorted(household, np.arange(n_households + 1)).astype(np.int64)


def share_words(count: int, usable: int, compatible: int) -> str:
    """'its 4 compatible dwellings', '3 of its 4 usable dwellings', 'its only compatible dwelling'."""
    noun = "compatible" if usable == compatible else "usable"
    if count == usable:
        return f"its only {noun} dwelling" if usable == 1 else f"its {usable} {noun} dwellings"
    return f"{count} of its {usable} {noun} dwellings"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def all_of(n: int, noun: str) -> str:
    return f"its only {noun} is" if n == 1 else f"all {n} {noun}s are"


def all_or_it(n: int) -> str:
    return "all have" if n > 1 else "it has"


def first_names(items: Sequence[str], total: int | None = None) -> str:
    """The first few names; a longer list ends in "and N more" (``total`` when only the first are given)."""
    total = len(items) if total is None else total
    shown = ", ".join(items[:NAMED_AT_MOST])
    return shown + (f" and {total - NAMED_AT_MOST} more" if total > NAMED_AT_MOST else "")


def listing(items: Sequence[int], describe: Callable[[int], str]) -> str:
    """Describe the first few items only; a long list ends in "and N more"."""
    return first_names([describe(item) for item in items[:NAMED_AT_MOST]], len(items))


def euros(amount: float) -> str:
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"
