"""Why not: one hand-made case per rule that can forbid a pair, each named correctly with its real numbers;
the cost of forcing a possible pair; and the command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from builders import LONG_AGO, dwelling, household, instance, municipality, near, school
from conftest import EXAMPLES
from matcher.accountability.baseline import Baseline, QuestionInvalid, load_baseline
from matcher.accountability.forcing import Forced, ObjectiveChange
from matcher.accountability.obstacles import pair_obstacles
from matcher.accountability.why_not import why_not
from matcher.cli import why_not as why_not_cli
from matcher.format import Assignment, Lock, Proposal
from matcher.solver import SolveOptions
from matcher.solver.locks import check_locks
from matcher.validation import load_instance
from test_explain import ENGLISH_PHRASES

FAST = SolveOptions(time_limit=5.0, workers=1, deterministic=True)


def baseline(document: dict[str, Any], assignments: list[tuple[str, str]] | None = None,
             schools: dict[str, dict[str, str]] | None = None) -> Baseline:
    """A baseline from a hand-made instance and a hand-written list of (household, dwelling)."""
    proposal = Proposal(instance=document["id"], status="optimal",
                        assignments=[Assignment(household=h, dwelling=d, schools=(schools or {}).get(h, {}))
                                     for h, d in assignments or []])
    return load_baseline(load_instance(document), proposal)


def names(document: dict[str, Any], h: str = "h1", d: str = "d1") -> list[tuple[str, str]]:
    """The (rule, name) of every obstacle why-not reports for the pair."""
    answer = why_not(baseline(document), h, d, FAST)
    assert answer.verdict == "impossible"
    return [(o.rule, o.name) for o in answer.obstacles]


def text(document: dict[str, Any], h: str = "h1", d: str = "d1") -> str:
    """The answer in English; every rule's case passes here, so here each is also checked in Dutch: worded from
    the same statements, with no English phrase in it and the same numbers."""
    answer = why_not(baseline(document), h, d, FAST)
    for english, dutch in zip(answer.lines, answer.words("nl"), strict=True):
        assert dutch != english and not [phrase for phrase in ENGLISH_PHRASES if phrase in f" {dutch} "], dutch
        assert set(re.findall(r"\d+", dutch)) == set(re.findall(r"\d+", english)), (dutch, english)
    return "\n".join(answer.lines)


# --- one case per rule ---------------------------------------------------------------------------------------


def test_rule_1_dwelling_available_only_after_the_period() -> None:
    doc = instance([household("h1")], [dwelling("d1", available_from="2026-12-01")])
    assert names(doc) == [("rule 1", "dwelling_unavailable")]
    assert "available only from 2026-12-01, after the period ends (2026-11-15)" in text(doc)


def test_rule_1_household_available_only_after_the_period() -> None:
    doc = instance([household("h1", available_from="2026-11-20")], [dwelling("d1")])
    assert names(doc) == [("rule 1", "household_unavailable")]
    assert "2026-11-20" in text(doc)


def test_rule_2_too_many_persons_counts_expected_members() -> None:
    doc = instance([household("h1", ages=[40, 38, 10, 8], expected_members=2)],
                   [dwelling("d1", bedrooms=3, max_occupants=5)], schools=[school("s1")])
    assert names(doc) == [("rule 2", "max_occupants")]
    assert "6 persons incl. 2 expected family member(s); the dwelling takes at most 5" in text(doc)


def test_rule_2_too_many_bedrooms_for_the_need() -> None:
    doc = instance([household("h1", ages=[30])], [dwelling("d1", bedrooms=3, max_occupants=6)])
    assert names(doc) == [("rule 2", "too_many_bedrooms")]
    assert "needs 1 bedroom(s)" in text(doc) and "the dwelling has 3, more than 1 above that need" in text(doc)


def test_rule_2_shared_dwelling_only_for_willing_singles() -> None:
    doc = instance([household("h1", ages=[30, 28])], [dwelling("d1", shared_places=3)])
    assert names(doc) == [("rule 2", "shared")]
    assert "the household has 2 persons and is not willing to share" in text(doc)


def test_rule_3_rent_above_the_maximum() -> None:
    doc = instance([household("h1", max_rent=550)], [dwelling("d1", rent=612.5)])
    assert names(doc) == [("rule 3", "rent")]
    assert "the rent is EUR 612.50; the household can afford at most EUR 550.00" in text(doc)


def test_rule_4_step_free_home_needed() -> None:
    doc = instance([household("h1", needs_accessible=True)], [dwelling("d1")])
    assert names(doc) == [("rule 4", "accessible")]


def test_rule_5_required_tie_elsewhere() -> None:
    doc = instance([household("h1", ties=[{"municipality": "GM0307", "kind": "work", "required": True}])],
                   [dwelling("d1")], [municipality("GM0344"), municipality("GM0307")])
    assert names(doc) == [("rule 5", "required_tie")]
    assert "must live in GM0307 (required tie); the dwelling is in GM0344" in text(doc)


def test_rule_6_declined_pair() -> None:
    doc = instance([household("h1")], [dwelling("d1")], forbidden=[{"household": "h1", "dwelling": "d1"}])
    assert names(doc) == [("rule 6", "forbidden")]


def test_municipality_cap_with_its_numbers() -> None:
    doc = instance([household("h1", ages=[30, 28, 5, 3])], [dwelling("d1", bedrooms=2, max_occupants=4)],
                   [municipality("GM0344", target=20, housed=19)], schools=[school("s1")])
    assert names(doc) == [("municipality cap", "municipality_cap")]
    assert "room for 3 more person(s) this half-year (target 20 + 10% allows 22, 19 already housed); " \
           "the household has 4 persons" in text(doc)


def test_group_cap_used_up() -> None:
    doc = instance([household("h1")], [dwelling("d1", groups=["g1"])],
                   groups=[{"id": "g1", "kind": "complex", "units": 10, "status_holder_units": 5}])
    assert names(doc) == [("group cap", "group_cap")]
    assert "group g1 (complex): at most 50% of its 10 dwellings may house status holders and 5 already do" \
           in text(doc)


def test_no_school_in_range() -> None:
    doc = instance([household("h1", ages=[35, 7])], [dwelling("d1")], schools=[school("s1", location=near(8.0))])
    assert names(doc) == [("school seats", "school_primary")]
    assert "1 child aged 4-11; no primary school within 5 km of the dwelling has 1 free seat" in text(doc)
    assert "the nearest, s1, is 8.0 km away" in text(doc)


def test_school_in_range_without_enough_seats() -> None:
    doc = instance([household("h1", ages=[35, 14, 13])], [dwelling("d1", bedrooms=2, max_occupants=3)],
                   schools=[school("s2", kind="secondary", seats=1, location=near(2.0))])
    assert names(doc) == [("school seats", "school_secondary")]
    assert "2 children aged 12-17" in text(doc) and "in range: s2 2.0 km, 1 free" in text(doc)


def test_household_already_accepted_another_dwelling() -> None:
    doc = instance([household("h1")], [dwelling("d1"), dwelling("d2")], locks=[{"household": "h1", "dwelling": "d2"}])
    assert why_not(baseline(doc, [("h1", "d2")]), "h1", "d1", FAST).obstacles[0].name == "household_locked"
    assert "already accepted dwelling d2" in "\n".join(why_not(baseline(doc, [("h1", "d2")]), "h1", "d1", FAST).lines)


def test_dwelling_already_accepted_by_another_household() -> None:
    doc = instance([household("h1"), household("h2")], [dwelling("d1")], locks=[{"household": "h2", "dwelling": "d1"}])
    answer = why_not(baseline(doc, [("h2", "d1")]), "h1", "d1", FAST)
    assert [(o.rule, o.name) for o in answer.obstacles] == [("lock", "dwelling_locked")]
    assert "the dwelling has already been accepted by h2" in answer.obstacles[0].text


def test_locks_that_leave_too_little_room_together() -> None:
    doc = instance([household("h1", ages=[30, 28]), household("h2", ages=[40, 39])],
                   [dwelling("d1"), dwelling("d2")], [municipality("GM0344", target=3, housed=0)],
                   locks=[{"household": "h2", "dwelling": "d2"}])
    answer = why_not(baseline(doc, [("h2", "d2")]), "h1", "d1", FAST)
    assert [(o.rule, o.name) for o in answer.obstacles] == [("lock", "locks_together")]
    assert "this pair" in answer.obstacles[0].text and "municipality cap" in answer.obstacles[0].text


def test_every_rule_that_holds_is_named_not_only_the_first() -> None:
    doc = instance([household("h1", ages=[30, 28, 2], max_rent=500, needs_accessible=True)],
                   [dwelling("d1", max_occupants=2, rent=700, available_from="2027-01-01")],
                   forbidden=[{"household": "h1", "dwelling": "d1"}])
    assert names(doc) == [("rule 1", "dwelling_unavailable"), ("rule 2", "max_occupants"), ("rule 3", "rent"),
                          ("rule 4", "accessible"), ("rule 6", "forbidden")]


def test_obstacles_agree_with_the_solver_lock_check_on_pairs_of_an_example() -> None:
    """No obstacle exactly when the pair, locked alone, is a valid lock (the solver's own definition)."""
    document = json.loads((EXAMPLES / "u16-week-s1.json").read_text())
    document["locks"] = []
    facts = baseline(document).facts
    for h in range(0, len(facts.households), 3):
        for d in range(len(facts.dwellings)):
            lock = Lock(household=facts.households.ids[h], dwelling=facts.dwellings.ids[d])
            locked = dataclasses.replace(facts, instance=facts.instance.model_copy(update={"locks": [lock]}))
            assert (not pair_obstacles(facts, h, d)) == check_locks(locked).ok, (lock.household, lock.dwelling)


# --- possible pairs: what forcing costs ----------------------------------------------------------------------


def test_forcing_names_the_objective_that_gets_worse_and_who_loses_the_place() -> None:
    doc = instance([household("h1", waiting_since=LONG_AGO), household("h2")], [dwelling("d1")])
    answer = why_not(baseline(doc, [("h1", "d1")]), "h2", "d1", FAST)
    assert answer.verdict == "possible" and answer.forced is not None
    assert answer.forced.deciding is not None and answer.forced.deciding.name == "overdue_housed"
    assert [(c.name, c.before, c.after) for c in answer.forced.changes][:2] == [("overdue_housed", 1, 0),
                                                                                 ("persons_housed", 1, 1)]
    assert answer.forced.lost == ["h1"] and answer.forced.moved == []
    assert "1 overdue household fewer would be housed" in "\n".join(answer.lines)
    assert "Would lose their place: h1 (1 person, overdue" in "\n".join(answer.lines)


def test_forcing_moves_the_occupant_to_an_equally_good_dwelling_instead_of_dropping_it() -> None:
    doc = instance([household("h1"), household("h2", ages=[30, 4])], [dwelling("d1"), dwelling("d2")],
                   schools=[school("s1")])
    base = baseline(doc, [("h1", "d1"), ("h2", "d2")], schools={"h2": {"primary": "s1"}})
    answer = why_not(base, "h1", "d2", FAST)
    forced = answer.forced
    assert forced is not None and forced.lost == [] and forced.previous == "d1"
    assert [(m.household, m.before, m.after) for m in forced.moved] == [("h2", "d2", "d1")]
    assert all(change.worse_by == 0 for change in forced.changes)
    assert "changes no objective" in answer.lines[1]


def test_a_pair_already_in_the_proposal() -> None:
    doc = instance([household("h1")], [dwelling("d1")])
    answer = why_not(baseline(doc, [("h1", "d1")]), "h1", "d1", FAST)
    assert answer.verdict == "in_proposal" and "gets d1" in answer.lines[0]


def test_unknown_ids_are_named() -> None:
    base = baseline(instance([household("h1")], [dwelling("d1")]))
    with pytest.raises(QuestionInvalid, match='household "h9" is not in instance test'):
        why_not(base, "h9", "d1", FAST)
    with pytest.raises(QuestionInvalid, match='dwelling "d9" is not in instance test'):
        why_not(base, "h1", "d9", FAST)


def test_a_proposal_that_breaks_a_rule_is_refused() -> None:
    doc = instance([household("h1", max_rent=100)], [dwelling("d1")])
    with pytest.raises(QuestionInvalid, match="the proposal breaks a rule"):
        baseline(doc, [("h1", "d1")])


# --- command line --------------------------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="matcher")
    why_not_cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["why-not", *argv])
    return int(args.func(args))


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data.to_json() if isinstance(data, Proposal) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_cli_answers_in_words_and_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = instance([household("h1", waiting_since=LONG_AGO), household("h2", max_rent=500)],
                   [dwelling("d1", rent=450), dwelling("d2", rent=650)])
    base = baseline(doc, [("h1", "d1")])
    paths = write(tmp_path, "i.json", doc), write(tmp_path, "p.json", base.proposal)
    fast = ("--time-limit", "5", "--workers", "1", "--deterministic")
    assert run_cli(*paths, "--household", "h2", "--dwelling", "d2", "--language", "en", *fast) == 0
    assert "rule 3 (rent): the rent is EUR 650.00" in capsys.readouterr().out
    assert run_cli(*paths, "--household", "h2", "--dwelling", "d2", *fast) == 0  # Dutch by default
    assert "regel 3 (huur): de huur is € 650,00" in capsys.readouterr().out
    assert run_cli(*paths, "--household", "h2", "--dwelling", "d1", "--json", *fast) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["language"] == "nl" and answer["answer"][0].startswith("h2 (1 persoon, ")
    assert [statement["code"] for statement in answer["statements"]][:2] == ["possible", "cost_better"]  # h2 placed too
    assert answer["verdict"] == "possible" and answer["forced"]["lost"] == []
    assert answer["forced"]["moved"] == [{"household": "h1", "from": "d1", "to": "d2"}]
    assert [(a["household"], a["dwelling"]) for a in answer["forced_proposal"]["assignments"]] == [("h1", "d2"),
                                                                                                     ("h2", "d1")]


def test_cli_bad_input_exits_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = instance([household("h1")], [dwelling("d1")])
    paths = write(tmp_path, "i.json", doc), write(tmp_path, "p.json", baseline(doc).proposal)
    assert run_cli(*paths, "--household", "nobody", "--dwelling", "d1") == 2
    err = capsys.readouterr().err
    assert 'household "nobody" is not in instance test' in err and "Traceback" not in err
    broken = {"format": "matcher.proposal/1", "instance": "test", "status": "optimal",
              "assignments": [{"household": 3}]}
    assert run_cli(paths[0], write(tmp_path, "bad.json", broken), "--household", "h1", "--dwelling", "d1") == 2
    assert "proposal: assignments[0]" in capsys.readouterr().err


def test_the_cost_is_proven_when_every_tier_up_to_the_deciding_one_is_even_if_later_ones_are_not() -> None:
    def forced(statuses: list[str], changes: list[ObjectiveChange]) -> Forced:
        names = [change.name for change in changes]
        tiers = [{"name": name, "status": status} for name, status in zip(names, statuses, strict=True)]
        proposal = Proposal(instance="i", status="optimal" if set(statuses) == {"optimal"} else "feasible",
                            stats={"tiers": tiers})
        return Forced("h", "d", None, proposal, {}, changes, [], [], [], resolved=True)

    first_worse = [ObjectiveChange("overdue_housed", 5, 4), ObjectiveChange("quality", 10, 10)]
    assert forced(["optimal", "feasible"], first_worse).cost_proven
    last_worse = [ObjectiveChange("overdue_housed", 5, 5), ObjectiveChange("quality", 10, 8)]
    assert not forced(["optimal", "feasible"], last_worse).cost_proven
    assert forced(["optimal", "optimal"], last_worse).cost_proven
    nothing = [ObjectiveChange("overdue_housed", 5, 5), ObjectiveChange("quality", 10, 10)]
    assert not forced(["optimal", "feasible"], nothing).cost_proven
