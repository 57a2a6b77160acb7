"""Reproducing a recorded solve: the same instance, options and seed, re-run deterministically.

An allocation proposal is a decision aid about people; an auditor must be able to show that the proposal on
file is what the optimizer produces for that instance and policy, not something edited afterwards. Every
proposal written by ``matcher.solver.solve`` records its options and seed in ``stats``; re-running them with
the deterministic time limit must give the same proposal. Where it does not, every difference is named.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from matcher import __version__
from matcher.accountability.baseline import QuestionInvalid
from matcher.format import Instance, Proposal
from matcher.solver import SolveOptions, solve_proposal

RECORDED_FIELDS = ("time_limit", "workers", "seed", "deterministic", "method")


@dataclass(frozen=True)
class Reproduction:
    options: SolveOptions  # what was re-run
    rerun: Proposal
    differences: list[str]
    warnings: list[str]  # why an exact match may not be expected (versions, a non-deterministic record)

    same_values: bool  # status and every objective (value and bound) agree, whatever the placements

    @property
    def same(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {"same": self.same, "same_values": self.same_values, "differences": self.differences,
                "warnings": self.warnings, "options": dataclasses.asdict(self.options)}


def recorded_options(proposal: Proposal) -> SolveOptions:
    """The options of the recorded solve, from ``stats.options``; a proposal without them cannot be re-run."""
    stats = getattr(proposal, "stats", None)
    recorded = stats.get("options") if isinstance(stats, dict) else None
    if not isinstance(recorded, dict):
        raise QuestionInvalid(["proposal: stats.options is missing: the proposal does not record the options and "
                               "seed of its solve (was it written by matcher solve?)"])
    defaults = SolveOptions()
    values: dict[str, Any] = {}
    for name in RECORDED_FIELDS:
        value = recorded.get(name, getattr(defaults, name))
        expected = type(getattr(defaults, name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise QuestionInvalid([f"proposal: stats.options.{name} must be {expected.__name__}, got {value!r}"])
        values[name] = value
    if values["method"] not in ("cpsat", "greedy"):
        raise QuestionInvalid([f"proposal: stats.options.method must be cpsat or greedy, got {values['method']!r}"])
    if values["time_limit"] <= 0 or values["workers"] < 1:
        raise QuestionInvalid(["proposal: stats.options needs time_limit > 0 and workers >= 1"])
    return SolveOptions(**values)


def reproduce(instance: Instance, proposal: Proposal) -> Reproduction:
    """Re-run the recorded solve deterministically and compare the result with the record."""
    if proposal.instance != instance.id:
        raise QuestionInvalid([f'the proposal is for instance "{proposal.instance}", not "{instance.id}"'])
    recorded = recorded_options(proposal)
    options = dataclasses.replace(recorded, deterministic=True)
    rerun = solve_proposal(instance, options)
    same_values = proposal.status == rerun.status and not _objective_differences(proposal, rerun)
    return Reproduction(options=options, rerun=rerun, differences=differences(proposal, rerun),
                        warnings=_warnings(proposal, recorded), same_values=same_values)


def _warnings(proposal: Proposal, recorded: SolveOptions) -> list[str]:
    stats = getattr(proposal, "stats", {})
    warnings = []
    if not recorded.deterministic and recorded.method == "cpsat":
        warnings.append("the recorded solve was not deterministic (wall-clock time limit): the re-run may pick "
                        "another of several equally good proposals, or get further where the time limit stopped "
                        "the recorded search")
    for name, now in (("matcher", __version__), ("ortools", version("ortools"))):
        then = stats.get(name)
        if then is not None and then != now:
            warnings.append(f"the recorded solve used {name} {then}; this is {name} {now}")
    return warnings


def differences(recorded: Proposal, rerun: Proposal) -> list[str]:
    """Every way two proposals for one instance differ, in words: status, objectives, placements, errors."""
    found = []
    if recorded.status != rerun.status:
        found.append(f"status: recorded {recorded.status}, re-run {rerun.status}")
    found += _objective_differences(recorded, rerun)
    found += _placement_differences(recorded, rerun)
    if (recorded.errors or []) != (rerun.errors or []):
        found.append(f"errors: recorded {recorded.errors or []}, re-run {rerun.errors or []}")
    return found


def _objective_differences(recorded: Proposal, rerun: Proposal) -> list[str]:
    before = {objective.name: objective for objective in recorded.objectives}
    after = {objective.name: objective for objective in rerun.objectives}
    found = []
    if [o.name for o in recorded.objectives] != [o.name for o in rerun.objectives]:
        found.append(f"objectives: recorded {[o.name for o in recorded.objectives]}, "
                     f"re-run {[o.name for o in rerun.objectives]}")
    for name in [o.name for o in recorded.objectives if o.name in after]:
        a, b = before[name], after[name]
        if (a.value, a.bound) != (b.value, b.bound):
            found.append(f"objective {name}: recorded value {a.value} (bound {a.bound}), "
                         f"re-run value {b.value} (bound {b.bound})")
    return found


def _placement_differences(recorded: Proposal, rerun: Proposal) -> list[str]:
    before = {a.household: a for a in recorded.assignments}
    after = {a.household: a for a in rerun.assignments}
    found = []
    for household in sorted(before.keys() | after.keys()):
        a, b = before.get(household), after.get(household)
        if _where(a) != _where(b):
            found.append(f"household {household}: recorded {_where(a)}, re-run {_where(b)}")
    return found


def _where(assignment: Any) -> str:
    if assignment is None:
        return "not placed"
    schools = assignment.named_schools()
    named = ", ".join(f"{kind} school {school}" for kind, school in sorted(schools.items()))
    return f"{assignment.dwelling}" + (f" ({named})" if named else "")
