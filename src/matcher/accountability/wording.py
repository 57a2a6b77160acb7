"""How households and dwellings are named in answers: the id first, then what a case worker checks.

Kept as facts (``household_facts``, ``dwelling_facts``), so that each language words them its own way
(``matcher.explain.words``: ``h07 (4 persons + 1 expected, overdue, waiting 30 weeks)``, or in Dutch
``h07 (4 personen + 1 verwacht, over de termijn, 30 weken wachtend)``).
"""

from __future__ import annotations

from typing import Any

from matcher.facts import Facts, waiting_weeks


def household_facts(facts: Facts, household: int) -> dict[str, Any]:
    """The household's id, persons now and expected, whether it is overdue and how long it has waited."""
    record = facts.instance.households[household]
    return {"id": facts.households.ids[household], "persons": int(facts.households.size[household]),
            "expected": record.expected_members, "overdue": bool(facts.households.overdue[household]),
            "weeks": waiting_weeks(facts, household)}


def dwelling_facts(facts: Facts, dwelling: int) -> dict[str, Any]:
    """The dwelling's id, municipality, rent, and bedrooms and step-free access (places, when shared)."""
    record = facts.instance.dwellings[dwelling]
    described: dict[str, Any] = {"id": record.id, "municipality": record.municipality, "rent": float(record.rent)}
    if record.is_shared:
        return described | {"shared": True, "places": record.shared_places}
    return described | {"shared": False, "bedrooms": record.bedrooms, "accessible": bool(record.accessible)}
