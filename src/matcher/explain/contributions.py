"""Contributions of a placement: its part of every objective, and the line a case worker reads aloud."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.explain.wording import plural
from matcher.facts import Facts, FloatArray, IntArray, ceil_km, haversine_km, tie_kinds_to, waiting_weeks
from matcher.format import PERMILLE, SCHOOL_KINDS
from matcher.solution import Placement

if TYPE_CHECKING:
    from matcher.explain.placed import Placed

NO_SCHOOL = -1  # in a placement's school column: no school of that kind is named
KM_DECIMALS = 1  # distances are shown rounded to 100 m


@dataclass(frozen=True)
class Contributions:
    tie: IntArray
    unused_bedrooms: IntArray
    unused_penalty: IntArray  # <= 0
    km: FloatArray  # shape (placements, kinds), nan where no school is named
    charged_km: IntArray  # shape (placements, kinds), 0 where no school is named
    school_penalty: IntArray  # shape (placements, kinds), <= 0
    total: IntArray  # tie + unused_penalty + school penalties: the placement's part of `quality`


def contributions(facts: Facts, household: IntArray, dwelling: IntArray, school: IntArray) -> Contributions:
    """The quality objective term by term, exactly as the format defines it."""
    weights = facts.instance.policy.quality_weights
    h, d, s = facts.households, facts.dwellings, facts.schools
    tie = h.tie_bonus[household, d.municipality[dwelling]]
    unused = np.where(d.shared[dwelling], 0, np.maximum(0, d.bedrooms[dwelling] - h.need[household]))
    named = school != NO_SCHOOL
    safe = np.where(named, school, 0)
    km = haversine_km(d.lat[dwelling, None], d.lon[dwelling, None], s.lat[safe], s.lon[safe]) if len(s.ids) \
        else np.zeros(school.shape)
    km = np.where(named, km, np.nan)
    charged = np.where(named, ceil_km(np.nan_to_num(km)), 0).astype(np.int64)
    school_penalty = -weights.school_km * charged
    unused_penalty = -weights.unused_bedroom * unused
    return Contributions(tie=tie, unused_bedrooms=unused, unused_penalty=unused_penalty, km=km,
                         charged_km=charged, school_penalty=school_penalty,
                         total=tie + unused_penalty + school_penalty.sum(axis=1))


def assignment_explanations(facts: Facts, solution: Sequence[Placement], placed: Placed) -> list[dict[str, Any]]:
    parts = contributions(facts, placed.household, placed.dwelling, placed.school)
    progress = _municipality_progress(facts, placed.persons)
    locked = {lock.household for lock in facts.instance.locks}
    return [{"explanation": _explain_placement(facts, i, placement, parts, progress, locked)}
            for i, placement in enumerate(solution)]


def _explain_placement(facts: Facts, i: int, placement: Placement, parts: Contributions,
                       progress: list[dict[str, Any]], locked: set[str]) -> dict[str, Any]:
    h, d = facts.households, facts.dwellings
    household, dwelling = placement.household, placement.dwelling
    m = int(d.municipality[dwelling])
    municipality = facts.municipalities.ids[m]
    tie_bonus = int(parts.tie[i])
    tie_kinds = tie_kinds_to(facts.instance, household, municipality)
    schools = [
        {"kind": kind, "school": facts.schools.ids[int(placement.schools[kind])],
         "km": round(float(parts.km[i, column]), KM_DECIMALS), "charged_km": int(parts.charged_km[i, column]),
         "penalty": int(parts.school_penalty[i, column])}
        for column, kind in enumerate(SCHOOL_KINDS) if placement.schools.get(kind) is not None
    ]
    explanation: dict[str, Any] = {
        "locked": h.ids[household] in locked,
        "overdue": bool(h.overdue[household]),
        "waiting_weeks": waiting_weeks(facts, household),
        "persons": int(h.size[household]),
        "final_size": int(h.final_size[household]),
        "tie": {"municipality": municipality, "kinds": tie_kinds, "bonus": tie_bonus} if tie_kinds else None,
        "tie_bonus": tie_bonus,
        "unused_bedrooms": int(parts.unused_bedrooms[i]),
        "unused_bedroom_penalty": int(parts.unused_penalty[i]),
        "schools": schools,
        "quality": int(parts.total[i]),
        "municipality": dict(progress[m]),
    }
    explanation["summary"] = _placement_summary(explanation)
    return explanation


def _municipality_progress(facts: Facts, persons: IntArray) -> list[dict[str, Any]]:
    """Each municipality's taakstelling before this proposal and after all of it, in persons and per mille."""
    municipalities = facts.municipalities
    progress = []
    for m, municipality in enumerate(municipalities.ids):
        target, before = int(municipalities.target[m]), int(municipalities.housed[m])
        after = before + int(persons[m])
        progress.append({
            "id": municipality, "target": target, "cap": int(municipalities.cap[m]),
            "housed_before": before, "housed_after": after,
            "permille_of_target_before": _permille(before, target),
            "permille_of_target_after": _permille(after, target),
            "shortfall_before": max(0, target - before), "shortfall_after": max(0, target - after),
            "shortfall_permille_before": _permille(max(0, target - before), target),
            "shortfall_permille_after": _permille(max(0, target - after), target),
        })
    return progress


def _permille(persons: int, target: int) -> int | None:
    return PERMILLE * persons // target if target > 0 else None


def _placement_summary(e: dict[str, Any]) -> str:
    """One line a case worker can read aloud."""
    waiting = f"waiting {e['waiting_weeks']} weeks"
    parts = ["locked (already accepted)"] if e["locked"] else []
    parts.append(f"overdue ({waiting})" if e["overdue"] else f"not overdue ({waiting})")
    expected = e["final_size"] - e["persons"]
    with_expected = f" (+{expected} expected, final {e['final_size']})" if expected else ""
    parts.append(plural(e["persons"], "person") + with_expected)
    if e["tie"]:
        parts.append(f"{'/'.join(e['tie']['kinds'])} tie to {e['tie']['municipality']} {e['tie_bonus']:+d}")
    if e["unused_bedrooms"]:
        parts.append(f"{e['unused_bedrooms']} unused bedroom(s) {e['unused_bedroom_penalty']:+d}")
    parts += [f"{s['kind']} school {s['school']} {s['km']:.1f} km {s['penalty']:+d}" for s in e["schools"]]
    parts.append(f"quality {e['quality']:+d}")
    m = e["municipality"]
    parts.append(f"{m['id']} {m['housed_before']} -> {m['housed_after']} of target {m['target']} persons")
    return "; ".join(parts)
