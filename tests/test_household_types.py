"""One classification of households, for the instance summary and the fairness report alike."""

from __future__ import annotations

from matcher.household_types import fairness_group, household_type


def test_single_couple_family() -> None:
    assert household_type([30]) == household_type([4]) == "single"
    assert household_type([30, 18]) == "couple"
    assert household_type([30, 17]) == household_type([30, 28, 1]) == household_type([30, 30, 30]) == "family"


def test_fairness_groups_refine_the_same_types() -> None:
    assert fairness_group([30], sharer=True) == "single sharing"
    assert fairness_group([30], sharer=False) == "single"
    assert fairness_group([30, 18], sharer=False) == "couple"
    assert fairness_group([30, 17], sharer=False) == "family of 2"
    assert fairness_group([40, 38, 10, 8, 6, 4], sharer=False) == "family of 6"
    assert fairness_group([40, 38, 10, 8, 6, 4, 2], sharer=False) == "large family (7+)"
    for ages in ([30], [30, 18], [30, 17], [30] * 9):
        assert household_type(ages) in fairness_group(ages, sharer=True)
