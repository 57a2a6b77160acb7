"""Answers as statements: every path of why-not and recommend claims only what is proven, in Dutch and English
from the same statements, and a question's re-solves never get more time than the question has left.

The proof paths are forced by constructing the ``Forced`` record (tier statuses and bounds as a re-solve would
report them), so nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

import pytest

from builders import LONG_AGO, dwelling, household, instance
from matcher.accountability import forcing, statements
from matcher.accountability.baseline import Baseline, load_baseline
from matcher.accountability.forcing import Forced, ObjectiveChange, question_budget
from matcher.accountability.recommend import order_proven, recommend_dwellings
from matcher.accountability.why_not import why_not
from matcher.api import questions
from matcher.explain.words import questions_en, questions_nl
from matcher.explain.words.answers import answer_lines, statement_text
from matcher.format import Proposal
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance
from test_explain import ENGLISH_PHRASES

FAST = SolveOptions(time_limit=5.0, workers=1, deterministic=True)
OBJECTIVES = ["overdue_housed", "persons_housed", "max_shortfall_permille", "quality"]


def solved(document: dict[str, Any]) -> Baseline:
    inst = load_instance(document)
    return load_baseline(inst, solve_proposal(inst, FAST))


def forced(tiers: list[tuple[str, int]], changes: list[ObjectiveChange]) -> Forced:
    """A re-solve's outcome as it would report it: per objective (``changes``: before and after) its status and
    proven bound."""
    stats = [{"name": change.name, "status": status, "value": change.after, "bound": bound}
             for (status, bound), change in zip(tiers, changes, strict=True)]
    status = "optimal" if all(tier[0] == "optimal" for tier in tiers) else "feasible"
    proposal = Proposal(instance="i", status=status, stats={"tiers": stats})
    return Forced("h1", "d1", None, proposal, {c.name: c.after for c in changes}, changes, [], [], [], resolved=True)


def said(statement_list: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The statements in both languages, checked as every answer must read: the Dutch has no English phrase in
    it and states the same numbers."""
    assert json.loads(json.dumps(statement_list)) == statement_list  # plain JSON
    english, dutch = answer_lines(statement_list, "en"), answer_lines(statement_list, "nl")
    for en_line, nl_line in zip(english, dutch, strict=True):
        assert nl_line and nl_line != en_line
        assert not [phrase for phrase in ENGLISH_PHRASES if phrase in f" {nl_line} "], nl_line
        assert set(re.findall(r"\d+", nl_line)) == set(re.findall(r"\d+", en_line)), (nl_line, en_line)
    return english, dutch


# --- why-not: what is proven of the cost ---------------------------------------------------------------------

WORSE_OVERDUE = [ObjectiveChange("overdue_housed", 5, 4), ObjectiveChange("quality", 100, 90)]
WORSE_QUALITY = [ObjectiveChange("overdue_housed", 5, 5), ObjectiveChange("quality", 100, 90)]


def test_a_cost_proven_on_every_objective_says_so() -> None:
    found = forced([("optimal", 4), ("optimal", 90)], WORSE_OVERDUE)
    parts = statements.cost(found)
    assert [part["code"] for part in parts] == ["cost_proven", "proof_all"]
    english, dutch = said(parts)
    assert "1 overdue household fewer would be housed" in english[0] and "proven optimal" in english[1]
    assert "1 huishouden over de termijn minder gehuisvest" in dutch[0] and "bewezen" in dutch[1]


def test_a_cost_proven_up_to_the_deciding_objective_says_who_moves_is_only_what_was_found() -> None:
    found = forced([("optimal", 4), ("feasible", 95)], WORSE_OVERDUE)
    assert [part["code"] for part in statements.cost(found)] == ["cost_proven", "proof_cost"]
    english, _ = said(statements.cost(found))
    assert "this cost is proven" in english[1] and "who would move is what was found" in english[1]


def test_a_cost_proven_only_in_part_states_the_proven_least_and_that_the_figure_is_not_proven() -> None:
    found = forced([("optimal", 5), ("feasible", 97)], WORSE_QUALITY)  # quality at most 97: 3 worse at least
    parts = statements.cost(found)
    assert [part["code"] for part in parts] == ["cost_at_least", "found_worse"] and parts[0]["least"] == 3
    english, dutch = said(parts)
    assert "worse by at least 3 (proven)" in english[0] and "exact figure was not proven" in english[0]
    assert "minstens 3" in dutch[0] and "niet bewezen" in dutch[0]
    assert "what was found" in english[1]


def test_a_cost_nothing_proves_says_plainly_that_it_could_be_nothing() -> None:
    found = forced([("feasible", 6), ("feasible", 120)], WORSE_QUALITY)  # overdue could still rise
    parts = statements.cost(found)
    assert [part["code"] for part in parts] == ["cost_unproven"]
    english, dutch = said(parts)
    assert "was not proven within the time limit" in english[0] and "or nothing" in english[0]
    assert "niet bewezen" in dutch[0] and "of niets" in dutch[0]


def test_no_cost_and_a_better_proposal_are_proven_by_the_proposal_found() -> None:
    same = [ObjectiveChange("overdue_housed", 5, 5), ObjectiveChange("quality", 100, 100)]
    assert [p["code"] for p in statements.cost(forced([("feasible", 6), ("feasible", 120)], same))] == \
        ["cost_none"]
    better = [ObjectiveChange("overdue_housed", 5, 6), ObjectiveChange("quality", 100, 90)]
    parts = statements.cost(forced([("feasible", 7), ("feasible", 120)], better))
    assert [p["code"] for p in parts] == ["cost_better"]
    english, _ = said(parts)
    assert "was not proven optimal" in english[0]


def test_every_why_not_verdict_in_both_languages() -> None:
    doc = instance([household("h1", waiting_since=LONG_AGO), household("h2"), household("h3", max_rent=500)],
                   [dwelling("d1"), dwelling("d2", rent=650)])
    base = solved(doc)
    where = {base.facts.households.ids[p.household]: base.facts.dwellings.ids[p.dwelling] for p in base.solution}
    placed = where["h1"]
    other = "d2" if placed == "d1" else "d1"
    answers = {"in_proposal": why_not(base, "h1", placed, FAST), "impossible": why_not(base, "h3", "d2", FAST),
               "possible": why_not(base, "h1", other, FAST)}
    for verdict, answer in answers.items():
        assert answer.verdict == verdict
        english, dutch = said(answer.statements)
        assert english == answer.lines and dutch == answer.words("nl")
    assert "- regel 3 (huur): de huur is € 650,00; het huishouden kan hooguit € 500,00 betalen" in \
        answers["impossible"].words("nl")
    assert answers["possible"].as_dict("nl")["answer"][0].startswith("h1 (1 persoon, over de termijn")


def test_both_languages_know_the_same_statements_and_obstacles() -> None:
    assert set(questions_en.STATEMENTS) == set(questions_nl.STATEMENTS)
    assert statement_text({"code": "newer:kind"}, "nl") == "newer:kind"
    unknown = {"code": "obstacle", "rule": "rule 9", "name": "newer", "text": "a rule of a later version"}
    assert statement_text(unknown, "nl") == "- regel 9 (newer): deze koppeling is niet toegestaan"


# --- recommend: what the order proves ------------------------------------------------------------------------


def option(status: str, value: int, bound: int) -> Forced:
    """A recommend option deciding on quality alone (higher is better)."""
    return forced([(status, bound)], [ObjectiveChange("quality", 100, value)])


class _Baseline:
    objectives = ["quality"]
    proposal = Proposal(instance="i", status="feasible")  # nothing known of the unforced problem


def test_an_order_is_proven_only_where_the_option_reaches_what_no_later_pair_can_beat() -> None:
    base: Any = _Baseline()
    assert order_proven(base, [option("optimal", 90, 90), option("feasible", 80, 85)]) == [True, True]
    assert order_proven(base, [option("feasible", 90, 95), option("feasible", 85, 90)]) == [True, True]  # 90 >= 90
    assert order_proven(base, [option("feasible", 90, 95), option("feasible", 85, 91)]) == [False, True]
    # the third is beaten for sure, but the second could still reach 91, above the first's 90
    assert order_proven(base, [option("optimal", 90, 90), option("feasible", 85, 91), option("optimal", 80, 80)]) \
        == [False, True, True]
    # a proposal proven optimal bounds every forced one: an option that reaches its value is proven first
    base.proposal = forced([("optimal", 90)], [ObjectiveChange("quality", 90, 90)]).proposal
    assert order_proven(base, [option("optimal", 90, 90), option("feasible", 85, 91)]) == [True, True]


def test_a_recommendation_says_where_its_order_and_costs_are_not_proven_and_names_pairs_not_re_solved() -> None:
    doc = instance([household("h1"), household("h2", max_rent=650)],
                   [dwelling("d1"), dwelling("d2"), dwelling("d3", rent=700)])
    base = solved(doc)
    options = SolveOptions(time_limit=5.0, workers=1)
    spent = question_budget(options, started=time.monotonic() - 10.0)  # no time left: nothing re-solved
    result = recommend_dwellings(base, "h2", options=options, budget=spent)
    codes = [part["code"] for part in result.statements]
    assert codes[:2] == ["best_dwellings", "this_proposal"] and codes[-2:] == ["blocked", "unanswered"]
    english, dutch = said(result.statements)
    assert "any of them could rank above the options listed" in english[-1]
    assert "kan hoger uitkomen" in dutch[-1]
    assert "The order is proven" in english[codes.index("ranking")]  # one option: nothing ranked after it
    assert result.as_dict("nl")["answer"] == dutch and result.as_dict()["options"][0]["order_proven"]


# --- on time -------------------------------------------------------------------------------------------------


def test_a_re_solve_never_gets_more_than_what_is_left_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock check and the warm start before a re-solve come out of the question's time: the time limit the
    solve gets is cut, as it starts, to the question's deadline (they took 1-2 s on a region's backlog under
    load, and were added on top)."""
    base = solved(instance([household("h1", waiting_since=LONG_AGO), household("h2"), household("h3")],
                           [dwelling("d1"), dwelling("d2")]))
    calls: list[tuple[float, float]] = []
    real_solve, real_check = forcing.solve, forcing.check_locks
    lock_check_seconds = 0.3

    def slow_check(facts: Any) -> Any:
        time.sleep(lock_check_seconds)
        return real_check(facts)

    def recording_solve(inst: Any, options: SolveOptions, **rest: Any) -> Any:
        calls.append((time.monotonic(), options.time_limit))
        return real_solve(inst, options, **rest)

    monkeypatch.setattr(forcing, "check_locks", slow_check)
    monkeypatch.setattr(forcing, "solve", recording_solve)
    options = SolveOptions(time_limit=12.0, workers=1)  # recommend starts a re-solve only with 5 s for it
    unplaced = next(h for h in ("h1", "h2", "h3") if base.placement_of(base.facts.household_index[h]) is None)
    for ask in (lambda budget: why_not(base, unplaced, "d1", options, budget),
                lambda budget: recommend_dwellings(base, unplaced, options=options, budget=budget)):
        calls.clear()
        budget = question_budget(options)
        ask(budget)
        assert calls and all(at + limit <= budget.deadline + 0.05 for at, limit in calls), (calls, budget.deadline)


def test_a_re_solve_keeps_room_for_its_overrun_before_the_questions_deadline() -> None:
    options = SolveOptions(time_limit=100.0, workers=1)
    assert forcing.within(options, time.monotonic() + 40.0).time_limit <= 40.0 - forcing.OVERRUN_S
    assert forcing.within(options, time.monotonic() + 2.0).time_limit <= 2.0 * (1 - forcing.OVERRUN_SHARE)
    assert forcing.within(options, time.monotonic() - 1.0).time_limit == forcing.SHORTEST_RESOLVE_S
    assert forcing.within(dataclasses.replace(options, time_limit=3.0), time.monotonic() + 40.0).time_limit == 3.0
    fixed = dataclasses.replace(options, deterministic=True)
    assert forcing.within(fixed, time.monotonic() + 2.0) == fixed  # a deterministic question keeps its parts


def test_a_service_question_counts_from_when_its_process_took_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    base = solved(instance([household("h1")], [dwelling("d1"), dwelling("d2")]))
    seen: list[float] = []

    def recording(baseline: Baseline, household_id: str, dwelling_id: str, options: SolveOptions,
                  budget: Any) -> Any:
        seen.append(budget.started)
        return why_not(baseline, household_id, dwelling_id, options, budget)

    monkeypatch.setattr(questions, "why_not", recording)
    started = time.monotonic() - 2.0
    document = base.instance.model_dump(mode="json", exclude_none=True)
    proposal = base.proposal.model_dump(mode="json", exclude_none=True)
    body = questions.answer("why_not", document, proposal, {"household": "h1", "dwelling": "d2", "language": "nl"},
                            {"time_limit": 5.0, "workers": 1}, started)
    assert seen == [started] and body["language"] == "nl" and body["answer"] == answer_lines(body["statements"], "nl")
