"""Stable re-plans: previous pairs, kept_previous, the next instance from decisions, and `matcher replan`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from builders import LONG_AGO, dwelling, household, instance, municipality
from matcher.checker import check_proposal
from matcher.cli.main import main
from matcher.exceptions import InstanceInvalid
from matcher.format import REPLAN_OBJECTIVES, Proposal
from matcher.replan.decisions import DecisionsInvalid, read_decisions
from matcher.replan.next_instance import Decision, next_instance, with_kept_previous
from matcher.solver import SolveOptions, solve, solve_proposal
from matcher.validation import load_instance

WEEK = Path(__file__).resolve().parents[1] / "instances" / "u16-week.json"
OPTIONS = SolveOptions(time_limit=20, workers=1)


def pairs(proposal: Proposal | dict[str, Any]) -> set[tuple[str, str]]:
    data = proposal if isinstance(proposal, dict) else proposal.model_dump(mode="json")
    return {(a["household"], a["dwelling"]) for a in data["assignments"]}


def two_equal_dwellings(**extra: Any) -> dict[str, Any]:
    """Two look-alike households and dwellings: only `previous` tells which household gets which dwelling."""
    return instance([household("h1"), household("h2")], [dwelling("d1"), dwelling("d2")], **extra)


# --- the format: validation, checker ---------------------------------------------------------------------


def test_previous_pairs_name_existing_records_and_each_household_once() -> None:
    data = two_equal_dwellings(previous=[{"household": "h1", "dwelling": "d9"}, {"household": "hx", "dwelling": "d1"},
                                         {"household": "h2", "dwelling": "d1"}, {"household": "h2", "dwelling": "d2"}])
    with pytest.raises(InstanceInvalid) as caught:
        load_instance(data)
    shown = [str(problem) for problem in caught.value.problems]
    assert shown == ['previous[0] (id "h1 -> d9").dwelling: unknown dwelling "d9"',
                     'previous[1] (id "hx -> d1").household: unknown household "hx"',
                     'previous[3] (id "h2 -> d2").household: household "h2" already has a previous pair in previous[2]']


def test_a_forbidden_previous_pair_is_valid_and_simply_not_kept() -> None:
    data = two_equal_dwellings(previous=[{"household": "h1", "dwelling": "d1"}],
                               forbidden=[{"household": "h1", "dwelling": "d1", "reason": "too far"}],
                               policy={"objectives": list(REPLAN_OBJECTIVES)})
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert proposal.objective("kept_previous").value == 0 and pairs(proposal) == {("h1", "d2"), ("h2", "d1")}
    assert proposal.model_extra["moved"][0]["needed_by"] == "declined"


def test_look_alikes_keep_their_previous_dwellings_and_the_checker_recomputes_the_count() -> None:
    previous = [{"household": "h1", "dwelling": "d2"}, {"household": "h2", "dwelling": "d1"}]
    data = two_equal_dwellings(previous=previous, policy={"objectives": ["persons_housed", "kept_previous"]})
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert pairs(proposal) == {("h1", "d2"), ("h2", "d1")}
    assert proposal.status == "optimal" and proposal.objective("kept_previous").value == 2
    document = proposal.model_dump(mode="json", exclude_none=True)
    assert check_proposal(load_instance(data), document).ok
    document["assignments"][0]["dwelling"], document["assignments"][1]["dwelling"] = "d1", "d2"
    report = check_proposal(load_instance(data), document)
    assert [v.rule for v in report.violations] == ["objective_mismatch"]
    assert report.objectives["kept_previous"] == 0


def test_a_dwelling_named_by_two_previous_pairs_is_kept_for_one() -> None:
    previous = [{"household": "h1", "dwelling": "d1"}, {"household": "h2", "dwelling": "d1"}]
    data = two_equal_dwellings(previous=previous, policy={"objectives": ["kept_previous", "persons_housed"]})
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert proposal.objective("kept_previous").value == 1 and proposal.status == "optimal"
    assert check_proposal(load_instance(data), proposal.model_dump(mode="json", exclude_none=True)).ok


def test_a_moved_pair_says_which_objective_needed_it_and_who_took_the_dwelling() -> None:
    # d1 was proposed to h1; now the overdue h2 arrives and only d1 fits it (two bedrooms for three persons)
    data = instance([household("h1"), household("h2", ages=[30, 31, 40], waiting_since=LONG_AGO)],
                    [dwelling("d1", bedrooms=2, max_occupants=4), dwelling("d2")],
                    previous=[{"household": "h1", "dwelling": "d1"}], policy={"objectives": list(REPLAN_OBJECTIVES)})
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert pairs(proposal) == {("h1", "d2"), ("h2", "d1")}
    (move,) = proposal.model_extra["moved"]
    assert (move["household"], move["dwelling"], move["now"], move["taken_by"]) == ("h1", "d1", "d2", ["h2"])
    assert move["needed_by"] == "overdue_housed"
    assert "h2 (3 persons, overdue)" in move["reason"] and "1 overdue household fewer" in move["reason"]


# --- the next instance from decisions ---------------------------------------------------------------------


def test_kept_previous_goes_right_after_persons_housed() -> None:
    assert with_kept_previous(["overdue_housed", "persons_housed", "max_shortfall_permille", "quality"]) == list(
        REPLAN_OBJECTIVES)
    assert with_kept_previous(["quality", "overdue_housed"]) == ["quality", "overdue_housed", "kept_previous"]
    assert with_kept_previous(["quality"]) == ["kept_previous", "quality"]


def test_next_instance_locks_accepted_forbids_declined_and_keeps_the_rest_under_review() -> None:
    document = two_equal_dwellings()
    document["households"].append(household("h3"))
    document["dwellings"].append(dwelling("d3"))
    proposal = {"assignments": [{"household": "h1", "dwelling": "d1", "schools": {}},
                                {"household": "h2", "dwelling": "d2"}, {"household": "h3", "dwelling": "d3"}]}
    plan = next_instance(document, proposal, {("h1", "d1"): Decision(True), ("h2", "d2"): Decision(False, "stairs")})
    assert plan.document["locks"] == [{"household": "h1", "dwelling": "d1"}]
    assert plan.document["forbidden"] == [{"household": "h2", "dwelling": "d2", "reason": "stairs"}]
    assert plan.document["previous"] == [{"household": "h3", "dwelling": "d3"}]
    assert plan.document["policy"]["objectives"] == list(REPLAN_OBJECTIVES)
    assert "previous" not in document and load_instance(plan.document).previous[0].household == "h3"


# --- reading decisions and `matcher replan` end to end ---------------------------------------------------


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The sample week solved and exported: instance, proposal, workbook."""
    folder = tmp_path_factory.mktemp("week")
    proposal, workbook = folder / "proposal.json", folder / "proposal.xlsx"
    assert main(["solve", str(WEEK), "-o", str(proposal), "--time-limit", "20", "--workers", "1"]) == 0
    assert main(["export", str(proposal), "--instance", str(WEEK), "--xlsx", str(workbook)]) == 0
    return WEEK, proposal, workbook


def fill_in(workbook: Path, target: Path, answers: dict[int, tuple[str, str | None]]) -> list[tuple[str, str]]:
    """Write decisions into the given data rows of the assignments sheet; the rows' pairs, in order."""
    book = load_workbook(workbook)
    sheet = book["toewijzingen"]
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) + 1 for name in ("huishouden", "woning", "besluit", "reden")}
    decided = []
    for row, (decision, reason) in answers.items():
        sheet.cell(row, column["besluit"], decision)
        sheet.cell(row, column["reden"], reason)
        decided.append((sheet.cell(row, column["huishouden"]).value, sheet.cell(row, column["woning"]).value))
    book.save(target)
    return decided


def test_the_exported_workbook_has_a_decision_drop_down(week: tuple[Path, Path, Path]) -> None:
    sheet = load_workbook(week[2])["toewijzingen"]
    header = [cell.value for cell in sheet[1]]
    assert {"besluit", "reden"} <= set(header)
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"geaccepteerd,afgewezen"'
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("besluit")]
    assert str(validation.sqref) == f"{letter}2:{letter}{sheet.max_row}"


def test_replan_from_the_workbook_keeps_every_undecided_pair_it_can(week: tuple[Path, Path, Path],
                                                                    tmp_path: Path) -> None:
    instance_path, proposal_path, workbook = week
    filled = tmp_path / "decided.xlsx"
    (accepted, declined) = fill_in(workbook, filled, {2: ("geaccepteerd", None), 3: ("afgewezen", "te ver weg")})
    next_path, second_path = tmp_path / "next.json", tmp_path / "second.json"
    assert main(["replan", str(instance_path), str(proposal_path), str(filled), "-o", str(next_path)]) == 0
    document = json.loads(next_path.read_text())
    first = json.loads(proposal_path.read_text())
    before = json.loads(instance_path.read_text())
    assert [(lock["household"], lock["dwelling"]) for lock in document["locks"][len(before["locks"]):]] == [accepted]
    assert document["forbidden"][len(before.get("forbidden", [])):] == [
        {"household": declined[0], "dwelling": declined[1], "reason": "te ver weg"}]
    locked = {(lock["household"], lock["dwelling"]) for lock in document["locks"]}
    assert {(p["household"], p["dwelling"]) for p in document["previous"]} == pairs(first) - locked - {declined}
    assert document["policy"]["objectives"] == list(REPLAN_OBJECTIVES)

    assert main(["solve", str(next_path), "-o", str(second_path), "--time-limit", "20", "--workers", "1"]) == 0
    assert main(["check", str(next_path), str(second_path)]) == 0
    second = json.loads(second_path.read_text())
    fresh = {o["name"]: o["value"] for o in first["objectives"]}
    values = {o["name"]: o["value"] for o in second["objectives"]}
    assert second["status"] == "optimal"
    moved = {(m["household"], m["dwelling"]) for m in second["moved"]}
    assert moved == pairs(first) - pairs(second) - {declined}
    assert values["kept_previous"] == len(document["previous"]) - len(moved)
    assert len(moved) <= 2 and values["overdue_housed"] == fresh["overdue_housed"]
    assert all(m["reason"] and m["needed_by"] for m in second["moved"])


def test_decisions_from_csv_and_json_and_every_problem_named(tmp_path: Path) -> None:
    proposed = {("h1", "d1"), ("h2", "d2"), ("h3", "d3")}
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_text("huishouden;woning;besluit;reden\nh1;d1;geaccepteerd;\nh2;d2;afgewezen;trap\nh3;d3;;\n")
    assert read_decisions(csv_file, proposed) == {("h1", "d1"): Decision(True), ("h2", "d2"): Decision(False, "trap")}
    json_file = tmp_path / "decisions.json"
    json_file.write_text(json.dumps([{"household": "h1", "dwelling": "d1", "decision": "accepted"},
                                     {"household": "h9", "dwelling": "d1", "decision": "declined"},
                                     {"household": "h2", "dwelling": "d2", "decision": "maybe"},
                                     {"household": "h1", "dwelling": "d1", "decision": "declined"}, 7]))
    with pytest.raises(DecisionsInvalid) as caught:
        read_decisions(json_file, proposed)
    assert [str(p) for p in caught.value.problems] == [
        "[4]: must be an object {household, dwelling, decision, reason?}",
        '[1] (id "h9 -> d1"), columns household and dwelling: the proposal does not hold this pair',
        "[2] (id \"h2 -> d2\"), column decision: must be one of geaccepteerd, afgewezen, accepted, declined, "
        "got 'maybe'",
        '[3] (id "h1 -> d1"): this pair is already decided in [0]']


def test_replan_reports_a_bad_decisions_file_and_writes_nothing(week: tuple[Path, Path, Path], tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    instance_path, proposal_path, workbook = week
    filled = tmp_path / "decided.xlsx"
    fill_in(workbook, filled, {4: ("misschien", None)})
    target = tmp_path / "next.json"
    assert main(["replan", str(instance_path), str(proposal_path), str(filled), "-o", str(target)]) == 1
    assert "toewijzingen row 4, column decision" in capsys.readouterr().err and not target.exists()


def test_a_municipality_count_changes_with_municipality_caps() -> None:
    # two municipalities, one dwelling each; previous pairs survive when nothing ranked higher needs them
    data = instance([household("h1"), household("h2")],
                    [dwelling("d1", municipality="GM0001"), dwelling("d2", municipality="GM0002")],
                    municipalities=[municipality("GM0001"), municipality("GM0002")],
                    previous=[{"household": "h1", "dwelling": "d2"}, {"household": "h2", "dwelling": "d1"}],
                    policy={"objectives": list(REPLAN_OBJECTIVES)})
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert pairs(proposal) == {("h1", "d2"), ("h2", "d1")} and proposal.model_extra["moved"] == []


def test_after_one_decline_the_week_moves_at_most_one_other_pair_on_average() -> None:
    """The weekly sample, declining each of eight proposed pairs in turn: the re-plan keeps the first two
    objectives of a fresh solve and moves far fewer of the other pairs than the fresh solve does."""
    document = json.loads(WEEK.read_text())
    first = solve_proposal(load_instance(document), OPTIONS)
    moved_replan, moved_fresh = [], []
    for pair in sorted(pairs(first))[::4]:
        plan = next_instance(document, first.model_dump(mode="json"), {pair: Decision(False, "declined")})
        fresh_document = dict(plan.document, policy=dict(plan.document["policy"], objectives=[
            name for name in plan.document["policy"]["objectives"] if name != "kept_previous"]))
        replan = solve_proposal(load_instance(plan.document), OPTIONS)
        fresh = solve_proposal(load_instance(fresh_document), OPTIONS)
        assert replan.status == fresh.status == "optimal"
        for name in ("overdue_housed", "persons_housed"):
            assert replan.objective(name).value == fresh.objective(name).value
        others = pairs(first) - {pair}
        moved_replan.append(len(others - pairs(replan)))
        moved_fresh.append(len(others - pairs(fresh)))
    # at most one other pair moved per decline on average, and fewer than fresh solves move (3 against 8 on
    # 2026-12-03; fresh solves move more or less by chance: which of equal optima a solver lands on)
    assert sum(moved_replan) <= len(moved_replan)
    assert sum(moved_replan) < sum(moved_fresh)


# --- why a pair moved, from a re-solve with the pair kept ----------------------------------------------------


def three_alike_with_one_declined() -> dict[str, Any]:
    """h0 declined d0; h1 and h2 are still looking at d1 and d2. Everyone fits everything, so h0 is housed by a
    swap: it takes d1 or d2, and the household it displaces takes d0. One pair under review has to move, but
    either one will do."""
    return instance([household("h0"), household("h1"), household("h2")],
                    [dwelling("d0"), dwelling("d1"), dwelling("d2")],
                    previous=[{"household": "h1", "dwelling": "d1"}, {"household": "h2", "dwelling": "d2"}],
                    forbidden=[{"household": "h0", "dwelling": "d0", "reason": "declined"}],
                    policy={"objectives": list(REPLAN_OBJECTIVES)})


def test_a_re_solve_says_a_swap_moved_one_of_two_pairs_not_that_a_person_was_needed() -> None:
    # the simplest repair (h1 back in d1, drop h0 who took it) loses a person; a re-solve with h1 kept finds
    # that h0 can take d2 instead, moving h2: the move was needed to house h0, but which pair moves is a tie
    data = three_alike_with_one_declined()
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert proposal.status == "optimal" and proposal.objective("kept_previous").value == 1
    (move,) = proposal.model_extra["moved"]
    assert (move["needed_by"], move["cost"], move["proven"]) == ("kept_previous", 0, True)
    assert ("a pair under review had to move to keep as many overdue households housed and as many persons "
            "housed, and keeping this one would have meant moving another instead") in move["reason"]
    repaired = solve(load_instance(data), OPTIONS, prove_moves=False).proposal.model_extra["moved"]
    assert (repaired[0]["needed_by"], repaired[0]["cost"], repaired[0]["proven"]) == ("persons_housed", 1, False)


def test_a_re_solve_proves_the_objective_that_needed_the_move() -> None:
    # h0 is now a couple, and of the dwellings it may have only d1 takes two persons: keeping h1 in d1 leaves
    # h0 out, two persons fewer whichever way the rest is placed
    data = instance([household("h0", ages=[30, 31]), household("h1"), household("h2")],
                    [dwelling("d0", max_occupants=2), dwelling("d1", max_occupants=2),
                     dwelling("d2", max_occupants=1)],
                    previous=[{"household": "h1", "dwelling": "d1"}, {"household": "h2", "dwelling": "d2"}],
                    forbidden=[{"household": "h0", "dwelling": "d0", "reason": "declined"}],
                    policy={"objectives": list(REPLAN_OBJECTIVES)})
    proposal = solve_proposal(load_instance(data), OPTIONS)
    assert pairs(proposal) == {("h0", "d1"), ("h1", "d0"), ("h2", "d2")}
    (move,) = proposal.model_extra["moved"]
    assert (move["household"], move["needed_by"], move["cost"], move["proven"]) == ("h1", "persons_housed", 2, True)
    assert "2 persons fewer housed, whichever way the others were placed" in move["reason"]
