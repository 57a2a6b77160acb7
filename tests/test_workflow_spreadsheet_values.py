"""Reading single cells as a Dutch coordinator types them, and refusing what cannot be read exactly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from matcher.workflow.cell_words import WORDS, cell_problem_text
from matcher.workflow.spreadsheet_values import (
    CellError,
    read_age_range,
    read_ages,
    read_cell,
    read_date,
    read_flag,
    read_ids,
    read_number,
    read_objectives,
    read_school_kind,
    read_text,
    read_tie_kind,
    read_ties,
    read_whole,
)


@pytest.mark.parametrize(("cell", "expected"), [
    ("712,50", 712.5), ("712.50", 712.5), (712.5, 712.5), (700, 700), ("700", 700), ("€ 1.250,00", 1250.0),
    ("1,250.00", 1250.0), ("1 250,50", 1250.5), ("0,4", 0.4), ("52.0907", 52.0907), (" 5,1214 ", 5.1214), ("-3", -3),
])
def test_numbers_accept_dutch_and_english_notation(cell: object, expected: float) -> None:
    assert read_number(cell) == expected


@pytest.mark.parametrize("cell", ["700,-", "zeven", "1,2,3", "", True, "12 13"])
def test_numbers_refuse_what_is_not_exactly_a_number(cell: object) -> None:
    with pytest.raises(CellError, match="is not a number"):
        read_number(cell)


def test_the_message_quotes_the_cell_as_typed() -> None:
    with pytest.raises(CellError) as caught:
        read_number("700,-")
    assert str(caught.value) == '"700,-" is not a number'


@pytest.mark.parametrize(("cell", "expected"), [(3, 3), (3.0, 3), ("3", 3), ("4,0", 4)])
def test_whole_numbers(cell: object, expected: int) -> None:
    assert read_whole(cell) == expected
    assert isinstance(read_whole(cell), int)


@pytest.mark.parametrize(("cell", "message"), [(2.5, "not a whole number"), ("2,5", "not a whole number"),
                                               (-1, "negative"), ("twee", "not a whole number")])
def test_whole_numbers_refuse_fractions_and_negatives(cell: object, message: str) -> None:
    with pytest.raises(CellError, match=message):
        read_whole(cell)


@pytest.mark.parametrize(("cell", "expected"), [
    ("ja", True), ("Nee", False), ("JA", True), ("yes", True), ("no", False), ("true", True), ("FALSE", False),
    (1, True), (0, False), ("1", True), ("0", False), (True, True), (False, False), ("waar", True), ("x", True),
])
def test_flags(cell: object, expected: bool) -> None:
    assert read_flag(cell) is expected


@pytest.mark.parametrize("cell", ["misschien", 2, "jaa"])
def test_flags_refuse_anything_else(cell: object) -> None:
    with pytest.raises(CellError, match="ja/nee"):
        read_flag(cell)


@pytest.mark.parametrize(("cell", "expected"), [
    (dt.datetime(2026, 12, 21), "2026-12-21"), (dt.date(2026, 12, 21), "2026-12-21"), ("2026-12-21", "2026-12-21"),
    ("21-12-2026", "2026-12-21"), ("1/2/2027", "2027-02-01"), ("21.12.2026", "2026-12-21"),
    (46377, "2026-12-21"), ("2026-12-21 00:00:00", "2026-12-21"),
])
def test_dates_from_excel_iso_and_dutch_notation(cell: object, expected: str) -> None:
    assert read_date(cell) == expected


@pytest.mark.parametrize("cell", ["31-02-2026", "2026/12/21x", "morgen", 12, dt.datetime(2026, 12, 21, 9, 30)])
def test_dates_refuse_impossible_or_vague_values(cell: object) -> None:
    with pytest.raises(CellError):
        read_date(cell)


def test_ages_in_one_cell() -> None:
    assert read_ages("34;31;7;3") == [{"age": 34}, {"age": 31}, {"age": 7}, {"age": 3}]
    assert read_ages("34; 31, 7") == [{"age": 34}, {"age": 31}, {"age": 7}]
    assert read_ages(44) == [{"age": 44}]
    assert read_ages(44.0) == [{"age": 44}]
    with pytest.raises(CellError, match='"zeven" is not an age'):
        read_ages("34;zeven")


def test_ties_in_one_cell_in_english_and_dutch() -> None:
    assert read_ties("GM0344:work:required;GM0356:family") == [
        {"municipality": "GM0344", "kind": "work", "required": True},
        {"municipality": "GM0356", "kind": "family"},
    ]
    assert read_ties("GM0344:werk:verplicht; GM0353:zorg") == [
        {"municipality": "GM0344", "kind": "work", "required": True},
        {"municipality": "GM0353", "kind": "care"},
    ]
    assert read_ties("GM0344:opleiding:nee") == [{"municipality": "GM0344", "kind": "education", "required": False}]


@pytest.mark.parametrize(("cell", "message"), [
    ("GM0344", "municipality:kind"), ("GM0344:hobby", "not a tie kind"), ("GM0344:work:soms", "required"),
    (":work", "municipality:kind"),
])
def test_ties_refuse_malformed_parts(cell: str, message: str) -> None:
    with pytest.raises(CellError, match=message):
        read_ties(cell)


def test_kinds_translate_dutch_names() -> None:
    assert [read_school_kind(word) for word in ("basis", "Voortgezet", "primary", "ISK")] == \
        ["primary", "secondary", "primary", "secondary"]
    assert [read_tie_kind(word) for word in ("werk", "Familie", "care")] == ["work", "family", "care"]
    with pytest.raises(CellError, match="not a school kind"):
        read_school_kind("kleuter")


def test_ids_text_ranges_and_objectives() -> None:
    assert read_ids("g01; g02;") == ["g01", "g02"]
    assert read_text(344.0) == "344"
    assert read_text("  GM0344 ") == "GM0344"
    assert read_age_range("4-11") == [4, 11]
    assert read_age_range("12 t/m 17") == [12, 17]
    assert read_objectives("persons_housed; quality") == ["persons_housed", "quality"]
    assert read_objectives("geen") == []
    with pytest.raises(CellError, match="unknown objective"):
        read_objectives("persons_housed;speed")


@pytest.mark.parametrize(("kind", "value", "dutch"), [
    ("whole", "drie", '"drie" is geen geheel getal'),
    ("whole", -2, "-2 is negatief"),
    ("flag", "misschien", '"misschien" is geen ja/nee (ook goed: yes/no, true/false, 1/0)'),
    ("date", "31-02-2026", '"31-02-2026" is geen datum (schrijf 21-12-2026 of 2026-12-21)'),
    ("ages", "34;x", '"34;x": "x" is geen leeftijd (schrijf leeftijden als 34;31;7;3)'),
    ("ties", "GM0344:famly", '"GM0344:famly": "famly" is geen soort binding (work/werk, '),
])
def test_every_cell_problem_is_worded_in_dutch_from_the_same_facts(kind: Any, value: Any, dutch: str) -> None:
    with pytest.raises(CellError) as caught:
        read_cell(kind, value)
    error = caught.value
    assert cell_problem_text(error.code, error.facts, "nl").startswith(dutch)
    assert cell_problem_text(error.code, error.facts, "en") == str(error)


def test_both_languages_word_every_cell_problem() -> None:
    assert all(set(words) == {"en", "nl"} for words in WORDS.values())
