"""What-if transforms: each takes a ``matcher.scenario/1`` document (a plain dict) and returns a new one.

Transforms never change their input (the base document is shared by every variant) and are deterministic:
the same document and variant always give the same result, so a replay's content hash (``matcher.sweep.
store``) is stable. ``apply`` runs a variant's transforms in one fixed order, the order of the fields of
``matcher.sweep.sweepfile.Variant``. A transform that names something the scenario does not have (a
municipality, a school, a group) raises ``TransformError`` naming the key in the sweep file.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import math
from collections.abc import Callable
from typing import Any

from matcher.exceptions import MatcherError
from matcher.facts import haversine_km
from matcher.sweep.sweepfile import AddDwellings, GroupCaps, RemoveDwellings, SchoolSeats, Variant

Document = dict[str, Any]
Keys = tuple[str | int, ...]  # a place in the sweep file: ("variants", name, transform, index, key)
DAYS_PER_WEEK = 7


class TransformError(MatcherError):
    """A transform cannot apply to the scenario; ``keys`` is its place in the sweep file."""

    def __init__(self, keys: Keys, message: str) -> None:
        self.keys = keys
        self.message = message
        super().__init__(f"{_dotted(keys)}: {message}")


def _dotted(keys: Keys) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")


def apply(document: Document, variant: Variant, where: Keys) -> Document:
    """``document`` with every transform of ``variant`` applied; ``where`` is the variant's key path."""
    result = copy.deepcopy(document)
    for name, transform in TRANSFORMS.items():
        value = getattr(variant, name)
        if value is not None:
            transform(result, value, (*where, name))
    return result


def for_seed(document: Document, seed: int) -> Document:
    """A scenario file replayed with another seed: the acceptance draws change with it."""
    result = copy.deepcopy(document)
    acceptance = result.get("acceptance") or {"probability": 1.0}
    result["acceptance"] = {**acceptance, "seed": seed}
    return result


def start_date(document: Document) -> dt.date:
    return dt.date.fromisoformat(document["start"])


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the transforms, in the order they apply -------------------------------------------------------------


def set_weeks(document: Document, weeks: int, where: Keys) -> None:
    """A shorter (or longer) horizon. Households and dwellings that first appear after it are dropped,
    with the declined pairs that name them: no week's instance would hold them."""
    document["weeks"] = weeks
    end = start_date(document) + dt.timedelta(days=DAYS_PER_WEEK * weeks - 1)
    document["households"] = [h for h in document["households"] if _day(h["available_from"]) <= end]
    document["dwellings"] = [d for d in document["dwellings"] if _day(d["available_from"]) <= end]
    _drop_dangling_forbidden(document)


def scale_arrivals(document: Document, factor: float, where: Keys) -> None:
    """``factor`` times as many households arriving during the horizon (the backlog at the start stays).

    Fewer: the arrivals drawn first are dropped. More: every arrival is copied ``floor(factor) - 1`` times
    and the first drawn of them once more, as new households ``<id>~<k>`` arriving on the same day. The
    draw is the order of ``sha256(scenario id : household id)``, the same for every run of the sweep."""
    start = start_date(document)
    arrivals = [h for h in document["households"] if _day(h["available_from"]) >= start]
    wanted = round(factor * len(arrivals))
    drawn = sorted(arrivals, key=lambda h: _draw(document["id"], h["id"]))
    if wanted < len(arrivals):
        dropped = {h["id"] for h in drawn[: len(arrivals) - wanted]}
        document["households"] = [h for h in document["households"] if h["id"] not in dropped]
        _drop_dangling_forbidden(document)
        return
    copies = [h for _ in range(wanted // len(arrivals) - 1) for h in arrivals] if arrivals else []
    copies += drawn[: wanted - len(arrivals) - len(copies)]
    taken = {h["id"] for h in document["households"]}
    for household in copies:
        copy_id = _fresh_id(f"{household['id']}~", taken)
        document["households"].append({**copy.deepcopy(household), "id": copy_id})


def add_dwellings(document: Document, additions: list[AddDwellings], where: Keys) -> None:
    """New dwellings offered on the Monday of the given week, like a corporation's flex homes."""
    taken = {d["id"] for d in document["dwellings"]}
    for index, add in enumerate(additions):
        keys: Keys = (*where, index)
        _require_municipality(document, add.municipality, (*keys, "municipality"))
        location = add.location.model_dump() if add.location else _first_location(document, add.municipality,
                                                                                   keys)
        offered = start_date(document) + dt.timedelta(days=DAYS_PER_WEEK * add.week)
        for _ in range(add.count):
            document["dwellings"].append({
                "id": _fresh_id(f"sweep-{add.municipality}-w{add.week:02d}-", taken),
                "municipality": add.municipality, "location": location, "bedrooms": add.bedrooms,
                "max_occupants": add.max_occupants, "rent": add.rent, "accessible": add.accessible,
                "available_from": offered.isoformat(), "offer_weeks": add.offer_weeks,
            })


def remove_dwellings(document: Document, removals: list[RemoveDwellings], where: Keys) -> None:
    """Fewer dwellings: the first ``count`` (file order) of a municipality offered in a week (or in any)."""
    start = start_date(document)
    for index, removal in enumerate(removals):
        _require_municipality(document, removal.municipality, (*where, index, "municipality"))
        matching = [d["id"] for d in document["dwellings"] if d["municipality"] == removal.municipality
                    and (removal.week is None or _week_of(start, d["available_from"]) == removal.week)]
        dropped = set(matching if removal.count is None else matching[: removal.count])
        document["dwellings"] = [d for d in document["dwellings"] if d["id"] not in dropped]
    _drop_dangling_forbidden(document)


def scale_targets(document: Document, factor: float, where: Keys) -> None:
    """Every municipality's taakstelling times ``factor``, rounded to whole persons."""
    for municipality in document["municipalities"]:
        municipality["target"] = round(municipality["target"] * factor)


def set_targets(document: Document, targets: dict[str, int], where: Keys) -> None:
    for code, target in targets.items():
        _require_municipality(document, code, (*where, code))
        for municipality in document["municipalities"]:
            if municipality["id"] == code:
                municipality["target"] = target


def set_acceptance(document: Document, probability: float, where: Keys) -> None:
    """Another share of proposals accepted; the draws (the acceptance seed) stay the same."""
    acceptance = document.get("acceptance") or {"seed": 0}
    document["acceptance"] = {**acceptance, "probability": probability}


def school_seats(document: Document, changes: list[SchoolSeats], where: Keys) -> None:
    """Seats times ``scale`` plus ``add`` (never below 0) at the schools picked."""
    for index, change in enumerate(changes):
        keys: Keys = (*where, index)
        picked = _pick_schools(document, change, keys)
        if not picked:
            raise TransformError(keys, f"picks no school of scenario {document['id']!r}")
        for school in picked:
            school["seats"] = max(0, round(school["seats"] * change.scale) + change.add)


def group_caps(document: Document, caps: list[GroupCaps], where: Keys) -> None:
    """Another share cap for mixed occupancy in the groups picked."""
    groups = document.get("groups") or []
    for index, cap in enumerate(caps):
        keys: Keys = (*where, index)
        known = {g["id"] for g in groups}
        for missing in sorted(set(cap.groups or ()) - known):
            raise TransformError((*keys, "groups"), f"no group {missing!r} in scenario {document['id']!r}")
        picked = [g for g in groups if (cap.groups is None or g["id"] in cap.groups)
                  and (cap.kind is None or g.get("kind") == cap.kind)]
        if not picked:
            raise TransformError(keys, f"picks no group of scenario {document['id']!r}")
        for group in picked:
            group["max_share"] = cap.max_share


def set_objectives(document: Document, objectives: list[str], where: Keys) -> None:
    document["policy"] = {**(document.get("policy") or {}), "objectives": list(objectives)}


def set_quality_weights(document: Document, weights: dict[str, Any], where: Keys) -> None:
    """Merged key by key into the policy's weights, as the format merges a partial policy with defaults."""
    policy = document.get("policy") or {}
    merged = dict(policy.get("quality_weights") or {})
    for key, value in weights.items():
        merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    document["policy"] = {**policy, "quality_weights": merged}


TRANSFORMS: dict[str, Callable[[Document, Any, Keys], None]] = {
    "weeks": set_weeks,
    "scale_arrivals": scale_arrivals,
    "add_dwellings": add_dwellings,
    "remove_dwellings": remove_dwellings,
    "scale_targets": scale_targets,
    "set_targets": set_targets,
    "acceptance": set_acceptance,
    "school_seats": school_seats,
    "group_caps": group_caps,
    "objectives": set_objectives,
    "quality_weights": set_quality_weights,
}


# --- helpers ---------------------------------------------------------------------------------------------


def _draw(scenario_id: str, household_id: str) -> str:
    return hashlib.sha256(f"{scenario_id}:{household_id}".encode()).hexdigest()


def _fresh_id(prefix: str, taken: set[str]) -> str:
    """The first ``prefix<n>`` (n = 1, 2, ...) not yet taken; marks it taken."""
    number = 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    taken.add(f"{prefix}{number:03d}")
    return f"{prefix}{number:03d}"


def _week_of(start: dt.date, day: str) -> int:
    """The horizon's week a day falls in (negative before the start)."""
    return math.floor((_day(day) - start).days / DAYS_PER_WEEK)


def _require_municipality(document: Document, code: str, keys: Keys) -> None:
    if not any(m["id"] == code for m in document["municipalities"]):
        raise TransformError(keys, f"no municipality {code!r} in scenario {document['id']!r}")


def _first_location(document: Document, code: str, keys: Keys) -> dict[str, float]:
    for dwelling in document["dwellings"]:
        if dwelling["municipality"] == code:
            return dict(dwelling["location"])
    raise TransformError(keys, f"municipality {code!r} has no dwelling to take a location from; give location")


def _pick_schools(document: Document, change: SchoolSeats, keys: Keys) -> list[Document]:
    schools = document.get("schools") or []
    known = {s["id"] for s in schools}
    for missing in sorted(set(change.schools or ()) - known):
        raise TransformError((*keys, "schools"), f"no school {missing!r} in scenario {document['id']!r}")
    if change.municipality is not None:
        _require_municipality(document, change.municipality, (*keys, "municipality"))
    return [s for s in schools if (change.schools is None or s["id"] in change.schools)
            and (change.kind is None or s["kind"] == change.kind)
            and (change.municipality is None or _school_municipality(document, s) == change.municipality)]


def _school_municipality(document: Document, school: Document) -> str | None:
    """The municipality of the dwelling nearest to the school (schools carry only a location)."""
    location = school["location"]
    nearest = min(document["dwellings"], default=None,
                  key=lambda d: float(haversine_km(location["lat"], location["lon"],
                                                   d["location"]["lat"], d["location"]["lon"])))
    return None if nearest is None else nearest["municipality"]


def _drop_dangling_forbidden(document: Document) -> None:
    households = {h["id"] for h in document["households"]}
    dwellings = {d["id"] for d in document["dwellings"]}
    document["forbidden"] = [f for f in document.get("forbidden") or []
                             if f["household"] in households and f["dwelling"] in dwellings]
