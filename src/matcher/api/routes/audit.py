"""``/v1/audit``: the audit trail (instances stored, solves asked for, decisions taken), for the coordinator.

Oldest first, paged with ``limit`` and ``offset``: new acts only ever add entries at the end, so a page once
read stays the same. ``total`` says how many entries there are. Municipality keys get 404, as for every route
that is not theirs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from matcher.accountability.audit_trail import AuditEntry, audit_page, count_entries
from matcher.api.deps import Coordinator, DbSession
from matcher.api.schemas import ActorOut, AuditEntryOut, AuditPageOut, ErrorOut

router = APIRouter(prefix="/v1/audit", tags=["audit"])

MAX_PAGE = 500
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}}


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(at=entry.at, kind=entry.kind, id=entry.id, action=entry.action,
                         actor=ActorOut(key_id=entry.actor_key, role=entry.actor_role,
                                        municipality=entry.actor_municipality),
                         instance_id=entry.instance_id, solve_id=entry.solve_id, proposal_id=entry.proposal_id,
                         details=entry.details)


@router.get("", responses=ERRORS)
def audit(_actor: Coordinator, session: DbSession, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
          offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> AuditPageOut:
    """Every act, oldest first: who (key id and role) did what, when, and with which inputs and software."""
    return AuditPageOut(items=[entry_out(entry) for entry in audit_page(session, limit, offset)],
                        total=count_entries(session), limit=limit, offset=offset)
