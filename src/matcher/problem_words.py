"""What is wrong with a submitted document, in English and Dutch, from a wording key and the facts it names.

A coordinator who uploads the week's lists on a Dutch page reads the problems in Dutch; the API, the CLI
and the logs keep the English. Both languages of a problem stand side by side here, as the spreadsheet
headers do in ``workflow/columns.py`` and a cell's problems in ``workflow/cell_words.py``. The facts are
language-neutral (ids, values as the document holds them, JSON paths), so a problem is worded in either
language from the same facts, never translated from English text.

A problem keeps its English ``message`` (what the API returns) and its words in the other languages beside
it (``Problem.other_languages``), worded when the problem is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENGLISH = "en"
WORDED_LANGUAGES = ("en", "nl")

# The wording keys of one kind of referenced record: "unknown_" + the field that refers to it.
UNKNOWN = "unknown_"

WORDS: dict[str, dict[str, str]] = {
    # reading the document
    "cannot_read": {"en": "cannot read file: {reason}", "nl": "het bestand is niet te lezen: {reason}"},
    "not_utf8": {"en": "is not UTF-8 text", "nl": "is geen UTF-8-tekst"},
    "not_json": {"en": "is not valid JSON: {error} at line {line}, column {column}",
                 "nl": "is geen geldige JSON: {error} op regel {line}, kolom {column}"},
    "too_deep": {"en": "is nested too deeply to be an instance", "nl": "is te diep genest voor een week"},
    "not_object_document": {"en": "must be a JSON object", "nl": "moet een JSON-object zijn"},
    "format_wrong": {"en": 'must be "{expected}", got {found}', "nl": 'moet "{expected}" zijn, maar is {found}'},
    "format_missing": {"en": 'must be "{expected}", got nothing', "nl": 'moet "{expected}" zijn, maar ontbreekt'},
    # one record's fields
    "required": {"en": "is required", "nl": "is verplicht"},
    "not_empty": {"en": "must not be empty", "nl": "mag niet leeg zijn"},
    "compare": {"en": "must be {symbol} {limit}, got {given}", "nl": "moet {symbol} {limit} zijn, maar is {given}"},
    "whole_number": {"en": "must be a whole number, got {given}", "nl": "moet een geheel getal zijn, maar is {given}"},
    "number": {"en": "must be a number, got {given}", "nl": "moet een getal zijn, maar is {given}"},
    "true_false": {"en": "must be true or false, got {given}", "nl": "moet true of false zijn, maar is {given}"},
    "date": {"en": "must be a date YYYY-MM-DD, got {given}", "nl": "moet een datum JJJJ-MM-DD zijn, maar is {given}"},
    "text": {"en": "must be a non-empty string, got {given}", "nl": "moet een niet-lege tekst zijn, maar is {given}"},
    "list": {"en": "must be a list, got {given}", "nl": "moet een lijst zijn, maar is {given}"},
    "object": {"en": "must be an object, got {given}", "nl": "moet een object zijn, maar is {given}"},
    "finite": {"en": "must be a finite number, got {given}", "nl": "moet een eindig getal zijn, maar is {given}"},
    "one_of": {"en": "must be one of {choices}, got {given}", "nl": "moet een van {choices} zijn, maar is {given}"},
    "id_normal_form": {
        "en": 'must be in Unicode normal form NFC (the same characters, composed: e.g. one "é", not "e" and an accent)',
        "nl": 'moet in Unicode-normaalvorm NFC staan (dezelfde tekens, samengesteld: één "é", niet "e" en een accent)',
    },
    "period_order": {"en": "start {start} is after end {end}", "nl": "begin {start} ligt na einde {end}"},
    "age_range_order": {"en": "must be [low, high] with 0 <= low <= high, got [{low}, {high}]",
                        "nl": "moet [laag, hoog] zijn met 0 <= laag <= hoog, maar is [{low}, {high}]"},
    "objectives_repeated": {"en": "names an objective more than once: {names}",
                            "nl": "noemt een doel meer dan eens: {names}"},
    "age_ranges_overlap": {
        "en": "primary_ages [{p_low}, {p_high}] and secondary_ages [{s_low}, {s_high}] must not overlap",
        "nl": "primary_ages [{p_low}, {p_high}] en secondary_ages [{s_low}, {s_high}] mogen niet overlappen",
    },
    # between records
    "duplicate_id": {"en": "duplicate id, already used by {first}", "nl": "dubbel id, al gebruikt door {first}"},
    UNKNOWN + "municipality": {"en": 'unknown municipality "{id}"', "nl": 'onbekende gemeente "{id}"'},
    UNKNOWN + "group": {"en": 'unknown group "{id}"', "nl": 'onbekende groep "{id}"'},
    UNKNOWN + "household": {"en": 'unknown household "{id}"', "nl": 'onbekend huishouden "{id}"'},
    UNKNOWN + "dwelling": {"en": 'unknown dwelling "{id}"', "nl": 'onbekende woning "{id}"'},
    UNKNOWN + "school": {"en": 'unknown school "{id}"', "nl": 'onbekende school "{id}"'},
    "lock_forbidden": {"en": "lock is also a forbidden pair", "nl": "dit vaste paar is ook een verboden paar"},
    "lock_duplicate": {"en": 'household "{household}" is already locked by {first}',
                       "nl": 'huishouden "{household}" ligt al vast in {first}'},
    "previous_duplicate": {"en": 'household "{household}" already has a previous pair in {first}',
                           "nl": 'huishouden "{household}" heeft al een eerder voorgesteld paar in {first}'},
    "lock_school_kind": {"en": 'school "{school}" is a {kind} school, not {wanted}',
                         "nl": 'school "{school}" is een school van soort {kind}, niet {wanted}'},
    # the workbook's or CSV files' layout
    "duplicate_sheet": {"en": 'holds {collection} again: sheet "{first}" already does',
                        "nl": 'bevat opnieuw {collection}: blad "{first}" doet dat al'},
    "missing_sheet": {"en": 'sheet "{dutch}" ("{english}") is missing', "nl": 'blad "{dutch}" ("{english}") ontbreekt'},
    "empty_sheet": {"en": "is empty: it needs a header row", "nl": "is leeg: er hoort een kopregel in"},
    "duplicate_column": {"en": 'is the same column as "{first}"', "nl": 'is dezelfde kolom als "{first}"'},
    "missing_column": {"en": 'is missing (header "{dutch}" or "{english}")',
                       "nl": 'ontbreekt (kop "{dutch}" of "{english}")'},
    "empty_cell": {"en": "is empty", "nl": "is leeg"},
    "key_value_columns": {"en": 'needs the columns "veld" and "waarde" ("field" and "value")',
                          "nl": 'heeft de kolommen "veld" en "waarde" nodig ("field" en "value")'},
    "key_empty": {"en": "is empty, but the row has a value", "nl": "is leeg, maar de rij heeft een waarde"},
    "unknown_field": {"en": '"{key}" is not a known field ({known})', "nl": '"{key}" is geen bekend veld ({known})'},
    "duplicate_field": {"en": '"{key}" is given again (first in row {first})',
                        "nl": '"{key}" staat er nog eens (eerst in rij {first})'},
    "key_no_value": {"en": '"{key}" has no value', "nl": '"{key}" heeft geen waarde'},
    "missing_key_row": {"en": 'needs a row "{dutch}" ("{english}")',
                        "nl": 'heeft een rij "{dutch}" ("{english}") nodig'},
    "no_valid_instance": {"en": "the workbook holds no valid instance", "nl": "de werkmap bevat geen geldige week"},
}

# Where a workbook problem refers to another record: "huishoudens row 5" / "huishoudens rij 5".
ROW_WORD = {"en": "row", "nl": "rij"}


def problem_words(wording: str, facts: Mapping[str, Any]) -> dict[str, str]:
    """The problem in every language matcher words problems in, keyed by language."""
    words = WORDS[wording]
    return {language: words[language].format(**facts) for language in WORDED_LANGUAGES}
