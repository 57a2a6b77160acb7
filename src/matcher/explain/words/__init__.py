"""Explanations and reasons in words, in Dutch or English, from their structured form.

The explanations are stored as data: a placement's ``explanation`` (persons, tie, bedrooms, schools, the
municipality's progress) and a waiting household's ``reason_details`` (a code and its facts per reason).
One module per language (``en``, ``nl``) turns each into sentences; nothing is translated from English
text. A record without the structured form (a proposal written by another tool) keeps its own text.

The proposal's ``reasons`` (a text the format asks for) are the English words of the same details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Literal

from matcher.explain.words import en, nl

Language = Literal["nl", "en"]
DUTCH: Language = "nl"
ENGLISH: Language = "en"
LANGUAGES: tuple[Language, ...] = (DUTCH, ENGLISH)
MODULES: dict[str, ModuleType] = {DUTCH: nl, ENGLISH: en}


def words_for(language: str) -> ModuleType:
    """The wording module of a language; Dutch for any language it does not know."""
    return MODULES.get(language, nl)


def reason_text(reason: Mapping[str, Any], language: str) -> str:
    """One structured reason in words; a code this version does not know is named as it is."""
    module = words_for(language)
    code = str(reason.get("code", ""))
    word = module.REASONS.get(code) or module.REASONS.get(code.partition(":")[0])
    return word(reason) if word is not None else code


def reason_texts(record: Mapping[str, Any], language: str) -> list[str]:
    """The reasons of one ``unassigned`` record in ``language``: from ``reason_details`` where the proposal has
    them (one per reason), else the record's own ``reasons`` text as it stands."""
    details = record.get("reason_details")
    if isinstance(details, list) and details and all(isinstance(detail, dict) for detail in details):
        return [reason_text(detail, language) for detail in details]
    return [str(text) for text in record.get("reasons") or []]


def placement_phrases(explanation: Any, language: str) -> list[str]:
    """The explanation of one placement as short phrases in ``language``.

    Without the structured fields (another tool's proposal) the ``summary`` text is all there is.
    """
    if not isinstance(explanation, dict):
        return []
    if "persons" not in explanation or "municipality" not in explanation:
        summary = explanation.get("summary")
        return [str(summary)] if summary else []
    module = words_for(language)

    def say(key: str, **fields: Any) -> str:
        return str(module.PLACEMENT[key].format(**fields))

    e = explanation
    phrases = [say("locked")] if e.get("locked") else []
    phrases.append(say("overdue" if e.get("overdue") else "waiting", weeks=e.get("waiting_weeks", 0)))
    persons = int(e["persons"])
    phrases.append(say("one_person") if persons == 1 else say("persons", persons=persons))
    final = int(e.get("final_size", persons))
    if final > persons:
        phrases.append(say("expected", expected=final - persons, final=final))
    if e.get("tie"):
        tie = e["tie"]
        kinds = "/".join(module.TIE_KINDS.get(kind, kind) for kind in tie["kinds"])
        phrases.append(say("tie", municipality=tie["municipality"], kinds=kinds, bonus=tie["bonus"]))
    if e.get("unused_bedrooms"):
        phrases.append(say("unused", count=e["unused_bedrooms"], penalty=e.get("unused_bedroom_penalty", 0)))
    for school in e.get("schools") or []:
        kind = module.PLACEMENT_SCHOOL_KINDS.get(school["kind"], school["kind"])
        phrases.append(say("school", kind=kind, school=school["school"], km=module.decimal(school["km"]),
                           penalty=school["penalty"]))
    phrases.append(say("quality", quality=int(e.get("quality", 0))))
    m = e["municipality"]
    phrases.append(say("progress", municipality=m["id"], before=m["housed_before"], after=m["housed_after"],
                       target=m["target"]))
    return phrases


def moved_text(move: Mapping[str, Any], language: str, visible: Callable[[str], bool] = lambda dwelling: True) -> str:
    """A pair of the version under review that a re-plan moved (an entry of ``moved``), and why, in words.

    ``visible(dwelling)`` says whether the reader may see a dwelling: the household's new dwelling is named
    only then (a municipality does not see another municipality's dwellings).
    """
    now = move.get("now")
    takers = [str(h) for h in move.get("taken_by") or []]
    shown_now = str(now) if now is not None and visible(str(now)) else None
    return str(words_for(language).moved(dict(move), shown_now, ", ".join(takers) or None))
