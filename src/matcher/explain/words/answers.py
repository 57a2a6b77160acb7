"""The answers to "why not?" and "what else?" in words, in Dutch or English, from their statements.

An answer of ``matcher why-not`` or ``matcher recommend`` is kept as a list of statements: plain JSON, each a
``code`` and the facts it states (``matcher.accountability.statements`` makes them). One module per language
(``questions_en``, ``questions_nl``) says each statement in one line; the command line prints those lines,
and the service answers with both the statements and the lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from matcher.explain.words import DUTCH, ENGLISH, placement_phrases, questions_en, questions_nl

MODULES: dict[str, ModuleType] = {DUTCH: questions_nl, ENGLISH: questions_en}


def statement_text(statement: Mapping[str, Any], language: str) -> str:
    """One statement in words; a code this version does not know is named as it is."""
    module = MODULES.get(language, questions_nl)
    code = str(statement.get("code", ""))
    word = module.STATEMENTS.get(code)
    if word is None:
        return code
    facts = dict(statement)
    if code == "forced_placement":  # the placement's own explanation, worded as every placement is
        facts["phrases"] = placement_phrases({**statement["explanation"], "locked": False}, language)
    return str(word(facts))


def answer_lines(statements: list[dict[str, Any]], language: str) -> list[str]:
    """An answer's statements, one line each, in ``language``."""
    return [statement_text(statement, language) for statement in statements]
