"""Importing a coordinator's workbook or CSV folder: the same instance back, and every problem located."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from matcher.cli.main import main
from matcher.exceptions import InstanceInvalid
from matcher.validation import load_instance
from matcher.workflow.spreadsheet_import import import_csv_dir, import_workbook
from matcher.workflow.template import write_template
from workflow_fill import WEEK_JSON, WEEK_XLSX, fill_template


def week() -> dict[str, Any]:
    return json.loads(WEEK_JSON.read_text(encoding="utf-8"))


def same_instance(imported: Any, source: dict[str, Any]) -> bool:
    return imported.model_dump() == load_instance(source).model_dump()


def problems_of(path: Path, *, csv_dir: bool = False) -> list[str]:
    with pytest.raises(InstanceInvalid) as caught:
        import_csv_dir(path) if csv_dir else import_workbook(path)
    return [str(problem) for problem in caught.value.problems]


def copy_of_week(tmp_path: Path) -> tuple[Path, Any]:
    target = tmp_path / "week.xlsx"
    target.write_bytes(WEEK_XLSX.read_bytes())
    return target, load_workbook(target)


def column_of(worksheet: Any, header: str) -> int:
    return next(cell.column for cell in worksheet[1] if cell.value == header)


# --- round trips ------------------------------------------------------------------------------------------


def test_the_committed_coordinator_workbook_imports_to_its_source_instance() -> None:
    imported = import_workbook(WEEK_XLSX)
    assert same_instance(imported.instance, week())
    assert imported.notes == []
    assert imported.document["policy"]["max_over_target_share"] == pytest.approx(0.12)  # typed as "0,12"


def test_a_freshly_filled_template_imports_to_the_same_instance(tmp_path: Path) -> None:
    write_template(tmp_path / "template.xlsx", "nl")
    fill_template(tmp_path / "template.xlsx", week(), tmp_path / "filled.xlsx")
    imported = import_workbook(tmp_path / "filled.xlsx")
    assert same_instance(imported.instance, week())
    hosts = {h.id: h for h in imported.instance.households}
    assert [t.kind for t in hosts["h00007"].ties] == ["work"]  # from the ties sheet, not the households cell
    assert hosts["h00007"].ties[0].required


def test_english_sheets_and_headers_in_any_case_and_with_units(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Instance"
    for row in (["Field", "Value"], ["id", "en-1"], ["period_start", "2026-11-09"], ["Period End", "2026-11-15"]):
        sheet.append(row)
    workbook.create_sheet("Policy").append(["field", "value"])
    workbook["Policy"].append(["persons_per_bedroom", 3])
    workbook.create_sheet("Municipalities").append(["ID", "Name", "Target", "Housed"])
    workbook["Municipalities"].append(["GM0344", "Utrecht", 100, 10])
    workbook.create_sheet("Dwellings").append(["id", "Municipality", "Lat", "Lon", "Bedrooms", "Max Occupants",
                                               "Rent (€)", "Accessible", "Available From"])
    workbook["Dwellings"].append(["d1", "GM0344", 52.09, 5.12, 2, 4, "712.50", "yes", dt.datetime(2026, 11, 10)])
    workbook.create_sheet("Households").append(["id", "Ages", "Max Rent", "Ties", "Waiting Since", "Shareable"])
    workbook["Households"].append(["h1", "34;31;7", None, "GM0344:work:required", "2026-05-01", "no"])
    workbook.save(tmp_path / "english.xlsx")

    instance = import_workbook(tmp_path / "english.xlsx").instance
    assert instance.policy.persons_per_bedroom == 3
    dwelling, household = instance.dwellings[0], instance.households[0]
    assert (dwelling.rent, dwelling.accessible, str(dwelling.available_from)) == (712.5, True, "2026-11-10")
    assert [m.age for m in household.members] == [34, 31, 7]
    assert household.max_rent is None
    assert household.ties[0].model_dump() == {"municipality": "GM0344", "kind": "work", "required": True}


def test_dutch_headers_and_dutch_values(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "instantie"
    for row in (["veld", "waarde"], ["id", "nl-1"], ["periode_begin", "09-11-2026"], ["periode_einde", "15-11-2026"]):
        sheet.append(row)
    workbook.create_sheet("gemeenten").append(["gemeentecode", "naam", "taakstelling", "gehuisvest"])
    workbook["gemeenten"].append(["GM0344", "Utrecht", 100, 10])
    workbook.create_sheet("woningen").append(["woning", "gemeente", "breedtegraad", "lengtegraad", "slaapkamers",
                                              "max_bewoners", "huur", "toegankelijk", "gedeelde_plaatsen"])
    workbook["woningen"].append(["d1", "GM0344", "52,09", "5,12", 0, 1, "712,50", "ja", 3])
    workbook.create_sheet("huishoudens").append(["id", "leeftijden", "max_huur", "wil_delen", "wacht_sinds",
                                                 "toegankelijk_nodig", "nareizigers"])
    workbook["huishoudens"].append(["h1", "28", "800,00", "ja", "01-05-2026", "nee", 0])
    workbook.create_sheet("scholen").append(["id", "soort", "breedtegraad", "lengtegraad", "vrije_plaatsen"])
    workbook["scholen"].append(["s1", "voortgezet", 52.1, 5.1, 4])
    workbook.save(tmp_path / "dutch.xlsx")

    instance = import_workbook(tmp_path / "dutch.xlsx").instance
    dwelling, household = instance.dwellings[0], instance.households[0]
    assert (dwelling.location.lat, dwelling.rent, dwelling.accessible, dwelling.shared_places) == \
        (52.09, 712.5, True, 3)
    assert (household.max_rent, household.shareable, str(household.waiting_since)) == (800.0, True, "2026-05-01")
    assert instance.schools[0].kind == "secondary"
    assert str(instance.period.start) == "2026-11-09"


# --- problems ---------------------------------------------------------------------------------------------


def test_every_cell_problem_at_once_with_sheet_row_and_column(tmp_path: Path) -> None:
    path, workbook = copy_of_week(tmp_path)
    households, dwellings = workbook["huishoudens"], workbook["woningen"]
    households.cell(18, column_of(households, "max_huur"), "700,-")
    households.cell(5, column_of(households, "wacht_sinds"), "31-02-2026")
    households.cell(7, column_of(households, "bindingen"), "GM0344:hobby")
    households.cell(9, column_of(households, "leeftijden")).value = None
    dwellings.cell(3, column_of(dwellings, "slaapkamers"), "drie")
    workbook.save(path)

    assert problems_of(path) == [
        'woningen row 3, column slaapkamers: "drie" is not a whole number',
        'huishoudens row 5, column wacht_sinds: "31-02-2026" is not a date (use 2026-12-21 or 21-12-2026)',
        'huishoudens row 7, column bindingen: "GM0344:hobby": "hobby" is not a tie kind '
        "(work/werk, education/opleiding, family/familie, care/zorg)",
        "huishoudens row 9, column leeftijden: is empty",
        'huishoudens row 18, column max_huur: "700,-" is not a number',
    ]


def test_validation_problems_are_located_in_the_workbook_too(tmp_path: Path) -> None:
    path, workbook = copy_of_week(tmp_path)
    households, dwellings = workbook["huishoudens"], workbook["woningen"]
    dwellings.cell(4, column_of(dwellings, "gemeente"), "GM9999")  # unknown municipality
    dwellings.cell(6, column_of(dwellings, "id"), dwellings.cell(2, column_of(dwellings, "id")).value)  # duplicate
    households.cell(10, column_of(households, "max_huur"), -5)  # a number, but below 0
    workbook["bindingen"].cell(2, column_of(workbook["bindingen"], "gemeente"), "GM0000")
    workbook["instantie"].cell(4, 2, dt.datetime(2026, 12, 1))  # period ends before it starts
    households.cell(12, column_of(households, "wacht_sinds"), "gisteren")  # and a cell problem as well
    workbook.save(path)

    problems = problems_of(path)
    assert problems[0] == \
        'huishoudens row 12, column wacht_sinds: "gisteren" is not a date (use 2026-12-21 or 21-12-2026)'
    assert set(problems[1:]) == {
        "instantie: period: start 2026-12-21 is after end 2026-12-01",
        "huishoudens row 10, column max_huur: must be >= 0.0, got -5",
        'woningen row 6, column id: duplicate id, already used by woningen row 2',
        'woningen row 4, column gemeente: unknown municipality "GM9999"',
        'bindingen row 2, column gemeente: unknown municipality "GM0000"',
    }


def test_missing_sheets_columns_and_instance_fields_are_named(tmp_path: Path) -> None:
    path, workbook = copy_of_week(tmp_path)
    del workbook["gemeenten"]
    households = workbook["huishoudens"]
    households.delete_cols(column_of(households, "wacht_sinds"))
    workbook["instantie"].cell(2, 2).value = None
    workbook.save(path)

    assert problems_of(path) == [  # and nothing that merely follows from these (every row lacking a date)
        'instantie row 2, column waarde: "id" has no value',
        'workbook: sheet "gemeenten" ("municipalities") is missing',
        'huishoudens row 1, column wacht_sinds: is missing (header "wacht_sinds" or "waiting_since")',
    ]


def test_unknown_policy_keys_are_problems_and_unknown_columns_only_notes(tmp_path: Path) -> None:
    path, workbook = copy_of_week(tmp_path)
    workbook["beleid"].append(["max_slaapkamers_extra", 2])
    households = workbook["huishoudens"]
    households.cell(1, households.max_column + 1, "telefoon")
    households.cell(1, households.max_column + 1, "opmerkingen")
    workbook.create_sheet("notities").append(["vergeet niet te bellen"])
    workbook.save(path)
    problems = problems_of(path)
    assert len(problems) == 1 and problems[0].startswith('beleid row 18, column veld: "max_slaapkamers_extra" is not a')

    del workbook["beleid"]
    workbook.save(path)
    imported = import_workbook(path)
    assert imported.notes == ['sheet "notities" is not one matcher knows; it was ignored',
                              'huishoudens: column "telefoon" is not one matcher knows; it was ignored']


def test_files_that_are_no_workbook_give_one_clear_problem(tmp_path: Path) -> None:
    (tmp_path / "instance.json").write_text("{}")
    assert problems_of(tmp_path / "instance.json") == [
        f"workbook: {tmp_path / 'instance.json'}: is not an .xlsx workbook (for CSV files use --csv DIR)"]
    (tmp_path / "broken.xlsx").write_text("not a zip")
    assert "cannot be read as an .xlsx workbook" in problems_of(tmp_path / "broken.xlsx")[0]
    assert problems_of(tmp_path / "nothing.xlsx") == [f"workbook: {tmp_path / 'nothing.xlsx'}: no such file"]


# --- CSV --------------------------------------------------------------------------------------------------


def write_week_as_dutch_csv(directory: Path) -> None:
    """Each sheet of the fixture as Dutch Excel writes CSV: ';', decimal commas, d-m-yyyy dates, cp1252."""
    directory.mkdir()
    workbook = load_workbook(WEEK_XLSX)
    for worksheet in workbook.worksheets:
        with (directory / f"{worksheet.title}.csv").open("w", encoding="cp1252", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            for row in worksheet.iter_rows(values_only=True):
                writer.writerow([_dutch_text(value) for value in row])


def _dutch_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


def test_a_folder_of_dutch_csv_files_imports_to_the_same_instance(tmp_path: Path) -> None:
    write_week_as_dutch_csv(tmp_path / "week")
    imported = import_csv_dir(tmp_path / "week")
    assert same_instance(imported.instance, week())


def test_csv_problems_name_the_file_row_and_column(tmp_path: Path) -> None:
    directory = tmp_path / "csv"
    directory.mkdir()
    (directory / "instance.csv").write_text("field,value\nid,c-1\nperiod_start,2026-11-09\nperiod_end,2026-11-15\n")
    (directory / "municipalities.csv").write_text("id,name,target,housed\nGM0344,Utrecht,100,ten\n")
    (directory / "dwellings.csv").write_text("id,municipality,lat,lon,bedrooms,max_occupants,rent\n"
                                             "d1,GM0344,52.1,5.1,1,2,600\n")
    (directory / "households.csv").write_text('id,ages,waiting_since,ties\nh1,"30;2",2026-01-05,GM0344:family\n'
                                              "h2,,2026-01-05,\n")
    assert problems_of(directory, csv_dir=True) == [
        'municipalities row 2, column housed: "ten" is not a whole number',
        "households row 3, column ages: is empty",
    ]
    assert problems_of(tmp_path / "absent", csv_dir=True) == [f"workbook: {tmp_path / 'absent'}: no such directory"]


# --- the command ------------------------------------------------------------------------------------------


def test_matcher_import_writes_the_instance_and_validate_accepts_it(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "instance.json"
    assert main(["import", str(WEEK_XLSX), "-o", str(output)]) == 0
    assert same_instance(load_instance(output), week())
    assert "40 households, 35 dwellings" in capsys.readouterr().err
    assert main(["validate", str(output)]) == 0


def test_matcher_import_prints_every_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, workbook = copy_of_week(tmp_path)
    households = workbook["huishoudens"]
    households.cell(18, column_of(households, "max_huur"), "700,-")
    households.cell(3, column_of(households, "toegankelijk_nodig"), "misschien")
    workbook.save(path)
    capsys.readouterr()
    assert main(["import", str(path), "-o", str(tmp_path / "out.json")]) == 1
    err = capsys.readouterr().err
    assert f"{path}: 2 problem(s)" in err
    assert 'huishoudens row 18, column max_huur: "700,-" is not a number' in err
    assert 'huishoudens row 3, column toegankelijk_nodig: "misschien" is not ja/nee' in err
    assert not (tmp_path / "out.json").exists()
    write_week_as_dutch_csv(tmp_path / "csv")
    assert main(["import", "--csv", str(tmp_path / "csv"), "-o", str(tmp_path / "from-csv.json")]) == 0
