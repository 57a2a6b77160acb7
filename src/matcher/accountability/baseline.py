"""The proposal a question is asked about, read into indices and checked against the rules first.

Every accountability question ("why not this dwelling?", "what are the alternatives?", "who is left
behind?") is asked about one proposal. Answering it about a proposal that breaks a rule would explain a
plan nobody may carry out, so the proposal is checked by the independent referee before anything else,
and every objective is recomputed from its assignments rather than taken from the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.checker import hard_rule_violations
from matcher.exceptions import InstanceInvalid, MatcherError, ProposalInvalid
from matcher.facts import Facts, derive_facts
from matcher.format import Instance, Proposal
from matcher.proposal_reader import parse_proposal, read_proposal
from matcher.rules import Pairs, compatible_pairs
from matcher.solution import Placement, Solution
from matcher.solver.evaluate import objective_values
from matcher.validation import load_instance

Source = str | bytes | Path

SHOWN_PROBLEMS = 10  # rule violations named before "and N more"


class QuestionInvalid(MatcherError):
    """A question that cannot be answered: an unusable proposal, an unknown id, a bad option."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Baseline:
    """A feasible proposal for an instance, with the derived facts every question needs."""

    facts: Facts
    pairs: Pairs  # compatible pairs (rules 1-6); adding a lock never changes them
    proposal: Proposal
    solution: Solution  # placements by index, sorted by household
    values: dict[str, int]  # all four objectives, recomputed from the placements

    @property
    def instance(self) -> Instance:
        return self.facts.instance

    @property
    def objectives(self) -> list[str]:
        return list(self.instance.policy.objectives)

    def household(self, household_id: str) -> int:
        """The household's index; an unknown id is the caller's mistake, said in words."""
        index = self.facts.household_index.get(household_id)
        if index is None:
            raise QuestionInvalid([f'household "{household_id}" is not in instance {self.instance.id}'])
        return index

    def dwelling(self, dwelling_id: str) -> int:
        index = self.facts.dwelling_index.get(dwelling_id)
        if index is None:
            raise QuestionInvalid([f'dwelling "{dwelling_id}" is not in instance {self.instance.id}'])
        return index

    def placement_of(self, household: int) -> Placement | None:
        return next((p for p in self.solution if p.household == household), None)

    def occupants_of(self, dwelling: int) -> list[int]:
        return [p.household for p in self.solution if p.dwelling == dwelling]


def load_baseline(instance: Instance, proposal: Proposal) -> Baseline:
    """Check the proposal against the instance and keep it as indices; raise ``QuestionInvalid`` if unusable."""
    if proposal.status == "invalid":
        raise QuestionInvalid([f"the proposal has status invalid (the instance was rejected): "
                               f"{'; '.join(proposal.errors or [])}"])
    if proposal.instance != instance.id:
        raise QuestionInvalid([f'the proposal is for instance "{proposal.instance}", not "{instance.id}"'])
    facts = derive_facts(instance)
    violations = hard_rule_violations(facts, proposal.assignments)
    if violations:
        shown = [f"the proposal breaks a rule: {violation}" for violation in violations[:SHOWN_PROBLEMS]]
        if len(violations) > SHOWN_PROBLEMS:
            shown.append(f"and {len(violations) - SHOWN_PROBLEMS} more violation(s); run matcher check")
        raise QuestionInvalid(shown)
    solution = sorted((_placement(facts, a.household, a.dwelling, a.named_schools()) for a in proposal.assignments),
                      key=lambda placement: placement.household)
    return Baseline(facts=facts, pairs=compatible_pairs(facts), proposal=proposal, solution=solution,
                    values=objective_values(facts, solution))


def _placement(facts: Facts, household: str, dwelling: str, schools: dict[str, str]) -> Placement:
    return Placement(facts.household_index[household], facts.dwelling_index[dwelling],
                     {kind: facts.school_index[school] for kind, school in schools.items()})


def read_instance(source: Source | dict[str, Any]) -> Instance:
    """A validated instance, or ``QuestionInvalid`` naming every problem."""
    try:
        return load_instance(source)
    except InstanceInvalid as error:
        raise QuestionInvalid([f"instance: {problem}" for problem in error.problems]) from None


def read_proposal_document(source: Source | dict[str, Any]) -> Proposal:
    """A proposal model (JSON types taken literally), or ``QuestionInvalid`` naming every problem."""
    try:
        return parse_proposal(source if isinstance(source, dict) else read_proposal(source))
    except ProposalInvalid as error:
        raise QuestionInvalid([f"proposal: {problem}" for problem in error.problems]) from None


def read_baseline(instance_source: Source | dict[str, Any], proposal_source: Source | dict[str, Any]) -> Baseline:
    """Read, validate and check both documents: the one entry point of the command-line questions."""
    return load_baseline(read_instance(instance_source), read_proposal_document(proposal_source))
