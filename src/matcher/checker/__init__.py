"""The independent referee: does a proposal keep every rule of ``matcher.proposal/1``, and are its figures right?

A coordinator edits a proposal by hand (swaps two households, drops one) and must know whether it still
holds; a solver change must not be able to certify its own mistakes. So this module evaluates every hard
rule and every objective itself, with plain loops over the records, exactly as
``docs/format.md`` words them. It shares only the format models, the derived quantities of
``matcher.facts`` (need, kids, caps) and the compatibility rules of ``matcher.rules`` (the one definition
of compatibility) with the rest of matcher, and never imports the solver.

Every violation names its rule code (see ``RULES``), where it is (JSON path plus the records involved) and
what is wrong in words, e.g. ``assignments[3] h00012 -> d00007: school s0004 is 6.200 km away, beyond
max_school_km.primary 5.0``.
"""

from __future__ import annotations

from typing import Any

from matcher.checker.document import format_field, invalid_status, municipality_list, unassigned_list
from matcher.checker.hard_rules import hard_rule_violations, hard_rules
from matcher.checker.objectives import (
    distance_km,
    placed_persons,
    placement_quality,
    recompute_objectives,
    reported_objectives,
)
from matcher.checker.report import RULES, CheckReport, Violation
from matcher.checker.resolve import resolve
from matcher.facts import derive_facts
from matcher.format import Instance, Proposal
from matcher.proposal_reader import parse_proposal, read_proposal


def check_proposal(instance: Instance, proposal_data: dict[str, Any] | Proposal) -> CheckReport:
    """Check any proposal against every rule of the format; raise ``ProposalInvalid`` if it cannot be read."""
    violations: list[Violation] = []
    if isinstance(proposal_data, Proposal):
        proposal = proposal_data
    else:
        violations.extend(format_field(proposal_data))
        proposal = parse_proposal(proposal_data)
    facts = derive_facts(instance)
    if proposal.instance != instance.id:
        violations.append(Violation("format", "instance",
                                    f'the proposal is for instance "{proposal.instance}", not "{instance.id}"',
                                    (proposal.instance,)))
    placed, resolution = resolve(facts, proposal.assignments)
    violations.extend(resolution)
    if proposal.status == "invalid":
        violations.extend(invalid_status(facts, proposal))
    else:
        violations.extend(hard_rules(facts, placed))
        violations.extend(unassigned_list(facts, proposal))
        violations.extend(municipality_list(facts, proposal, placed))
        violations.extend(reported_objectives(facts, proposal, placed))
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


__all__ = ["RULES", "CheckReport", "Violation", "check_proposal", "distance_km", "hard_rule_violations",
           "parse_proposal", "placed_persons", "placement_quality", "read_proposal", "recompute_objectives"]
