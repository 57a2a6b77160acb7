"""A coordinator's workbook (or folder of CSV files) in, a validated ``matcher.instance/1`` out.

Two passes, like ``matcher.validation``: first every cell is read on its own (``matcher.workflow.spreadsheet_values``)
and every cell that cannot be read becomes a problem located by sheet, row and column; then the records
that were read go through ``matcher.validation.load_instance``, and its problems are located in the
workbook too (``households[17].max_rent`` becomes ``huishoudens row 19, column max_huur``). A problem
already reported for a cell is not reported again by the second pass. Everything is reported at once.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.exceptions import InstanceInvalid, Problem
from matcher.format import INSTANCE_FORMAT, Instance
from matcher.problem_words import ENGLISH, ROW_WORD, UNKNOWN, problem_words
from matcher.validation import load_instance
from matcher.workflow.cell_words import cell_problem_text
from matcher.workflow.columns import (
    EXPLANATION_TITLE,
    KEY_NAMES,
    NOTE_NAMES,
    SHEETS,
    TIES,
    VALUE_NAMES,
    Column,
    Sheet,
    find_column,
    find_sheet,
    normalise,
)
from matcher.workflow.spreadsheet_values import CellError, is_blank, read_cell

CSV_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # Excel on Windows writes cp1252; latin-1 reads any byte
CSV_DELIMITERS = ";,\t"
INDEXED_PATH = re.compile(r"^(\w+)\[(\d+)\](.*)$")
LIST_INDEX = re.compile(r"\[\d+\]")
COLLECTION_PATHS = ("municipalities", "dwellings", "households", "groups", "schools", "locks", "forbidden")
SINGULAR = {"municipalities": "municipality", "dwellings": "dwelling", "households": "household", "groups": "group",
            "schools": "school", "instance": "instance"}


@dataclass(frozen=True)
class SheetProblem(Problem):
    """A problem located where the coordinator can find it: sheet, spreadsheet row number and column header."""

    sheet: str = ""
    row: int | None = None
    column: str | None = None
    cell: CellError | None = field(default=None, compare=False, repr=False)  # a cell that could not be read

    def message_in(self, language: str) -> str:
        """The message in ``language`` where it is a cell's (worded from its facts), else as written (English)."""
        if self.cell is None:
            return super().message_in(language)
        text = cell_problem_text(self.cell.code, self.cell.facts, language)
        return self.message.removesuffix(str(self.cell)) + text  # a key row keeps its "key: " in front

    def __str__(self) -> str:
        where = self.sheet or "workbook"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Table:
    """One sheet (or CSV file) as read: its title and its non-blank rows with their spreadsheet row numbers."""

    title: str
    rows: list[tuple[int, list[Any]]]


@dataclass(frozen=True)
class Place:
    """Where a value came from in the workbook."""

    sheet: str
    row: int
    column: str | None = None


@dataclass
class ImportResult:
    """What a workbook held: the instance document, its problems, and notes that are no problem."""

    data: dict[str, Any]
    problems: list[SheetProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: dict[tuple[str, int], Place] = field(default_factory=dict)  # (collection, index) -> row
    headers: dict[tuple[str, str], str] = field(default_factory=dict)  # (collection, field) -> header as written
    sheet_titles: dict[str, str] = field(default_factory=dict)  # collection -> sheet title as written
    keys: dict[tuple[str, str], Place] = field(default_factory=dict)  # (instance|policy, field) -> key row
    ties: dict[tuple[int, int], Place] = field(default_factory=dict)  # (household index, tie index) -> origin
    failed: set[str] = field(default_factory=set)  # JSON paths whose cell could not be read
    missing_columns: set[tuple[str, str]] = field(default_factory=set)  # (collection, field) reported missing
    missing_sheets: set[str] = field(default_factory=set)  # collections whose required sheet is missing

    def problem(self, sheet: str, row: int | None, column: str | None, message: str, path: str = "",
                code: str = "cell", cell: CellError | None = None) -> None:
        self.problems.append(SheetProblem(path, None, message, code, sheet, row, column, cell))

    def worded(self, sheet: str, row: int | None, column: str | None, wording: str, path: str = "",
               code: str = "cell", **facts: Any) -> None:
        """A problem of the workbook's layout, worded in every language from ``problem_words.WORDS[wording]``."""
        words = problem_words(wording, facts)
        self.problems.append(SheetProblem(path, None, words.pop(ENGLISH), code, sheet, row, column,
                                          other_languages=words))


# --- reading files ----------------------------------------------------------------------------------------


def read_workbook(path: Path) -> list[Table]:
    """Every sheet of an .xlsx workbook, cell values as Excel typed them."""
    from openpyxl import load_workbook  # imported here: the CSV route and the CLI's start-up do not need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InstanceInvalid([SheetProblem("", None, f"{path}: no such file", "io")]) from None
    except InvalidFileException:
        message = f"{path}: is not an .xlsx workbook (for CSV files use --csv DIR)"
        raise InstanceInvalid([SheetProblem("", None, message, "io")]) from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        message = f"{path}: cannot be read as an .xlsx workbook ({error.__class__.__name__}: {error})"
        raise InstanceInvalid([SheetProblem("", None, message, "io")]) from None
    try:
        return [Table(sheet.title, _numbered_rows(sheet.iter_rows(values_only=True))) for sheet in workbook.worksheets]
    finally:
        workbook.close()


def read_csv_dir(directory: Path) -> list[Table]:
    """One table per ``*.csv`` file, named after the file; ``;`` or ``,`` separated, UTF-8 or Windows-1252."""
    if not directory.is_dir():
        raise InstanceInvalid([SheetProblem("", None, f"{directory}: no such directory", "io")])
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise InstanceInvalid([SheetProblem("", None, f"{directory}: holds no .csv files", "io")])
    return [Table(file.stem, _numbered_rows(_csv_rows(file))) for file in files]


def _csv_rows(file: Path) -> list[list[str]]:
    raw = file.read_bytes()
    text = ""
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _numbered_rows(rows: Iterable[Iterable[Any]]) -> list[tuple[int, list[Any]]]:
    numbered = []
    for number, row in enumerate(rows, start=1):
        cells = [None if is_blank(value) else value for value in row]
        if any(value is not None for value in cells):
            numbered.append((number, cells))
    return numbered


# --- tables to an instance document -----------------------------------------------------------------------


def tables_to_instance(tables: list[Table]) -> ImportResult:
    """The instance document the tables describe; every cell that cannot be read becomes a problem."""
    result = ImportResult(data={"format": INSTANCE_FORMAT})
    found: dict[str, Table] = {}
    for table in tables:
        sheet = find_sheet(table.title)
        if sheet is None:
            if normalise(table.title) not in {normalise(EXPLANATION_TITLE.en), normalise(EXPLANATION_TITLE.nl)}:
                result.notes.append(f'sheet "{table.title}" is not one matcher knows; it was ignored')
        elif sheet.collection in found:
            result.worded(table.title, None, None, "duplicate_sheet", code="duplicate_sheet",
                          collection=sheet.collection, dutch=sheet.title.nl, first=found[sheet.collection].title)
        else:
            found[sheet.collection] = table
            result.sheet_titles[sheet.collection] = table.title
    for sheet in SHEETS:
        if sheet.collection in found:
            _read_sheet(sheet, found[sheet.collection], result)
        elif sheet.required:
            result.worded("workbook", None, None, "missing_sheet", code="missing_sheet", dutch=sheet.title.nl,
                          english=sheet.title.en)
            result.missing_sheets.add(sheet.collection)
    return result


def _read_sheet(sheet: Sheet, table: Table, result: ImportResult) -> None:
    if not table.rows:
        if sheet.required:
            result.worded(table.title, None, None, "empty_sheet", code="missing_header")
        return
    if sheet.key_value:
        _read_key_value_sheet(sheet, table, result)
    elif sheet is TIES:
        _read_ties_sheet(table, result)
    else:
        records = [record for _, record in _read_records(sheet, table, result)]
        result.data[sheet.collection] = records


def _header(sheet: Sheet, table: Table, result: ImportResult) -> dict[int, Column]:
    """Which column index holds which field; unknown and missing headers are reported."""
    header_row, headers = table.rows[0]
    mapped: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        if header is None or str(header).strip().startswith("#"):
            continue
        text = str(header).strip()
        column = find_column(sheet, text)
        if column is None:
            if normalise(text) not in NOTE_NAMES:
                result.notes.append(f'{table.title}: column "{text}" is not one matcher knows; it was ignored')
        elif column.field in seen:
            result.worded(table.title, header_row, text, "duplicate_column", code="duplicate_column",
                          first=seen[column.field])
        else:
            mapped[index] = column
            seen[column.field] = text
            result.headers[(sheet.collection, column.field)] = text
    for column in sheet.columns:
        if column.required and column.field not in seen:
            result.worded(table.title, header_row, column.header.nl, "missing_column", code="missing_column",
                          dutch=column.header.nl, english=column.header.en)
            result.missing_columns.add((sheet.collection, column.field))
    return mapped


def _read_records(sheet: Sheet, table: Table, result: ImportResult) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each data row as a record of the instance format, with its row number recorded for later problems."""
    mapped = _header(sheet, table, result)
    for index, (row, cells) in enumerate(table.rows[1:]):
        record: dict[str, Any] = {}
        for position, column in mapped.items():
            value = cells[position] if position < len(cells) else None
            path = f"{sheet.collection}[{index}].{column.field}"
            header = result.headers[(sheet.collection, column.field)]
            if value is None:
                if column.required:
                    result.worded(table.title, row, header, "empty_cell", path, code="missing")
                    result.failed.add(path)
                continue
            try:
                _put(record, column.field, read_cell(column.kind, value))
            except CellError as error:
                result.problem(table.title, row, header, str(error), path, cell=error)
                result.failed.add(path)
        result.records[(sheet.collection, index)] = Place(table.title, row)
        yield row, record


def _put(record: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for parent in parents:
        record = record.setdefault(parent, {})
    record[leaf] = value


def _read_key_value_sheet(sheet: Sheet, table: Table, result: ImportResult) -> None:
    """Rows of ``field | value``: the instance's id and period, or the policy."""
    header_row, headers = table.rows[0]
    names = [normalise(str(header)) if header is not None else "" for header in headers]
    key_at = next((i for i, name in enumerate(names) if name in KEY_NAMES), None)
    value_at = next((i for i, name in enumerate(names) if name in VALUE_NAMES), None)
    if key_at is None or value_at is None:
        result.worded(table.title, header_row, None, "key_value_columns", code="missing_column")
        return
    target = result.data if sheet.collection == "instance" else result.data.setdefault("policy", {})
    value_header = str(headers[value_at])
    seen: dict[str, int] = {}
    for row, cells in table.rows[1:]:
        key = cells[key_at] if key_at < len(cells) else None
        value = cells[value_at] if value_at < len(cells) else None
        if key is None:
            if value is not None:
                result.worded(table.title, row, str(headers[key_at]), "key_empty")
            continue
        column = find_column(sheet, str(key))
        if column is None:
            known = ", ".join(column.header.nl for column in sheet.columns)
            result.worded(table.title, row, str(headers[key_at]), "unknown_field", code="unknown_field", key=key,
                          known=known)
            continue
        if column.field in seen:
            result.worded(table.title, row, str(headers[key_at]), "duplicate_field", code="duplicate_field",
                          key=key, first=seen[column.field])
            continue
        seen[column.field] = row
        result.keys[(sheet.collection, column.field)] = Place(table.title, row, value_header)
        path = column.field if sheet.collection == "instance" else f"policy.{column.field}"
        if value is None:
            if column.required:
                result.worded(table.title, row, value_header, "key_no_value", path, code="missing", key=key)
                result.failed.add(path)
            continue
        try:
            _put(target, column.field, read_cell(column.kind, value))
        except CellError as error:
            result.problem(table.title, row, value_header, f"{key}: {error}", path, cell=error)
            result.failed.add(path)
    for column in sheet.columns:
        if column.required and not _has(target, column.field) and column.field not in result.failed:
            result.worded(table.title, None, None, "missing_key_row", column.field, code="missing",
                          dutch=column.header.nl, english=column.header.en)
            result.failed.add(column.field)


def _has(record: dict[str, Any], dotted: str) -> bool:
    for part in dotted.split("."):
        if not isinstance(record, dict) or part not in record:
            return False
        record = record[part]
    return True


def _read_ties_sheet(table: Table, result: ImportResult) -> None:
    """Ties one per row, appended to the ties of their household (read after the households sheet)."""
    households = result.data.get("households", [])
    position = {record.get("id"): i for i, record in enumerate(households)}
    for row, record in _read_records(TIES, table, result):
        household = record.pop("household", None)
        if household is None or "municipality" not in record or "kind" not in record:
            continue  # its empty or unreadable cells are already reported
        if household not in position:
            result.worded(table.title, row, result.headers[("ties", "household")], UNKNOWN + "household",
                          code="unknown_reference", id=household)
            continue
        ties = households[position[household]].setdefault("ties", [])
        result.ties[(position[household], len(ties))] = Place(table.title, row)
        ties.append(record)


# --- validation problems, located in the workbook ---------------------------------------------------------


def locate(problem: Problem, result: ImportResult) -> SheetProblem | None:
    """The validation problem as the coordinator can find it, or None when its cell was already reported."""
    if _already_reported(problem, result):
        return None
    path = problem.path
    match = INDEXED_PATH.match(path)
    if match and match.group(1) in COLLECTION_PATHS:
        collection, index, rest = match.group(1), int(match.group(2)), match.group(3).lstrip(".")
        place = _tie_place(collection, index, rest, result) or result.records.get((collection, index))
        if place is not None:
            column = place.column or _column_for(collection, rest, result)
            prefix = f"{rest}: " if column is None and rest else ""
            return _located(problem, result, prefix, place.sheet, place.row, column)
    key_place = _key_place(path, result)
    if key_place is not None:
        return _located(problem, result, "", key_place.sheet, key_place.row, key_place.column)
    sheet = result.sheet_titles.get(path.split(".")[0].split("[")[0], "")
    sheet = sheet or (result.sheet_titles.get("instance", "") if path.startswith("period") else "")
    return _located(problem, result, f"{path}: " if path else "", sheet, None, None)


def _located(problem: Problem, result: ImportResult, prefix: str, sheet: str, row: int | None,
             column: str | None) -> SheetProblem:
    """The problem at its place in the workbook, in each language it is worded in."""
    message = prefix + _rewrite_references(problem.message, result, ENGLISH)
    others = {language: prefix + _rewrite_references(text, result, language)
              for language, text in problem.other_languages.items()}
    return SheetProblem(problem.path, problem.record_id, message, problem.code, sheet, row, column,
                        other_languages=others)


def _already_reported(problem: Problem, result: ImportResult) -> bool:
    """A problem that follows from an unreadable cell, a missing column or a missing sheet."""
    path = problem.path
    if any(path == failed or path.startswith((failed + ".", failed + "[")) or failed.startswith(path + ".")
           for failed in result.failed):
        return True
    match = INDEXED_PATH.match(path)
    if match:
        dotted = LIST_INDEX.sub("", match.group(3).lstrip("."))
        if any(match.group(1) == collection and (dotted == fld or dotted.startswith(fld + "."))
               for collection, fld in result.missing_columns):
            return True
    for collection in result.missing_sheets:
        if path == collection or problem.message.startswith(f"unknown {SINGULAR[collection]} "):
            return True
    return False


def _tie_place(collection: str, index: int, rest: str, result: ImportResult) -> Place | None:
    """A tie that came from the ties sheet is located in that sheet."""
    match = re.match(r"ties\[(\d+)\]\.?(\w*)", rest)
    if collection != "households" or not match:
        return None
    place = result.ties.get((index, int(match.group(1))))
    if place is None:
        return None
    header = result.headers.get(("ties", match.group(2))) if match.group(2) else None
    return Place(place.sheet, place.row, header)


def _column_for(collection: str, rest: str, result: ImportResult) -> str | None:
    """The header of the column that holds the field the path points at (the longest matching field)."""
    if not rest:
        return None
    dotted = LIST_INDEX.sub("", rest)
    candidates = [(fld, header) for (coll, fld), header in result.headers.items()
                  if coll == collection and (dotted == fld or dotted.startswith(fld + "."))]
    return max(candidates, key=lambda item: len(item[0]))[1] if candidates else None


def _key_place(path: str, result: ImportResult) -> Place | None:
    """A policy or instance field is located at its row of the key/value sheet."""
    sheet, dotted = ("policy", path.removeprefix("policy.")) if path.startswith("policy.") else ("instance", path)
    dotted = LIST_INDEX.sub("", dotted)
    candidates = [(fld, place) for (name, fld), place in result.keys.items()
                  if name == sheet and (dotted == fld or dotted.startswith(fld + "."))]
    return max(candidates, key=lambda item: len(item[0]))[1] if candidates else None


def _rewrite_references(message: str, result: ImportResult, language: str) -> str:
    """``already used by households[3]`` becomes ``already used by huishoudens row 5`` (in Dutch ``rij 5``)."""
    def replace(match: re.Match[str]) -> str:
        place = result.records.get((match.group(1), int(match.group(2))))
        return f"{place.sheet} {ROW_WORD[language]} {place.row}" if place else match.group(0)

    return re.sub(r"\b(" + "|".join(COLLECTION_PATHS) + r")\[(\d+)\]", replace, message)


# --- the whole import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """A workbook's instance: validated, as the document to write, and the notes (ignored sheets, columns)."""

    instance: Instance
    document: dict[str, Any]
    notes: list[str]


def import_tables(tables: list[Table]) -> Imported:
    """The validated instance the tables describe; raises ``InstanceInvalid`` listing every problem.

    The problems are ``SheetProblem``s: cell problems first, then those of the format's validation that
    were not already reported for a cell.
    """
    result = tables_to_instance(tables)
    problems: list[SheetProblem] = list(result.problems)
    try:
        instance = load_instance(result.data)
    except InstanceInvalid as error:
        problems += [located for problem in error.problems if (located := locate(problem, result)) is not None]
        nothing_valid = SheetProblem.worded("", None, "invalid", "no_valid_instance")
        raise InstanceInvalid(problems or [nothing_valid]) from None
    if problems:
        raise InstanceInvalid(problems)
    return Imported(instance, result.data, result.notes)


def import_workbook(path: Path) -> Imported:
    return import_tables(read_workbook(path))


def import_csv_dir(directory: Path) -> Imported:
    return import_tables(read_csv_dir(directory))
