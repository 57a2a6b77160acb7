"""``/v1/solves``: queue a solve, watch it (best objectives and bounds so far), read its proposal, stop it."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Response as HttpResponse
from sqlalchemy.orm import Session

from matcher.api.access import municipality_view, visible_solve
from matcher.api.auth import Caller, Coordinator
from matcher.api.routes.instances import found_instance
from matcher.api.schemas import (
    ErrorOut,
    ProposalOut,
    SolveIn,
    SolveListOut,
    SolveOptionsIn,
    SolveOut,
    SolveStatusOut,
)
from matcher.solver.options import default_workers
from matcher.storage import repository as repo
from matcher.storage.models import SolveEvent, SolveRecord

router = APIRouter(prefix="/v1/solves", tags=["solves"])

CANCEL_WAIT_S = 2.0  # DELETE waits this long for the solve to hand back its best proposal
CANCEL_POLL_S = 0.05
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}}


def resolved_options(options: SolveOptionsIn) -> dict[str, Any]:
    """Options as stored and audited: every value explicit, the server's defaults filled in."""
    values = options.model_dump()
    values["workers"] = values["workers"] or default_workers()
    return values


def solve_out(session: Session, solve: SolveRecord, history: list[SolveEvent] | None = None,
              proposal_status: str | None = None) -> SolveOut:
    """The full job; a list passes the histories and proposal statuses it fetched for all its jobs at once."""
    if history is None:
        history = repo.events(session, solve.id)
        proposal = repo.proposal_of(session, solve.id)
        proposal_status = proposal.status if proposal is not None else None
    return SolveOut(
        id=solve.id, status=solve.status, created_at=solve.created_at, started_at=solve.started_at,
        finished_at=solve.finished_at, instance_id=solve.instance_id, parent_solve_id=solve.parent_solve_id,
        options=json.loads(solve.options), seed=solve.seed, attempts=solve.attempts,
        cancel_requested_at=solve.cancel_requested_at, error=solve.error,
        progress=json.loads(solve.progress) if solve.progress else None,
        proposal_status=proposal_status,
        requested_by={"key_id": solve.requested_by_key, "role": solve.requested_by_role},
        history=[{"at": e.at, "event": e.event, "message": e.message} for e in history],
    )


def status_out(solve: SolveRecord) -> SolveStatusOut:
    return SolveStatusOut(id=solve.id, status=solve.status, created_at=solve.created_at,
                          started_at=solve.started_at, finished_at=solve.finished_at)


def solve_view(session: Session, solve: SolveRecord, actor: repo.Actor) -> SolveOut | SolveStatusOut:
    return solve_out(session, solve) if actor.is_coordinator else status_out(solve)


@router.post("", status_code=202, response_model=SolveOut, responses={**ERRORS, 422: {"model": ErrorOut}})
def create_solve(request: Request, body: SolveIn, actor: Coordinator) -> SolveOut:
    """Queue a solve of a stored instance; it starts when a solve slot is free. Answers with the job."""
    with request.app.state.database.session() as session:
        instance = found_instance(session, body.instance_id)
        solve = repo.add_solve(session, instance, resolved_options(body.options), actor)
    request.app.state.runner.wake()
    with request.app.state.database.session() as session:
        return solve_out(session, solve)


@router.get("", response_model=SolveListOut, responses=ERRORS)
def list_solves(request: Request, actor: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> SolveListOut:
    """Newest first; a municipality key lists the solves of instances that cover its municipality."""
    with request.app.state.database.session() as session:
        solves = repo.list_solves(session, limit, offset, None if actor.is_coordinator else actor.municipality)
        if not actor.is_coordinator:
            return SolveListOut(items=[status_out(solve) for solve in solves])
        ids = [solve.id for solve in solves]
        histories, statuses = repo.events_of(session, ids), repo.proposal_statuses(session, ids)
        return SolveListOut(items=[solve_out(session, solve, histories[solve.id], statuses.get(solve.id))
                                   for solve in solves])


@router.get("/{solve_id}", response_model=SolveOut | SolveStatusOut, responses=ERRORS)
def get_solve(request: Request, solve_id: str, actor: Caller) -> SolveOut | SolveStatusOut:
    """Status, timestamps, best objectives and bounds so far, error, history (municipality keys: the status)."""
    with request.app.state.database.session() as session:
        return solve_view(session, visible_solve(session, actor, solve_id), actor)


@router.get("/{solve_id}/proposal", response_model=ProposalOut, responses={**ERRORS, 409: {"model": ErrorOut}})
def get_proposal(request: Request, solve_id: str, actor: Caller) -> Any:
    """The proposal: the best found so far while the solve runs, the final one after. A municipality key sees
    only the assignments to its own dwellings (and those households and dwellings)."""
    with request.app.state.database.session() as session:
        solve = visible_solve(session, actor, solve_id)
        proposal = repo.proposal_of(session, solve.id)
        if proposal is None:
            raise HTTPException(status_code=409, detail=f"solve {solve_id!r} has no proposal yet ({solve.status})")
        headers = {"X-Proposal-Id": proposal.id, "X-Proposal-Final": "true" if proposal.final else "false"}
        if actor.is_coordinator:
            return HttpResponse(content=proposal.document, media_type="application/json", headers=headers)
        index = request.app.state.index_cache.get(found_instance(session, solve.instance_id))
        view = municipality_view(json.loads(proposal.document), index, actor)
        return HttpResponse(content=json.dumps(view), media_type="application/json", headers=headers)


@router.delete("/{solve_id}", response_model=SolveOut, responses={**ERRORS, 202: {"model": SolveOut},
                                                                   409: {"model": ErrorOut}})
def cancel_solve(request: Request, response: HttpResponse, solve_id: str, actor: Coordinator) -> SolveOut:
    """Stop the solve and keep the best proposal found. 200 once it has stopped (a queued solve stops at
    once), 202 when it is still handing back its proposal; 409 for a solve that already finished."""
    with request.app.state.database.session() as session:
        solve = visible_solve(session, actor, solve_id)
        if solve.status in (repo.COMPLETED, repo.FAILED):
            raise HTTPException(status_code=409, detail=f"solve {solve_id!r} already {solve.status}; nothing to stop")
        repo.request_cancel(session, solve, actor)
    request.app.state.runner.stop(solve_id)
    deadline = time.monotonic() + CANCEL_WAIT_S
    while True:
        with request.app.state.database.session() as session:
            solve = visible_solve(session, actor, solve_id)
            if solve.status != repo.RUNNING or time.monotonic() >= deadline:
                response.status_code = 202 if solve.status == repo.RUNNING else 200
                return solve_out(session, solve)
        time.sleep(CANCEL_POLL_S)
