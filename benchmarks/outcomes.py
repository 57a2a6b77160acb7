"""Tier outcomes read from a run's record, whichever engine produced them, and when two engines must agree.

matcher, its one-worker twin and the pair model record each tier as a ``TierResult.as_stats()`` dict in
the tier phase's end event; the HiGHS peer records status, value and bound per ``highs-tier:`` phase. Both
are read here into the same shape, so that the suite's cross-checks and the report treat them alike.

Two engines solve the same problem at tier i only while both proved every earlier tier: each holds a
proven tier at its optimum, so the models after it are equivalent. A tier not proven by either is held at
whatever value was found, and from there on the engines answer different questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.isolation import RunRecord
from benchmarks.registry import HIGHS_TIER_PREFIX, TIER_PHASES, TIERS
from matcher.format import MAXIMISED_OBJECTIVES

OPTIMAL = "optimal"


@dataclass(frozen=True)
class Tier:
    """One tier as an engine left it: ``bound`` is None when the engine proved no bound."""

    name: str
    status: str
    value: int | None
    bound: int | None
    seconds: float

    @property
    def proven(self) -> bool:
        return self.status == OPTIMAL and self.value is not None


def pipeline_tiers(record: RunRecord | None) -> list[Tier]:
    """The tiers a pipeline run (matcher, cpsat-w1, pair-model) finished, in order."""
    if record is None:
        return []
    found = []
    for phase in TIER_PHASES:
        end = record.phase(phase)
        if end is None:
            break
        tier = end["tier"]
        found.append(Tier(tier["name"], tier["status"], tier["value"], tier["bound"], tier["seconds"]))
    return found


def highs_tiers(record: RunRecord | None) -> list[Tier]:
    """The tiers the HiGHS peer finished, in order (it stops after the first it does not prove)."""
    if record is None:
        return []
    found = []
    for name in TIERS:
        end = record.phase(f"{HIGHS_TIER_PREFIX}{name}")
        if end is None:
            break
        found.append(Tier(name, end["status"], end["value"], end["bound"], end["seconds"]))
    return found


def at_least_as_good(name: str, value: int, than: int) -> bool:
    return value >= than if name in MAXIMISED_OBJECTIVES else value <= than


def comparable(first: list[Tier], second: list[Tier]) -> list[tuple[Tier, Tier]]:
    """The tiers both engines solved as the same problem: up to and including the first that either left
    unproven (its bounds still hold for the other's solution)."""
    pairs = []
    for a, b in zip(first, second, strict=False):
        pairs.append((a, b))
        if not (a.proven and b.proven):
            break
    return pairs


def disagreements(first: list[Tier], second: list[Tier]) -> list[str]:
    """Every way the two engines contradict each other on the tiers they share: a bound one proved that
    the other's solution beats, or two different proven optima. Empty when they agree."""
    found = []
    for a, b in comparable(first, second):
        for mine, theirs in ((a, b), (b, a)):
            if mine.bound is not None and theirs.value is not None \
                    and not at_least_as_good(a.name, mine.bound, theirs.value):
                found.append(f"{a.name}: bound {mine.bound} is beaten by the other engine's value {theirs.value}")
        if a.proven and b.proven and a.value != b.value:
            found.append(f"{a.name}: both proved an optimum, {a.value} and {b.value}")
    return found


def proven_seconds(first: list[Tier], second: list[Tier]) -> tuple[int, float, float]:
    """How many leading tiers both proved, and each engine's seconds over them."""
    both = [(a, b) for a, b in comparable(first, second) if a.proven and b.proven]
    return len(both), sum(a.seconds for a, _ in both), sum(b.seconds for _, b in both)


def as_dicts(tiers: list[Tier]) -> list[dict[str, Any]]:
    return [{"name": t.name, "status": t.status, "value": t.value, "bound": t.bound, "seconds": t.seconds}
            for t in tiers]
