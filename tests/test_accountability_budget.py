"""One question, one time limit: the re-solves share it, the proposal's proven bounds prove forced tiers at
once, and recommend's first pass stops a re-solve at the tier that decides its cost. Nothing here is timed:
budgets that have run out are made by starting them in the past."""

from __future__ import annotations

import time
from typing import Any

import pytest

from builders import LONG_AGO, dwelling, household, instance
from matcher.accountability.baseline import Baseline, load_baseline
from matcher.accountability.forcing import (
    Forced,
    ObjectiveChange,
    force_pair,
    known_tiers,
    question_budget,
    resolve_options,
)
from matcher.accountability.recommend import recommend_dwellings
from matcher.accountability.why_not import why_not
from matcher.cli import recommend as recommend_cli
from matcher.cli.recommend import command_started
from matcher.format import Proposal
from matcher.solver import SolveOptions, solve_proposal
from matcher.solver.tiers import KnownTier, TierResult, known_bound
from matcher.validation import load_instance

FAST = SolveOptions(time_limit=5.0, workers=1, deterministic=True)
OBJECTIVES = ["overdue_housed", "persons_housed", "max_shortfall_permille", "quality"]


def solved(document: dict[str, Any]) -> Baseline:
    inst = load_instance(document)
    return load_baseline(inst, solve_proposal(inst, FAST))


def tiers(forced: Forced) -> list[dict[str, Any]]:
    return list((forced.proposal.model_extra or {})["stats"]["tiers"])


def test_a_forced_tier_that_reaches_the_proposals_proven_value_is_proven_without_search() -> None:
    base = solved(instance([household("h1")], [dwelling("d1"), dwelling("d2")]))  # two look-alike dwellings
    assert base.proposal.status == "optimal"
    mover = base.solution[0]
    other = "d2" if base.facts.dwellings.ids[mover.dwelling] == "d1" else "d1"
    answer = why_not(base, "h1", other, FAST)
    assert answer.forced is not None and answer.forced.proven and answer.forced.deciding is None
    assert [tier["phases"].get("proven_by") for tier in tiers(answer.forced)] == ["known bound"] * 4


def test_the_proposals_bound_holds_for_a_tier_only_while_every_earlier_tier_is_as_good() -> None:
    known = {"overdue_housed": KnownTier(3, 3), "persons_housed": KnownTier(5, 6)}
    as_good = [TierResult("overdue_housed", "optimal", 3, 3, 0.0, 1.0)]
    worse = [TierResult("overdue_housed", "optimal", 2, 2, 0.0, 1.0)]
    assert known_bound(known, OBJECTIVES, [], 0) == 3
    assert known_bound(known, OBJECTIVES, as_good, 1) == 6
    assert known_bound(known, OBJECTIVES, worse, 1) is None  # fewer overdue housed: persons may rise past 6
    assert known_bound(known, OBJECTIVES, as_good, 3) is None  # nothing known of quality


def test_only_objectives_whose_value_the_assignments_confirm_lend_their_bound() -> None:
    base = solved(instance([household("h1")], [dwelling("d1")]))
    claimed = base.proposal.model_copy(deep=True)
    claimed.objectives[1].value += 1  # persons_housed: the document claims one person more than it places
    claiming = load_baseline(base.instance, Proposal.model_validate(claimed.model_dump()))
    known = known_tiers(claiming.proposal, claiming.values)
    assert "persons_housed" not in known and known["overdue_housed"] == KnownTier(0, 0)


def test_recommends_first_pass_stops_a_re_solve_at_the_tier_that_decides_its_cost() -> None:
    doc = instance([household("h1", waiting_since=LONG_AGO), household("h2")], [dwelling("d1")])
    base = solved(doc)
    forced = force_pair(base, base.facts.household_index["h2"], 0, FAST, until_deciding=True)
    assert isinstance(forced, Forced) and forced.cost_proven and forced.deciding is not None
    assert forced.deciding.name == "overdue_housed" and forced.deciding.worse_by == 1
    assert [tier["status"] for tier in tiers(forced)][0] == "optimal"
    assert "not_solved" in [tier["status"] for tier in tiers(forced)][1:]  # the later tiers were not searched
    full = force_pair(base, base.facts.household_index["h2"], 0, FAST)
    assert isinstance(full, Forced) and full.proven and full.deciding == forced.deciding
    again = force_pair(base, base.facts.household_index["h2"], 0, FAST, earlier=forced)  # recommend's second pass
    assert isinstance(again, Forced) and again.proven and again.values == full.values
    assert tiers(again)[0]["phases"].get("proven_by") == "known bound"  # the first pass proved it already


def test_pairs_left_when_the_question_has_no_time_left_are_named_not_re_solved() -> None:
    doc = instance([household("h1"), household("h2", max_rent=650)],
                   [dwelling("d1"), dwelling("d2"), dwelling("d3", rent=700)])
    base = solved(doc)
    own = base.facts.dwellings.ids[base.placement_of(1).dwelling]  # type: ignore[union-attr]
    options = SolveOptions(time_limit=5.0, workers=1)
    spent = question_budget(options, started=time.monotonic() - 10.0)
    result = recommend_dwellings(base, "h2", options=options, budget=spent)
    assert [pair.dwelling for pair in result.blocked] == ["d3"]  # blocked pairs cost nothing and are still named
    assert [option.dwelling for option in result.options] == [own]  # its own dwelling needs no re-solve
    assert not result.options[0].resolved and result.considered == 1
    assert result.unanswered == [{"d1", "d2"}.difference([own]).pop()]


def test_re_solves_share_what_is_left_of_the_question_and_deterministic_ones_the_whole() -> None:
    wall = question_budget(SolveOptions(time_limit=60.0), started=time.monotonic() - 20.0)
    assert resolve_options(SolveOptions(time_limit=60.0), wall, 0, 2).time_limit == pytest.approx(
        (0.97 * 60.0 - 20.0) / 2, abs=0.5)
    fixed = question_budget(FAST, started=time.monotonic() - 100.0)
    assert resolve_options(FAST, fixed, 3, 4).time_limit == pytest.approx(0.97 * 5.0 / 4)


def test_that_the_cost_is_not_zero_is_proven_by_the_deciding_tiers_bound_even_when_its_amount_is_not() -> None:
    def forced(statuses: list[str], bounds: list[int], changes: list[ObjectiveChange]) -> Forced:
        stats = [{"name": change.name, "status": status, "bound": bound}
                 for change, status, bound in zip(changes, statuses, bounds, strict=True)]
        proposal = Proposal(instance="i", status="feasible", stats={"tiers": stats})
        return Forced("h", "d", None, proposal, {}, changes, [], [], [], resolved=True)

    quality_worse = [ObjectiveChange("overdue_housed", 5, 5), ObjectiveChange("quality", 100, 90)]
    assert forced(["optimal", "feasible"], [5, 97], quality_worse).proven_worse_by == 3  # 100 -> at most 97
    assert not forced(["optimal", "feasible"], [5, 97], quality_worse).cost_proven
    assert forced(["optimal", "feasible"], [5, 100], quality_worse).proven_worse_by == 0  # could be unchanged
    assert forced(["feasible", "feasible"], [6, 97], quality_worse).proven_worse_by == 0  # overdue could differ
    shortfall_worse = [ObjectiveChange("max_shortfall_permille", 200, 260)]
    assert forced(["feasible"], [230], shortfall_worse).proven_worse_by == 30


def test_a_question_counts_from_the_start_of_a_process_started_for_it_else_from_the_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def process_started(seconds_ago: float) -> type:
        class Process:
            def create_time(self) -> float:
                return time.time() - seconds_ago
        return Process

    monkeypatch.setattr(recommend_cli.psutil, "Process", process_started(3.0))  # `matcher why-not ...`
    assert time.monotonic() - command_started() == pytest.approx(3.0, abs=0.5)
    monkeypatch.setattr(recommend_cli.psutil, "Process", process_started(3600.0))  # inside a long-lived process
    assert time.monotonic() - command_started() < 0.5


def test_time_the_first_two_passes_leave_goes_on_with_the_pairs_the_first_did_not_reach() -> None:
    doc = instance([household("h1"), household("h2", max_rent=650)],
                   [dwelling("d1"), dwelling("d2"), dwelling("d3", rent=700)])
    base = solved(doc)
    options = SolveOptions(time_limit=20.0, workers=1)
    # the first pass's half of the question is over, 8 s of the whole are left: nothing could rank yet (pass 2)
    late = question_budget(options, started=time.monotonic() - 11.0)
    result = recommend_dwellings(base, "h2", options=options, budget=late)
    assert result.unanswered == [] and result.considered == 2
