"""The empty workbook: every sheet and header the importer reads, drop-downs, formats and an explanation."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from matcher.cli.main import main
from matcher.exceptions import InstanceInvalid
from matcher.workflow.columns import SHEETS
from matcher.workflow.spreadsheet_import import import_workbook
from matcher.workflow.template import write_template


@pytest.fixture(scope="module")
def dutch_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path, "nl")
    return path


def drop_downs(worksheet: object) -> dict[str, str]:
    """Header of each column with a list validation -> the listed values."""
    headers = {cell.column_letter: cell.value for cell in worksheet[1]}
    found = {}
    for validation in worksheet.data_validations.dataValidation:
        if validation.type == "list":
            for cell_range in validation.sqref.ranges:
                found[headers[cell_range.coord.split(":")[0].rstrip("0123456789")]] = validation.formula1
    return found


def test_the_dutch_template_has_every_sheet_with_dutch_headers(dutch_template: Path) -> None:
    workbook = load_workbook(dutch_template)
    assert workbook.sheetnames == ["uitleg", "instantie", "beleid", "gemeenten", "woningen", "huishoudens",
                                   "bindingen", "groepen", "scholen", "vastgelegd", "uitgesloten"]
    assert [cell.value for cell in workbook["huishoudens"][1]] == [
        "id", "leeftijden", "nareizigers", "toegankelijk_nodig", "max_huur", "wil_delen", "bindingen", "wacht_sinds",
        "beschikbaar_vanaf"]
    assert [cell.value for cell in workbook["woningen"][1]][:7] == [
        "id", "gemeente", "breedtegraad", "lengtegraad", "slaapkamers", "max_bewoners", "huur"]
    assert [row[0].value for row in workbook["instantie"].iter_rows()] == ["veld", "id", "periode_begin",
                                                                          "periode_einde"]
    assert workbook["huishoudens"].freeze_panes == "A2"


def test_drop_downs_for_booleans_tie_kinds_and_school_kinds(dutch_template: Path) -> None:
    workbook = load_workbook(dutch_template)
    assert drop_downs(workbook["huishoudens"]) == {"toegankelijk_nodig": '"ja,nee"', "wil_delen": '"ja,nee"'}
    assert drop_downs(workbook["bindingen"]) == {"soort": '"werk,opleiding,familie,zorg"', "verplicht": '"ja,nee"'}
    assert drop_downs(workbook["scholen"]) == {"soort": '"basis,voortgezet"'}
    assert drop_downs(workbook["woningen"]) == {"toegankelijk": '"ja,nee"'}


def test_number_formats_and_range_checks(dutch_template: Path) -> None:
    households = load_workbook(dutch_template)["huishoudens"]
    formats = {households.cell(1, i).value: households.column_dimensions[households.cell(1, i).column_letter]
               .number_format for i in range(1, households.max_column + 1)}
    assert formats["wacht_sinds"] == "yyyy-mm-dd"
    assert formats["leeftijden"] == "@"  # "34;31" must stay text, and an id such as 0344 keeps its zero
    assert formats["nareizigers"] == "0"
    checks = {validation.type for validation in households.data_validations.dataValidation}
    assert {"whole", "date", "list"} <= checks


def test_the_explanation_sheet_explains_every_column_in_both_languages(dutch_template: Path) -> None:
    explanation = load_workbook(dutch_template)["uitleg"]
    rows = [[cell.value for cell in row] for row in explanation.iter_rows()]
    texts = "\n".join(str(value) for row in rows for value in row if value)
    assert "Werkmap voor matcher" in texts and "Workbook for matcher" in texts
    explained = {(row[1], row[3] is not None, row[4] is not None) for row in rows if len(row) >= 5 and row[1]}
    for sheet in SHEETS:
        for column in sheet.columns:
            assert (column.header.nl, True, True) in explained


def test_an_english_template_uses_english_names(tmp_path: Path) -> None:
    write_template(tmp_path / "en.xlsx", "en")
    workbook = load_workbook(tmp_path / "en.xlsx")
    assert workbook.sheetnames[:5] == ["explanation", "instance", "policy", "municipalities", "dwellings"]
    assert drop_downs(workbook["ties"]) == {"kind": '"work,education,family,care"', "required": '"yes,no"'}


def test_the_empty_template_imports_with_only_the_instance_fields_to_fill(dutch_template: Path) -> None:
    with pytest.raises(InstanceInvalid) as caught:
        import_workbook(dutch_template)
    assert [str(problem) for problem in caught.value.problems] == [
        'instantie row 2, column waarde: "id" has no value',
        'instantie row 3, column waarde: "periode_begin" has no value',
        'instantie row 4, column waarde: "periode_einde" has no value',
    ]


def test_matcher_template_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "--xlsx", str(tmp_path / "week.xlsx"), "--language", "en"]) == 0
    assert load_workbook(tmp_path / "week.xlsx").sheetnames[1] == "instance"
    assert main(["template", "--xlsx", str(tmp_path / "no-such-dir" / "week.xlsx")]) == 1
    assert "cannot write" in capsys.readouterr().err
