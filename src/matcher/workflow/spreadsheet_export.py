"""A proposal as a workbook (or CSV files) a coordinator reads, filters and prints.

The sheets are built once as plain tables (``export_tables``) from ``matcher.workflow.outcome``; the
.xlsx writer adds what makes them readable on screen and paper (frozen header, widths, number formats,
filters, print titles, landscape fit-to-width) and the CSV writer writes the same cells. Numbers are
written as numbers, exactly as the proposal has them: formats only change how they look.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from matcher.format import SCHOOL_KINDS
from matcher.workflow.columns import DECISION_HEADERS, DECISION_VALUES, FLAG_VALUES, SCHOOL_KIND_NAMES, Label, Language
from matcher.workflow.outcome import SUMMARY_KEY, Outcome

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FONT = Font(bold=True)
WHOLE = "0"
MONEY = "#,##0.00"
KM = "0.0"
DATE = "yyyy-mm-dd"
TEXT = "@"
MAX_WIDTH = 80
REASONS_WIDTH = 90
SUMMARY_HEADER = Label("summary", "toelichting")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    number_format: str = "General"
    width: int = 12
    wrap: bool = False
    choices: tuple[str, ...] = ()  # a drop-down of these values in every row


@dataclass
class ExportTable:
    title: str
    columns: list[ExportColumn]
    rows: list[list[Any]] = field(default_factory=list)
    total_row: bool = False  # the last row sums the others and is printed in bold


def _yes_no(value: bool, language: Language) -> str:
    yes, no = FLAG_VALUES[language]
    return yes if value else no


# --- the tables -------------------------------------------------------------------------------------------


def export_tables(outcome: Outcome, language: Language = "nl") -> list[ExportTable]:
    return [_summary(outcome, language), _assignments(outcome, language), _unassigned(outcome, language),
            _municipalities(outcome, language)]


def _summary(outcome: Outcome, language: Language) -> ExportTable:
    t = {"nl": ("samenvatting", "onderdeel", "waarde", "grens", "verschil", "richting"),
         "en": ("summary", "item", "value", "bound", "gap", "sense")}[language]
    table = ExportTable(t[0], [ExportColumn(t[1], width=28), ExportColumn(t[2], WHOLE, 22), ExportColumn(t[3], WHOLE),
                               ExportColumn(t[4], WHOLE), ExportColumn(t[5], width=12)])
    table.rows += [
        [Label("instance", "instantie")(language), outcome.instance, None, None, None],
        [Label("period", "periode")(language), f"{outcome.period_start} – {outcome.period_end}", None, None, None],
        [Label("status", "status")(language), outcome.status, None, None, None],
        [Label("households assigned", "huishoudens toegewezen")(language), len(outcome.assignments), None, None, None],
        [Label("persons assigned", "personen toegewezen")(language), sum(a.size for a in outcome.assignments),
         None, None, None],
        [Label("households unassigned", "huishoudens niet toegewezen")(language), len(outcome.unassigned),
         None, None, None],
    ]
    sense = {"maximise": Label("maximise", "maximaliseren")(language),
             "minimise": Label("minimise", "minimaliseren")(language)}
    table.rows += [[objective.name, objective.value, objective.bound, objective.gap, sense[objective.sense]]
                   for objective in outcome.objectives]
    table.rows += [[Label("error", "fout")(language), error, None, None, None] for error in outcome.errors]
    return table


def _assignments(outcome: Outcome, language: Language) -> ExportTable:
    nl = language == "nl"
    school = {kind: SCHOOL_KIND_NAMES[kind](language) for kind in SCHOOL_KINDS}
    columns = [
        ExportColumn("huishouden" if nl else "household", TEXT),
        ExportColumn("personen" if nl else "persons", WHOLE, 9),
        ExportColumn("met nareizigers" if nl else "with expected", WHOLE, 9),
        ExportColumn("urgent" if nl else "overdue", width=9),
        ExportColumn("wacht sinds" if nl else "waiting since", DATE),
        ExportColumn("woning" if nl else "dwelling", TEXT),
        ExportColumn("gemeente" if nl else "municipality", TEXT, 10),
        ExportColumn("gemeentenaam" if nl else "municipality name", width=20),
        ExportColumn("slaapkamers" if nl else "bedrooms", WHOLE, 9),
        ExportColumn("huur" if nl else "rent", MONEY, 10),
        ExportColumn("gedeeld" if nl else "shared", width=9),
        # filled in by the municipalities; ``matcher replan`` reads them back (matcher.replan.decisions)
        ExportColumn(DECISION_HEADERS[language][0], width=14, choices=DECISION_VALUES[language]),
        ExportColumn(DECISION_HEADERS[language][1], width=30, wrap=True),
    ]
    for kind in SCHOOL_KINDS:
        columns += [ExportColumn(f"school {school[kind]}", TEXT), ExportColumn(f"km {school[kind]}", KM, 8)]
    columns += [ExportColumn(_explanation_header(key, language), width=max(12, min(len(key) + 2, 40)), wrap=True)
                for key in outcome.explanation_keys]
    table = ExportTable("toewijzingen" if nl else "assignments", columns)
    for a in outcome.assignments:
        row: list[Any] = [a.household, a.size, a.final_size, _yes_no(a.overdue, language), a.waiting_since,
                          a.dwelling, a.municipality, a.municipality_name, a.bedrooms, a.rent,
                          _yes_no(a.shared, language), None, None]
        for kind in SCHOOL_KINDS:
            row += [a.schools.get(kind), a.school_km.get(kind)]
        row += [a.summary_in(language) if key == SUMMARY_KEY else _cell(a.explanations.get(key))
                for key in outcome.explanation_keys]
        table.rows.append(row)
    return table


def _explanation_header(key: str, language: Language) -> str:
    """The one-line explanation is headed in the reader's language; other fields keep their names."""
    return SUMMARY_HEADER(language) if key == SUMMARY_KEY else key


def _cell(value: Any) -> Any:
    """Explanation values: numbers, text and booleans as they are, anything else as text."""
    return value if value is None or isinstance(value, int | float | str | bool) else str(value)


def _unassigned(outcome: Outcome, language: Language) -> ExportTable:
    nl = language == "nl"
    table = ExportTable("niet_toegewezen" if nl else "unassigned", [
        ExportColumn("huishouden" if nl else "household", TEXT),
        ExportColumn("personen" if nl else "persons", WHOLE, 9),
        ExportColumn("urgent" if nl else "overdue", width=9),
        ExportColumn("wacht sinds" if nl else "waiting since", DATE),
        ExportColumn("redenen" if nl else "reasons", width=REASONS_WIDTH, wrap=True),
        *(ExportColumn(key, width=max(12, min(len(key) + 2, 40)), wrap=True) for key in outcome.unassigned_keys),
    ])
    table.rows = [[u.household, u.size, _yes_no(u.overdue, language), u.waiting_since,
                   "\n".join(u.reasons_in(language)),
                   *(_cell(u.details.get(key)) for key in outcome.unassigned_keys)]
                  for u in outcome.unassigned]
    return table


def _municipalities(outcome: Outcome, language: Language) -> ExportTable:
    nl = language == "nl"
    table = ExportTable("gemeenten" if nl else "municipalities", [
        ExportColumn("gemeente" if nl else "municipality", TEXT, 10),
        ExportColumn("naam" if nl else "name", width=22),
        ExportColumn("taakstelling" if nl else "target", WHOLE),
        ExportColumn("gehuisvest" if nl else "housed", WHOLE),
        ExportColumn("voorgesteld" if nl else "proposed", WHOLE),
        ExportColumn("na voorstel" if nl else "after proposal", WHOLE),
        ExportColumn("tekort" if nl else "shortfall", WHOLE),
        ExportColumn("tekort ‰" if nl else "shortfall ‰", WHOLE),
        ExportColumn("plafond" if nl else "ceiling", WHOLE),
    ], total_row=True)
    table.rows = [[m.id, m.name, m.target, m.housed, m.proposed, m.after, m.shortfall, m.shortfall_permille, m.ceiling]
                  for m in outcome.municipalities]
    totals = ["totaal" if nl else "total", None]
    totals += [sum(row[i] for row in table.rows) for i in range(2, 7)] + [None, None]
    table.rows.append(totals)
    return table


# --- writers ----------------------------------------------------------------------------------------------


def write_export_xlsx(outcome: Outcome, path: Path, language: Language = "nl") -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in export_tables(outcome, language):
        _write_sheet(workbook.create_sheet(table.title), table)
    workbook.save(path)


def _write_sheet(worksheet: Worksheet, table: ExportTable) -> None:
    worksheet.append([column.header for column in table.columns])
    for cell in worksheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        worksheet.append(row)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = min(MAX_WIDTH, max(column.width, len(column.header) + 2))
        for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = column.number_format if not isinstance(cell.value, str) else "General"
            if column.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _add_drop_downs(worksheet, table)
    if table.total_row and table.rows:
        for cell in worksheet[worksheet.max_row]:
            cell.font = TOTAL_FONT
    worksheet.freeze_panes = "B2"
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(1, worksheet.max_row)}"
    worksheet.print_title_rows = "1:1"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_options.gridLines = True


def _add_drop_downs(worksheet: Worksheet, table: ExportTable) -> None:
    """A list to choose from in every data row of a column with choices (a blank stays allowed: undecided)."""
    for index, column in enumerate(table.columns, start=1):
        if column.choices and table.rows:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                        showErrorMessage=True, errorTitle=column.header,
                                        error=f"choose one of: {', '.join(column.choices)}")
            worksheet.add_data_validation(validation)
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{len(table.rows) + 1}")


def write_export_csv(outcome: Outcome, directory: Path, language: Language = "nl") -> list[Path]:
    """One CSV file per sheet; Dutch files use ``;`` and decimal commas, as Dutch Excel expects."""
    directory.mkdir(parents=True, exist_ok=True)
    delimiter = ";" if language == "nl" else ","
    written = []
    for table in export_tables(outcome, language):
        path = directory / f"{table.title}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow([column.header for column in table.columns])
            writer.writerows([[_csv_value(value, language) for value in row] for row in table.rows])
        written.append(path)
    return written


def _csv_value(value: Any, language: Language) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
        return text.replace(".", ",") if language == "nl" else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
