"""The rest of the document: its format field, the status invalid, the unassigned and municipalities lists."""

from __future__ import annotations

import json
from typing import Any

from matcher.checker.hard_rules import hard_rule_violations
from matcher.checker.objectives import placed_persons
from matcher.checker.report import Violation
from matcher.checker.resolve import ResolvedAssignment
from matcher.facts import Facts
from matcher.format import PROPOSAL_FORMAT, Assignment, Proposal


def format_field(data: Any) -> list[Violation]:
    if isinstance(data, dict) and data.get("format") != PROPOSAL_FORMAT:
        found = json.dumps(data["format"]) if "format" in data else "nothing"
        return [Violation("format", "format", f'must be "{PROPOSAL_FORMAT}", got {found}')]
    return []


def invalid_status(facts: Facts, proposal: Proposal) -> list[Violation]:
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


def unassigned_list(facts: Facts, proposal: Proposal) -> list[Violation]:
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


def municipality_list(facts: Facts, proposal: Proposal, placed: list[ResolvedAssignment]) -> list[Violation]:
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
