"""``/v1/solves/{id}/recommendations`` and ``/v1/solves/{id}/why-not``: recommended fit and "why not" on the
final proposal of a finished solve, as ``matcher recommend`` and ``matcher why-not`` answer them.

Scoping follows the rest of the service: a coordinator may ask about any household and dwelling; a
municipality key only about its own dwellings and the households the proposal places in them, and every
other id answers 404 as if it did not exist. Its answers are limited the same way: alternatives among its
own dwellings (or the households in them) only, and in every list and sentence a household or dwelling it
may not see is replaced by a placeholder, so it learns how many others a change affects, never who.

Each alternative is a re-solve with the pair locked, run in the request (one CP-SAT worker each, so that
the solve jobs keep the cores); ``time_limit`` bounds each re-solve.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ConfigDict, Field

from matcher.accountability.baseline import Baseline, QuestionInvalid, read_baseline
from matcher.accountability.forcing import Blocked, Forced
from matcher.accountability.recommend import DEFAULT_TOP, Recommendation, recommend_dwellings, recommend_households
from matcher.accountability.why_not import why_not
from matcher.api.access import InstanceIndex, municipality_view, not_found, visible_assignments, visible_solve
from matcher.api.auth import Caller
from matcher.api.errors import ProblemsError
from matcher.api.routes.decisions import decided_proposal
from matcher.api.routes.instances import found_instance
from matcher.api.schemas import ErrorOut, Response
from matcher.exceptions import Problem
from matcher.solver import SolveOptions
from matcher.storage import repository as repo

router = APIRouter(prefix="/v1/solves/{solve_id}", tags=["accountability"])

RESOLVE_TIME_LIMIT_S = 5.0  # per forced pair: a region's week re-solves to proven optimality well within this
MAX_RESOLVE_TIME_LIMIT_S = 60.0
MAX_TOP = 50
RESOLVE_WORKERS = 1
OTHER_HOUSEHOLD = "(another household)"
OTHER_DWELLING = "(a dwelling elsewhere)"
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                           409: {"model": ErrorOut}, 422: {"model": ErrorOut}}


# --- response bodies ---------------------------------------------------------------------------------------


class ObjectiveChangeOut(Response):
    name: str
    before: int = Field(description="value in the solve's proposal")
    after: int = Field(description="value with the pair forced")
    worse_by: int = Field(description="how much worse with the pair forced (negative: better)")


class MoveOut(Response):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    household: str
    from_: str = Field(alias="from")
    to: str


class ForcedOut(Response):
    household: str
    dwelling: str
    previous: str | None = Field(description="the household's dwelling in the solve's proposal")
    status: str = Field(description="optimal when the forced proposal is proven optimal")
    objectives: list[ObjectiveChangeOut]
    deciding: str | None = Field(description="the most important objective that changes")
    lost: list[str] = Field(description="households that would lose their place")
    moved: list[MoveOut] = Field(description="households that would move")
    gained: list[str] = Field(description="households that would get a place")


class OptionOut(ForcedOut):
    rank: int


class ObstacleOut(Response):
    rule: str
    name: str
    text: str


class BlockedOut(Response):
    household: str
    dwelling: str
    obstacles: list[ObstacleOut]


class RuleCountOut(Response):
    rule: str
    pairs: int


class RecommendationOut(Response):
    subject: str = Field(description='"household" or "dwelling"')
    id: str
    current: list[str] = Field(description="the subject's dwelling, or the dwelling's households, in the proposal")
    considered: int = Field(description="pairs some proposal could contain, all re-solved and ranked")
    options: list[OptionOut] = Field(description="best first")
    blocked_by_rule: list[RuleCountOut] = Field(description="impossible pairs per rule, most first")
    blocked: list[BlockedOut]


class WhyNotOut(Response):
    household: str
    dwelling: str
    verdict: str = Field(description='"in_proposal", "impossible" or "possible"')
    current: str | None
    occupants: list[str]
    obstacles: list[ObstacleOut] = Field(description="every rule that forbids the pair (impossible)")
    forced: ForcedOut | None = Field(description="what forcing the pair costs (possible)")
    answer: list[str] = Field(description="the answer in words")
    forced_proposal: dict[str, Any] | None = Field(description="the proposal with the pair forced, as the caller "
                                                               "may see proposals")


# --- who may see what --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The households and dwellings a key may see, and how the others are written in its answers."""

    actor: repo.Actor
    dwellings: frozenset[str] | None  # None: every one (a coordinator)
    households: frozenset[str] | None

    @classmethod
    def of(cls, actor: repo.Actor, proposal: dict[str, Any], index: InstanceIndex) -> Scope:
        if actor.is_coordinator:
            return cls(actor, None, None)
        own = frozenset(d for d, record in index.dwellings.items() if str(record["municipality"]) == actor.municipality)
        placed = frozenset(str(a["household"]) for a in visible_assignments(proposal, index, actor))
        return cls(actor, own, placed)

    def require(self, baseline: Baseline, household: str | None, dwelling: str | None) -> None:
        """404 for an id that does not exist or that this key may not see (the two look the same)."""
        if household is not None and (household not in baseline.facts.household_index
                                      or (self.households is not None and household not in self.households)):
            raise not_found("household", household)
        if dwelling is not None and (dwelling not in baseline.facts.dwelling_index
                                     or (self.dwellings is not None and dwelling not in self.dwellings)):
            raise not_found("dwelling", dwelling)

    def redact(self, baseline: Baseline, value: Any) -> Any:
        """Every household and dwelling id the key may not see, replaced by a placeholder, in values and text."""
        if self.dwellings is None or self.households is None:
            return value
        hidden = {h: OTHER_HOUSEHOLD for h in baseline.facts.households.ids if h not in self.households}
        hidden |= {d: OTHER_DWELLING for d in baseline.facts.dwellings.ids if d not in self.dwellings}
        return _Redactor(hidden)(value)


class _Redactor:
    def __init__(self, hidden: dict[str, str]) -> None:
        self._hidden = hidden
        alternatives = "|".join(re.escape(i) for i in sorted(hidden, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if hidden else None

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, str) and self._pattern is not None:
            return self._pattern.sub(lambda match: self._hidden[match.group(0)], value)
        return value


# --- the routes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Question:
    baseline: Baseline
    scope: Scope
    index: InstanceIndex


def _question(request: Request, solve_id: str, actor: repo.Actor) -> _Question:
    """The solve's final proposal as a baseline, and what this key may see of it."""
    with request.app.state.database.session() as session:
        solve = visible_solve(session, actor, solve_id)
        proposal = decided_proposal(session, solve)
        instance = found_instance(session, solve.instance_id)
        index = request.app.state.index_cache.get(instance)
        instance_document, proposal_document = json.loads(instance.document), json.loads(proposal.document)
    try:
        baseline = read_baseline(instance_document, proposal_document)
    except QuestionInvalid as error:
        raise ProblemsError(409, f"solve {solve_id!r}: its proposal cannot be questioned",
                            [Problem("", None, problem, "proposal") for problem in error.problems]) from None
    return _Question(baseline, Scope.of(actor, proposal_document, index), index)


def _options(time_limit: float) -> SolveOptions:
    return SolveOptions(time_limit=time_limit, workers=RESOLVE_WORKERS)


TimeLimit = Annotated[float, Query(gt=0.0, le=MAX_RESOLVE_TIME_LIMIT_S, description="seconds per re-solve")]


@router.get("/recommendations", response_model=RecommendationOut, response_model_by_alias=True, responses=ERRORS)
def recommendations(request: Request, solve_id: str, actor: Caller,
                    household: Annotated[str | None, Query(description="find dwellings for this household")] = None,
                    dwelling: Annotated[str | None, Query(description="find households for this dwelling")] = None,
                    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = DEFAULT_TOP,
                    time_limit: TimeLimit = RESOLVE_TIME_LIMIT_S) -> Any:
    """The best dwellings for a household (``?household=``) or households for a dwelling (``?dwelling=``),
    each with the objective values it leads to and what else would have to change."""
    if (household is None) == (dwelling is None):
        raise ProblemsError(422, "give exactly one of household and dwelling",
                            [Problem("query:household", None, "give household or dwelling, not both or neither",
                                     "one_of")])
    question = _question(request, solve_id, actor)
    baseline, scope = question.baseline, question.scope
    scope.require(baseline, household, dwelling)
    if household is not None:
        result = recommend_dwellings(baseline, household, top, _options(time_limit), among=scope.dwellings)
    else:
        result = recommend_households(baseline, str(dwelling), top, _options(time_limit), among=scope.households)
    return scope.redact(baseline, _recommendation_body(result))


@router.get("/why-not", response_model=WhyNotOut, response_model_by_alias=True, responses=ERRORS)
def why_not_route(request: Request, solve_id: str, actor: Caller,
                  household: Annotated[str, Query(min_length=1)], dwelling: Annotated[str, Query(min_length=1)],
                  time_limit: TimeLimit = RESOLVE_TIME_LIMIT_S) -> Any:
    """Why the proposal does not give the dwelling to the household: every rule that forbids it, or what
    forcing it would cost (the objective that gets worse, by how much, and who would lose their place)."""
    question = _question(request, solve_id, actor)
    baseline, scope = question.baseline, question.scope
    scope.require(baseline, household, dwelling)
    answer = why_not(baseline, household, dwelling, _options(time_limit))
    forced_proposal = None
    if answer.forced is not None:
        forced_proposal = answer.forced.proposal.model_dump(mode="json", exclude_none=True)
        if not actor.is_coordinator:
            forced_proposal = _municipality_proposal(forced_proposal, question, actor)
    body = {"household": answer.household, "dwelling": answer.dwelling, "verdict": answer.verdict,
            "current": answer.current, "occupants": answer.occupants,
            "obstacles": [o.as_dict() for o in answer.obstacles],
            "forced": _forced_body(answer.forced) if answer.forced else None, "answer": answer.lines,
            "forced_proposal": forced_proposal}
    return scope.redact(baseline, body)


def _municipality_proposal(proposal: dict[str, Any], question: _Question, actor: repo.Actor) -> dict[str, Any]:
    """The forced proposal as the municipality sees proposals, without the records of households it may not see."""
    view = municipality_view(proposal, question.index, actor)
    visible = question.scope.households or frozenset()
    view["households"] = [record for record in view["households"] if str(record.get("id")) in visible]
    return view


def _forced_body(forced: Forced) -> dict[str, Any]:
    body = forced.as_dict()
    body.pop("resolved", None)
    return body


def _blocked_body(blocked: Blocked) -> dict[str, Any]:
    return blocked.as_dict()


def _recommendation_body(result: Recommendation) -> dict[str, Any]:
    return {"subject": result.subject, "id": result.id, "current": result.current, "considered": result.considered,
            "options": [{"rank": rank, **_forced_body(option)} for rank, option in enumerate(result.options, 1)],
            "blocked_by_rule": [{"rule": rule, "pairs": count} for rule, count in result.blocked_by_rule()],
            "blocked": [_blocked_body(pair) for pair in result.blocked]}
