"""What the referee reports: the rules by code, one violation, and the verdict with the recomputed figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.format import ObjectiveValue

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
        reported: dict[str, Any] = {}
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
