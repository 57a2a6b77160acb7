"""Reading municipalities' decisions on a proposal: the exported workbook, a CSV file or a JSON file.

The workbook is the one ``matcher export`` writes: its assignments sheet has a decision column (a drop-down:
accepted / declined) and a reason column. A CSV file has the columns household, dwelling, decision and
reason (Dutch or English headers, ``;`` or ``,``), a JSON file is a list of ``{household, dwelling,
decision, reason?}`` (or ``{"decisions": [...]}``). Either language's words are accepted. An empty decision
means the pair is still under review. Every problem is reported at once, located by sheet, row and column
(or JSON path), and a decision on a pair the proposal does not hold is a problem too: a typo must not turn
a "no" into silence.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from matcher.exceptions import InstanceInvalid, Problem
from matcher.replan.next_instance import Decision, Pair
from matcher.workflow.columns import DECISION_HEADERS, DECISION_VALUES

ACCEPTED = {"accepted", "accept", "geaccepteerd", "accepteren"}
DECLINED = {"declined", "decline", "afgewezen", "afwijzen"}
ASSIGNMENT_SHEETS = ("toewijzingen", "assignments")
HOUSEHOLD_HEADERS = ("huishouden", "household")
DWELLING_HEADERS = ("woning", "dwelling")
DECISION_WORDS = tuple(DECISION_HEADERS[language][0] for language in DECISION_HEADERS)
REASON_WORDS = tuple(DECISION_HEADERS[language][1] for language in DECISION_HEADERS)
CHOICES = ", ".join(value for values in DECISION_VALUES.values() for value in values)


class DecisionsInvalid(InstanceInvalid):
    """The decisions file has problems; ``problems`` lists every one."""


@dataclass(frozen=True)
class _Row:
    where: str  # "toewijzingen row 5" or "decisions[3]"
    household: Any
    dwelling: Any
    decision: Any
    reason: Any


def read_decisions(path: Path, proposed: set[Pair]) -> dict[Pair, Decision]:
    """Every decided pair of the file; raises ``DecisionsInvalid`` naming every problem found."""
    rows, problems = _rows(path)
    decisions: dict[Pair, Decision] = {}
    seen: dict[Pair, str] = {}
    for row in rows:
        decision, problem = _decision(row, proposed, seen)
        if problem is not None:
            problems.append(problem)
        elif decision is not None:
            pair = (str(row.household).strip(), str(row.dwelling).strip())
            decisions[pair] = decision
            seen[pair] = row.where
    if problems:
        raise DecisionsInvalid(problems)
    return decisions


def _decision(row: _Row, proposed: set[Pair], seen: dict[Pair, str]) -> tuple[Decision | None, Problem | None]:
    word = "" if row.decision is None else str(row.decision).strip().lower()
    if not word:
        return None, None
    pair = (str(row.household or "").strip(), str(row.dwelling or "").strip())
    if word not in ACCEPTED | DECLINED:
        return None, Problem(f"{row.where}, column decision", _label(pair), f"must be one of {CHOICES}, got {word!r}")
    if pair not in proposed:
        return None, Problem(f"{row.where}, columns household and dwelling", _label(pair),
                             "the proposal does not hold this pair")
    if pair in seen:
        return None, Problem(f"{row.where}", _label(pair), f"this pair is already decided in {seen[pair]}")
    reason = None if row.reason is None or not str(row.reason).strip() else str(row.reason).strip()
    return Decision(accepted=word in ACCEPTED, reason=None if word in ACCEPTED else reason), None


def _label(pair: Pair) -> str:
    return f"{pair[0] or '?'} -> {pair[1] or '?'}"


def _rows(path: Path) -> tuple[list[_Row], list[Problem]]:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return _workbook_rows(path)
        if path.suffix.lower() == ".json":
            return _json_rows(path)
        return _csv_rows(path)
    except OSError as error:
        raise DecisionsInvalid([Problem(str(path), None, f"cannot read: {error.strerror}", "io")]) from None


def _columns(header: list[Any], where: str) -> tuple[dict[str, int], list[Problem]]:
    """Where the household, dwelling, decision and reason columns are (reason is optional)."""
    names = [str(value).strip().lower() if value is not None else "" for value in header]
    found, problems = {}, []
    for key, words in (("household", HOUSEHOLD_HEADERS), ("dwelling", DWELLING_HEADERS),
                       ("decision", DECISION_WORDS), ("reason", REASON_WORDS)):
        at = next((i for i, name in enumerate(names) if name in words), None)
        if at is not None:
            found[key] = at
        elif key != "reason":
            problems.append(Problem(f"{where} row 1", None, f"has no column {' / '.join(words)}", "missing"))
    return found, problems


def _table_rows(table: list[list[Any]], where: str) -> tuple[list[_Row], list[Problem]]:
    if not table:
        return [], [Problem(where, None, "is empty", "missing")]
    columns, problems = _columns(table[0], where)
    if problems:
        return [], problems

    def cell(values: list[Any], key: str) -> Any:
        at = columns.get(key)
        return values[at] if at is not None and at < len(values) else None

    return [_Row(f"{where} row {number}", cell(values, "household"), cell(values, "dwelling"),
                 cell(values, "decision"), cell(values, "reason"))
            for number, values in enumerate(table[1:], start=2)], []


def _workbook_rows(path: Path) -> tuple[list[_Row], list[Problem]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise DecisionsInvalid([Problem(str(path), None, f"is not an .xlsx workbook: {error}", "io")]) from None
    sheet = next((name for name in workbook.sheetnames if name.lower() in ASSIGNMENT_SHEETS), None)
    if sheet is None:
        return [], [Problem(str(path), None, f"has no sheet {' / '.join(ASSIGNMENT_SHEETS)}", "missing")]
    table = [list(row) for row in workbook[sheet].iter_rows(values_only=True)]
    return _table_rows(table, sheet)


def _csv_rows(path: Path) -> tuple[list[_Row], list[Problem]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return _table_rows([row for row in csv.reader(io.StringIO(text), dialect)], path.name)


def _json_rows(path: Path) -> tuple[list[_Row], list[Problem]]:
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return [], [Problem(path.name, None, f"is not valid JSON: {error}", "json")]
    records = data.get("decisions") if isinstance(data, dict) else data
    if not isinstance(records, list):
        return [], [Problem(path.name, None, 'must be a list of decisions, or {"decisions": [...]}', "type")]
    prefix = "decisions" if isinstance(data, dict) else ""
    return list(_json_records(records, prefix)), [
        Problem(f"{prefix}[{i}]", None, "must be an object {household, dwelling, decision, reason?}", "type")
        for i, record in enumerate(records) if not isinstance(record, dict)]


def _json_records(records: list[Any], prefix: str) -> Iterator[_Row]:
    for i, record in enumerate(records):
        if isinstance(record, dict):
            yield _Row(f"{prefix}[{i}]", record.get("household"), record.get("dwelling"), record.get("decision"),
                       record.get("reason"))
