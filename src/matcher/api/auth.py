"""API keys: the ``X-API-Key`` header, checked against the stored sha256 hashes of the keys handed out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from matcher.api.access import require_coordinator
from matcher.storage import repository as repo

API_KEY_HEADER = "X-API-Key"

api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                              description="created with `matcher keys create`; coordinator or municipality key")


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": API_KEY_HEADER})


def current_actor(request: Request, token: Annotated[str | None, Security(api_key_header)]) -> repo.Actor:
    if not token:
        raise _unauthorised(f"this endpoint needs an API key in the {API_KEY_HEADER} header")
    with request.app.state.database.session() as session:
        key = repo.key_for_token(session, token)
        if key is None:
            raise _unauthorised("unknown or revoked API key")
        return repo.Actor(key.id, key.role, key.municipality)


def current_coordinator(actor: Annotated[repo.Actor, Depends(current_actor)]) -> repo.Actor:
    require_coordinator(actor)
    return actor


Caller = Annotated[repo.Actor, Depends(current_actor)]
Coordinator = Annotated[repo.Actor, Depends(current_coordinator)]
