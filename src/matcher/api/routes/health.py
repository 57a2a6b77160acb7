"""``/v1/health``: is the server up and its database reachable? The one endpoint that needs no key."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from matcher import __version__
from matcher.api.deps import Store
from matcher.api.schemas import ErrorOut, HealthOut

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": ErrorOut}})
def health(store: Store) -> HealthOut | JSONResponse:
    try:
        with store.session() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy", never a 500
        return JSONResponse({"detail": "the database cannot be reached"}, status_code=503)
    return HealthOut(status="ok", version=__version__, database="ok")
