"""Problems with a submitted document in English and Dutch, worded from the same facts (issue 16).

The English message is what the API and the CLI give; the upload page shows the reader's language. Each
wording names the same facts in both languages, so nothing a coordinator needs is lost in translation.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from matcher.exceptions import InstanceInvalid, Problem
from matcher.problem_words import WORDED_LANGUAGES, WORDS
from matcher.validation import load_instance
from matcher.workflow.spreadsheet_import import import_workbook
from workflow_fill import WEEK_JSON, WEEK_XLSX


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_wording_has_both_languages_naming_the_same_facts(key: str) -> None:
    words = WORDS[key]
    assert set(words) == set(WORDED_LANGUAGES)
    assert _fields(words["nl"]) == _fields(words["en"])
    assert words["nl"] != words["en"] or not any(ch.isalpha() for ch in words["en"])


def _problems(document: dict[str, Any]) -> list[Problem]:
    with pytest.raises(InstanceInvalid) as refused:
        load_instance(document)
    return refused.value.problems


def _broken_week() -> dict[str, Any]:
    document = json.loads(WEEK_JSON.read_text(encoding="utf-8"))
    document["period"]["start"], document["period"]["end"] = document["period"]["end"], document["period"]["start"]
    document["households"][0]["members"] = []
    document["households"][1]["members"][0]["age"] = "x"
    document["households"][2]["id"] = document["households"][3]["id"]
    document["dwellings"][0]["municipality"] = "GM9999"
    document["policy"]["objectives"] = ["overdue_housed", "overdue_housed"]
    del document["dwellings"][1]["rent"]
    return document


def test_a_broken_week_is_worded_in_dutch_with_the_same_places_and_values() -> None:
    problems = _problems(_broken_week())
    dutch = {problem.code: problem.message_in("nl") for problem in problems}
    english = {problem.code: problem.message for problem in problems}
    assert dutch["period_order"].startswith("begin ") and "ligt na einde" in dutch["period_order"]
    assert dutch["too_short"] == "mag niet leeg zijn"
    assert dutch["int_type"] == 'moet een geheel getal zijn, maar is "x"'
    assert dutch["duplicate_id"].startswith("dubbel id, al gebruikt door households[")
    assert dutch["unknown_reference"] == 'onbekende gemeente "GM9999"'
    assert dutch["objectives_repeated"] == "noemt een doel meer dan eens: overdue_housed"
    assert dutch["missing"] == "is verplicht"
    assert english["unknown_reference"] == 'unknown municipality "GM9999"' and english["missing"] == "is required"
    assert all(problem.message_in("en") == problem.message for problem in problems)


def test_a_document_that_is_not_an_instance_is_worded_in_dutch() -> None:
    for source, dutch in ((b"{", "is geen geldige JSON"), (b"[]", "moet een JSON-object zijn"),
                          (b"{}", 'moet "matcher.instance/1" zijn, maar ontbreekt')):
        with pytest.raises(InstanceInvalid) as refused:
            load_instance(source)
        assert refused.value.problems[0].message_in("nl").startswith(dutch)


def test_a_workbook_problem_keeps_its_place_and_names_another_row_in_dutch(tmp_path: Path) -> None:
    workbook = load_workbook(WEEK_XLSX)
    households = workbook["huishoudens"]
    households.cell(4, 1, households.cell(3, 1).value)  # the same household id twice
    workbook.save(tmp_path / "twice.xlsx")
    with pytest.raises(InstanceInvalid) as refused:
        import_workbook(tmp_path / "twice.xlsx")
    duplicate = next(problem for problem in refused.value.problems if problem.code == "duplicate_id")
    assert duplicate.message == "duplicate id, already used by huishoudens row 3"
    assert duplicate.message_in("nl") == "dubbel id, al gebruikt door huishoudens rij 3"


def test_a_missing_sheet_is_worded_in_dutch(tmp_path: Path) -> None:
    workbook = load_workbook(WEEK_XLSX)
    del workbook["woningen"]
    workbook.save(tmp_path / "no-dwellings.xlsx")
    with pytest.raises(InstanceInvalid) as refused:
        import_workbook(tmp_path / "no-dwellings.xlsx")
    missing = next(problem for problem in refused.value.problems if problem.code == "missing_sheet")
    assert missing.message_in("nl") == 'blad "woningen" ("dwellings") ontbreekt'
    assert missing.message == 'sheet "woningen" ("dwellings") is missing'
