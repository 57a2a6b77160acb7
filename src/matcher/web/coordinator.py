"""The coordinator's start page: the newest solves and, for the newest finished one, every
municipality's decisions at a glance (pairs proposed, accepted, declined, still open), each linking to the
municipality's own page. The week's upload, solve and re-plan are in ``week.py``, the audit trail in
``audit.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from matcher.api.access import found_instance
from matcher.storage import repository as repo
from matcher.web import session
from matcher.web.rendering import render

router = APIRouter(include_in_schema=False)

RECENT_SOLVES = 10


@dataclass
class MunicipalityRow:
    code: str
    name: str
    target: int
    housed: int
    proposed: int
    accepted: int
    declined: int

    @property
    def open(self) -> int:
        return self.proposed - self.accepted - self.declined


@router.get("/app/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    actor = session.required_actor(request)
    if not actor.is_coordinator:
        return RedirectResponse(f"/app/municipality/{actor.municipality}", status_code=303)
    with request.app.state.database.session() as db:
        solves = [{"id": s.id, "status": s.status, "instance": s.instance_id, "created": s.created_at}
                  for s in repo.list_solves(db, RECENT_SOLVES, 0)]
        newest = next((s for s in solves if s["status"] in (repo.COMPLETED, repo.CANCELLED)), None)
        rows = _at_a_glance(request, db, str(newest["id"])) if newest else []
    return render(request, "region.html", {"solves": solves, "rows": rows, "newest": newest}, actor)


def _at_a_glance(request: Request, db: Any, solve_id: str) -> list[MunicipalityRow]:
    solve = repo.get_solve(db, solve_id)
    proposal = repo.proposal_of(db, solve_id)
    if solve is None or proposal is None:
        return []
    index = request.app.state.index_cache.get(found_instance(db, solve.instance_id))
    standing = repo.standing_decisions(repo.decisions_on(db, solve_id))
    rows = {code: MunicipalityRow(code, str(m.get("name") or ""), int(m["target"]), int(m["housed"]), 0, 0, 0)
            for code, m in index.municipalities.items()}
    for assignment in request.app.state.proposal_cache.get(proposal).get("assignments") or []:
        pair = (str(assignment["household"]), str(assignment["dwelling"]))
        row = rows.get(str(index.municipality_of(pair[1])))
        if row is None:
            continue
        row.proposed += 1
        decision = standing.get(pair)
        if decision is not None:
            row.accepted += decision.decision == repo.ACCEPT
            row.declined += decision.decision != repo.ACCEPT
    return sorted(rows.values(), key=lambda row: row.code)
