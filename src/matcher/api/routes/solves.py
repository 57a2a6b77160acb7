"""``/v1/solves``: queue a solve, watch it (best objectives and bounds so far), read its proposal, stop it."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Response as HttpResponse
from sqlalchemy.orm import Session

from matcher.api.access import found_instance
from matcher.api.deps import Caller, Coordinator, CoordinatorSolve, DbSession, Indexes, Runner, VisibleSolve
from matcher.api.jobs.runner import SolveRunner
from matcher.api.proposal_views import municipality_view
from matcher.api.schemas import (
    ErrorOut,
    ProposalOut,
    ResolveOptionsIn,
    SolveIn,
    SolveListOut,
    SolveOptionsIn,
    SolveOut,
    SolveStatusOut,
)
from matcher.solver.options import default_workers
from matcher.storage import repository as repo
from matcher.storage.models import SolveRecord

router = APIRouter(prefix="/v1/solves", tags=["solves"])

CANCEL_WAIT_S = 2.0  # DELETE waits this long for the job to hand back its best proposal
CANCEL_POLL_S = 0.05
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}}


def resolved_options(options: SolveOptionsIn | ResolveOptionsIn) -> dict[str, Any]:
    """Options as stored and audited: every value explicit, the server's defaults filled in."""
    values: dict[str, Any] = options.model_dump()
    values["workers"] = values["workers"] or default_workers()
    return values


def solve_view(solve: SolveRecord, actor: repo.Actor) -> SolveOut | SolveStatusOut:
    """The full job for the coordinator; whether its proposal is ready for a municipality key."""
    return SolveOut.model_validate(solve) if actor.is_coordinator else SolveStatusOut.model_validate(solve)


@router.post("", status_code=202, responses={**ERRORS, 422: {"model": ErrorOut}})
def create_solve(body: SolveIn, actor: Coordinator, session: DbSession, runner: Runner) -> SolveOut:
    """Queue a solve of a stored instance; it starts when a solve slot is free. Answers with the job."""
    solve = repo.add_solve(session, found_instance(session, body.instance_id), resolved_options(body.options), actor)
    session.commit()  # a worker must find the job when woken
    runner.wake()
    return SolveOut.model_validate(solve)


@router.get("", responses=ERRORS)
def list_solves(actor: Caller, session: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> SolveListOut:
    """Newest first; a municipality key lists the solves of instances that cover its municipality."""
    solves = repo.list_solves(session, limit, offset, None if actor.is_coordinator else actor.municipality,
                              with_history=actor.is_coordinator)
    return SolveListOut(items=[solve_view(solve, actor) for solve in solves])


@router.get("/{solve_id}", responses=ERRORS)
def get_solve(solve: VisibleSolve, actor: Caller) -> SolveOut | SolveStatusOut:
    """Status, timestamps, best objectives and bounds so far, error, history (municipality keys: the status)."""
    return solve_view(solve, actor)


@router.get("/{solve_id}/proposal", response_model=ProposalOut, responses={**ERRORS, 409: {"model": ErrorOut}})
def get_proposal(solve: VisibleSolve, actor: Caller, session: DbSession, indexes: Indexes) -> HttpResponse:
    """The proposal: the best found so far while the solve runs, the final one after. A municipality key sees
    only the assignments to its own dwellings (and those households and dwellings)."""
    proposal = repo.proposal_of(session, solve.id)
    if proposal is None:
        raise HTTPException(status_code=409, detail=f"solve {solve.id!r} has no proposal yet ({solve.status})")
    headers = {"X-Proposal-Id": proposal.id, "X-Proposal-Final": "true" if proposal.final else "false"}
    if actor.is_coordinator:
        return HttpResponse(content=proposal.document, media_type="application/json", headers=headers)
    index = indexes.get(found_instance(session, solve.instance_id))
    view = municipality_view(json.loads(proposal.document), index, actor)
    return HttpResponse(content=json.dumps(view), media_type="application/json", headers=headers)


@router.delete("/{solve_id}", responses={**ERRORS, 202: {"model": SolveOut}, 409: {"model": ErrorOut}})
def cancel_solve(response: HttpResponse, solve: CoordinatorSolve, actor: Coordinator, session: DbSession,
                 runner: Runner) -> SolveOut:
    """Stop the solve and keep the best proposal found. 200 once it has stopped (a queued solve stops at
    once), 202 when it is still handing back its proposal; 409 for a solve that already finished."""
    stopped = cancel_job(solve, actor, session, runner)
    response.status_code = 202 if stopped.status == repo.RUNNING else 200
    return SolveOut.model_validate(stopped)


def cancel_job(job: SolveRecord, actor: repo.Actor, session: Session, runner: SolveRunner) -> SolveRecord:
    """Ask a job (a solve or a question) to stop, and wait up to ``CANCEL_WAIT_S`` for it to end; 409 for a job
    that already finished. Returns the job as it stands then."""
    if job.status in (repo.COMPLETED, repo.FAILED):
        what = "solve" if job.kind == repo.SOLVE_JOB else "question"
        raise HTTPException(status_code=409, detail=f"{what} {job.id!r} already {job.status}; nothing to stop")
    repo.request_cancel(session, job, actor)
    session.commit()  # the job's worker, here or on another server, reads the flag
    runner.stop(job.id)
    deadline = time.monotonic() + CANCEL_WAIT_S
    while True:
        session.expire_all()  # read the job afresh: its worker writes in other transactions
        if job.status != repo.RUNNING or time.monotonic() >= deadline:
            return job
        session.commit()  # end the read, so that the next one sees what the worker wrote since
        time.sleep(CANCEL_POLL_S)
