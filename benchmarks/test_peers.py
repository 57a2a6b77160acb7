"""One entry per (case, peer): the peer's time, its results beside matcher's, and cross-checks between them.

Peers run in the same session on the same machine, so each figure reads as a ratio. Where two engines
both prove a tier optimal (every earlier tier proven by both, so that they solve the same problem) they
must agree, and every proven bound must hold for the other engine's solution: a disagreement is a bug in
one of the models, and fails the test (``benchmarks.outcomes``).
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import REPLAY, Runs, case_by_name, not_reached, record
from benchmarks.outcomes import as_dicts, at_least_as_good, disagreements, highs_tiers, pipeline_tiers
from benchmarks.registry import CASES, HIGHS_TIER_PREFIX, SUBJECT, TIERS

pytestmark = pytest.mark.benchmark(timer=REPLAY)


@pytest.mark.parametrize("name", [case.name for case in CASES if "greedy" in case.peers])
def test_greedy(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    greedy, subject = runs.get(case, "greedy"), runs.get(case, SUBJECT)
    solved = greedy.phase("solve")
    if solved is None:
        not_reached(greedy, "the greedy solve", smoke)
        return
    matcher = subject.info().get("objectives")
    warm_start = subject.phase("greedy")
    record(benchmark, case.name, solved["seconds"], kind="peer", case=case.name, peer="greedy",
           objectives=solved["objectives"], matcher_objectives=matcher, solve_phases=solved["solve_phases"],
           matcher_warm_start=warm_start["objectives"] if warm_start else None)
    if "pair-model" in case.peers:  # the pair model starts from the very same first-come-first-served solution
        pair_start = runs.get(case, "pair-model").phase("greedy")
        if pair_start is not None:
            assert pair_start["objectives"] == solved["objectives"]
    first = TIERS[0]
    if matcher is not None and warm_start is not None:  # the first tier starts from matcher's own greedy
        assert at_least_as_good(first, matcher[first], warm_start["objectives"][first])
    tiers = pipeline_tiers(subject)
    if tiers and tiers[0].proven:  # an optimum is at least as good as any solution
        assert at_least_as_good(first, tiers[0].value, solved["objectives"][first])


@pytest.mark.parametrize("name", [case.name for case in CASES if "highs" in case.peers])
def test_highs(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    highs, subject = runs.get(case, "highs"), runs.get(case, SUBJECT)
    tiers = highs_tiers(highs)
    if not tiers:
        not_reached(highs, "the HiGHS MIP of the first tier", smoke)
        return
    built, lp = highs.phase("highs-build"), highs.phase("highs-lp")
    ends = [highs.phase(f"{HIGHS_TIER_PREFIX}{tier.name}") for tier in tiers]
    record(benchmark, case.name, sum(tier.seconds for tier in tiers), kind="peer", case=case.name, peer="highs",
           columns=built["columns"], rows=built["rows"], build_seconds=built["seconds"], lp=lp,
           tiers=as_dicts(tiers), stopped=highs.info().get("highs_stopped"),
           matcher_tiers=as_dicts(pipeline_tiers(subject)))
    for i, (tier, end) in enumerate(zip(tiers, ends, strict=True)):
        evaluated = end["objectives"]  # matcher.solver.evaluate on HiGHS's solution, read back as placements
        if tier.proven:
            assert tier.value == evaluated[tier.name]
        elif tier.value is not None:  # the shortfall column only bounds the worst municipality from above
            assert at_least_as_good(tier.name, evaluated[tier.name], tier.value)
        for held in tiers[:i]:  # every earlier tier stays at its optimum
            assert evaluated[held.name] == held.value
    if highs.finished:  # HiGHS goes on while it proves, and stops at the first tier it does not
        assert len(tiers) == len(TIERS) or not tiers[-1].proven
    first = tiers[0]
    if lp["bound"] is not None:  # the LP relaxation bounds every solution of the first tier
        for value in (first.value, *(t.value for t in pipeline_tiers(subject)[:1])):
            if value is not None:
                assert at_least_as_good(first.name, lp["bound"], value)
    for peer in ("matcher", "pair-model"):
        if peer == SUBJECT or peer in case.peers:
            assert not disagreements(pipeline_tiers(runs.get(case, peer)), tiers), peer


@pytest.mark.parametrize("name", [case.name for case in CASES if "pair-model" in case.peers])
def test_pair_model(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    before, subject = runs.get(case, "pair-model"), runs.get(case, SUBJECT)
    tiers = pipeline_tiers(before)
    if not tiers:
        not_reached(before, "the pair model's first tier", smoke)
        return
    build = before.phase("build") or {}
    record(benchmark, case.name, sum(tier.seconds for tier in tiers), kind="peer", case=case.name,
           peer="pair-model", tiers=as_dicts(tiers), matcher_tiers=as_dicts(pipeline_tiers(subject)),
           variables=build.get("variables"), constraints=build.get("constraints"),
           objectives=before.info().get("objectives"), matcher_objectives=subject.info().get("objectives"))
    assert not disagreements(tiers, pipeline_tiers(subject))


@pytest.mark.parametrize("name", [case.name for case in CASES if "cpsat-w1" in case.peers])
def test_cpsat_one_worker(name: str, runs: Runs, smoke: bool, benchmark: object) -> None:
    case = case_by_name(name, smoke)
    single, subject = runs.get(case, "cpsat-w1"), runs.get(case, SUBJECT)
    tiers = pipeline_tiers(single)
    if not tiers:
        not_reached(single, "the first tier", smoke)
        return
    record(benchmark, case.name, sum(tier.seconds for tier in tiers), kind="peer", case=case.name,
           peer="cpsat-w1", tiers=as_dicts(tiers), matcher_tiers=as_dicts(pipeline_tiers(subject)))
    assert not disagreements(tiers, pipeline_tiers(subject))
