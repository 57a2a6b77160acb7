"""The independent referee: does a proposal keep every rule of ``matcher.proposal/1``, and are its figures right?

A coordinator edits a proposal by hand (swaps two households, drops one) and must know whether it still
holds; a solver change must not be able to certify its own mistakes. So this module evaluates every hard
rule and every objective itself, with plain loops over the records, exactly as
``shared/instance-format.md`` words them. It shares only the format models, the derived quantities of
``matcher.facts`` (need, kids, caps) and the compatibility rules of ``matcher.compat`` (the one definition
of compatibility) with the rest of matcher, and never imports the solver.

Every violation names its rule code (see ``RULES``), where it is (JSON path plus the records involved) and
what is wrong in words, e.g. ``assignments[3] h00012 -> d00007: school s0004 is 6.200 km away, beyond
max_school_km.primary 5.0``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.compat import broken_rules
from matcher.exceptions import InstanceInvalid, Problem, ProposalInvalid
from matcher.facts import DAYS_PER_WEEK, DISTANCE_TOLERANCE_KM, Facts, ceil_km, derive_facts, haversine_km
from matcher.format import (
    MAXIMISED_OBJECTIVES,
    PROPOSAL_FORMAT,
    SCHOOL_KINDS,
    Assignment,
    Instance,
    Location,
    ObjectiveValue,
    Proposal,
)
from matcher.solution import Placement
from matcher.validation import read_json

PERMILLE = 1000

RULES: dict[str, str] = {
    "format": "the document is a matcher.proposal/1 for this instance",
    "status": "the status agrees with the document (optimal: bound == value; invalid: errors and nothing else)",
    "unknown_id": "every household, dwelling, school and municipality named exists in the instance",
    "duplicate_household": "each household is assigned at most once and listed at most once in unassigned",
    "compatibility": "every assigned pair keeps rules 1-5 of compatibility",
    "forbidden": "no forbidden pair is assigned (rule 6)",
    "capacity": "a non-shared dwelling holds one household, a shared one at most shared_places",
    "school_missing": "a household with children of a kind names one school of that kind",
    "school_extra": "a household without children of a kind names no school of it",
    "school_kind": "a school named as primary (secondary) is a primary (secondary) school",
    "school_range": "every school named is within max_school_km of the dwelling",
    "school_seats": "the pupils placed at a school fit its free seats",
    "group_cap": "the distinct dwellings of a group receiving a household stay within the group's share cap",
    "municipality_cap": "the persons placed in a municipality stay within its cap",
    "lock_missing": "every lock appears, with the schools it names",
    "unassigned_missing": "every household not assigned is listed in unassigned",
    "unassigned_reasons": "every unassigned household has at least one reason",
    "unassigned_assigned": "no assigned household is also listed in unassigned",
    "municipalities": "municipalities lists every municipality once with its target, housed and placed",
    "objective_mismatch": "objectives lists the policy's objectives in order, with the recomputed values",
    "objective_bound": "each bound lies on the right side of its value",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, where in the proposal, which records, and what a coordinator reads."""

    rule: str
    where: str
    message: str
    records: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "where": self.where, "records": list(self.records), "message": str(self)}


@dataclass(frozen=True)
class CheckReport:
    """The referee's verdict: violations, and the figures recomputed from the assignments."""

    instance: str
    status: str
    violations: list[Violation]
    objectives: dict[str, int]  # every objective, recomputed
    policy_objectives: list[str]  # the instance's objective order
    reported: list[ObjectiveValue]
    placed: dict[str, int]  # persons placed per municipality, recomputed
    assigned: int
    unassigned: int

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules_broken(self) -> set[str]:
        return {violation.rule for violation in self.violations}

    def objective_rows(self) -> list[dict[str, Any]]:
        """Each objective of the policy (and any other the proposal reports): recomputed next to reported."""
        reported = {}
        for objective in self.reported:
            reported.setdefault(objective.name, objective)
        names = self.policy_objectives + [name for name in reported if name not in self.policy_objectives]
        return [{"name": name,
                 "recomputed": self.objectives[name],
                 "value": reported[name].value if name in reported else None,
                 "bound": reported[name].bound if name in reported else None}
                for name in names]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "instance": self.instance,
            "status": self.status,
            "violations": [violation.as_dict() for violation in self.violations],
            "objectives": self.objective_rows(),
            "recomputed": self.objectives,
            "municipalities": [{"id": m, "placed": placed} for m, placed in self.placed.items()],
            "assigned": self.assigned,
            "unassigned": self.unassigned,
        }


def check_proposal(instance: Instance, proposal_data: dict[str, Any] | Proposal) -> CheckReport:
    """Check any proposal against every rule of the format; raise ``ProposalInvalid`` if it cannot be read."""
    violations: list[Violation] = []
    if isinstance(proposal_data, Proposal):
        proposal = proposal_data
    else:
        violations.extend(_format_field(proposal_data))
        proposal = parse_proposal(proposal_data)
    facts = derive_facts(instance)
    if proposal.instance != instance.id:
        violations.append(Violation("format", "instance",
                                    f'the proposal is for instance "{proposal.instance}", not "{instance.id}"',
                                    (proposal.instance,)))
    placed, resolution = _resolve(facts, proposal.assignments)
    violations.extend(resolution)
    if proposal.status == "invalid":
        violations.extend(_invalid_status(facts, proposal))
    else:
        violations.extend(_hard_rules(facts, placed))
        violations.extend(_unassigned(facts, proposal))
        violations.extend(_municipality_list(facts, proposal, placed))
        violations.extend(_objectives(facts, proposal, placed))
        if proposal.errors:
            violations.append(Violation("status", "errors", f"only a proposal with status invalid has errors; "
                                                            f"this one has status {proposal.status}"))
    placements = [p.placement for p in placed]
    return CheckReport(
        instance=instance.id,
        status=proposal.status,
        violations=violations,
        objectives=recompute_objectives(facts, placements),
        policy_objectives=list(instance.policy.objectives),
        reported=list(proposal.objectives),
        placed=placed_persons(facts, placements),
        assigned=len(proposal.assignments),
        unassigned=len(proposal.unassigned),
    )


def hard_rule_violations(facts: Facts, assignments: Sequence[Assignment]) -> list[Violation]:
    """The feasibility rules alone (ids, compatibility, capacity, schools, caps, locks) for a list of assignments."""
    placed, violations = _resolve(facts, assignments)
    return violations + _hard_rules(facts, placed)


# --- reading ----------------------------------------------------------------------------------------------


def read_proposal(source: str | bytes | Path) -> Any:
    """The JSON document of a proposal (text, bytes or a file path); unreadable JSON raises ``ProposalInvalid``."""
    try:
        return read_json(source)
    except InstanceInvalid as error:
        raise ProposalInvalid(error.problems) from None


def parse_proposal(data: Any) -> Proposal:
    """The proposal model, taking JSON types literally (no "3" for 3); wrong shapes raise ``ProposalInvalid``."""
    if not isinstance(data, dict):
        raise ProposalInvalid([Problem("", None, "must be a JSON object", "type")])
    try:
        # The format field is judged by the checker (a "format" violation), not by the reader.
        return Proposal.model_validate({**data, "format": PROPOSAL_FORMAT}, strict=True)
    except ValidationError as error:
        raise ProposalInvalid([_reading_problem(detail, data) for detail in error.errors(include_url=False)]) from None


def _reading_problem(detail: Any, data: dict[str, Any]) -> Problem:
    location = [part for part in detail["loc"] if isinstance(part, int) or not _is_pydantic_tag(part)]
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if detail["type"] == "missing":
        message = "is required"
    else:
        text = str(detail["msg"])
        message = f"{text[:1].lower()}{text[1:]}, got {_show(detail.get('input'))}"
    return Problem(path, _record_label(data, location), message, str(detail["type"]))


def _is_pydantic_tag(part: str) -> bool:
    """Union and literal branches add tags such as ``'literal[...]'`` or ``'str'`` to an error's location."""
    return "[" in part or part in {"str", "int", "float", "bool", "none", "dict", "list"}


def _record_label(data: dict[str, Any], location: list[Any]) -> str | None:
    """``h00012 -> d00007`` for an assignment, the household for an unassigned entry, the id of a municipality."""
    if len(location) < 2 or not isinstance(location[1], int):
        return None
    records = data.get(location[0])
    if not isinstance(records, list) or location[1] >= len(records) or not isinstance(records[location[1]], dict):
        return None
    record = records[location[1]]
    if location[0] == "assignments":
        return f"{record.get('household', '?')} -> {record.get('dwelling', '?')}"
    label = record.get("household", record.get("id", record.get("name")))
    return label if isinstance(label, str) else None


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _format_field(data: Any) -> list[Violation]:
    if isinstance(data, dict) and data.get("format") != PROPOSAL_FORMAT:
        found = json.dumps(data["format"]) if "format" in data else "nothing"
        return [Violation("format", "format", f'must be "{PROPOSAL_FORMAT}", got {found}')]
    return []


# --- assignments resolved to records ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    """An assignment whose household and dwelling exist, with the position it has in the proposal."""

    where: str  # "assignments[3] h00012 -> d00007"
    household: int
    dwelling: int
    named: dict[str, str]  # school kind -> school id as written, unknown ids included
    schools: dict[str, int] = field(default_factory=dict)  # school kind -> index, known schools only

    @property
    def placement(self) -> Placement:
        return Placement(self.household, self.dwelling, dict(self.schools))


def _resolve(facts: Facts, assignments: Sequence[Assignment]) -> tuple[list[_Placed], list[Violation]]:
    placed: list[_Placed] = []
    violations: list[Violation] = []
    for position, assignment in enumerate(assignments):
        where = f"assignments[{position}] {assignment.household} -> {assignment.dwelling}"
        household = facts.household_index.get(assignment.household)
        dwelling = facts.dwelling_index.get(assignment.dwelling)
        if household is None:
            violations.append(Violation("unknown_id", where, f'unknown household "{assignment.household}"',
                                        (assignment.household,)))
        if dwelling is None:
            violations.append(Violation("unknown_id", where, f'unknown dwelling "{assignment.dwelling}"',
                                        (assignment.dwelling,)))
        named = assignment.named_schools()
        schools = {}
        for kind, school_id in named.items():
            if school_id in facts.school_index:
                schools[kind] = facts.school_index[school_id]
            else:
                violations.append(Violation("unknown_id", where, f'unknown {kind} school "{school_id}"',
                                            (school_id,)))
        if household is not None and dwelling is not None:
            placed.append(_Placed(where, household, dwelling, named, schools))
    return placed, violations


def _records(facts: Facts, placed: _Placed, *more: str) -> tuple[str, ...]:
    return (facts.households.ids[placed.household], facts.dwellings.ids[placed.dwelling], *more)


# --- the hard rules ---------------------------------------------------------------------------------------


def _hard_rules(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    return [
        *_duplicate_households(facts, placed),
        *_compatibility(facts, placed),
        *_capacity(facts, placed),
        *_schools(facts, placed),
        *_group_caps(facts, placed),
        *_municipality_caps(facts, placed),
        *_locks(facts, placed),
    ]


def _duplicate_households(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    first: dict[int, _Placed] = {}
    violations = []
    for p in placed:
        if p.household in first:
            violations.append(Violation("duplicate_household", p.where,
                                        f"household {facts.households.ids[p.household]} is already assigned by "
                                        f"{first[p.household].where}", _records(facts, p)))
        else:
            first[p.household] = p
    return violations


def _compatibility(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    violations = []
    for p in placed:
        for broken in broken_rules(facts, p.household, p.dwelling):
            if broken.name == "forbidden":
                violations.append(Violation("forbidden", p.where, broken.text, _records(facts, p)))
            else:
                violations.append(Violation("compatibility", p.where, f"rule {broken.rule} ({broken.name}): "
                                                                      f"{broken.text}", _records(facts, p)))
    return violations


def _capacity(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    occupants: dict[int, list[_Placed]] = defaultdict(list)
    for p in placed:
        occupants[p.dwelling].append(p)
    violations = []
    for dwelling, residents in occupants.items():
        shared_places = int(facts.dwellings.shared_places[dwelling])
        limit = shared_places if shared_places > 0 else 1
        if len(residents) > limit:
            kind = f"a shared dwelling with {shared_places} places" if shared_places else "a non-shared dwelling"
            dwelling_id = facts.dwellings.ids[dwelling]
            violations.append(Violation(
                "capacity", f"dwelling {dwelling_id}",
                f"holds {len(residents)} households ({_list_where(residents)}); {kind} takes at most {limit}",
                (dwelling_id, *(facts.households.ids[p.household] for p in residents))))
    return violations


def _list_where(placed: Iterable[_Placed]) -> str:
    return ", ".join(p.where for p in placed)


def _schools(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    violations: list[Violation] = []
    pupils: dict[int, list[tuple[_Placed, int]]] = defaultdict(list)
    for p in placed:
        for column, kind in enumerate(SCHOOL_KINDS):
            kids = int(facts.households.kids[p.household, column])
            violation = _school_choice(facts, p, kind, kids)
            if violation is not None:
                violations.append(violation)
            elif kind in p.schools and kids > 0:
                pupils[p.schools[kind]].append((p, kids))
    for school, uses in pupils.items():
        record = facts.instance.schools[school]
        total = sum(kids for _, kids in uses)
        if total > record.seats:
            violations.append(Violation(
                "school_seats", f"school {record.id}",
                f"{total} {record.kind} pupil(s) are placed there ({_list_where(p for p, _ in uses)}); "
                f"it has {record.seats} free seat(s)",
                (record.id, *(facts.households.ids[p.household] for p, _ in uses))))
    return violations


def _school_choice(facts: Facts, p: _Placed, kind: str, kids: int) -> Violation | None:
    """What is wrong with the school (or its absence) an assignment names for one kind; None when it is right."""
    policy = facts.instance.policy
    low, high = policy.ages(kind)
    school_id = p.named.get(kind)
    if kids > 0 and school_id is None:
        return Violation("school_missing", p.where, f"the household has {kids} child(ren) aged {low}-{high} but "
                                                    f"names no {kind} school", _records(facts, p))
    if kids == 0 and school_id is not None:
        return Violation("school_extra", p.where, f"the household has no child aged {low}-{high} but names "
                                                  f"{kind} school {school_id}", _records(facts, p, school_id))
    if kind not in p.schools:
        return None  # none needed, or an unknown id already reported
    school = facts.instance.schools[p.schools[kind]]
    if school.kind != kind:
        return Violation("school_kind", p.where, f"school {school.id} is a {school.kind} school, named as {kind}",
                         _records(facts, p, school.id))
    km = distance_km(facts.instance.dwellings[p.dwelling].location, school.location)
    limit = policy.max_school_km.for_kind(kind)
    if km > limit + DISTANCE_TOLERANCE_KM:
        return Violation("school_range", p.where, f"school {school.id} is {km:.3f} km away, beyond "
                                                  f"max_school_km.{kind} {limit}", _records(facts, p, school.id))
    return None


def distance_km(a: Location, b: Location) -> float:
    return float(haversine_km(a.lat, a.lon, b.lat, b.lon))


def _group_caps(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    receiving: dict[int, set[int]] = defaultdict(set)  # group -> its dwellings that receive a household
    for p in placed:
        for g in facts.dwellings.groups[p.dwelling]:
            receiving[int(g)].add(p.dwelling)
    violations = []
    for g, group in enumerate(facts.instance.groups):
        dwellings = sorted(receiving[g])
        cap = int(facts.groups.cap[g])
        if len(dwellings) > cap:
            ids = [facts.dwellings.ids[d] for d in dwellings]
            share = facts.instance.group_max_share(group)
            violations.append(Violation(
                "group_cap", f"group {group.id}",
                f"{len(dwellings)} distinct dwellings of the group receive a household ({', '.join(ids)}); at most "
                f"{cap} may = max(0, floor({share} * {group.units}) - {group.status_holder_units})",
                (group.id, *ids)))
    return violations


def _municipality_caps(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    persons = placed_persons(facts, [p.placement for p in placed])
    share = facts.instance.policy.max_over_target_share
    violations = []
    for m, municipality in enumerate(facts.instance.municipalities):
        cap = int(facts.municipalities.cap[m])
        if persons[municipality.id] > cap:
            violations.append(Violation(
                "municipality_cap", f"municipality {municipality.id}",
                f"{persons[municipality.id]} persons are placed in its dwellings; at most {cap} may = "
                f"max(0, floor({municipality.target} * (1 + {share})) - {municipality.housed})",
                (municipality.id,)))
    return violations


def _locks(facts: Facts, placed: list[_Placed]) -> list[Violation]:
    by_household: dict[int, list[_Placed]] = defaultdict(list)
    for p in placed:
        by_household[p.household].append(p)
    violations = []
    for i, lock in enumerate(facts.instance.locks):
        where = f"locks[{i}] {lock.household} -> {lock.dwelling}"
        household, dwelling = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        kept = next((p for p in by_household[household] if p.dwelling == dwelling), None)
        if kept is None:
            elsewhere = [p.where for p in by_household[household]]
            found = f"; the household is in {', '.join(elsewhere)}" if elsewhere else ""
            violations.append(Violation("lock_missing", where, f"the locked pair is not assigned{found}",
                                        (lock.household, lock.dwelling)))
            continue
        for kind, school_id in lock.named_schools().items():
            if kept.named.get(kind) != school_id:
                violations.append(Violation(
                    "lock_missing", where,
                    f"the lock names {kind} school {school_id}; {kept.where} names {kept.named.get(kind) or 'none'}",
                    (lock.household, lock.dwelling, school_id)))
    return violations


# --- the rest of the document -----------------------------------------------------------------------------


def _invalid_status(facts: Facts, proposal: Proposal) -> list[Violation]:
    violations = []
    if not proposal.errors:
        violations.append(Violation("status", "errors", "status invalid needs errors saying why"))
    for name in ("assignments", "unassigned", "municipalities"):
        if getattr(proposal, name):
            violations.append(Violation("status", name, f"must be empty with status invalid; it has "
                                                        f"{len(getattr(proposal, name))} entries"))
    locks_alone = [Assignment(household=lock.household, dwelling=lock.dwelling, schools=lock.named_schools())
                   for lock in facts.instance.locks]
    if not hard_rule_violations(facts, locks_alone):
        violations.append(Violation("status", "status", "the instance is valid: its locks alone, with the schools "
                                                        "they name, keep every rule, so a proposal exists"))
    return violations


def _unassigned(facts: Facts, proposal: Proposal) -> list[Violation]:
    assigned = {assignment.household for assignment in proposal.assignments}
    listed: dict[str, int] = {}
    violations = []
    for i, entry in enumerate(proposal.unassigned):
        where = f"unassigned[{i}] {entry.household}"
        if entry.household not in facts.household_index:
            violations.append(Violation("unknown_id", where, f'unknown household "{entry.household}"',
                                        (entry.household,)))
        elif entry.household in listed:
            violations.append(Violation("duplicate_household", where,
                                        f"already listed as unassigned[{listed[entry.household]}]",
                                        (entry.household,)))
        else:
            listed[entry.household] = i
        if entry.household in assigned:
            violations.append(Violation("unassigned_assigned", where, "the household is also assigned",
                                        (entry.household,)))
        if not any(reason.strip() for reason in entry.reasons):
            violations.append(Violation("unassigned_reasons", where, "gives no reason why the household is "
                                                                     "not assigned", (entry.household,)))
    for household_id in facts.households.ids:
        if household_id not in assigned and household_id not in listed:
            violations.append(Violation("unassigned_missing", f"household {household_id}",
                                        "is neither assigned nor listed in unassigned", (household_id,)))
    return violations


def _municipality_list(facts: Facts, proposal: Proposal, placed: list[_Placed]) -> list[Violation]:
    persons = placed_persons(facts, [p.placement for p in placed])
    seen: dict[str, int] = {}
    violations = []
    for i, entry in enumerate(proposal.municipalities):
        where = f"municipalities[{i}] {entry.id}"
        if entry.id not in facts.municipality_index:
            violations.append(Violation("unknown_id", where, f'unknown municipality "{entry.id}"', (entry.id,)))
            continue
        if entry.id in seen:
            violations.append(Violation("municipalities", where, f"already listed as municipalities[{seen[entry.id]}]",
                                        (entry.id,)))
            continue
        seen[entry.id] = i
        record = facts.instance.municipalities[facts.municipality_index[entry.id]]
        expected = {"target": record.target, "housed": record.housed, "placed": persons[entry.id]}
        for name, value in expected.items():
            given = getattr(entry, name)
            if given != value:
                source = "the assignments place" if name == "placed" else "the instance says"
                violations.append(Violation("municipalities", where, f"{name} is {given}, but {source} {value}",
                                            (entry.id,)))
    for municipality_id in facts.municipalities.ids:
        if municipality_id not in seen:
            violations.append(Violation("municipalities", "municipalities", f"municipality {municipality_id} is "
                                                                            "missing", (municipality_id,)))
    return violations


def _objectives(facts: Facts, proposal: Proposal, placed: list[_Placed]) -> list[Violation]:
    expected = list(facts.instance.policy.objectives)
    reported = [objective.name for objective in proposal.objectives]
    violations = []
    if reported != expected:
        violations.append(Violation("objective_mismatch", "objectives",
                                    f"must list [{', '.join(expected)}] in policy order; it lists "
                                    f"[{', '.join(reported)}]"))
    recomputed = recompute_objectives(facts, [p.placement for p in placed])
    for i, objective in enumerate(proposal.objectives):
        where = f"objectives[{i}] {objective.name}"
        if objective.value != recomputed[objective.name]:
            violations.append(Violation("objective_mismatch", where, f"value is {objective.value}, but the "
                                                                     f"assignments give {recomputed[objective.name]}"))
        if objective.name in MAXIMISED_OBJECTIVES and objective.bound < objective.value:
            violations.append(Violation("objective_bound", where, f"bound {objective.bound} is below value "
                                                                  f"{objective.value} of a maximised objective"))
        if objective.name not in MAXIMISED_OBJECTIVES and objective.bound > objective.value:
            violations.append(Violation("objective_bound", where, f"bound {objective.bound} is above value "
                                                                  f"{objective.value} of a minimised objective"))
        if proposal.status == "optimal" and objective.bound != objective.value:
            violations.append(Violation("status", where, f"status optimal needs bound == value; bound is "
                                                         f"{objective.bound}, value {objective.value}"))
    return violations


# --- the objectives, recomputed ---------------------------------------------------------------------------


def placed_persons(facts: Facts, placements: Iterable[Placement]) -> dict[str, int]:
    """Persons (``size``, not expected members) each municipality receives, every municipality listed."""
    persons = {municipality.id: 0 for municipality in facts.instance.municipalities}
    for placement in placements:
        dwelling = facts.instance.dwellings[placement.dwelling]
        persons[dwelling.municipality] += facts.instance.households[placement.household].size
    return persons


def recompute_objectives(facts: Facts, placements: Iterable[Placement]) -> dict[str, int]:
    """Every objective of a list of placements, exactly as the format defines them."""
    placements = list(placements)
    return {
        "overdue_housed": sum(1 for p in placements if _overdue(facts, p.household)),
        "persons_housed": sum(facts.instance.households[p.household].size for p in placements),
        "kept_previous": _kept_previous(facts, placements),
        "max_shortfall_permille": _max_shortfall_permille(facts, placed_persons(facts, placements)),
        "quality": sum(placement_quality(facts, p) for p in placements),
    }


def _kept_previous(facts: Facts, placements: list[Placement]) -> int:
    """Assignments that appear in the instance's ``previous`` pairs, read from the instance's own ids."""
    instance = facts.instance
    previous = {(pair.household, pair.dwelling) for pair in instance.previous}
    return sum(1 for p in placements
               if (instance.households[p.household].id, instance.dwellings[p.dwelling].id) in previous)


def _overdue(facts: Facts, household: int) -> bool:
    instance = facts.instance
    waited = (instance.period.start - instance.households[household].waiting_since).days
    return waited >= DAYS_PER_WEEK * instance.policy.overdue_weeks


def _max_shortfall_permille(facts: Facts, persons: dict[str, int]) -> int:
    worst = 0
    for municipality in facts.instance.municipalities:
        if municipality.target > 0:
            missing = max(0, municipality.target - municipality.housed - persons[municipality.id])
            worst = max(worst, PERMILLE * missing // municipality.target)
    return worst


def placement_quality(facts: Facts, placement: Placement) -> int:
    """Tie bonus, minus unused bedrooms (non-shared only), minus whole kilometres to every school named."""
    instance = facts.instance
    weights = instance.policy.quality_weights
    household = instance.households[placement.household]
    dwelling = instance.dwellings[placement.dwelling]
    tie = max((weights.tie.for_kind(t.kind) for t in household.ties if t.municipality == dwelling.municipality),
              default=0)
    unused = 0 if dwelling.is_shared else max(0, dwelling.bedrooms - int(facts.households.need[placement.household]))
    km = sum(int(ceil_km(distance_km(dwelling.location, instance.schools[s].location)))
             for s in placement.schools.values())
    return tie - weights.unused_bedroom * unused - weights.school_km * km
