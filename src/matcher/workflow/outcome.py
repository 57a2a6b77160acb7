"""A proposal joined to its instance: the rows a coordinator reads, shared by the export and the report.

A proposal names households, dwellings and schools by id only; the coordinator wants to see the
household's size, the dwelling's municipality and rent, how far the school is, how much of each
taakstelling the week fills and which groups are nearly full. Those figures are computed here once, from
``matcher.facts`` (so caps and shares are exactly the format's), and both outputs print them as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from matcher.exceptions import Problem, ProposalInvalid
from matcher.explain.words import placement_phrases, reason_texts
from matcher.facts import derive_facts, haversine_km
from matcher.format import MAXIMISED_OBJECTIVES, PERMILLE, SCHOOL_KINDS, Instance, Location, Proposal

NEAR_CAP_REMAINING = 1  # a group with at most this many dwellings still open after the proposal is "near its cap"
KM_DECIMALS = 3
SUMMARY_KEY = "summary"  # an explanation's one-line text, shown first and on the map
EXPLANATION_KEY = "explanation"  # where the solver puts a placement's structured explanation
REASON_DETAILS_KEY = "reason_details"  # where it puts a waiting household's structured reasons


@dataclass(frozen=True)
class ObjectiveRow:
    name: str
    sense: str  # "maximise" or "minimise"
    value: int
    bound: int

    @property
    def gap(self) -> int:
        """How far the value may still be from the best possible (0 when proven optimal)."""
        return abs(self.bound - self.value)


@dataclass(frozen=True)
class AssignmentRow:
    household: str
    size: int
    final_size: int
    overdue: bool
    waiting_since: dt.date
    dwelling: str
    municipality: str
    municipality_name: str
    bedrooms: int
    rent: float
    shared: bool
    schools: dict[str, str]  # kind -> school id
    school_km: dict[str, float]  # kind -> great-circle km from the dwelling
    explanations: dict[str, Any]  # extra fields of the assignment, flattened to one level
    explanation: dict[str, Any] | None = None  # the structured explanation, which any language words

    def summary_in(self, language: str) -> str | None:
        """The explanation in one line in ``language``; the proposal's own summary text when it has no
        structured explanation (another tool's proposal)."""
        phrases = placement_phrases(self.explanation, language) if self.explanation else []
        return "; ".join(phrases) if phrases else self.explanations.get(SUMMARY_KEY)


@dataclass(frozen=True)
class UnassignedRow:
    household: str
    size: int
    overdue: bool
    waiting_since: dt.date
    reasons: list[str]  # as the proposal words them (English)
    details: dict[str, Any]  # extra fields of the record (e.g. reason codes), flattened
    reason_details: list[dict[str, Any]] | None = None  # the structured reasons, which any language words

    def reasons_in(self, language: str) -> list[str]:
        """The reasons in ``language``, from the structured reasons where the proposal has them."""
        return reason_texts({"reasons": self.reasons, "reason_details": self.reason_details}, language)


@dataclass(frozen=True)
class MunicipalityRow:
    id: str
    name: str
    target: int
    housed: int
    proposed: int
    ceiling: int  # the most persons the municipality may reach this half-year: housed + its remaining cap

    @property
    def after(self) -> int:
        return self.housed + self.proposed

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.after)

    @property
    def shortfall_permille(self) -> int | None:
        """floor(1000 * shortfall / target), as the objective counts it; None without a target."""
        return PERMILLE * self.shortfall // self.target if self.target > 0 else None


@dataclass(frozen=True)
class SchoolRow:
    id: str
    kind: str
    lat: float
    lon: float
    seats: int
    pupils: int  # newcomer pupils this proposal places there

    @property
    def free(self) -> int:
        return self.seats - self.pupils


@dataclass(frozen=True)
class GroupRow:
    id: str
    kind: str
    units: int
    status_holder_units: int
    cap: int  # dwellings of the group that may still receive a household
    used: int  # dwellings of the group this proposal fills
    dwellings: list[str]

    @property
    def remaining(self) -> int:
        return self.cap - self.used

    @property
    def near_cap(self) -> bool:
        return self.remaining <= NEAR_CAP_REMAINING


@dataclass(frozen=True)
class DwellingRow:
    id: str
    municipality: str
    lat: float
    lon: float
    bedrooms: int
    rent: float
    shared_places: int
    available: bool  # available within the planning week
    groups: list[str]
    households: list[str]  # households this proposal moves in


@dataclass(frozen=True)
class Outcome:
    instance: str
    period_start: dt.date
    period_end: dt.date
    status: str
    errors: list[str]
    objectives: list[ObjectiveRow]
    assignments: list[AssignmentRow]
    unassigned: list[UnassignedRow]
    municipalities: list[MunicipalityRow]
    schools: list[SchoolRow]
    groups: list[GroupRow]
    dwellings: list[DwellingRow]
    explanation_keys: list[str] = field(default_factory=list)  # columns of explanations, in order of appearance
    unassigned_keys: list[str] = field(default_factory=list)  # columns of extra fields of unassigned records


def build_outcome(instance: Instance, proposal: Proposal) -> Outcome:
    """Join the proposal to its instance; ``ProposalInvalid`` when it names ids the instance lacks."""
    _check_matches(instance, proposal)
    facts = derive_facts(instance)
    households = {h.id: h for h in instance.households}
    dwellings = {d.id: d for d in instance.dwellings}
    schools = {s.id: s for s in instance.schools}
    municipality_names = {m.id: m.name for m in instance.municipalities}

    assignments = []
    extras = readable_extras([assignment.model_extra or {} for assignment in proposal.assignments])
    for assignment, explanations in zip(proposal.assignments, extras, strict=True):
        household, dwelling = households[assignment.household], dwellings[assignment.dwelling]
        h = facts.household_index[household.id]
        named = assignment.named_schools()
        assignments.append(AssignmentRow(
            household=household.id, size=household.size, final_size=household.final_size,
            overdue=bool(facts.households.overdue[h]), waiting_since=household.waiting_since,
            dwelling=dwelling.id, municipality=dwelling.municipality,
            municipality_name=municipality_names[dwelling.municipality], bedrooms=dwelling.bedrooms,
            rent=dwelling.rent, shared=dwelling.is_shared,
            schools={kind: named[kind] for kind in SCHOOL_KINDS if kind in named},
            school_km={kind: _km(dwelling.location, schools[named[kind]].location) for kind in SCHOOL_KINDS
                       if kind in named},
            explanations=explanations, explanation=_structured((assignment.model_extra or {}).get(EXPLANATION_KEY)),
        ))
    unassigned_extras = [{key: value for key, value in extra.items() if key != REASON_DETAILS_KEY}
                         for extra in readable_extras([record.model_extra or {} for record in proposal.unassigned])]
    return Outcome(
        instance=instance.id,
        period_start=instance.period.start,
        period_end=instance.period.end,
        status=proposal.status,
        errors=list(proposal.errors or []),
        objectives=[ObjectiveRow(o.name, "maximise" if o.name in MAXIMISED_OBJECTIVES else "minimise", o.value,
                                 o.bound) for o in proposal.objectives],
        assignments=assignments,
        unassigned=[_unassigned_row(facts, households[u.household], u.reasons, details,
                                    (u.model_extra or {}).get(REASON_DETAILS_KEY))
                    for u, details in zip(proposal.unassigned, unassigned_extras, strict=True)],
        municipalities=_municipality_rows(instance, facts, proposal, dwellings),
        schools=_school_rows(instance, facts, proposal),
        groups=_group_rows(instance, facts, proposal),
        dwellings=_dwelling_rows(instance, facts, proposal),
        explanation_keys=keys_in_order(extras),
        unassigned_keys=keys_in_order(unassigned_extras),
    )


def _km(a: Location, b: Location) -> float:
    """Great-circle km, rounded to whole metres: a figure to read, not to check rules with."""
    return round(float(haversine_km(a.lat, a.lon, b.lat, b.lon)), KM_DECIMALS)


def readable_extras(extras: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Extra fields of each record flattened to one level, without a wrapper every record shares.

    The solver puts its explanation under one key (``{"explanation": {"summary": ..., "quality": ...}}``);
    columns read better as ``summary`` and ``quality`` than as ``explanation.summary``.
    """
    flat = [flatten(extra) for extra in extras]
    tops = {key for extra in extras for key in extra}
    if len(tops) == 1 and all(isinstance(extra.get(next(iter(tops))), dict) for extra in extras if extra):
        prefix = f"{next(iter(tops))}."
        flat = [{key.removeprefix(prefix): value for key, value in row.items()} for row in flat]
    return flat


def keys_in_order(rows: list[dict[str, Any]]) -> list[str]:
    """Every key, in order of first appearance, with a ``summary`` first: it is the one to read."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return sorted(keys, key=lambda key: key != SUMMARY_KEY)


def flatten(extra: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested explanation objects as ``outer.inner`` keys; lists of plain values joined with ``; ``."""
    flat: dict[str, Any] = {}
    for key, value in extra.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(item) if not isinstance(item, dict) else
                                   ", ".join(f"{k}: {v}" for k, v in item.items()) for item in value)
        else:
            flat[name] = value
    return flat


def _check_matches(instance: Instance, proposal: Proposal) -> None:
    if proposal.instance != instance.id:  # then every id below would be noise
        raise ProposalInvalid([Problem("instance", None, f'is for instance "{proposal.instance}", not "{instance.id}"',
                                       "wrong_instance")])
    problems = []
    known = {
        "household": {h.id for h in instance.households},
        "dwelling": {d.id for d in instance.dwellings},
        "school": {s.id for s in instance.schools},
    }
    for i, assignment in enumerate(proposal.assignments):
        label = f"{assignment.household} -> {assignment.dwelling}"
        for kind, record_id in (("household", assignment.household), ("dwelling", assignment.dwelling)):
            if record_id not in known[kind]:
                problems.append(Problem(f"assignments[{i}].{kind}", label, f'unknown {kind} "{record_id}"',
                                        "unknown_reference"))
        for kind, school in assignment.named_schools().items():
            if school not in known["school"]:
                problems.append(Problem(f"assignments[{i}].schools.{kind}", label, f'unknown school "{school}"',
                                        "unknown_reference"))
    for i, unassigned in enumerate(proposal.unassigned):
        if unassigned.household not in known["household"]:
            problems.append(Problem(f"unassigned[{i}].household", unassigned.household,
                                    f'unknown household "{unassigned.household}"', "unknown_reference"))
    if problems:
        raise ProposalInvalid(problems)


def _unassigned_row(facts: Any, household: Any, reasons: list[str], details: dict[str, Any],
                    reason_details: Any) -> UnassignedRow:
    h = facts.household_index[household.id]
    structured = reason_details if isinstance(reason_details, list) and all(
        isinstance(detail, dict) for detail in reason_details) else None
    return UnassignedRow(household.id, household.size, bool(facts.households.overdue[h]), household.waiting_since,
                         list(reasons), details, structured)


def _structured(explanation: Any) -> dict[str, Any] | None:
    return explanation if isinstance(explanation, dict) else None


def _placed_by_municipality(instance: Instance, proposal: Proposal, dwellings: dict[str, Any]) -> dict[str, int]:
    sizes = {h.id: h.size for h in instance.households}
    placed = dict.fromkeys((m.id for m in instance.municipalities), 0)
    for assignment in proposal.assignments:
        placed[dwellings[assignment.dwelling].municipality] += sizes[assignment.household]
    return placed


def _municipality_rows(instance: Instance, facts: Any, proposal: Proposal,
                       dwellings: dict[str, Any]) -> list[MunicipalityRow]:
    """Progress per municipality; ``proposed`` is the proposal's own ``placed`` where it lists one."""
    computed = _placed_by_municipality(instance, proposal, dwellings)
    listed = {m.id: m.placed for m in proposal.municipalities}
    rows = []
    for m, municipality in enumerate(instance.municipalities):
        rows.append(MunicipalityRow(
            id=municipality.id, name=municipality.name, target=municipality.target, housed=municipality.housed,
            proposed=listed.get(municipality.id, computed[municipality.id]),
            ceiling=municipality.housed + int(facts.municipalities.cap[m]),
        ))
    return rows


def _school_rows(instance: Instance, facts: Any, proposal: Proposal) -> list[SchoolRow]:
    pupils = dict.fromkeys((s.id for s in instance.schools), 0)
    for assignment in proposal.assignments:
        h = facts.household_index[assignment.household]
        for kind, school in assignment.named_schools().items():
            pupils[school] += int(facts.households.kids[h, SCHOOL_KINDS.index(kind)])
    return [SchoolRow(s.id, s.kind, s.location.lat, s.location.lon, s.seats, pupils[s.id]) for s in instance.schools]


def _group_rows(instance: Instance, facts: Any, proposal: Proposal) -> list[GroupRow]:
    filled = {assignment.dwelling for assignment in proposal.assignments}
    rows = []
    for g, group in enumerate(instance.groups):
        members = [facts.dwellings.ids[int(d)] for d in facts.groups.dwellings[g]]
        rows.append(GroupRow(group.id, group.kind, group.units, group.status_holder_units, int(facts.groups.cap[g]),
                             sum(member in filled for member in members), members))
    return rows


def _dwelling_rows(instance: Instance, facts: Any, proposal: Proposal) -> list[DwellingRow]:
    moving_in: dict[str, list[str]] = {d.id: [] for d in instance.dwellings}
    for assignment in proposal.assignments:
        moving_in[assignment.dwelling].append(assignment.household)
    return [DwellingRow(d.id, d.municipality, d.location.lat, d.location.lon, d.bedrooms, d.rent, d.shared_places,
                        bool(facts.dwellings.available[i]), list(d.groups), moving_in[d.id])
            for i, d in enumerate(instance.dwellings)]

