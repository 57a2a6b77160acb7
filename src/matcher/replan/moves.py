"""Why a pair of the version under review moved in the re-plan: which objective needed it, who took the dwelling.

A municipality that is still phoning a corporation about a proposed pair must learn, when the pair is gone
from the next version, why. The re-plan keeps every ``previous`` pair it can (``kept_previous``), so a pair
that moved either can no longer be kept (declined, locked elsewhere, no longer fitting), or an objective
ranked before ``kept_previous`` needed its dwelling or its household. The second case is shown by the
simplest repair: give the household its previous dwelling back, and let whoever now lives there (and the
household's new dwelling) go. The first objective of the policy that this repair makes worse is the one
that needed the move; when no objective gets worse, the rule the repair breaks (a municipality's cap, a
group's share, a school's seats) is the reason. The repair is one way of keeping the pair, not every way.
Where the time limit leaves room, a re-solve with the pair locked (``matcher.replan.proof``) replaces it:
then the objective named, and by how much it would suffer (``cost``), hold for every proposal that keeps the
pair (``proven``), or the pair could only have been kept by moving others under review instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.checker import hard_rule_violations
from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, SCHOOL_KINDS, Assignment
from matcher.replan.proof import MoveProver, Proof
from matcher.rules import Pairs
from matcher.solution import Placement, Solution
from matcher.solver.evaluate import objective_values

KEPT = "kept_previous"
HELD_WORDS = {"overdue_housed": "as many overdue households housed", "persons_housed": "as many persons housed",
              "max_shortfall_permille": "the worst municipal shortfall as low",
              "quality": "the quality score (ties, unused bedrooms, school distance) as high"}
IGNORED_RULES = frozenset({"lock_missing"})  # the repair drops placements on purpose; only limits matter here


@dataclass(frozen=True)
class Move:
    """A previous pair that is not in the new proposal, and why."""

    household: str
    dwelling: str
    now: str | None  # the household's dwelling in the new proposal, None if it waits
    taken_by: list[str]  # households the new proposal puts in the previous dwelling
    needed_by: str | None  # the objective (or "declined", "lock", "rules", a rule code) that needed the move
    reason: str
    cost: int | None = None  # how much worse needed_by gets if the pair is kept, in its own unit; None: no figure
    proven: bool = False  # the cost holds for every proposal that keeps the pair (a re-solve's bound shows it)

    def as_dict(self) -> dict[str, Any]:
        return {"household": self.household, "dwelling": self.dwelling, "now": self.now, "taken_by": self.taken_by,
                "needed_by": self.needed_by, "reason": self.reason, "cost": self.cost, "proven": self.proven}


@dataclass(frozen=True)
class _Why:
    needed_by: str | None
    words: str
    cost: int | None = None
    proven: bool = False


def moved_pairs(facts: Facts, pairs: Pairs, solution: Solution, prover: MoveProver | None = None) -> list[Move]:
    """Every previous pair the solution does not keep, in the order of ``previous``, each with its reason
    (from a re-solve per pair when ``prover`` is given and has time, else from the simplest repair)."""
    dwelling_of = {p.household: p.dwelling for p in solution}
    compatible = set(zip(pairs.household.tolist(), pairs.dwelling.tolist(), strict=True))
    moved = [(h, d) for h, d in facts.previous.items() if dwelling_of.get(h) != d]
    if prover is not None:
        prover.pairs_left = max(1, len(moved))
    moves = []
    for h, d in moved:
        now = dwelling_of.get(h)
        takers = [p.household for p in solution if p.dwelling == d]
        why = _why(facts, compatible, solution, h, d, takers, prover)
        ids = facts.households.ids
        moves.append(Move(ids[h], facts.dwellings.ids[d], None if now is None else facts.dwellings.ids[now],
                          [ids[t] for t in takers], why.needed_by, _sentence(facts, h, d, now, takers, why.words),
                          why.cost, why.proven))
    return moves


def _why(facts: Facts, compatible: set[tuple[int, int]], solution: Solution, h: int, d: int,
         takers: list[int], prover: MoveProver | None) -> _Why:
    record = facts.instance
    for declined in record.forbidden:
        if (facts.household_index[declined.household], facts.dwelling_index[declined.dwelling]) == (h, d):
            return _Why("declined", "the pair was declined" + (f" ({declined.reason})" if declined.reason else ""))
    for lock in record.locks:
        if facts.household_index[lock.household] == h:
            return _Why("lock", f"the household accepted {lock.dwelling}")
    if (h, d) not in compatible:
        return _Why("rules", "the pair no longer keeps the rules (ask why-not for which)")
    repair = _repair(facts, solution, h, d, takers)
    broken = [v for v in hard_rule_violations(facts, _assignments(facts, repair)) if v.rule not in IGNORED_RULES]
    if prover is not None:
        proof = prover.prove(facts, solution, h, d, None if broken or _drops_a_lock(facts, takers) else repair)
        if proof is not None:
            return _proven(facts, solution, proof)
    before, after = objective_values(facts, solution), objective_values(facts, repair)
    unproven = "" if prover is None else " (the simplest way of keeping it; a re-solve did not prove more in time)"
    for name in record.policy.objectives:
        if name == KEPT:
            break
        worse = before[name] - after[name] if name in MAXIMISED_OBJECTIVES else after[name] - before[name]
        if worse > 0:
            words = _cost_in_words(name, worse, before[name], after[name])
            return _Why(name, f"keeping it would have meant {words}{unproven}", worse)
    if broken:
        return _Why(broken[0].rule, f"keeping it would break a limit: {broken[0].message}{unproven}")
    return _Why(None, "no objective ranked before kept_previous needed it; the proposal is not proven optimal")


def _proven(facts: Facts, solution: Solution, proof: Proof) -> _Why:
    """The words for a re-solve's finding: the objective, how much, and whether it holds for every way."""
    certainty = ("" if proof.proven else
                 " (found by a re-solve with the pair kept, within its time; not proven for every proposal)")
    if proof.needed_by == KEPT:
        ranked: list[str] = list(facts.instance.policy.objectives)
        held = " and ".join(HELD_WORDS[name] for name in ranked[:ranked.index(KEPT)]) or "every other pair"
        words = (f"a pair under review had to move to keep {held}, and keeping this one would have meant "
                 "moving another instead" if proof.cost == 0 else
                 f"keeping it would have meant moving {proof.cost + 1} other pairs under review instead of this one")
        return _Why(KEPT, words + certainty, proof.cost, proof.proven)
    now = objective_values(facts, solution)[proof.needed_by]
    maximise = proof.needed_by in MAXIMISED_OBJECTIVES
    after = now - proof.cost if maximise else now + proof.cost
    words = _cost_in_words(proof.needed_by, proof.cost, now, after)
    return _Why(proof.needed_by, f"keeping it would have meant {words}, whichever way the others were placed"
                if proof.proven else f"keeping it would have meant {words}{certainty}", proof.cost, proof.proven)


def _drops_a_lock(facts: Facts, takers: list[int]) -> bool:
    locked = {facts.household_index[lock.household] for lock in facts.instance.locks}
    return any(t in locked for t in takers)


def _repair(facts: Facts, solution: Solution, h: int, d: int, takers: list[int]) -> Solution:
    """The solution with h back in d: the households now in d, and h's new placement, are dropped."""
    gone = set(takers) | {h}
    return [p for p in solution if p.household not in gone] + [Placement(h, d, _nearest_schools(facts, h, d))]


def _nearest_schools(facts: Facts, h: int, d: int) -> dict[str, int]:
    """For each kind the household has children of, the nearest school in range with seats for all of them."""
    schools = {}
    for column, kind in enumerate(SCHOOL_KINDS):
        kids = int(facts.households.kids[h, column])
        if kids == 0:
            continue
        reach = facts.reach[kind]
        fitting = [int(s) for s in reach.school[reach.of(d)].tolist() if facts.schools.seats[s] >= kids]
        if fitting:
            schools[kind] = fitting[0]
    return schools


def _assignments(facts: Facts, solution: Solution) -> list[Assignment]:
    return [Assignment(household=facts.households.ids[p.household], dwelling=facts.dwellings.ids[p.dwelling],
                       schools={kind: facts.schools.ids[s] for kind, s in p.schools.items()}) for p in solution]


def _cost_in_words(name: str, worse: int, before: int, after: int) -> str:
    if name == "overdue_housed":
        return f"{worse} overdue household{'s' if worse != 1 else ''} fewer housed"
    if name == "persons_housed":
        return f"{worse} person{'s' if worse != 1 else ''} fewer housed"
    if name == "max_shortfall_permille":
        return f"the worst municipal shortfall on the taakstelling rising from {before} to {after} per mille"
    return f"the quality score (ties, unused bedrooms, school distance) dropping from {before} to {after}"


def _sentence(facts: Facts, h: int, d: int, now: int | None, takers: list[int], why: str) -> str:
    ids = facts.households.ids
    dwelling = facts.dwellings.ids[d]
    where = f"is now proposed for {facts.dwellings.ids[now]}" if now is not None else "is now left waiting"
    taken = (f"{dwelling} now goes to {', '.join(_who(facts, t) for t in takers)}" if takers
             else f"{dwelling} now stays empty")
    return f"{ids[h]} was proposed for {dwelling} and {where}; {taken}. Why: {why}."


def _who(facts: Facts, household: int) -> str:
    size = int(facts.households.size[household])
    overdue = ", overdue" if facts.households.overdue[household] else ""
    return f"{facts.households.ids[household]} ({size} person{'s' if size != 1 else ''}{overdue})"
