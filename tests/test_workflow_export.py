"""Exporting a proposal: the workbook holds the proposal's numbers exactly, formatted for reading and printing."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import EXAMPLES, load_example
from matcher.cli.main import main
from matcher.explain import explain
from matcher.facts import derive_facts
from matcher.format import Proposal
from matcher.rules import compatible_pairs
from matcher.solution import Placement
from matcher.validation import load_instance
from matcher.workflow.outcome import build_outcome
from matcher.workflow.spreadsheet_export import write_export_csv, write_export_xlsx
from test_explain import ENGLISH_PHRASES

EXAMPLE = "u16-week-s1"
Example = tuple[dict[str, Any], dict[str, Any]]  # instance and proposal documents


def records(worksheet: Any) -> list[dict[str, Any]]:
    """Data rows keyed by header."""
    rows = list(worksheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture(scope="module")
def example() -> Example:
    return load_example(EXAMPLE)


@pytest.fixture(scope="module")
def workbook(example: Example, tmp_path_factory: pytest.TempPathFactory) -> Any:
    instance, proposal = example
    path = tmp_path_factory.mktemp("export") / "proposal.xlsx"
    write_export_xlsx(build_outcome(load_instance(instance), Proposal.model_validate(proposal)), path, "en")
    return load_workbook(path)


def test_the_sheets(workbook: Any) -> None:
    assert workbook.sheetnames == ["summary", "assignments", "unassigned", "municipalities"]


def test_assignments_hold_the_proposal_exactly(workbook: Any, example: Example) -> None:
    instance, proposal = example
    rows = records(workbook["assignments"])
    assert [(r["household"], r["dwelling"], r["school primary"], r["school secondary"]) for r in rows] == [
        (a["household"], a["dwelling"], a["schools"].get("primary"), a["schools"].get("secondary"))
        for a in proposal["assignments"]]
    households = {h["id"]: h for h in instance["households"]}
    dwellings = {d["id"]: d for d in instance["dwellings"]}
    for row in rows:
        assert row["persons"] == len(households[row["household"]]["members"])
        assert row["rent"] == dwellings[row["dwelling"]]["rent"]
        assert row["municipality"] == dwellings[row["dwelling"]]["municipality"]
        assert row["bedrooms"] == dwellings[row["dwelling"]]["bedrooms"]
    assert sum(row["persons"] for row in rows) == next(o["value"] for o in proposal["objectives"]
                                                       if o["name"] == "persons_housed")


def test_unassigned_households_carry_their_reasons(workbook: Any, example: Example) -> None:
    _, proposal = example
    rows = records(workbook["unassigned"])
    assert [(r["household"], r["reasons"]) for r in rows] == [(u["household"], "\n".join(u["reasons"]))
                                                             for u in proposal["unassigned"]]


def test_municipality_progress_is_the_proposals(workbook: Any, example: Example) -> None:
    _, proposal = example
    rows = records(workbook["municipalities"])
    total, rows = rows[-1], rows[:-1]
    assert [(r["municipality"], r["target"], r["housed"], r["proposed"]) for r in rows] == [
        (m["id"], m["target"], m["housed"], m["placed"]) for m in proposal["municipalities"]]
    for row in rows:
        assert row["after proposal"] == row["housed"] + row["proposed"]
        assert row["shortfall"] == max(0, row["target"] - row["after proposal"])
        assert row["shortfall ‰"] == 1000 * row["shortfall"] // row["target"]
    worst = next(o["value"] for o in proposal["objectives"] if o["name"] == "max_shortfall_permille")
    assert max(row["shortfall ‰"] for row in rows) == worst
    assert total["municipality"] == "total"
    assert total["proposed"] == sum(m["placed"] for m in proposal["municipalities"])


def test_summary_lists_status_and_every_objective(workbook: Any, example: Example) -> None:
    _, proposal = example
    rows = {row["item"]: row for row in records(workbook["summary"])}
    assert rows["status"]["value"] == "optimal"
    assert rows["instance"]["value"] == EXAMPLE
    for objective in proposal["objectives"]:
        assert (rows[objective["name"]]["value"], rows[objective["name"]]["bound"], rows[objective["name"]]["gap"]) \
            == (objective["value"], objective["bound"], 0)


def test_formatted_for_reading_and_printing(workbook: Any) -> None:
    sheet = workbook["assignments"]
    headers = {cell.value: cell.column_letter for cell in sheet[1]}
    assert sheet.freeze_panes == "B2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet[f"{headers['rent']}2"].number_format == "#,##0.00"
    assert sheet[f"{headers['waiting since']}2"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions[headers["municipality name"]].width >= 20
    assert sheet["A1"].font.bold


def test_explanation_fields_become_columns(example: Example, tmp_path: Path) -> None:
    instance, proposal = example
    explained = json.loads(json.dumps(proposal))
    for i, assignment in enumerate(explained["assignments"]):
        assignment["explanation"] = {"quality": {"tie": 30 - i, "unused_bedroom": -10},
                                     "summary": f"reason {i}", "alternatives": ["d1", "d2"]}
    write_export_xlsx(build_outcome(load_instance(instance), Proposal.model_validate(explained)),
                      tmp_path / "explained.xlsx", "en")
    rows = records(load_workbook(tmp_path / "explained.xlsx")["assignments"])
    assert list(rows[0])[-4:] == ["summary", "quality.tie", "quality.unused_bedroom", "alternatives"]
    assert [(r["summary"], r["quality.tie"], r["alternatives"]) for r in rows[:2]] == [
        ("reason 0", 30, "d1; d2"), ("reason 1", 29, "d1; d2")]


def test_without_explanations_there_are_no_extra_columns(workbook: Any) -> None:
    assert [cell.value for cell in workbook["assignments"][1]][-1] == "km secondary"


def test_csv_export_in_dutch_and_english(example: Example, tmp_path: Path) -> None:
    instance, proposal = example
    outcome = build_outcome(load_instance(instance), Proposal.model_validate(proposal))
    written = write_export_csv(outcome, tmp_path / "nl", "nl")
    assert [path.name for path in written] == ["samenvatting.csv", "toewijzingen.csv", "niet_toegewezen.csv",
                                               "gemeenten.csv"]
    with (tmp_path / "nl" / "gemeenten.csv").open(encoding="utf-8-sig", newline="") as handle:
        dutch = list(csv.DictReader(handle, delimiter=";"))
    assert [(r["gemeente"], int(r["voorgesteld"])) for r in dutch[:-1]] == [
        (m["id"], m["placed"]) for m in proposal["municipalities"]]
    write_export_csv(outcome, tmp_path / "en", "en")
    with (tmp_path / "en" / "assignments.csv").open(encoding="utf-8-sig", newline="") as handle:
        english = list(csv.DictReader(handle))
    assert [r["dwelling"] for r in english] == [a["dwelling"] for a in proposal["assignments"]]
    rents = {d["id"]: d["rent"] for d in instance["dwellings"]}
    assert [float(r["rent"]) for r in english] == [rents[a["dwelling"]] for a in proposal["assignments"]]


def test_matcher_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proposal, instance = EXAMPLES / f"{EXAMPLE}.proposal.json", EXAMPLES / f"{EXAMPLE}.json"
    assert main(["export", str(proposal), "--instance", str(instance), "--xlsx", str(tmp_path / "p.xlsx")]) == 0
    assert load_workbook(tmp_path / "p.xlsx").sheetnames[0] == "samenvatting"
    assert main(["export", str(proposal), "--instance", str(instance), "--csv", str(tmp_path / "csv"),
                 "--language", "en"]) == 0
    assert (tmp_path / "csv" / "municipalities.csv").is_file()
    other = EXAMPLES / "tiny-s1.json"
    capsys.readouterr()
    assert main(["export", str(proposal), "--instance", str(other), "--xlsx", str(tmp_path / "x.xlsx")]) == 1
    assert capsys.readouterr().err.splitlines()[1:] == [f'  instance: is for instance "{EXAMPLE}", not "tiny-s1"']
    stray = json.loads(proposal.read_text())
    stray["assignments"][0]["household"] = "h-missing"
    (tmp_path / "stray.json").write_text(json.dumps(stray))
    assert main(["export", str(tmp_path / "stray.json"), "--instance", str(instance), "--csv", str(tmp_path)]) == 1
    assert 'assignments[0] (id "h-missing -> d00018").household: unknown household "h-missing"' in \
        capsys.readouterr().err
    assert main(["export", str(instance), "--instance", str(instance), "--xlsx", str(tmp_path / "y.xlsx")]) == 1
    assert 'format: must be "matcher.proposal/1"' in capsys.readouterr().err


def explained_proposal(instance_document: dict[str, Any], proposal: dict[str, Any]) -> Proposal:
    """The reference proposal with the explanations matcher writes today (structured reasons included)."""
    instance = load_instance(instance_document)
    facts = derive_facts(instance)
    solution = [Placement(facts.household_index[a["household"]], facts.dwelling_index[a["dwelling"]],
                          {kind: facts.school_index[school] for kind, school in (a.get("schools") or {}).items()
                           if school})
                for a in proposal["assignments"]]
    explanations = explain(facts, compatible_pairs(facts), solution, list(instance.policy.objectives))
    return Proposal.model_validate({
        **proposal,
        "assignments": [{**a, **extra} for a, extra in zip(proposal["assignments"], explanations.assignments,
                                                            strict=True)],
        "unassigned": [u.model_dump(mode="json") for u in explanations.unassigned]})


def test_a_dutch_workbook_words_reasons_and_explanations_in_dutch(example: Example, tmp_path: Path) -> None:
    instance, proposal = example
    explained = explained_proposal(instance, proposal)
    outcome = build_outcome(load_instance(instance), explained)
    write_export_xlsx(outcome, tmp_path / "nl.xlsx", "nl")
    write_export_xlsx(outcome, tmp_path / "en.xlsx", "en")
    dutch, english = load_workbook(tmp_path / "nl.xlsx"), load_workbook(tmp_path / "en.xlsx")

    reasons = [row["redenen"] for row in records(dutch["niet_toegewezen"])]
    explanations = [row["toelichting"] for row in records(dutch["toewijzingen"])]
    assert len(reasons) == len(explained.unassigned) and all(reasons)
    assert len(explanations) == len(explained.assignments) and all(explanations)
    leaked = [phrase for phrase in ENGLISH_PHRASES for text in reasons + explanations if phrase in f" {text} "]
    assert not leaked, leaked
    assert "reason_details" not in records(dutch["niet_toegewezen"])[0]  # worded, not dumped as data
    assert [row["reasons"] for row in records(english["unassigned"])] == ["\n".join(u.reasons)
                                                                          for u in explained.unassigned]
