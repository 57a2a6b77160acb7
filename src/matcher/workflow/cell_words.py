"""What is wrong with a spreadsheet cell, in English and Dutch, from a code and the facts it names.

A cell that cannot be read raises ``CellError(code, cell=..., ...)``: the message printed by ``matcher
import`` is the English wording, and the upload page words the same facts in the reader's language. Both
languages of a problem stand side by side, as the headers do in ``columns.py``. ``{cell}`` is the cell as the
coordinator typed it, quoted (``spreadsheet_values.shown``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WORDS: dict[str, dict[str, str]] = {
    "text_is_date": {"en": "{cell} is a date, expected text", "nl": "{cell} is een datum, hier hoort tekst"},
    "not_number": {"en": "{cell} is not a number", "nl": "{cell} is geen getal"},
    "not_whole": {"en": "{cell} is not a whole number", "nl": "{cell} is geen geheel getal"},
    "negative": {"en": "{cell} is negative", "nl": "{cell} is negatief"},
    "not_flag": {"en": "{cell} is not ja/nee (yes/no, true/false, 1/0)",
                 "nl": "{cell} is geen ja/nee (ook goed: yes/no, true/false, 1/0)"},
    "time_of_day": {"en": "{cell} has a time of day, expected a date",
                    "nl": "{cell} heeft een tijdstip, hier hoort een datum"},
    "not_date": {"en": "{cell} is not a date", "nl": "{cell} is geen datum"},
    "not_date_form": {"en": "{cell} is not a date (use 2026-12-21 or 21-12-2026)",
                      "nl": "{cell} is geen datum (schrijf 21-12-2026 of 2026-12-21)"},
    "not_age": {"en": '{cell}: "{part}" is not an age (write ages as 34;31;7;3)',
                "nl": '{cell}: "{part}" is geen leeftijd (schrijf leeftijden als 34;31;7;3)'},
    "not_tie_kind": {"en": "{cell} is not a tie kind ({choices})", "nl": "{cell} is geen soort binding ({choices})"},
    "not_school_kind": {"en": "{cell} is not a school kind ({choices})",
                        "nl": "{cell} is geen soort school ({choices})"},
    "tie_kind_in_ties": {"en": "{cell}: {kind} is not a tie kind ({choices})",
                         "nl": "{cell}: {kind} is geen soort binding ({choices})"},
    "not_tie": {"en": '{cell}: "{part}" is not municipality:kind or municipality:kind:required',
                "nl": '{cell}: "{part}" is geen gemeente:soort of gemeente:soort:verplicht'},
    "not_required": {"en": '{cell}: "{part}" should be "required" (or "verplicht")',
                     "nl": '{cell}: "{part}" moet "verplicht" zijn (of "required")'},
    "not_age_range": {"en": "{cell} is not an age range such as 4-11",
                      "nl": "{cell} is geen leeftijdsbereik zoals 4-11"},
    "unknown_objective": {"en": "{cell}: unknown objective {name!r} (choose from {choices})",
                          "nl": "{cell}: onbekend doel {name!r} (kies uit {choices})"},
}


def cell_problem_text(code: str, facts: Mapping[str, Any], language: str) -> str:
    """The problem in ``language`` (English for a language it does not know)."""
    words = WORDS[code]
    return words.get(language, words["en"]).format(**facts)
