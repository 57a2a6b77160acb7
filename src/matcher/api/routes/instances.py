"""``/v1/instances``: submit an instance (validated exactly as ``matcher validate`` does), list and read them."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from matcher.api.access import could_exist, not_found
from matcher.api.auth import Coordinator
from matcher.api.schemas import ErrorOut, InstanceDetailOut, InstanceListOut, InstanceOut, storable
from matcher.exceptions import InstanceInvalid, Problem
from matcher.storage import repository as repo
from matcher.storage.engine import Database
from matcher.storage.models import InstanceRecord
from matcher.validation import load_instance, read_json

router = APIRouter(prefix="/v1/instances", tags=["instances"])

MAX_DEPTH = 32  # an instance is 5 levels deep; unknown fields may add a few, not hundreds

INSTANCE_SCHEMA = {"$ref": "#/components/schemas/InstanceDocument"}
INSTANCE_BODY = {"requestBody": {"required": True, "description": "a matcher.instance/1 document",
                                 "content": {"application/json": {"schema": INSTANCE_SCHEMA}}}}
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}}


def instance_out(record: InstanceRecord) -> InstanceOut:
    return InstanceOut(id=record.id, name=record.name, version=record.version, parent_id=record.parent_id,
                       replanned_from_solve=record.replanned_from_solve, content_hash=record.content_hash,
                       households=record.households, dwellings=record.dwellings,
                       municipalities=record.municipalities, locks=record.locks,
                       forbidden=record.forbidden, created_at=record.created_at,
                       created_by={"key_id": record.created_by_key, "role": record.created_by_role})


def unstorable_values(document: Any) -> Iterator[Problem]:
    """Values that validation lets through (in fields it ignores) but no database or JSON encoder can hold:
    NUL characters, unpaired surrogates, NaN and infinities, absurd nesting. Walked without recursion."""
    pending: list[tuple[Any, str, int]] = [(document, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            yield Problem(path, None, f"is nested more than {MAX_DEPTH} levels deep", "depth")
        elif isinstance(value, str):
            yield from _text_problem(value, path)
        elif isinstance(value, float) and not math.isfinite(value):
            yield Problem(path, None, "must be a finite number", "finite_number")
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield from _text_problem(key, child)
                pending.append((item, child, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def _text_problem(text: str, path: str) -> Iterator[Problem]:
    try:
        storable(text)
    except ValueError as error:
        yield Problem(path, None, str(error), "text")


def validated_document(body: bytes) -> dict[str, Any]:
    """The submitted JSON, if it is a valid instance; otherwise ``InstanceInvalid`` with every problem."""
    try:
        document = read_json(body)
    except InstanceInvalid:
        raise
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InstanceInvalid([Problem("", None, f"is not valid JSON: {error}", "json")]) from None
    load_instance(document if isinstance(document, dict) else body)
    problems = list(unstorable_values(document))
    if problems:
        raise InstanceInvalid(problems)
    return document


@router.post("", status_code=201, response_model=InstanceOut, openapi_extra=INSTANCE_BODY,
             responses={**ERRORS, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
async def create_instance(request: Request, actor: Coordinator) -> InstanceOut:
    """Store a new instance (version 1). Invalid input: 422 listing every problem with its path and record."""
    body = await request.body()  # read on the event loop; validating and storing it takes a worker thread
    return await anyio.to_thread.run_sync(store_instance, request.app.state.database, body, actor,
                                          limiter=request.app.state.upload_slots)


def store_instance(database: Database, body: bytes, actor: repo.Actor) -> InstanceOut:
    """Validate and store a submitted instance: seconds of work for a large one, so never on the event loop
    (every other request would wait for it). Callable without HTTP."""
    document = validated_document(body)
    with database.session() as session:
        return instance_out(repo.add_instance(session, document, actor))


@router.get("", response_model=InstanceListOut, responses=ERRORS)
def list_instances(request: Request, _actor: Coordinator, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> InstanceListOut:
    """Newest first."""
    with request.app.state.database.session() as session:
        return InstanceListOut(items=[instance_out(r) for r in repo.list_instances(session, limit, offset)])


@router.get("/{instance_id}", response_model=InstanceDetailOut, responses=ERRORS)
def get_instance(request: Request, instance_id: str, _actor: Coordinator) -> InstanceDetailOut:
    with request.app.state.database.session() as session:
        record = found_instance(session, instance_id)
        return InstanceDetailOut(**instance_out(record).model_dump(), document=json.loads(record.document))


def found_instance(session: Session, instance_id: str) -> InstanceRecord:
    record = repo.get_instance(session, instance_id) if could_exist(instance_id) else None
    if record is None:
        raise not_found("instance", instance_id)
    return record
