"""A moved pair's reason from a re-solve: the best proposal that keeps the pair, set against the re-plan's.

``matcher.replan.moves`` first tries the simplest repair (give the household its previous dwelling back, drop
whoever took it). That shows *one* way of keeping the pair and what it costs, not that every way costs as
much. Here the pair is locked and the policy's objectives up to and including ``kept_previous`` are solved
again. The first objective on which that forced optimum falls short of the re-plan's value is the one that
needed the move, and by how much; it is proven when the re-plan's tiers up to it are proven and the forced
solve's bound on it is short too (a bound, not just a value found within the time: so the statement holds for
every proposal that keeps the pair). When everything ranked before ``kept_previous`` stays equal, keeping
the pair would have moved other pairs under review instead: as many (a tie) or more.

Each forced solve is a whole solve with one more lock, so it gets what the time limit leaves after the
re-plan's own tiers (at most a quarter of the limit in all), shared over the moved pairs still to explain;
a pair left without enough time keeps the repair's reason, marked as not proven.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from matcher.facts import Facts
from matcher.format import MAXIMISED_OBJECTIVES, Instance, Lock, Policy
from matcher.solution import Solution
from matcher.solver.options import SolveOptions

KEPT = "kept_previous"
PROOFS_SHARE = 0.25  # of the time limit, at most, for the re-solves of all moved pairs together (and never
# beyond what the limit leaves after the tiers): a re-plan whose tiers end early does not wait for them long
SHORTEST_PROOF_S = 0.5  # a forced solve given less than this is not started (a week's whole solve: 0.3-1 s)
LONGEST_PROOF_S = 15.0  # at most this for one pair, so that one hard pair does not take every other pair's time
DETERMINISTIC_PROOF_SHARE = 0.05  # of the time limit per pair, in a deterministic solve (repeatable answers)
DETERMINISTIC_PROOFS = 5  # in a deterministic solve, at most this many pairs are proven (the rest: repair)

# A solve of an instance (no proofs of its own), from a start: ``matcher.solver.solve.solve`` in practice,
# passed in because the solver imports this package. Returns the values and bounds of the tiers, and
# whether each is proven; None when the locks cannot all be kept.
ForcedSolve = Callable[[Instance, SolveOptions, Solution | None], "Forced | None"]


@dataclass(frozen=True)
class Forced:
    """The tiers of the best proposal found that keeps the pair."""

    values: dict[str, int]
    bounds: dict[str, int]
    optimal: dict[str, bool]


@dataclass(frozen=True)
class Proof:
    needed_by: str  # the objective that needed the move (kept_previous: other pairs would have moved instead)
    cost: int  # how much worse it gets when the pair is kept, in the objective's own unit (>= 0)
    proven: bool  # for every proposal that keeps the pair, not only the one found


@dataclass
class MoveProver:
    """Re-solves with one moved pair locked, within what the time limit leaves (``deadline``)."""

    instance: Instance
    options: SolveOptions
    deadline: float  # time.monotonic() by which every forced solve must be done
    tiers_optimal: dict[str, bool]  # the re-plan's tiers: proven or not
    forced_solve: ForcedSolve
    pairs_left: int = 1  # pairs still to prove, so that each gets its share of the time
    proofs_made: int = field(default=0, init=False)

    def prove(self, facts: Facts, solution: Solution, h: int, d: int, start: Solution | None) -> Proof | None:
        """The objective that needed the move of previous pair (h, d), from a forced solve; None without time
        for one, or when it shows nothing (the re-plan itself not proven)."""
        seconds = self._seconds()
        self.pairs_left = max(1, self.pairs_left - 1)
        if seconds is None:
            return None
        self.proofs_made += 1
        forced = self.forced_solve(self._with_lock(facts, h, d), _with_limit(self.options, seconds), start)
        if forced is None:
            return None
        return self._compare(facts, solution, forced)

    def _seconds(self) -> float | None:
        if self.options.deterministic:
            if self.proofs_made >= DETERMINISTIC_PROOFS:
                return None
            return DETERMINISTIC_PROOF_SHARE * self.options.time_limit
        share = min(LONGEST_PROOF_S, (self.deadline - time.monotonic()) / self.pairs_left)
        return share if share >= SHORTEST_PROOF_S else None

    def _with_lock(self, facts: Facts, h: int, d: int) -> Instance:
        """The instance with the pair locked and the policy cut after kept_previous."""
        objectives = list(self.instance.policy.objectives)
        through = objectives[:objectives.index(KEPT) + 1] if KEPT in objectives else objectives
        lock = Lock(household=facts.households.ids[h], dwelling=facts.dwellings.ids[d])
        policy = Policy.model_validate(self.instance.policy.model_dump() | {"objectives": through})
        return self.instance.model_copy(update={"locks": [*self.instance.locks, lock], "policy": policy})

    def _compare(self, facts: Facts, solution: Solution, forced: Forced) -> Proof | None:
        from matcher.solver.evaluate import objective_values  # the solver imports this package

        now = objective_values(facts, solution)
        for name in forced.values:
            maximise = name in MAXIMISED_OBJECTIVES
            worse = (now[name] - forced.values[name]) if maximise else (forced.values[name] - now[name])
            if worse < 0:
                return None  # keeping the pair does better: the re-plan's tiers were not proven
            if worse > 0 or name == KEPT:
                bound_short = (forced.bounds[name] < now[name]) if maximise else (forced.bounds[name] > now[name])
                tied = name == KEPT and worse == 0
                proven = all(self.tiers_optimal.get(n, False) for n in _through(list(forced.values), name)) and (
                    bound_short or (tied and forced.optimal[name]))
                return Proof(name, worse, proven)
        return None


def _through(names: list[str], last: str) -> list[str]:
    return names[:names.index(last) + 1]


def _with_limit(options: SolveOptions, seconds: float) -> SolveOptions:
    return SolveOptions(time_limit=seconds, workers=options.workers, seed=options.seed,
                        deterministic=options.deterministic, method=options.method)
