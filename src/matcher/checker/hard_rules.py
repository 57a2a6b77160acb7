"""The hard rules of a proposal: one household once, compatibility, capacity, schools, caps and locks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from matcher.checker.objectives import distance_km, placed_persons
from matcher.checker.report import Violation
from matcher.checker.resolve import ResolvedAssignment, records_of, resolve
from matcher.facts import DISTANCE_TOLERANCE_KM, Facts
from matcher.format import SCHOOL_KINDS, Assignment
from matcher.rules import FORBIDDEN_RULE, broken_rules


def hard_rule_violations(facts: Facts, assignments: Sequence[Assignment]) -> list[Violation]:
    """The feasibility rules alone (ids, compatibility, capacity, schools, caps, locks) for a list of assignments."""
    placed, violations = resolve(facts, assignments)
    return violations + hard_rules(facts, placed)


def hard_rules(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
    return [
        *_duplicate_households(facts, placed),
        *_compatibility(facts, placed),
        *_capacity(facts, placed),
        *_schools(facts, placed),
        *_group_caps(facts, placed),
        *_municipality_caps(facts, placed),
        *_locks(facts, placed),
    ]


def _duplicate_households(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
    first: dict[int, ResolvedAssignment] = {}
    violations = []
    for p in placed:
        if p.household in first:
            violations.append(Violation("duplicate_household", p.where,
                                        f"household {facts.households.ids[p.household]} is already assigned by "
                                        f"{first[p.household].where}", records_of(facts, p)))
        else:
            first[p.household] = p
    return violations


def _compatibility(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
    violations = []
    for p in placed:
        for broken in broken_rules(facts, p.household, p.dwelling):
            if broken.rule == FORBIDDEN_RULE:
                violations.append(Violation("forbidden", p.where, broken.text, records_of(facts, p)))
            else:
                violations.append(Violation("compatibility", p.where, f"rule {broken.rule} ({broken.name}): "
                                                                      f"{broken.text}", records_of(facts, p)))
    return violations


def _capacity(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
    occupants: dict[int, list[ResolvedAssignment]] = defaultdict(list)
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


def _list_where(placed: Iterable[ResolvedAssignment]) -> str:
    return ", ".join(p.where for p in placed)


def _schools(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
    violations: list[Violation] = []
    pupils: dict[int, list[tuple[ResolvedAssignment, int]]] = defaultdict(list)
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


def _school_choice(facts: Facts, p: ResolvedAssignment, kind: str, kids: int) -> Violation | None:
    """What is wrong with the school (or its absence) an assignment names for one kind; None when it is right."""
    policy = facts.instance.policy
    low, high = policy.ages(kind)
    school_id = p.named.get(kind)
    if kids > 0 and school_id is None:
        return Violation("school_missing", p.where, f"the household has {kids} child(ren) aged {low}-{high} but "
                                                    f"names no {kind} school", records_of(facts, p))
    if kids == 0 and school_id is not None:
        return Violation("school_extra", p.where, f"the household has no child aged {low}-{high} but names "
                                                  f"{kind} school {school_id}", records_of(facts, p, school_id))
    if kind not in p.schools:
        return None  # none needed, or an unknown id already reported
    school = facts.instance.schools[p.schools[kind]]
    if school.kind != kind:
        return Violation("school_kind", p.where, f"school {school.id} is a {school.kind} school, named as {kind}",
                         records_of(facts, p, school.id))
    km = distance_km(facts.instance.dwellings[p.dwelling].location, school.location)
    limit = policy.max_school_km.for_kind(kind)
    if km > limit + DISTANCE_TOLERANCE_KM:
        return Violation("school_range", p.where, f"school {school.id} is {km:.3f} km away, beyond "
                                                  f"max_school_km.{kind} {limit}", records_of(facts, p, school.id))
    return None


def _group_caps(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
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


def _municipality_caps(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
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


def _locks(facts: Facts, placed: list[ResolvedAssignment]) -> list[Violation]:
    by_household: dict[int, list[ResolvedAssignment]] = defaultdict(list)
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
