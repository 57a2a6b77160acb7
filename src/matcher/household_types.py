"""What kind of household: single, couple or family, one classification for every summary and report.

``matcher validate`` counts singles, couples and families; the fairness report groups households by the
same types, and splits two of them where placement chances differ: a single who may take a place in a shared
dwelling, and families by size (the large ones together, since few dwellings take them).
"""

from __future__ import annotations

from collections.abc import Sequence

ADULT_AGE = 18  # a household of two adults is a couple; with a minor it is a family (the generator draws
# adults from this age up)
LARGE_FAMILY = 7  # persons from which a family counts as large, in one fairness group

SINGLE, COUPLE, FAMILY = "single", "couple", "family"
SINGLE_SHARING = "single sharing"


def household_type(ages: Sequence[int]) -> str:
    """``single``, ``couple`` (two adults) or ``family`` (anything larger, or with a child)."""
    if len(ages) == 1:
        return SINGLE
    if len(ages) == 2 and all(age >= ADULT_AGE for age in ages):
        return COUPLE
    return FAMILY


def fairness_group(ages: Sequence[int], sharer: bool) -> str:
    """The household type, with singles split by sharing and families by size: ``family of 4``."""
    kind = household_type(ages)
    if kind == SINGLE:
        return SINGLE_SHARING if sharer else SINGLE
    if kind == COUPLE:
        return COUPLE
    return f"large family ({LARGE_FAMILY}+)" if len(ages) >= LARGE_FAMILY else f"family of {len(ages)}"
