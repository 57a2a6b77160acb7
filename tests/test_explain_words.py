"""The words of explanations and reasons, in Dutch and English, from their structured form.

Every reason kind is worded from a real explanation in ``test_explain.py`` (its ``waiting`` helper checks
both languages); here: both languages know the same codes, a placement's explanation and a moved pair read
right in each, a record without structure keeps its own text, and a few Dutch sentences read as written.
"""

from __future__ import annotations

from typing import Any

from matcher.explain.unusable import USABILITY_STEPS
from matcher.explain.words import en, moved_text, nl, placement_phrases, reason_text, reason_texts
from matcher.rules import RULE_STEPS

EXPLANATION: dict[str, Any] = {
    "locked": False, "overdue": True, "waiting_weeks": 30, "persons": 4, "final_size": 5,
    "tie": {"municipality": "GM0344", "kinds": ["work", "family"], "bonus": 30}, "tie_bonus": 30,
    "unused_bedrooms": 1, "unused_bedroom_penalty": -10,
    "schools": [{"kind": "primary", "school": "s1", "km": 2.3, "charged_km": 3, "penalty": -3}],
    "quality": 17, "municipality": {"id": "GM0344", "target": 40, "housed_before": 30, "housed_after": 34},
    "summary": "overdue (waiting 30 weeks); ...",
}


def test_both_languages_word_the_same_codes_and_steps() -> None:
    assert set(nl.REASONS) == set(en.REASONS)
    assert set(nl.PASSING) == set(en.PASSING) == {step.name for step in RULE_STEPS}
    assert set(nl.USABILITY_WORDS) == set(en.USABILITY_WORDS) == set(USABILITY_STEPS)
    assert set(nl.PLACEMENT) == set(en.PLACEMENT)
    assert set(nl.TIER_WHO) == set(en.TIER_WHO) == set(nl.OBJECTIVES)


def test_a_placement_in_dutch_and_english_from_its_fields() -> None:
    dutch = placement_phrases(EXPLANATION, "nl")
    english = placement_phrases(EXPLANATION, "en")
    assert dutch == ["over de termijn (30 weken wachtend)", "4 personen",
                     "nog 1 verwacht (gezinshereniging), straks 5", "binding met GM0344 (werk/familie), +30",
                     "1 slaapkamer(s) over, -10", "basisschool s1 op 2,3 km, -3", "kwaliteit +17",
                     "GM0344: van 30 naar 34 van de taakstelling van 40 personen"]
    assert english[0] == "overdue (waiting 30 weeks)" and "primary school s1 at 2.3 km, -3" in english
    assert placement_phrases({"summary": "another tool's words"}, "nl") == ["another tool's words"]
    assert placement_phrases(None, "nl") == []


def test_dutch_sentences_read_as_written() -> None:
    share = {"count": 1, "usable": 1, "compatible": 1}
    assert reason_text({"code": "taken:overdue_housed", "share": share, "tier": "overdue_housed"}, "nl") == (
        "de enige passende woning ging naar huishoudens die over de termijn zijn "
        "(doel: huishoudens over de termijn geplaatst)")
    assert reason_text({"code": "no_compatible:rent", "dwellings": 3, "max_rent": 712.5, "cheapest": 800.0},
                       "nl") == ("geen passende woning: 3 woningen zijn groot genoeg, maar kosten alle meer dan de "
                                 "maximale huur van € 712,50 (de goedkoopste € 800)")
    assert reason_text({"code": "cap:group", "share": {"count": 2, "usable": 4, "compatible": 5},
                        "groups": {"first": [{"group": "g1", "used": 3, "cap": 3}], "total": 1}}, "nl") == (
        "groep g1 heeft haar aandeel bereikt (3 van 3 woningen), en dat sluit 2 van de 4 bruikbare woningen uit")
    assert nl.names({"first": ["a", "b", "c"], "total": 7}) == "a, b, c en nog 4"
    assert nl.names({"first": ["a", "b"], "total": 2}) == "a en b"


def test_an_unknown_code_is_named_and_a_record_without_details_keeps_its_text() -> None:
    assert reason_text({"code": "newer:kind"}, "nl") == "newer:kind"
    record = {"reasons": ["written by another tool"], "reason_codes": ["x"]}
    assert reason_texts(record, "nl") == ["written by another tool"]
    structured = {"reasons": ["ignored"], "reason_details": [{"code": "unexplained"}]}
    assert reason_texts(structured, "nl") == ["niet geplaatst; geen specifieke reden gevonden"]
    assert reason_texts(structured, "en") == ["not placed; no specific reason found"]


def test_a_moved_pair_hides_a_dwelling_the_reader_may_not_see() -> None:
    move = {"household": "h1", "dwelling": "d1", "now": "d9", "taken_by": ["h2"], "needed_by": "persons_housed",
            "reason": "English text of the re-plan"}
    mine = moved_text(move, "nl", lambda dwelling: dwelling == "d1")
    assert mine == ("h1 was voorgesteld voor d1 en is nu elders voorgesteld; d1 gaat nu naar h2. Waarom: behouden "
                    "had gekost op het doel 'personen gehuisvest'.")
    assert "d9" in moved_text(move, "nl") and "d9" not in mine
    declined = {**move, "now": None, "taken_by": [], "needed_by": "declined"}
    assert moved_text(declined, "en") == ("h1 was proposed for d1 and is now left waiting; d1 now stays empty. "
                                          "Why: the pair was declined.")
