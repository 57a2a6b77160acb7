"""The fairness report: is any kind of household systematically left behind by a proposal?

Households are grouped by what the format knows about them, which is deliberately little: size, ages,
needs (a step-free home, family members expected through reunification), waiting time and ties. The format
holds no protected attributes (no nationality, religion, gender, names): keep it that way; these groups are
the only lens, and they are enough to see the usual failures (large families, step-free needs, singles).

For each group: how many were placed (rate), and how long those placed and those left had waited. Each
municipality's taakstelling progress and shortfall is shown beside. A group whose placement rate lies far
below the overall rate is flagged together with the binding rule that explains most of it: for every
household left out, ``matcher.explain`` finds the most specific reason (no compatible dwelling and which
rule removed the last one, a cap, a school, or other households ranking higher); the reason shared by the
most households of the group is named, with its real numbers.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.accountability.baseline import Baseline
from matcher.explain import explain
from matcher.facts import Facts, waiting_weeks
from matcher.format import PERMILLE, TIE_KINDS
from matcher.household_types import COUPLE, LARGE_FAMILY, SINGLE, SINGLE_SHARING, fairness_group

FAR_BELOW = 0.20  # a group is flagged when its placement rate is this far (absolute) below the overall rate
MIN_LEFT_OUT = 2  # ... and at least this many of its households are left out (one household is no pattern)
TIE_SUFFIX = " tie"  # tie groups are named "work tie", ..., apart from the household type "family"
REASONS_NAMED = 3  # reasons a flag names, most common first
AUXILIARY_CODES = frozenset({"funnel", "pruned"})  # follow-up notes of explain, never the reason itself
NO_PROTECTED_ATTRIBUTES = ("The instance format describes people by age only: it holds no protected attributes "
                           "(no nationality, religion, gender or names), and this report adds none. Groups are "
                           "formed from household size, ages, needs, waiting time and ties.")


@dataclass(frozen=True)
class Waiting:
    """Waiting time in whole weeks of a set of households."""

    households: int
    mean: float | None
    median: float | None
    longest: int | None

    @staticmethod
    def of(weeks: list[int]) -> Waiting:
        if not weeks:
            return Waiting(0, None, None, None)
        return Waiting(len(weeks), round(statistics.fmean(weeks), 1), float(statistics.median(weeks)), max(weeks))

    def as_dict(self) -> dict[str, Any]:
        return {"households": self.households, "mean_weeks": self.mean, "median_weeks": self.median,
                "longest_weeks": self.longest}


@dataclass(frozen=True)
class Flag:
    """A group far below the overall placement rate, and the reason most of its waiting households share."""

    code: str  # the reason code of ``matcher.explain``, e.g. "no_compatible:size"
    households: int  # of the group's waiting households, how many it explains
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"reason": self.code, "households": self.households, "text": self.text}


@dataclass(frozen=True)
class GroupRow:
    dimension: str  # "household type", "step-free", ...
    name: str
    households: int
    placed: int
    persons: int
    persons_placed: int
    waiting_placed: Waiting
    waiting_left: Waiting
    flag: Flag | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.placed / self.households if self.households else None

    def as_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "group": self.name, "households": self.households, "placed": self.placed,
                "rate": None if self.rate is None else round(self.rate, 4), "persons": self.persons,
                "persons_placed": self.persons_placed, "waiting_placed": self.waiting_placed.as_dict(),
                "waiting_left": self.waiting_left.as_dict(), "flag": self.flag.as_dict() if self.flag else None,
                **self.extra}


@dataclass(frozen=True)
class MunicipalityRow:
    id: str
    name: str
    target: int
    housed: int  # before this proposal
    cap: int  # persons it may still receive
    placed: int  # persons this proposal places there
    households_placed: int
    tied_households: int  # households with any tie to it
    tied_placed_here: int  # of those, placed in it

    @property
    def housed_after(self) -> int:
        return self.housed + self.placed

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.housed_after)

    def as_dict(self) -> dict[str, Any]:
        with_target = self.target > 0
        return {"id": self.id, "name": self.name, "target": self.target, "housed_before": self.housed,
                "placed": self.placed, "housed_after": self.housed_after, "cap": self.cap,
                "households_placed": self.households_placed,
                "progress_permille": PERMILLE * self.housed_after // self.target if with_target else None,
                "shortfall": self.shortfall,
                "shortfall_permille": PERMILLE * self.shortfall // self.target if with_target else None,
                "tied_households": self.tied_households, "tied_placed_here": self.tied_placed_here}


@dataclass(frozen=True)
class FairnessReport:
    instance: str
    overall: GroupRow
    groups: list[GroupRow]
    municipalities: list[MunicipalityRow]

    @property
    def flagged(self) -> list[GroupRow]:
        return [group for group in self.groups if group.flag is not None]

    def as_dict(self) -> dict[str, Any]:
        return {"instance": self.instance, "note": NO_PROTECTED_ATTRIBUTES, "overall": self.overall.as_dict(),
                "groups": [group.as_dict() for group in self.groups],
                "municipalities": [m.as_dict() for m in self.municipalities],
                "flags": [f"{group.name}: {group.flag.text}" for group in self.flagged if group.flag]}


# --- grouping ---------------------------------------------------------------------------------------------


def _type_order(name: str) -> tuple[int, int]:
    fixed = {SINGLE: 0, SINGLE_SHARING: 1, COUPLE: 2}
    if name in fixed:
        return fixed[name], 0
    return 3, int(name.removeprefix("family of ")) if name.startswith("family of ") else LARGE_FAMILY


def _dimensions(facts: Facts) -> list[tuple[str, list[tuple[str, np.ndarray]]]]:
    """Each dimension with its groups as household masks, in reading order."""
    h = facts.households
    types = [fairness_group([member.age for member in record.members], bool(h.sharer[i]))
             for i, record in enumerate(facts.instance.households)]
    type_groups = [(name, np.array([t == name for t in types], dtype=np.bool_))
                   for name in sorted(set(types), key=_type_order)]
    expecting = np.array([record.expected_members > 0 for record in facts.instance.households], dtype=np.bool_)
    tie_kinds = [{tie.kind for tie in record.ties} for record in facts.instance.households]
    ties = [(f"{kind}{TIE_SUFFIX}", np.array([kind in kinds for kinds in tie_kinds], dtype=np.bool_))
            for kind in TIE_KINDS]
    ties.append(("no tie", np.array([not kinds for kinds in tie_kinds], dtype=np.bool_)))
    return [
        ("household type", type_groups),
        ("step-free", [("needs a step-free home", h.needs_accessible), ("no step-free need", ~h.needs_accessible)]),
        ("family reunification", [("expecting family members", expecting), ("not expecting", ~expecting)]),
        ("overdue", [("overdue", h.overdue), ("not overdue", ~h.overdue)]),
        ("tie kind", ties),
    ]


# --- the report -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Population:
    """Per household: placed or not, its dwelling, its waiting weeks, and why it waits (when it does)."""

    placed: np.ndarray
    dwelling_of: np.ndarray  # -1 where not placed
    weeks: list[int]
    reasons: dict[int, str]


def fairness_report(baseline: Baseline) -> FairnessReport:
    facts = baseline.facts
    n = len(facts.households)
    dwelling_of = np.full(n, -1, dtype=np.int64)
    for placement in baseline.solution:
        dwelling_of[placement.household] = placement.dwelling
    population = _Population(placed=dwelling_of >= 0, dwelling_of=dwelling_of,
                             weeks=[waiting_weeks(facts, i) for i in range(n)], reasons=_reason_codes(baseline))
    overall = _row(facts, "all", "all households", np.ones(n, dtype=np.bool_), population, overall_rate=None)
    groups = [_row(facts, dimension, name, mask, population, overall.rate)
              for dimension, members in _dimensions(facts) for name, mask in members if mask.any()]
    groups = [_with_tie_honoured(facts, row, dwelling_of) if row.name.removesuffix(TIE_SUFFIX) in TIE_KINDS
              else row for row in groups]
    return FairnessReport(instance=facts.instance.id, overall=overall, groups=groups,
                          municipalities=_municipality_rows(facts, dwelling_of))


def _reason_codes(baseline: Baseline) -> dict[int, str]:
    """Per waiting household, the code of its most specific reason, as ``matcher.explain`` finds it."""
    facts = baseline.facts
    explanations = explain(facts, baseline.pairs, baseline.solution, baseline.objectives)
    codes: dict[int, str] = {}
    for entry in explanations.unassigned:
        found = [code for code in (entry.model_extra or {}).get("reason_codes", []) if code not in AUXILIARY_CODES]
        codes[facts.household_index[entry.household]] = found[0] if found else "unexplained"
    return codes


def _row(facts: Facts, dimension: str, name: str, mask: np.ndarray, population: _Population,
         overall_rate: float | None) -> GroupRow:
    size, placed = facts.households.size, population.placed
    members = np.flatnonzero(mask).tolist()
    left = [i for i in members if not placed[i]]
    row = GroupRow(
        dimension=dimension, name=name, households=len(members), placed=int(placed[mask].sum()),
        persons=int(size[mask].sum()), persons_placed=int(size[mask & placed].sum()),
        waiting_placed=Waiting.of([population.weeks[i] for i in members if placed[i]]),
        waiting_left=Waiting.of([population.weeks[i] for i in left]),
    )
    if overall_rate is None or row.rate is None or len(left) < MIN_LEFT_OUT or row.rate > overall_rate - FAR_BELOW:
        return row
    return dataclasses.replace(row, flag=_flag(facts, row, left, population.reasons))


def _flag(facts: Facts, row: GroupRow, left: list[int], reasons: dict[int, str]) -> Flag:
    """The reasons the group's waiting households share, the most common (the binding one) first."""
    counted = Counter(reasons.get(i, "unexplained") for i in left).most_common()
    parts = [f"{count} {_reason_words(facts, code, [i for i in left if reasons.get(i, 'unexplained') == code])}"
             for code, count in counted[:REASONS_NAMED]]
    if len(counted) > REASONS_NAMED:
        parts.append(f"{sum(count for _, count in counted[REASONS_NAMED:])} for other reasons")
    code, count = counted[0]
    return Flag(code=code, households=count, text=f"{row.placed} of {row.households} placed; " + "; ".join(parts))


def _with_tie_honoured(facts: Facts, row: GroupRow, dwelling_of: np.ndarray) -> GroupRow:
    """For a tie kind: how many of the group live, after this proposal, in a municipality of that tie."""
    kind = row.name.removesuffix(TIE_SUFFIX)
    honoured = 0
    for i, record in enumerate(facts.instance.households):
        d = int(dwelling_of[i])
        if d < 0:
            continue
        municipality = facts.instance.dwellings[d].municipality
        honoured += any(tie.kind == kind and tie.municipality == municipality for tie in record.ties)
    return dataclasses.replace(row, extra={"placed_at_tie": honoured})


def _municipality_rows(facts: Facts, dwelling_of: np.ndarray) -> list[MunicipalityRow]:
    instance = facts.instance
    rows = []
    for m, record in enumerate(instance.municipalities):
        here = [i for i in range(len(dwelling_of))
                if dwelling_of[i] >= 0 and facts.dwellings.municipality[dwelling_of[i]] == m]
        tied = [i for i, h in enumerate(instance.households) if any(t.municipality == record.id for t in h.ties)]
        rows.append(MunicipalityRow(
            id=record.id, name=record.name, target=record.target, housed=record.housed,
            cap=int(facts.municipalities.cap[m]), placed=int(facts.households.size[here].sum()) if here else 0,
            households_placed=len(here), tied_households=len(tied),
            tied_placed_here=sum(1 for i in tied if i in here),
        ))
    return rows


# --- a reason shared by many households, in words -----------------------------------------------------------


def _reason_words(facts: Facts, code: str, households: list[int]) -> str:
    """What these waiting households have in common, with the real numbers, after their count."""
    family, _, detail = code.partition(":")
    words = _FAMILY_WORDS.get(family)
    one = len(households) == 1
    if words is None:
        return f"{'shares' if one else 'share'} the reason {code}"
    return words(facts, detail, households, one)


def _verb(one: bool, singular: str, plural: str) -> str:
    return singular if one else plural


def _no_compatible(facts: Facts, step: str, households: list[int], one: bool) -> str:
    h, d = facts.households, facts.dwellings
    if step == "size":
        sizes = sorted({int(h.final_size[i]) for i in households})
        own = d.available & ~d.shared
        if not own.any():
            return "cannot share, and every dwelling available this period is a shared place for single sharers"
        span = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]}-{sizes[-1]}"
        return (f"{_verb(one, 'has', 'have')} no available dwelling with max_occupants >= {sizes[0]} "
                f"({_verb(one, 'it', 'they')} will be {span} persons incl. expected members; the largest available "
                f"dwelling takes {int(d.max_occupants[own].max())})")
    if step == "bedrooms":
        extra = facts.instance.policy.max_extra_bedrooms
        return f"{_verb(one, 'fits', 'fit')} only dwellings with more than {extra} bedroom(s) above the need"
    if step == "rent":
        rents = sorted({float(h.max_rent[i]) for i in households})
        span = f"EUR {rents[0]:.0f}" if len(rents) == 1 else f"EUR {rents[0]:.0f}-{rents[-1]:.0f}"
        return f"can afford no dwelling that fits (maximum rent {span})"
    if step == "available":
        return "can get no dwelling: none is available this period"
    if step == "accessible":
        return f"{_verb(one, 'needs', 'need')} a step-free home and no dwelling that fits in size and rent is step-free"
    if step == "required_tie":
        return (f"must live in the municipality of a required tie, where no dwelling fits "
                f"{_verb(one, 'it', 'them')}")
    if step == "forbidden":
        return f"declined every dwelling that fits {_verb(one, 'it', 'them')} (forbidden pairs)"
    return f"{_verb(one, 'has', 'have')} no compatible dwelling ({step})"


def _unusable(facts: Facts, step: str, households: list[int], one: bool) -> str:
    fits = _verb(one, "fits", "fit")
    if step == "municipality_cap":
        return f"{fits} only dwellings in municipalities whose remaining cap is below the household's size"
    if step == "group_cap":
        return f"{fits} only dwellings in groups whose share cap is used up"
    if step == "lock":
        return f"{fits} only dwellings already accepted by other households (locks)"
    kind = step.removeprefix("school_")
    limit = facts.instance.policy.max_school_km.for_kind(kind)
    return f"{fits} only dwellings with no {kind} school within {limit:g} km that has seats for all the children"


def _taken(facts: Facts, tier: str, households: list[int], one: bool) -> str:
    if tier == "equal":
        return "lost out to households that rank equally (the optimizer chose among equals)"
    if tier == "exchange_blocked":
        return "lost out because an exchange with the households placed would break a limit elsewhere"
    return f"lost out to households ranking higher on {tier}"


def _cap(facts: Facts, what: str, households: list[int], one: bool) -> str:
    kept = _verb(one, "was", "were")
    limits = {"municipality": "municipality caps", "group": "group share caps", "school": "school seats in range"}
    return f"{kept} kept out by {limits.get(what, what)} that the households placed use up"


_FAMILY_WORDS: dict[str, Callable[[Facts, str, list[int], bool], str]] = {
    "unavailable": lambda facts, _, households, one: f"{_verb(one, 'is', 'are')} available only after the period",
    "no_compatible": _no_compatible,
    "unusable": _unusable,
    "taken": _taken,
    "cap": _cap,
    "left_free": lambda facts, _, households, one: f"{_verb(one, 'was', 'were')} left out although a usable "
                                                    "dwelling stayed free",
    "unexplained": lambda facts, _, households, one: f"{_verb(one, 'was', 'were')} left out without a specific "
                                                      "reason found",
}
