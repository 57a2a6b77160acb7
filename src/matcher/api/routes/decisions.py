"""Decisions on a proposal (accept or decline each proposed pair) and the re-plan that follows from them.

Decisions are taken on a finished solve's final proposal, so everyone decides on the same document. Each
one records the proposal, the instance version, the key that took it and when; the history is never
rewritten (a later decision on the same pair stands over an earlier one).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from sqlalchemy.orm import Session

from matcher.api.access import found_instance, not_found, visible_solve
from matcher.api.deps import Caller, Coordinator, DbSession, Indexes, Runner, VisibleSolve
from matcher.api.errors import ProblemsError
from matcher.api.jobs.runner import SolveRunner
from matcher.api.proposal_views import InstanceIndex, visible_assignments
from matcher.api.replan import replanned_document
from matcher.api.routes.solves import resolved_options
from matcher.api.schemas import (
    MAX_DECISIONS,
    DecisionIn,
    DecisionListOut,
    DecisionOut,
    ErrorOut,
    InstanceOut,
    ReplanIn,
    ReplanOut,
    SolveOut,
)
from matcher.exceptions import Problem
from matcher.storage import repository as repo
from matcher.storage.models import ProposalRecord, SolveRecord
from matcher.validation import load_instance

router = APIRouter(prefix="/v1/solves/{solve_id}", tags=["decisions"])

ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                           409: {"model": ErrorOut}, 422: {"model": ErrorOut}}


def decided_proposal(session: Session, solve: SolveRecord) -> ProposalRecord:
    """The final, usable proposal of a finished solve; 409 while there is none."""
    proposal = repo.proposal_of(session, solve.id)
    if solve.status not in (repo.COMPLETED, repo.CANCELLED) or proposal is None or not proposal.final:
        raise HTTPException(status_code=409, detail=f"solve {solve.id!r} is {solve.status}: decisions and "
                                                    "re-plans need the final proposal of a finished solve")
    if proposal.status == "invalid":
        raise HTTPException(status_code=409, detail=f"solve {solve.id!r} has no valid proposal to decide on")
    return proposal


def checked_decisions(items: list[DecisionIn], proposal: dict[str, Any], index: InstanceIndex,
                      actor: repo.Actor) -> list[repo.PairDecision]:
    """Every item must name a pair of the proposal that this key may decide on; 422 naming all that do not.
    For a municipality key, a dwelling that is not its own answers 404, as it does everywhere else: it
    cannot learn from a decision whether a pair elsewhere exists."""
    if not actor.is_coordinator:
        for item in items:
            if index.municipality_of(item.dwelling) != actor.municipality:
                raise not_found("dwelling", item.dwelling)
    decidable = {(str(a["household"]), str(a["dwelling"])) for a in visible_assignments(proposal, index, actor)}
    problems, seen = [], set()
    for i, item in enumerate(items):
        pair = (item.household, item.dwelling)
        label = f"{item.household} -> {item.dwelling}"
        if pair in seen:
            problems.append(Problem(f"[{i}]", label, "names the same pair as an earlier item", "duplicate"))
        elif pair not in decidable:
            problems.append(Problem(f"[{i}]", label, "is not an assignment of this proposal", "not_in_proposal"))
        seen.add(pair)
    if problems:
        raise ProblemsError(422, f"{len(problems)} decision(s) cannot be taken", problems)
    return [repo.PairDecision(item.household, item.dwelling, str(index.municipality_of(item.dwelling)),
                              index.persons(item.household), item.decision, item.reason) for item in items]


@router.post("/decisions", status_code=201, responses=ERRORS)
def decide(solve_id: str, actor: Caller, session: DbSession, indexes: Indexes,
           items: Annotated[list[DecisionIn], Body(min_length=1, max_length=MAX_DECISIONS)]) -> DecisionListOut:
    """Accept or decline proposed pairs. A municipality key decides only on its own dwellings' pairs."""
    solve = visible_solve(session, actor, solve_id)  # after the body's checks (see matcher.api.deps)
    proposal = decided_proposal(session, solve)
    index = indexes.get(found_instance(session, solve.instance_id))
    decisions = checked_decisions(items, json.loads(proposal.document), index, actor)
    records = repo.add_decisions(session, solve, proposal, decisions, actor)
    return DecisionListOut(items=[DecisionOut.model_validate(record) for record in records])


@router.get("/decisions", responses=ERRORS)
def decision_history(solve: VisibleSolve, actor: Caller, session: DbSession) -> DecisionListOut:
    """Every decision on the solve's proposal, oldest first (a municipality key: those on its dwellings)."""
    records = repo.decisions_on(session, solve.id, None if actor.is_coordinator else actor.municipality)
    return DecisionListOut(items=[DecisionOut.model_validate(record) for record in records])


@router.post("/replan", status_code=202, responses=ERRORS)
def replan(solve_id: str, actor: Coordinator, session: DbSession, runner: Runner,
           body: Annotated[ReplanIn | None, Body()] = None) -> ReplanOut:
    """A new instance version with the accepted pairs locked and the declined ones forbidden, and its solve."""
    return replan_solve(visible_solve(session, actor, solve_id), actor, session, runner, body)


def replan_solve(solve: SolveRecord, actor: repo.Actor, session: Session, runner: SolveRunner,
                 body: ReplanIn | None) -> ReplanOut:
    """The re-plan itself, for the route and the coordinator's page alike."""
    proposal = decided_proposal(session, solve)
    parent = found_instance(session, solve.instance_id)
    standing = repo.standing_decisions(repo.decisions_on(session, solve.id))
    plan = replanned_document(json.loads(parent.document), json.loads(proposal.document), standing,
                              list(body.objectives) if body and body.objectives is not None else None)
    load_instance(plan.document)  # raises InstanceInvalid (422) should the decisions contradict each other
    instance = repo.add_instance(session, plan.document, actor, parent=parent, replanned_from_solve=solve.id)
    options = resolved_options(body.options) if body and body.options else json.loads(solve.options)
    new_solve = repo.add_solve(session, instance, options, actor, parent_solve_id=solve.id)
    session.commit()  # a worker must find the job when woken
    runner.wake()
    return ReplanOut(solve=SolveOut.model_validate(new_solve), instance=InstanceOut.model_validate(instance),
                     locks_added=plan.locks_added, forbidden_added=plan.forbidden_added,
                     locks_removed=plan.locks_removed, previous=plan.previous,
                     objectives=plan.document["policy"]["objectives"])
