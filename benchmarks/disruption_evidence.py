"""Independent evidence that a re-plan moves only what it must (``python -m benchmarks.disruption --evidence``).

The re-plan's count of moved pairs is only as good as the class model behind it, so two other routes check it:

- **keep all**: every pair still under review locked to its household (schools left free), the first tiers
  solved again. If ``overdue_housed`` and ``persons_housed`` then fall below the fresh solve's, at least one
  pair has to move. For a re-plan that moved two pairs, every pair in turn is released (the others locked):
  if none of those reaches the fresh solve's figures, two moves are needed too.
- **pair model**: the model matcher solved before the classes (one Boolean per pair, CP-SAT,
  ``benchmarks.pair_model``) optimises ``overdue_housed``, ``persons_housed`` and ``kept_previous`` on the same
  next instance. It shares no class, arc or disaggregation code with the class model, so an equal
  ``kept_previous`` optimum says the class split loses no keep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from benchmarks.pair_model.candidates import usable_candidates
from benchmarks.pair_model.greedy import greedy_solution
from benchmarks.pair_model.model import build_model
from benchmarks.pair_model.tiers import optimise_pair_model
from matcher.facts import derive_facts
from matcher.rules import compatible_pairs
from matcher.solver import SolveOptions, solve_proposal
from matcher.solver.budget import Budget
from matcher.solver.locks import check_locks
from matcher.validation import load_instance

FIRST_TIERS = ("overdue_housed", "persons_housed")
KEPT = "kept_previous"
RELEASE_ONE_UP_TO = 2  # re-plans moving this many pairs get the one-at-a-time release check (n solves each)

Figures = tuple[int, int]  # overdue_housed, persons_housed


@dataclass(frozen=True)
class Evidence:
    keep_all: Figures | None  # the first tiers with every pair under review kept; None: they cannot all be kept
    keep_all_optimal: bool
    release_one_best: Figures | None  # the best first tiers with all but one pair kept (only for 2 moves)
    pair_model_kept: int | None  # kept_previous optimum of the pair model, None when not run
    pair_model_first: Figures | None
    pair_model_optimal: bool

    def as_dict(self) -> dict[str, Any]:
        return {"keep_all": self.keep_all, "keep_all_optimal": self.keep_all_optimal,
                "release_one_best": self.release_one_best, "pair_model_kept": self.pair_model_kept,
                "pair_model_first": self.pair_model_first, "pair_model_optimal": self.pair_model_optimal}


def gather(replan_document: dict[str, Any], moved: int, options: SolveOptions) -> Evidence:
    """The evidence for one re-plan that moved ``moved`` other pairs."""
    previous = [(p["household"], p["dwelling"]) for p in replan_document.get("previous") or []]
    keep_all, keep_all_optimal = first_tiers_keeping(replan_document, previous, options)
    release_best = None
    if 2 <= moved <= RELEASE_ONE_UP_TO:
        found = [first_tiers_keeping(replan_document, [p for p in previous if p != released], options)[0]
                 for released in previous]
        release_best = max((f for f in found if f is not None), default=None)
    kept, first, optimal = pair_model_optimum(replan_document, options)
    return Evidence(keep_all, keep_all_optimal, release_best, kept, first, optimal)


def first_tiers_keeping(document: dict[str, Any], kept: list[tuple[str, str]],
                        options: SolveOptions) -> tuple[Figures | None, bool]:
    """overdue_housed and persons_housed of the best proposal that holds every pair of ``kept`` (as locks)."""
    locks = list(document.get("locks") or []) + [{"household": h, "dwelling": d} for h, d in kept]
    policy = dict(document.get("policy") or {}, objectives=list(FIRST_TIERS))
    proposal = solve_proposal(load_instance(dict(document, locks=locks, previous=[], policy=policy)), options)
    if proposal.status == "invalid":
        return None, True
    return _figures(proposal.objective), proposal.status == "optimal"


def pair_model_optimum(document: dict[str, Any], options: SolveOptions) -> tuple[int, Figures, bool]:
    """kept_previous after overdue_housed and persons_housed, by the pair model (CP-SAT, one Boolean a pair)."""
    facts = derive_facts(load_instance(document))
    pairs = compatible_pairs(facts)
    locks = check_locks(facts)
    candidates = usable_candidates(facts, pairs)
    start = greedy_solution(facts, candidates, locks.placements)
    allocation = build_model(facts, candidates)
    objectives = [*FIRST_TIERS, KEPT]
    _, tiers = optimise_pair_model(allocation, objectives, start, options, Budget.of(options, time.monotonic()))
    value = {tier.name: tier.value for tier in tiers}
    return value[KEPT], (value[FIRST_TIERS[0]], value[FIRST_TIERS[1]]), all(t.status == "optimal" for t in tiers)


def _figures(objective: Any) -> Figures:
    return objective(FIRST_TIERS[0]).value, objective(FIRST_TIERS[1]).value
