"""Questions about a finished solve's proposal, asked as jobs: ``POST /v1/solves/{id}/recommendations`` and
``POST /v1/solves/{id}/why-not`` queue a question (202), ``GET /v1/questions/{id}`` follows it and reads its
answer, ``DELETE /v1/questions/{id}`` stops it.

Each answer takes re-solves (one per pair a recommendation considers), up to minutes on a backlog, so it
runs on the solve queue like a solve, claimed under a lease by any server or ``matcher worker``, never
inside a request. What can be checked at once is checked here: the solve must have a final proposal (409),
and the household and dwelling must exist and be the key's to ask about (404, as anything it may not see).
``matcher.api.questions`` computes the answer, limited to the asking key's scope.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi import Response as HttpResponse
from sqlalchemy.orm import Session

from matcher.api.access import IndexCache, found_instance, visible_solve
from matcher.api.deps import Caller, DbSession, Indexes, Runner, VisibleQuestion
from matcher.api.errors import ProblemsError
from matcher.api.jobs.runner import SolveRunner
from matcher.api.questions import Scope
from matcher.api.routes.decisions import decided_proposal
from matcher.api.routes.solves import cancel_job, resolved_options
from matcher.api.schemas import ErrorOut, QuestionOut, RecommendIn, ResolveOptionsIn, WhyNotIn
from matcher.exceptions import Problem
from matcher.job_kinds import RECOMMEND, WHY_NOT
from matcher.storage import repository as repo
from matcher.storage.models import SolveRecord

router = APIRouter(tags=["accountability"])

ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                           409: {"model": ErrorOut}, 422: {"model": ErrorOut}}


@router.post("/v1/solves/{solve_id}/recommendations", status_code=202, responses=ERRORS)
def ask_recommendations(solve_id: str, body: RecommendIn, actor: Caller, session: DbSession,
                        indexes: Indexes, runner: Runner) -> QuestionOut:
    """Queue the question: the best dwellings for a household (``household``) or households for a dwelling
    (``dwelling``), each with the objective values it leads to and what else would have to change. Follow it
    at ``GET /v1/questions/{id}``; its answer is a recommendation."""
    if (body.household is None) == (body.dwelling is None):
        raise ProblemsError(422, "give exactly one of household and dwelling",
                            [Problem("household", None, "give household or dwelling, not both or neither",
                                     "one_of")])
    question = {"household": body.household, "dwelling": body.dwelling, "top": body.top, "language": body.language}
    solve = visible_solve(session, actor, solve_id)  # after the body's checks (see matcher.api.deps)
    return _queue(RECOMMEND, question, body.options, solve, actor, session, indexes, runner)


@router.post("/v1/solves/{solve_id}/why-not", status_code=202, responses=ERRORS)
def ask_why_not(solve_id: str, body: WhyNotIn, actor: Caller, session: DbSession, indexes: Indexes,
                runner: Runner) -> QuestionOut:
    """Queue the question why the proposal does not give the dwelling to the household; its answer gives every
    rule that forbids it, or what forcing it would cost (the objective that gets worse, by how much, and who
    would lose their place). Follow it at ``GET /v1/questions/{id}``."""
    question = {"household": body.household, "dwelling": body.dwelling, "language": body.language}
    solve = visible_solve(session, actor, solve_id)
    return _queue(WHY_NOT, question, body.options, solve, actor, session, indexes, runner)


@router.get("/v1/questions/{question_id}", responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}})
def get_question(question: VisibleQuestion) -> QuestionOut:
    """The question's status and history, and its answer once completed (the key that asked it, or a
    coordinator; anyone else: 404)."""
    return QuestionOut.model_validate(question)


@router.delete("/v1/questions/{question_id}", responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                                          202: {"model": QuestionOut}, 409: {"model": ErrorOut}})
def cancel_question(response: HttpResponse, question: VisibleQuestion, actor: Caller, session: DbSession,
                    runner: Runner) -> QuestionOut:
    """Stop the question; it ends without an answer. 200 once it has stopped (a queued one at once), 202 while
    it is still stopping, 409 when it already finished."""
    stopped = cancel_job(question, actor, session, runner)
    response.status_code = 202 if stopped.status == repo.RUNNING else 200
    return QuestionOut.model_validate(stopped)


def _queue(kind: str, question: dict[str, Any], options: ResolveOptionsIn, solve: SolveRecord, actor: repo.Actor,
           session: Session, indexes: IndexCache, runner: SolveRunner) -> QuestionOut:
    """Check what can be checked now (a final proposal, ids the key may see), then queue the question."""
    proposal = decided_proposal(session, solve)
    index = indexes.get(found_instance(session, solve.instance_id))
    scope = Scope.of(actor.municipality if not actor.is_coordinator else None, json.loads(proposal.document), index)
    scope.require(index, question.get("household"), question.get("dwelling"))
    asked = {**question, "municipality": scope.municipality}
    job = repo.add_question(session, solve, kind, asked, resolved_options(options), actor)
    session.commit()  # a worker must find the job when woken
    runner.wake()
    return QuestionOut.model_validate(job)
