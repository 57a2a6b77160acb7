"""An empty workbook a coordinator can fill in: the right headers, drop-downs, number formats and an explanation.

Everything here comes from ``matcher.workflow.columns``, so the template always has exactly the columns
the importer reads. Drop-downs and formats are help, not law: the importer checks every cell anyway.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from matcher.workflow.columns import (
    EXPLANATION_TITLE,
    FLAG_VALUES,
    KEY_HEADER,
    NOTE_HEADER,
    SCHOOL_KIND_NAMES,
    SHEETS,
    TIE_KIND_NAMES,
    VALUE_HEADER,
    Column,
    Language,
    Sheet,
)

TEMPLATE_ROWS = 2000  # rows that get drop-downs and formats; more rows still import, just without help
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TEXT_FORMAT = "@"  # keeps ids such as 0344 and age lists such as 34;31 as typed
NUMBER_FORMATS = {
    "whole": "0",
    "number": "0.00####",
    "optional_number": "0.00",
    "date": "yyyy-mm-dd",
    "text": TEXT_FORMAT,
    "ages": TEXT_FORMAT,
    "ties": TEXT_FORMAT,
    "ids": TEXT_FORMAT,
    "age_range": TEXT_FORMAT,
    "objectives": TEXT_FORMAT,
}
COLUMN_WIDTHS = {"ties": 34, "ages": 16, "date": 14, "text": 14}
DEFAULT_WIDTH = 13
HELP_WIDTH = 70
EXCEL_EPOCH_SERIAL = 1  # any date after 1900-01-01 passes the date check

INTRODUCTION = {
    "nl": [
        "Werkmap voor matcher: vul per week de woningen en huishoudens in.",
        "Eén blad per soort gegevens; de eerste regel van elk blad is de kop en blijft zoals hij is.",
        "Decimalen met komma of punt (712,50). Ja/nee-velden: ja of nee. Datums: 21-12-2026 of 2026-12-21.",
        "Lege optionele cellen krijgen de standaardwaarde. Bladen die u niet nodig hebt mogen leeg blijven.",
        "Inlezen: matcher import werkmap.xlsx -o instance.json (alle fouten met blad, regel en kolom).",
    ],
    "en": [
        "Workbook for matcher: fill in the week's dwellings and households.",
        "One sheet per kind of record; the first row of each sheet is the header and stays as it is.",
        "Decimals with a comma or a point (712.50). Yes/no fields: yes or no. Dates: 2026-12-21.",
        "Empty optional cells take the default. Sheets you do not need may stay empty.",
        "Import: matcher import workbook.xlsx -o instance.json (every problem with sheet, row and column).",
    ],
}


def write_template(path: Path, language: Language = "nl") -> None:
    """Write the empty workbook; headers and drop-down values in ``language``, explanations in both."""
    workbook = Workbook()
    _explanation_sheet(workbook.active, language)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.title(language))
        if sheet.key_value:
            _key_value_sheet(worksheet, sheet, language)
        else:
            _table_sheet(worksheet, sheet, language)
    workbook.save(path)


def _explanation_sheet(worksheet: Worksheet, language: Language) -> None:
    worksheet.title = EXPLANATION_TITLE(language)
    other: Language = "en" if language == "nl" else "nl"
    for line in INTRODUCTION[language] + [""] + INTRODUCTION[other] + [""]:
        worksheet.append([line])
    worksheet["A1"].font = Font(bold=True, size=13)
    header = ["blad" if language == "nl" else "sheet", "kolom" if language == "nl" else "column",
              "verplicht" if language == "nl" else "required", "uitleg", "explanation"]
    worksheet.append(header)
    header_row = worksheet.max_row
    for cell in worksheet[header_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    yes, no = FLAG_VALUES[language]
    for sheet in SHEETS:
        worksheet.append([sheet.title(language), "", "", sheet.help.nl, sheet.help.en])
        worksheet.cell(worksheet.max_row, 1).font = HEADER_FONT
        for column in sheet.columns:
            worksheet.append(["", column.header(language), yes if column.required else no, column.help.nl,
                              column.help.en])
    for letter, width in zip("ABCDE", (16, 32, 10, HELP_WIDTH, HELP_WIDTH), strict=True):
        worksheet.column_dimensions[letter].width = width


def _table_sheet(worksheet: Worksheet, sheet: Sheet, language: Language) -> None:
    worksheet.append([column.header(language) for column in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(1, index)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.comment = Comment(column.help(language), "matcher")
        letter = get_column_letter(index)
        dimension = worksheet.column_dimensions[letter]
        dimension.width = max(COLUMN_WIDTHS.get(column.kind, DEFAULT_WIDTH), len(column.header(language)) + 3)
        if column.kind in NUMBER_FORMATS:
            dimension.number_format = NUMBER_FORMATS[column.kind]
        validation = _validation(column, language)
        if validation is not None:
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    worksheet.freeze_panes = "A2"
    worksheet.print_title_rows = "1:1"


def _key_value_sheet(worksheet: Worksheet, sheet: Sheet, language: Language) -> None:
    worksheet.append([KEY_HEADER(language), VALUE_HEADER(language), NOTE_HEADER(language)])
    for cell in worksheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row, column in enumerate(sheet.columns, start=2):
        worksheet.append([column.header(language), None, column.help(language)])
        worksheet.cell(row, 1).fill = REQUIRED_FILL if column.required else PatternFill()
        value = worksheet.cell(row, 2)
        value.number_format = NUMBER_FORMATS.get(column.kind, "General")
        validation = _validation(column, language)
        if validation is not None:
            worksheet.add_data_validation(validation)
            validation.add(value.coordinate)
    worksheet.column_dimensions["A"].width = 34
    worksheet.column_dimensions["B"].width = 22
    worksheet.column_dimensions["C"].width = HELP_WIDTH
    for row in worksheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.freeze_panes = "A2"


def _validation(column: Column, language: Language) -> DataValidation | None:
    """A drop-down or a range check that Excel shows while typing (the importer checks again)."""
    message = column.help(language)
    if column.kind == "flag":
        return _choices(FLAG_VALUES[language], message)
    if column.kind == "tie_kind":
        return _choices([label(language) for label in TIE_KIND_NAMES.values()], message)
    if column.kind == "school_kind":
        return _choices([label(language) for label in SCHOOL_KIND_NAMES.values()], message)
    if column.kind == "whole":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              error=message, errorTitle=column.header(language), showErrorMessage=True)
    if column.kind == "date":
        return DataValidation(type="date", operator="greaterThanOrEqual", formula1=str(EXCEL_EPOCH_SERIAL),
                              allow_blank=True, error=message, errorTitle=column.header(language),
                              showErrorMessage=True)
    return None


def _choices(values: tuple[str, ...] | list[str], message: str) -> DataValidation:
    listed = ",".join(values)
    return DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, error=message,
                          showErrorMessage=True)
