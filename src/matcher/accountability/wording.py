"""How households and dwellings are named in answers: the id first, then what a case worker checks."""

from __future__ import annotations

from matcher.explain.wording import euros
from matcher.facts import Facts, waiting_weeks


def describe_household(facts: Facts, household: int) -> str:
    """``h07 (4 persons + 1 expected, overdue, waiting 30 weeks)``."""
    h = facts.households
    record = facts.instance.households[household]
    size = int(h.size[household])
    parts = [f"{size} person{'s' if size != 1 else ''}" + (f" + {record.expected_members} expected"
                                                          if record.expected_members else "")]
    if h.overdue[household]:
        parts.append("overdue")
    parts.append(f"waiting {waiting_weeks(facts, household)} weeks")
    return f"{h.ids[household]} ({', '.join(parts)})"


def describe_dwelling(facts: Facts, dwelling: int) -> str:
    """``d12 (GM0344, 2 bedrooms, EUR 650)``, or ``(GM0344, shared, 3 places, EUR 400 a place)``."""
    record = facts.instance.dwellings[dwelling]
    rent = f"EUR {euros(record.rent)}"
    if record.is_shared:
        return f"{record.id} ({record.municipality}, shared, {record.shared_places} places, {rent} a place)"
    rooms = "studio" if record.bedrooms == 0 else f"{record.bedrooms} bedroom{'s' if record.bedrooms != 1 else ''}"
    step_free = ", step-free" if record.accessible else ""
    return f"{record.id} ({record.municipality}, {rooms}{step_free}, {rent})"
