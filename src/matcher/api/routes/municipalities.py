"""``/v1/municipalities/{code}/progress``: how far a municipality is with its taakstelling.

The figures come from the newest finished solve whose instance covers the municipality (or, before any
solve finished, from the newest instance that covers it): the target and persons housed as the instance
gives them, the persons the proposal places in its dwellings, and the persons in pairs accepted so far
(locks of the instance, and accept decisions on the proposal that stand).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from matcher.api.access import IndexCache, InstanceIndex, could_exist, not_found
from matcher.api.deps import Caller, DbSession, Indexes
from matcher.api.schemas import ErrorOut, MunicipalityProgressOut
from matcher.storage import repository as repo
from matcher.storage.models import DecisionRecord

router = APIRouter(prefix="/v1/municipalities", tags=["municipalities"])


def accepted_pairs(index: InstanceIndex, decisions: list[DecisionRecord]) -> set[tuple[str, str]]:
    accepted = set(index.locks)
    for pair, decision in repo.standing_decisions(decisions).items():
        if decision.decision == repo.ACCEPT:
            accepted.add(pair)
        else:
            accepted.discard(pair)
    return accepted


def proposed_persons(proposal: dict[str, Any], index: InstanceIndex, code: str) -> int:
    return sum(index.persons(str(a.get("household"))) for a in proposal.get("assignments") or []
               if index.municipality_of(str(a.get("dwelling"))) == code)


@router.get("/{code}/progress", responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}})
def progress(code: str, actor: Caller, session: DbSession, indexes: Indexes) -> MunicipalityProgressOut:
    """Target, housed, proposed, accepted and shortfall. A municipality key sees only its own."""
    return municipality_progress(code, actor, session, indexes)


def municipality_progress(code: str, actor: repo.Actor, session: Session,
                          indexes: IndexCache) -> MunicipalityProgressOut:
    """The figures, for the route and the municipality's page alike; 404 for a code this key may not see."""
    if not could_exist(code) or (not actor.is_coordinator and actor.municipality != code):
        raise not_found("municipality", code)
    decided = repo.latest_decided_on(session, code)
    if decided is not None:
        solve, proposal = decided
        instance = repo.get_instance(session, solve.instance_id)
        document = json.loads(proposal.document)
        decisions = repo.decisions_on(session, solve.id, code)
    else:
        solve, instance, document, decisions = None, repo.latest_instance_covering(session, code), {}, []
    if instance is None:
        raise not_found("municipality", code)
    index = indexes.get(instance)
    record = index.municipalities[code]
    target, housed = int(record["target"]), int(record["housed"])
    proposed = proposed_persons(document, index, code)
    accepted = sum(index.persons(household) for household, dwelling in accepted_pairs(index, decisions)
                   if index.municipality_of(dwelling) == code)
    return MunicipalityProgressOut(
        code=code, name=str(record.get("name") or ""), target=target, housed=housed, proposed=proposed,
        accepted=accepted, shortfall=max(0, target - housed - accepted),
        shortfall_after_proposal=max(0, target - housed - proposed), instance_id=instance.id,
        solve_id=None if solve is None else solve.id)
