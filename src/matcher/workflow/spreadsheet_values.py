"""Reading one spreadsheet cell as the value the instance format wants.

Cells come from Excel (numbers, booleans, dates already typed) or from CSV (always text), typed by people
who write ``712,50`` for a rent and ``ja`` for true. Each reader accepts those spellings and nothing
vaguer: a value it cannot read exactly raises ``CellError`` with a message that quotes the cell, so the
coordinator sees ``"700,-" is not a number`` rather than a silently wrong rent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from openpyxl.utils.datetime import from_excel

from matcher.format import OBJECTIVE_NAMES
from matcher.workflow.cell_words import cell_problem_text
from matcher.workflow.columns import (
    REQUIRED_WORDS,
    SCHOOL_KIND_ALIASES,
    SCHOOL_KIND_NAMES,
    TIE_KIND_ALIASES,
    TIE_KIND_NAMES,
    CellKind,
    normalise,
)

TRUE_WORDS = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
FALSE_WORDS = {"nee", "n", "no", "false", "onwaar", "0"}
NONE_WORDS = {"none", "geen", "-"}
LIST_SEPARATOR = re.compile(r"\s*;\s*")
AGE_SEPARATOR = re.compile(r"[;,\s]+")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
DUTCH_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+,\d*")  # 1.250,00 (a decimal comma makes it unambiguous)
ENGLISH_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d*")  # 1,250.00 (a decimal point makes it unambiguous)
SPACED_THOUSANDS = re.compile(r"[+-]?\d{1,3}([ \u00a0]\d{3})+([.,]\d*)?")  # 1 250,00
CURRENCY = re.compile(r"^(€|eur|euro)\s*|\s*(€|eur|euro)$", re.IGNORECASE)
DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
AGE_RANGE = re.compile(r"(\d+)\s*(?:-|–|;|,|t/m|tot en met|to)\s*(\d+)")
# Excel day numbers of 1950-01-01 and 2100-01-01: a plain number in that range in a date column is a date
# that lost its format; anything else is a typo.
EXCEL_DAY_RANGE = (18264, 73051)


class CellError(ValueError):
    """A cell that cannot be read: a code (``cell_words.WORDS``) and the facts its words name, the cell as the
    coordinator typed it among them. ``str(error)`` is the English message."""

    def __init__(self, code: str, value: Any, **facts: Any) -> None:
        self.code, self.facts = code, {"cell": shown(value), **facts}
        super().__init__(cell_problem_text(code, self.facts, "en"))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    """A cell value as the coordinator would recognise it in a message."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_text(value: Any) -> str:
    """Text as is; a number typed into an id column (``344``) becomes its digits, not ``344.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        raise CellError("text_is_date", value)
    return str(value).strip()


def read_number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise CellError("not_number", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("not_number", value)
        return value
    if isinstance(value, str):
        return _number_from_text(value)
    raise CellError("not_number", value)


def _number_from_text(text: str) -> float | int:
    cleaned = CURRENCY.sub("", text.strip())
    if SPACED_THOUSANDS.fullmatch(cleaned):
        cleaned = re.sub(r"[ \u00a0]", "", cleaned)
    if DUTCH_THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif ENGLISH_THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif PLAIN_NUMBER.fullmatch(cleaned):
        cleaned = cleaned.replace(",", ".")
    else:
        raise CellError("not_number", text)
    number = float(cleaned)
    return int(number) if number.is_integer() and "." not in cleaned else number


def read_whole(value: Any) -> int:
    try:
        number = read_number(value)
    except CellError:
        raise CellError("not_whole", value) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise CellError("not_whole", value)
        number = int(number)
    if number < 0:
        raise CellError("negative", value)
    return number


def read_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("not_flag", value)


def read_date(value: Any) -> str:
    """An ISO date string, as the instance format writes dates."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError("time_of_day", value)
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_DAY_RANGE[0] <= value <= EXCEL_DAY_RANGE[1] and float(value).is_integer():
            return from_excel(value).date().isoformat()
        raise CellError("not_date", value)
    return _date_from_text(str(value))


def _date_from_text(text: str) -> str:
    stripped = text.strip()
    if stripped[:10] != stripped and ISO_DATE.fullmatch(stripped[:10]) and stripped[10:] in (" 00:00:00", "T00:00:00"):
        stripped = stripped[:10]  # a CSV written from Excel may add midnight
    try:
        if match := ISO_DATE.fullmatch(stripped):
            year, month, day = (int(part) for part in match.groups())
        elif match := DUTCH_DATE.fullmatch(stripped):
            day, month, year = (int(part) for part in match.groups())
        else:
            raise ValueError
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise CellError("not_date_form", text) from None


def read_ages(value: Any) -> list[dict[str, int]]:
    """Members as ``[{"age": 34}, ...]`` from ``34;31;7;3`` (a lone age may arrive as a number)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [{"age": read_whole(value)}]
    members = []
    for part in AGE_SEPARATOR.split(str(value).strip()):
        if not part:
            continue
        try:
            members.append({"age": read_whole(part)})
        except CellError:
            raise CellError("not_age", value, part=part) from None
    return members


def read_ids(value: Any) -> list[str]:
    return [part for part in LIST_SEPARATOR.split(read_text(value)) if part]


def read_tie_kind(value: Any) -> str:
    return _translate(value, TIE_KIND_NAMES, TIE_KIND_ALIASES, "not_tie_kind")


def read_school_kind(value: Any) -> str:
    return _translate(value, SCHOOL_KIND_NAMES, SCHOOL_KIND_ALIASES, "not_school_kind")


def _translate(value: Any, names: dict[str, Any], aliases: dict[str, str], code: str) -> str:
    word = normalise(read_text(value))
    for canonical, label in names.items():
        if word in (canonical, normalise(label.nl)):
            return canonical
    if word in aliases:
        return aliases[word]
    choices = ", ".join(f"{label.en}/{label.nl}" for label in names.values())
    raise CellError(code, value, choices=choices)


def read_ties(value: Any) -> list[dict[str, Any]]:
    """``GM0344:work:required;GM0356:family`` as tie records (Dutch kinds and ``verplicht`` accepted)."""
    ties = []
    for part in LIST_SEPARATOR.split(read_text(value)):
        if not part:
            continue
        pieces = [piece.strip() for piece in part.split(":")]
        if len(pieces) not in (2, 3) or not pieces[0]:
            raise CellError("not_tie", value, part=part)
        try:
            tie: dict[str, Any] = {"municipality": pieces[0], "kind": read_tie_kind(pieces[1])}
        except CellError as error:
            raise CellError("tie_kind_in_ties", value, kind=error.facts["cell"],
                            choices=error.facts["choices"]) from None
        if len(pieces) == 3:
            if normalise(pieces[2]) in REQUIRED_WORDS:
                tie["required"] = True
            else:
                try:
                    tie["required"] = read_flag(pieces[2])
                except CellError:
                    raise CellError("not_required", value, part=pieces[2]) from None
        ties.append(tie)
    return ties


def read_age_range(value: Any) -> list[int]:
    match = AGE_RANGE.fullmatch(read_text(value).lower())
    if not match:
        raise CellError("not_age_range", value)
    return [int(match.group(1)), int(match.group(2))]


def read_objectives(value: Any) -> list[str]:
    text = read_text(value)
    if text.lower() in NONE_WORDS:
        return []
    names = [normalise(part) for part in LIST_SEPARATOR.split(text) if part]
    unknown = [name for name in names if name not in OBJECTIVE_NAMES]
    if unknown:
        raise CellError("unknown_objective", value, name=unknown[0], choices=", ".join(OBJECTIVE_NAMES))
    return names


READERS: dict[CellKind, Callable[[Any], Any]] = {
    "text": read_text,
    "whole": read_whole,
    "number": read_number,
    "optional_number": read_number,
    "flag": read_flag,
    "date": read_date,
    "ages": read_ages,
    "ties": read_ties,
    "ids": read_ids,
    "tie_kind": read_tie_kind,
    "school_kind": read_school_kind,
    "age_range": read_age_range,
    "objectives": read_objectives,
}


def read_cell(kind: CellKind, value: Any) -> Any:
    """The instance value of a non-blank cell of this kind; raises ``CellError``."""
    return READERS[kind](value)
