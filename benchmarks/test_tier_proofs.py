"""``benchmarks.tier_proofs``: a case measured tier by tier, and judged against the issue's goal."""

from __future__ import annotations

import copy

from benchmarks.registry import TIERS, Recipe
from benchmarks.tier_proofs import EVERY_TIER, FIRST_TIER, ProofCase, markdown, measure, met


def test_a_small_case_is_measured_tier_by_tier_and_judged_against_its_goal() -> None:
    row = measure(ProofCase(Recipe("u16-week"), 5.0, EVERY_TIER), 5.0, 1)
    row |= {"load_before": 0.0, "load_after": 0.0}
    assert [tier["name"] for tier in row["tiers"]] == list(TIERS)
    assert all(tier["ended_at"] <= row["total_seconds"] for tier in row["tiers"])
    proven = all(tier["proven"] for tier in row["tiers"])
    assert met(row) == (proven and row["over_limit"] <= 0.02)
    unproven = copy.deepcopy(row)
    unproven["tiers"][-1]["proven"] = False
    assert not met(unproven)
    late = copy.deepcopy(row) | {"over_limit": 0.03}
    assert not met(late)
    first = row["tiers"][0]
    near = copy.deepcopy(row) | {"goal": FIRST_TIER}
    near["tiers"][0] |= {"value": 100, "bound": 101}
    far = copy.deepcopy(near)
    far["tiers"][0] |= {"bound": 102}
    assert met(near) == (row["over_limit"] <= 0.02) and not met(far)
    table = markdown([row])
    assert f"| u16-week | {first['name']} | {first['value']} | {first['bound']} |" in table
