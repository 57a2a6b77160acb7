"""The coordinator's audit trail page: the same entries as ``GET /v1/audit`` (``audit_page``), oldest first,
a page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from matcher.accountability.audit_trail import audit_page, count_entries
from matcher.web.deps import PageCoordinator
from matcher.web.rendering import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100


@router.get("/app/audit", response_class=HTMLResponse)
def audit(request: Request, actor: PageCoordinator,
          offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> Response:
    with request.app.state.database.session() as db:
        entries, total = audit_page(db, PAGE_SIZE, offset), count_entries(db)
    return render(request, "audit.html", {"entries": entries, "total": total, "offset": offset,
                                          "page_size": PAGE_SIZE, "errors": []}, actor)
