"""Answers as statements: each a code and the facts it states, so that any language can word it.

A why-not or recommend answer is a list of plain JSON records (``{"code": "cost_proven", "name": ...}``),
like a waiting household's ``reason_details``; ``matcher.explain.words.answers`` says each in Dutch or English.

Every statement claims only what is proven, and says plainly what is not:

- an obstacle is a rule the pair breaks, checked directly: proven;
- a proposal found with the pair forced proves what it reaches (forcing costs at most that much, or nothing);
- that forcing costs something, and how much, needs the re-solve's proofs: the exact cost when every objective
  up to the deciding one is proven optimal (``cost_proven``), at least the deciding tier's proven bound
  short of the proposal's value (``cost_at_least``), or nothing proven (``cost_unproven``);
- who would lose their place or move is what the proposal found does, proven best only when it is optimal;
- a ranking's order holds where an option's reached values are at least as good as the best any pair ranked
  after it could reach (its proven bounds); elsewhere, and for pairs not re-solved, it is said not to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matcher.accountability.baseline import Baseline
from matcher.accountability.forcing import Blocked, Forced
from matcher.accountability.wording import dwelling_facts, household_facts

if TYPE_CHECKING:
    from matcher.accountability.recommend import Recommendation

Statement = dict[str, Any]
NAMED = 6  # rules and unanswered partners named before "and more"


def say(code: str, **facts: Any) -> Statement:
    return {"code": code, **facts}


# --- why not ---------------------------------------------------------------------------------------------------


def in_proposal(baseline: Baseline, household: int, dwelling: int) -> list[Statement]:
    return [say("in_proposal", **_pair(baseline, household, dwelling))]


def impossible(baseline: Baseline, household: int, dwelling: int, blocked: Blocked, current: str | None,
               occupants: list[str]) -> list[Statement]:
    return [say("impossible", **_pair(baseline, household, dwelling), rules=len(blocked.obstacles)),
            *[obstacle.statement() for obstacle in blocked.obstacles],
            say("situation", current=current, occupants=occupants)]


def possible(baseline: Baseline, household: int, dwelling: int, forced: Forced, current: str | None,
             occupants: list[str]) -> list[Statement]:
    """What forcing the pair costs, as much as is proven, then who else would change."""
    facts = baseline.facts
    statements = [say("possible", **_pair(baseline, household, dwelling)), *cost(forced),
                  say("objectives", changes=[change.as_dict() for change in forced.changes], proven=forced.proven)]
    explanation = _explanation(forced)
    if explanation is not None:
        statements.append(say("forced_placement", household=forced.household, dwelling=forced.dwelling,
                              explanation=explanation))
    index = facts.household_index
    if forced.previous:
        statements.append(say("leaves", dwelling=forced.previous))
    if forced.lost:
        statements.append(say("lost", households=[household_facts(facts, index[h]) for h in forced.lost]))
    if forced.moved:
        statements.append(say("moved", moves=[move.as_dict() for move in forced.moved]))
    if forced.gained:
        statements.append(say("gained", households=[household_facts(facts, index[h]) for h in forced.gained]))
    if not (forced.lost or forced.moved or forced.gained):
        statements.append(say("no_change"))
    return [*statements, say("situation", current=current, occupants=occupants)]


def cost(forced: Forced) -> list[Statement]:
    """The deciding objective, and what is proven of it."""
    deciding = forced.deciding
    if deciding is None:  # the proposal found is as good on every objective: that alone proves it costs nothing
        return [say("cost_none")]
    if deciding.worse_by < 0:  # the proposal found is better: proven by it
        return [say("cost_better", **deciding.as_dict())]
    if forced.cost_proven:
        return [say("cost_proven", **deciding.as_dict()), say("proof_all" if forced.proven else "proof_cost")]
    if forced.proven_worse_by > 0:
        return [say("cost_at_least", **deciding.as_dict(), least=forced.proven_worse_by),
                say("found_worse", **deciding.as_dict())]
    return [say("cost_unproven", **deciding.as_dict())]


def _pair(baseline: Baseline, household: int, dwelling: int) -> dict[str, Any]:
    return {"household": household_facts(baseline.facts, household),
            "dwelling": dwelling_facts(baseline.facts, dwelling)}


def _explanation(forced: Forced) -> dict[str, Any] | None:
    """The forced placement's explanation in the forced proposal (it is a lock there)."""
    for assignment in forced.proposal.assignments:
        if assignment.household == forced.household:
            explanation = (assignment.model_extra or {}).get("explanation")
            return explanation if isinstance(explanation, dict) and "persons" in explanation else None
    return None


# --- recommend -------------------------------------------------------------------------------------------------


def proof_of(forced: Forced) -> str:
    """What is proven of one option's cost: ``proven`` (all of it), ``cost_proven``, ``at_least``, ``not_proven``."""
    if forced.proven:
        return "proven"
    if forced.cost_proven:
        return "cost_proven"
    return "at_least" if forced.proven_worse_by > 0 else "not_proven"


def recommendation(baseline: Baseline, found: Recommendation) -> list[Statement]:
    facts = baseline.facts
    if found.subject == "household":
        head = say("best_dwellings", household=household_facts(facts, facts.household_index[found.id]),
                   current=found.current[0] if found.current else None)
    else:
        head = say("best_households", dwelling=dwelling_facts(facts, facts.dwelling_index[found.id]),
                   current=found.current)
    statements = [head, say("this_proposal", values=[{"name": name, "value": baseline.values[name]}
                                                     for name in baseline.objectives])]
    if not found.options:
        statements.append(say("no_pair"))
    for rank, option in enumerate(found.options, start=1):
        statements += _option(baseline, found, rank, option)
    if found.options:
        proven = found.order_proven
        statements.append(say("ranking", unproven=[rank for rank, ok in enumerate(proven, start=1) if not ok]))
    if found.blocked:
        counts = found.blocked_by_rule()
        statements.append(say("blocked", pairs=len(found.blocked), more=max(0, len(counts) - NAMED),
                              rules=[{"rule": rule, "name": name, "pairs": n} for (rule, name), n in counts[:NAMED]]))
    if found.unanswered:
        statements.append(say("unanswered", count=len(found.unanswered), first=found.unanswered[:NAMED],
                              more=len(found.unanswered) > NAMED))
    return statements


def _option(baseline: Baseline, found: Recommendation, rank: int, option: Forced) -> list[Statement]:
    facts = baseline.facts
    if found.subject == "household":
        kind, partner = "dwelling", dwelling_facts(facts, facts.dwelling_index[option.dwelling])
        current = option.dwelling in found.current
    else:
        kind, partner = "household", household_facts(facts, facts.household_index[option.household])
        current = option.household in found.current
    leaves = None
    if found.subject == "dwelling" and option.previous and option.previous != option.dwelling:
        leaves = {"household": option.household, "dwelling": option.previous}
    return [say("option", rank=rank, kind=kind, partner=partner, current=current, proof=proof_of(option),
                least=option.proven_worse_by),
            say("option_objectives", changes=[change.as_dict() for change in option.changes]),
            say("option_changes", leaves=leaves, lost=option.lost, moved=[m.as_dict() for m in option.moved],
                gained=option.gained)]
