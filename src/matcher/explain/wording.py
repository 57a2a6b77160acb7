"""Small English wording helpers (counts, euros) and the offsets of a household's rows in a sorted array.

The sentences themselves are in ``matcher.explain.words``, one module per language.
"""

from __future__ import annotations

import numpy as np

from matcher.facts import IntArray


def household_starts(household: IntArray, n_households: int) -> IntArray:
    """Offsets of each household's rows in an array sorted by household."""
    return np.searchsorted(household, np.arange(n_households + 1)).astype(np.int64)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def all_of(n: int, noun: str) -> str:
    return f"its only {noun} is" if n == 1 else f"all {n} {noun}s are"


def all_or_it(n: int) -> str:
    return "all have" if n > 1 else "it has"


def euros(amount: float) -> str:
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"
