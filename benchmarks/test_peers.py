"""One entry per (case, peer): the peer's time, its results beside matcher's, and cross-checks between them.

Peers run in the same session on the same machine, so each figure reads as a ratio. Where two engines
both prove a tier optimal they must agree, and every proven bound must hold for every other engine's
solution: a disagreement is a bug in one of the models, and fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.conftest import REPLAY, Runs, case_by_name, not_reached, record
from benchmarks.isolation import RunRecord
from benchmarks.registry import CASES, SUBJECT, TIER_PHASES, TIERS
from matcher.format import MAXIMISED_OBJECTIVES

pytestmark = pytest.mark.benchmark(timer=REPLAY)
FIRST_TIER = TIER_PHASES[0]


def at_least_as_good(name: str, value: int, than: int) -> bool:
    return value >= than if name in MAXIMISED_OBJECTIVES else value <= than


def tiers_of(run: RunRecord) -> list[dict[str, Any]]:
    return [end["tier"] for phase in TIER_PHASES if (end := run.phase(phase)) is not None]


@pytest.mark.parametrize("name", [case.name for case in CASES if "greedy" in case.peers])
def test_greedy(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    greedy, subject = runs.get(case, "greedy"), runs.get(case, SUBJECT)
    solved = greedy.phase("solve")
    if solved is None:
        not_reached(greedy, "the greedy solve", smoke)
        return
    matcher = subject.info().get("objectives")
    record(benchmark, case.name, solved["seconds"], kind="peer", case=case.name, peer="greedy",
           objectives=solved["objectives"], matcher_objectives=matcher, solve_phases=solved["solve_phases"])
    warm_start = subject.phase("greedy")
    if warm_start is not None:  # matcher's chain starts from the very same first-come-first-served solution
        assert warm_start["objectives"] == solved["objectives"]
    if matcher is not None:  # each tier starts from the greedy solution, so none of them can be worse
        first = TIERS[0]
        assert at_least_as_good(first, matcher[first], solved["objectives"][first])


@pytest.mark.parametrize("name", [case.name for case in CASES if "highs" in case.peers])
def test_highs(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    highs, subject = runs.get(case, "highs"), runs.get(case, SUBJECT)
    mip = highs.phase("highs-mip")
    if mip is None:
        not_reached(highs, "the HiGHS MIP", smoke)
        return
    built, lp = highs.phase("highs-build"), highs.phase("highs-lp")
    tier = (subject.phase(FIRST_TIER) or {}).get("tier")
    record(benchmark, case.name, mip["seconds"], kind="peer", case=case.name, peer="highs",
           objective=built["objective"], columns=built["columns"], rows=built["rows"],
           build_seconds=built["seconds"], lp=lp, mip=mip, matcher_tier=tier)
    objective = built["objective"]
    if lp["bound"] is not None and mip["value"] is not None:
        assert at_least_as_good(objective, lp["bound"], mip["value"])
    if tier is None:
        return
    if lp["bound"] is not None:
        assert at_least_as_good(objective, lp["bound"], tier["value"])
    if mip["bound"] is not None:
        assert at_least_as_good(objective, mip["bound"], tier["value"])
    if mip["value"] is not None:
        assert at_least_as_good(objective, tier["bound"], mip["value"])
    if mip["status"] == "optimal" and tier["status"] == "optimal":
        assert mip["value"] == tier["value"]


@pytest.mark.parametrize("name", [case.name for case in CASES if "cpsat-w1" in case.peers])
def test_cpsat_one_worker(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    single, subject = runs.get(case, "cpsat-w1"), runs.get(case, SUBJECT)
    tiers = tiers_of(single)
    if not tiers:
        not_reached(single, "the first tier", smoke)
        return
    record(benchmark, case.name, sum(tier["seconds"] for tier in tiers), kind="peer", case=case.name,
           peer="cpsat-w1", tiers=tiers, matcher_tiers=tiers_of(subject))
    first, matcher_first = tiers[0], (tiers_of(subject) or [None])[0]
    if matcher_first is not None:  # both searched the same tier-1 model: each bound holds for the other
        assert at_least_as_good(first["name"], matcher_first["bound"], first["value"])
        assert at_least_as_good(first["name"], first["bound"], matcher_first["value"])
