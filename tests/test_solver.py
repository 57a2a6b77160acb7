"""solve(): the examples' optima, locks and forbidden pairs, edge cases, reproducibility, stopping, the result
object and its phase hook."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import pytest

from builders import LONG_AGO, dwelling, household, instance, school
from conftest import EXAMPLES, example_names, load_example
from matcher.checker import check_proposal
from matcher.facts import derive_facts
from matcher.format import Proposal
from matcher.solver import Phase, SolveControl, SolveOptions, solve, solve_proposal
from matcher.solver.budget import Budget
from matcher.solver.class_model import build_class_model
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.greedy import greedy_by_class
from matcher.solver.locks import check_locks
from matcher.solver.network import build_network
from matcher.solver.solve import EXPLANATION_MAX_SHARE, HAND_BACK_SHARE, explanation_reserve, solve_document
from matcher.solver.tiers import optimise_lexicographically
from matcher.validation import load_instance

FAST = SolveOptions(time_limit=20, workers=2)


def stated_optima() -> dict[str, tuple[int, ...]]:
    """The optimum column of the examples' README: '| tiny-s1 | 6 / 6 | 3, 4, 250, 50 |'."""
    table = (EXAMPLES / "README.md").read_text()
    rows = re.findall(r"^\|\s*([\w-]+)\s*\|[^|]*\|\s*(-?\d+(?:,\s*-?\d+)*)\s*\|\s*$", table, flags=re.MULTILINE)
    return {name: tuple(int(v) for v in values.split(",")) for name, values in rows}


def checked(data: dict[str, Any], proposal: Proposal) -> Proposal:
    report = check_proposal(load_instance(data), json.loads(proposal.to_json()))
    assert report.ok, [str(v) for v in report.violations]
    return proposal


@pytest.mark.parametrize("name", example_names())
def test_shared_examples_reach_their_proven_optimum(name: str) -> None:
    data, reference = load_example(name)
    proposal = checked(data, solve_proposal(load_instance(data), FAST))
    assert proposal.status == "optimal"
    assert tuple(o.value for o in proposal.objectives) == stated_optima()[name]
    assert [o.value for o in proposal.objectives] == [o["value"] for o in reference["objectives"]]


def test_locks_are_kept_and_forbidden_pairs_avoided() -> None:
    data = instance([household("h1", waiting_since=LONG_AGO), household("h2")], [dwelling("d1"), dwelling("d2")],
                    locks=[{"household": "h2", "dwelling": "d1"}], forbidden=[{"household": "h1", "dwelling": "d2"}])
    proposal = checked(data, solve_proposal(load_instance(data), FAST))
    pairs = {(a.household, a.dwelling) for a in proposal.assignments}
    assert pairs == {("h2", "d1")}
    assert [u.household for u in proposal.unassigned] == ["h1"]


def test_an_incompatible_lock_makes_the_instance_invalid_and_names_the_rule() -> None:
    data = instance([household("h1", ages=[30, 31, 5, 6, 7])], [dwelling("d1", max_occupants=2)],
                    locks=[{"household": "h1", "dwelling": "d1"}])
    proposal = solve_proposal(load_instance(data), FAST)
    assert proposal.status == "invalid" and not proposal.assignments and not proposal.municipalities
    assert any("locks[0]" in e and "max_occupants" in e for e in proposal.errors or [])


def test_locks_that_fill_one_school_together_are_named() -> None:
    families = [household(f"h{i}", ages=[35, 6, 8]) for i in range(3)]
    dwellings = [dwelling(f"d{i}", bedrooms=2, max_occupants=4) for i in range(3)]
    locks = [{"household": f"h{i}", "dwelling": f"d{i}"} for i in range(3)]
    data = instance(families, dwellings, schools=[school("p1", seats=5)], locks=locks)
    proposal = solve_proposal(load_instance(data), FAST)
    assert proposal.status == "invalid"
    assert len(proposal.errors or []) == 1 and "school seats" in proposal.errors[0]
    named = set(re.findall(r"locks\[(\d)\]", proposal.errors[0]))
    assert len(named) >= 2  # at least two of the three locks are needed to overfill five seats


def test_two_locks_on_one_dwelling_break_its_capacity() -> None:
    data = instance([household("h1"), household("h2")], [dwelling("d1")],
                    locks=[{"household": "h1", "dwelling": "d1"}, {"household": "h2", "dwelling": "d1"}])
    proposal = solve_proposal(load_instance(data), FAST)
    assert proposal.status == "invalid" and "dwelling capacity" in " ".join(proposal.errors or [])


def test_invalid_document_becomes_an_invalid_proposal_with_every_problem() -> None:
    data = instance([household("h1")], [dwelling("d1", municipality="GM9999")],
                    locks=[{"household": "nobody", "dwelling": "d1"}])
    proposal = solve_document(data, FAST)
    assert proposal.status == "invalid" and proposal.instance == "test"
    assert any("GM9999" in e for e in proposal.errors or []) and any("nobody" in e for e in proposal.errors or [])


def test_empty_instance_is_optimal_with_nothing_placed() -> None:
    data = instance([], [])
    proposal = checked(data, solve_proposal(load_instance(data), FAST))
    assert proposal.status == "optimal" and proposal.assignments == [] and len(proposal.municipalities) == 1


def test_nobody_fits_every_household_is_unassigned_with_a_reason() -> None:
    data = instance([household("h1", ages=[30, 30, 3, 4, 5, 6]), household("h2", needs_accessible=True)],
                    [dwelling("d1", max_occupants=2, accessible=False)])
    proposal = checked(data, solve_proposal(load_instance(data), FAST))
    assert proposal.assignments == [] and all(u.reasons for u in proposal.unassigned)
    assert proposal.status == "optimal"


def test_greedy_method_gives_a_feasible_proposal_no_better_than_cpsat() -> None:
    data, _ = load_example("u16-week-s1")
    greedy = checked(data, solve_proposal(load_instance(data), SolveOptions(method="greedy")))
    optimal = solve_proposal(load_instance(data), FAST)
    key = [(o.value if o.name != "max_shortfall_permille" else -o.value) for o in greedy.objectives]
    best = [(o.value if o.name != "max_shortfall_permille" else -o.value) for o in optimal.objectives]
    assert key <= best


def test_deterministic_solves_are_byte_identical_apart_from_timings() -> None:
    data, _ = load_example("u16-week-s2")
    options = SolveOptions(time_limit=10, workers=2, seed=7, deterministic=True)
    first, second = (solve_proposal(load_instance(data), options) for _ in range(2))
    strip = {"stats"}
    assert first.model_dump_json(exclude=strip) == second.model_dump_json(exclude=strip)
    assert first.stats["options"]["seed"] == 7 and first.stats["tiers"]


def test_stopping_a_solve_returns_the_best_proposal_so_far() -> None:
    data, _ = load_example("u16-week-s1")
    control = SolveControl()
    control.stop()  # stopped before it starts: every tier keeps the greedy warm start
    proposal = checked(data, solve_proposal(load_instance(data), FAST, control))
    assert proposal.status == "feasible"
    assert all(t["status"] == "not_solved" for t in proposal.stats["tiers"])


def test_progress_and_interim_proposals_are_reported() -> None:
    data, _ = load_example("u16-week-s1")
    interim: list[Proposal] = []
    events: list[Any] = []
    lock = threading.Lock()

    def keep(event: Any) -> None:
        with lock:
            events.append(event)

    control = SolveControl(on_progress=keep, on_proposal=interim.append)
    solve_proposal(load_instance(data), FAST, control)
    assert len(interim) == 3  # one per tier but the last: the final proposal follows it at once
    assert {e.tier for e in events} <= {"overdue_housed", "persons_housed", "max_shortfall_permille", "quality"}


def test_the_explanations_keep_a_share_of_the_time_limit_that_grows_with_the_pairs_and_is_capped() -> None:
    hand_back = HAND_BACK_SHARE * 60
    assert hand_back < explanation_reserve(100_000, 60) < hand_back + 0.1  # a region's backlog: the hand-back
    assert explanation_reserve(63_000_000, 120) == pytest.approx(22 + HAND_BACK_SHARE * 120, abs=1)  # national
    assert explanation_reserve(10**9, 120) == pytest.approx((EXPLANATION_MAX_SHARE + HAND_BACK_SHARE) * 120)
    assert explanation_reserve(100_000, 60, households=600) == pytest.approx(0.3 + hand_back)  # the floor


def test_tiers_leave_the_reserved_seconds_unused() -> None:
    """With the whole time limit reserved, no tier searches: each keeps the warm start's value."""
    data, _ = load_example(example_names()[0])
    facts = derive_facts(load_instance(data))
    network = build_network(facts, household_classes(facts), dwelling_classes(facts))
    start = greedy_by_class(facts, network, check_locks(facts).placements)
    objectives = list(facts.instance.policy.objectives)
    options = SolveOptions(time_limit=30, workers=2)
    _, tiers = optimise_lexicographically(build_class_model(facts, network), objectives, start, options,
                                          SolveControl(), Budget.of(options, time.monotonic(), reserve=30))
    assert [tier.status for tier in tiers] == ["not_solved"] * len(objectives)
    assert all(tier.time_limit == 0 for tier in tiers)


def test_solve_returns_the_solution_behind_the_proposal_and_reports_every_phase_as_it_ends() -> None:
    data, _ = load_example("u16-week-s1")
    ended: list[Phase] = []
    result = solve(load_instance(data), FAST, SolveControl(on_phase=ended.append))
    facts = derive_facts(load_instance(data))
    assert {(facts.households.ids[p.household], facts.dwellings.ids[p.dwelling]) for p in result.solution} == \
        {(a.household, a.dwelling) for a in result.proposal.assignments}
    objectives = list(load_instance(data).policy.objectives)
    assert [tier.name for tier in result.tiers] == objectives
    names = [phase.name for phase in ended]
    assert names == ["facts", "pairs", "locks", "network", "greedy", "build",
                     *(f"tier:{name}" for name in objectives), "tiers", "explain"]
    assert ended[names.index("build")].figures["variables"] == result.stats["variables"]
    assert [phase.figures["tier"]["value"] for phase in ended if phase.name.startswith("tier:")] == \
        [tier.value for tier in result.tiers]
    assert set(result.phases) == {f"{name}_seconds" for name in names if not name.startswith("tier:")}


def test_greedy_method_claims_optimality_only_where_its_bound_is_reached() -> None:
    """The greedy's bounds come from the class model without search: never beyond the proven optimum."""
    data, _ = load_example("u16-week-s1")
    greedy = solve(load_instance(data), SolveOptions(method="greedy"))
    optimal = solve(load_instance(data), FAST)
    assert greedy.proposal.stats["tiers"] and all(tier.seconds == 0.0 for tier in greedy.tiers)
    for mine, best in zip(greedy.tiers, optimal.tiers, strict=True):
        assert best.status == "optimal"
        if mine.name == "max_shortfall_permille":
            assert mine.bound <= best.value <= mine.value
        else:
            assert mine.bound >= best.value >= mine.value
        assert (mine.status == "optimal") == (mine.bound == mine.value)


def test_a_better_start_offered_is_taken_and_a_worse_one_is_not() -> None:
    data, _ = load_example("u16-week-s1")
    optimal = solve(load_instance(data), FAST)
    stopped = SolveControl()
    stopped.stop()  # no tier searches: the proposal is the start solve() chose
    offered = solve(load_instance(data), FAST, stopped, start=optimal.solution)
    assert [t.value for t in offered.tiers] == [t.value for t in optimal.tiers]
    stopped_again = SolveControl()
    stopped_again.stop()
    nothing = solve(load_instance(data), FAST, stopped_again, start=[])
    greedy = solve(load_instance(data), SolveOptions(method="greedy"))
    assert [t.value for t in nothing.tiers] == [t.value for t in greedy.tiers]
