"""What a route needs from its request, as FastAPI dependencies: who is calling, a database session, the
solve runner, and the records this caller may see.

A route names them as parameters (``actor: Caller``, ``session: DbSession``, ``solve: VisibleSolve``)
instead of repeating the lookups and guards; FastAPI resolves them in the order the parameters are listed,
so a route that lists ``Coordinator`` first answers a municipality key 404 before it looks anything up.
FastAPI runs dependencies before it checks a request's body, so routes with a body (decisions, re-plans,
questions) look their solve up inside with ``access.visible_solve``: a malformed body answers 422 first,
whatever the solve, as it always has.
Visibility answers as everywhere in the service: a coordinator sees the region, a municipality key only what
concerns its own municipality, and anything else answers 404, exactly as something that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from matcher.api.access import (
    IndexCache,
    could_exist,
    found_instance,
    not_found,
    require_coordinator,
    visible_solve,
)
from matcher.api.jobs.runner import SolveRunner
from matcher.storage import repository as repo
from matcher.storage.engine import Database
from matcher.storage.models import InstanceRecord, SolveRecord

API_KEY_HEADER = "X-API-Key"

api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                              description="created with `matcher keys create`; coordinator or municipality key")


# --- what the application holds ----------------------------------------------------------------------------


def database(request: Request) -> Database:
    return request.app.state.database


def solve_runner(request: Request) -> SolveRunner:
    return request.app.state.runner


def index_cache(request: Request) -> IndexCache:
    return request.app.state.index_cache


Store = Annotated[Database, Depends(database)]
Runner = Annotated[SolveRunner, Depends(solve_runner)]
Indexes = Annotated[IndexCache, Depends(index_cache)]


def database_session(store: Store) -> Iterator[Session]:
    """One transaction for the route, committed when the route returns and before the response is sent (so
    a client that reads right after a write sees it). A route that must publish a write earlier (before it
    wakes the solve runner) calls ``session.commit()`` itself; an error rolls everything back."""
    with store.sessions() as session:
        yield session
        session.commit()


DbSession = Annotated[Session, Depends(database_session, scope="function")]


# --- who is calling ----------------------------------------------------------------------------------------


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": API_KEY_HEADER})


def current_actor(store: Store, token: Annotated[str | None, Security(api_key_header)]) -> repo.Actor:
    """The key's actor. Looked up in a transaction of its own, so that a request that then waits (an upload
    waiting for its validation slot) holds no database connection meanwhile."""
    if not token:
        raise _unauthorised(f"this endpoint needs an API key in the {API_KEY_HEADER} header")
    with store.session() as session:
        key = repo.key_for_token(session, token)
        if key is None:
            raise _unauthorised("unknown or revoked API key")
        return repo.Actor(key.id, key.role, key.municipality)


Caller = Annotated[repo.Actor, Depends(current_actor)]


def current_coordinator(actor: Caller) -> repo.Actor:
    require_coordinator(actor)
    return actor


Coordinator = Annotated[repo.Actor, Depends(current_coordinator)]


# --- what the caller may see -------------------------------------------------------------------------------


def caller_solve(solve_id: str, actor: Caller, session: DbSession) -> SolveRecord:
    """The solve of the path, if this key may see it; else 404."""
    return visible_solve(session, actor, solve_id)


def coordinator_solve(solve_id: str, actor: Coordinator, session: DbSession) -> SolveRecord:
    """The solve of the path, for the coordinator only (any other key: 404 as for a route that does not exist)."""
    return visible_solve(session, actor, solve_id)


def coordinator_instance(instance_id: str, _actor: Coordinator, session: DbSession) -> InstanceRecord:
    """The stored instance version of the path; instances are the coordinator's alone."""
    return found_instance(session, instance_id)


def caller_question(question_id: str, actor: Caller, session: DbSession) -> SolveRecord:
    """The question job of the path: the key that asked it sees it, and a coordinator; anyone else gets 404."""
    question = repo.get_question(session, question_id) if could_exist(question_id) else None
    if question is None or not (actor.is_coordinator or actor.key_id == question.requested_by_key):
        raise not_found("question", question_id)
    return question


VisibleSolve = Annotated[SolveRecord, Depends(caller_solve)]
CoordinatorSolve = Annotated[SolveRecord, Depends(coordinator_solve)]
CoordinatorInstance = Annotated[InstanceRecord, Depends(coordinator_instance)]
VisibleQuestion = Annotated[SolveRecord, Depends(caller_question)]
