"""A placement's explanation in the reader's language, built from the structured explanation the solver
writes (``assignments[].explanation``), not by translating its English summary.

Each part is one short phrase; the page lists them. An explanation without the structured fields (a proposal
written by another tool) falls back to its ``summary`` text, or to nothing.
"""

from __future__ import annotations

from typing import Any

from matcher.web.i18n import DUTCH

PHRASES: dict[str, dict[str, str]] = {
    "locked": {DUTCH: "eerder al geaccepteerd (vastgezet)", "en": "accepted before (locked)"},
    "overdue": {DUTCH: "over de termijn ({weeks} weken wachtend)", "en": "overdue (waiting {weeks} weeks)"},
    "waiting": {DUTCH: "{weeks} weken wachtend", "en": "waiting {weeks} weeks"},
    "persons": {DUTCH: "{persons} personen", "en": "{persons} persons"},
    "one_person": {DUTCH: "1 persoon", "en": "1 person"},
    "expected": {DUTCH: "nog {expected} verwacht (gezinshereniging), straks {final}",
                 "en": "{expected} more expected (reunification), {final} in the end"},
    "tie": {DUTCH: "binding met {municipality} ({kinds}), {bonus:+d}",
            "en": "tie to {municipality} ({kinds}), {bonus:+d}"},
    "unused": {DUTCH: "{count} slaapkamer(s) over, {penalty:+d}", "en": "{count} unused bedroom(s), {penalty:+d}"},
    "school": {DUTCH: "{kind} school {school} op {km} km, {penalty:+d}",
               "en": "{kind} school {school} at {km} km, {penalty:+d}"},
    "quality": {DUTCH: "kwaliteit {quality:+d}", "en": "quality {quality:+d}"},
    "progress": {DUTCH: "{municipality}: van {before} naar {after} van de taakstelling van {target} personen",
                 "en": "{municipality}: from {before} to {after} of a taakstelling of {target} persons"},
}
SCHOOL_KINDS = {"primary": {DUTCH: "basisschool", "en": "primary"},
                "secondary": {DUTCH: "middelbare", "en": "secondary"}}


def placement_phrases(explanation: Any, language: str) -> list[str]:
    """The explanation of one placement as phrases in ``language`` (``nl`` or ``en``)."""
    if not isinstance(explanation, dict):
        return []
    if "persons" not in explanation or "municipality" not in explanation:
        summary = explanation.get("summary")
        return [str(summary)] if summary else []

    def say(key: str, **fields: Any) -> str:
        return PHRASES[key][language if language in PHRASES[key] else DUTCH].format(**fields)

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
        phrases.append(say("tie", municipality=tie["municipality"], kinds="/".join(tie["kinds"]), bonus=tie["bonus"]))
    if e.get("unused_bedrooms"):
        phrases.append(say("unused", count=e["unused_bedrooms"], penalty=e.get("unused_bedroom_penalty", 0)))
    for school in e.get("schools") or []:
        kind = SCHOOL_KINDS.get(school["kind"], {}).get(language, school["kind"])
        phrases.append(say("school", kind=kind, school=school["school"], km=_one_decimal(school["km"], language),
                           penalty=school["penalty"]))
    phrases.append(say("quality", quality=int(e.get("quality", 0))))
    m = e["municipality"]
    phrases.append(say("progress", municipality=m["id"], before=m["housed_before"], after=m["housed_after"],
                       target=m["target"]))
    return phrases


def _one_decimal(value: float, language: str) -> str:
    """``1.5`` in English, ``1,5`` in Dutch."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == DUTCH else text
