"""``/v1/instances``: submit an instance (validated exactly as ``matcher validate`` does), list and read them."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request

from matcher.api.deps import Coordinator, CoordinatorInstance, DbSession, Store
from matcher.api.schemas import ErrorOut, InstanceDetailOut, InstanceListOut, InstanceOut
from matcher.api.uploads import validated_document
from matcher.storage import repository as repo
from matcher.storage.engine import Database

router = APIRouter(prefix="/v1/instances", tags=["instances"])

INSTANCE_SCHEMA = {"$ref": "#/components/schemas/InstanceDocument"}
INSTANCE_BODY = {"requestBody": {"required": True, "description": "a matcher.instance/1 document",
                                 "content": {"application/json": {"schema": INSTANCE_SCHEMA}}}}
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}}


@router.post("", status_code=201, openapi_extra=INSTANCE_BODY,
             responses={**ERRORS, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
async def create_instance(request: Request, actor: Coordinator, store: Store) -> InstanceOut:
    """Store a new instance (version 1). Invalid input: 422 listing every problem with its path and record."""
    body = await request.body()  # read on the event loop; checked in the upload process, stored by a thread
    checked = await request.app.state.uploads.check(body)
    return await anyio.to_thread.run_sync(_store, store, checked.stored, actor)


def _store(database: Database, stored: repo.StoredDocument, actor: repo.Actor) -> InstanceOut:
    with database.session() as session:
        return InstanceOut.model_validate(repo.add_instance(session, stored, actor))


def store_instance(database: Database, body: bytes, actor: repo.Actor) -> InstanceOut:
    """Validate and store a submitted instance in the calling thread (the web pages' upload, which runs it
    on a worker thread); seconds of work for a large one."""
    return _store(database, repo.StoredDocument.of(validated_document(body)), actor)


@router.get("", responses=ERRORS)
def list_instances(_actor: Coordinator, session: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> InstanceListOut:
    """Newest first."""
    return InstanceListOut(items=[InstanceOut.model_validate(r) for r in repo.list_instances(session, limit, offset)])


@router.get("/{instance_id}", responses=ERRORS)
def get_instance(record: CoordinatorInstance) -> InstanceDetailOut:
    return InstanceDetailOut.model_validate(record)
