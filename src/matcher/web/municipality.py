"""A municipality's pages: the pairs proposed for its dwellings, each with its explanation and a form to
accept or decline it (with a reason); its progress towards the taakstelling; the history of its decisions.

Everything comes through the functions ``/v1`` uses (``latest_decided_on``, ``visible_assignments``,
``checked_decisions``, ``add_decisions``, the progress route), so the page and the API cannot disagree.
Another municipality's page, or a form naming another municipality's dwelling, answers 404 like the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from matcher.api.access import could_exist, found_instance, not_found, visible_solve
from matcher.api.errors import ProblemsError
from matcher.api.proposal_views import InstanceIndex, visible_assignments
from matcher.api.routes import municipalities
from matcher.api.routes.decisions import checked_decisions, decided_proposal
from matcher.api.schemas import DecisionIn, MunicipalityProgressOut
from matcher.explain.words import moved_text, placement_phrases
from matcher.format import PERMILLE
from matcher.storage import repository as repo
from matcher.web import session
from matcher.web.i18n import translator
from matcher.web.rendering import message_page, render

router = APIRouter(include_in_schema=False)

HISTORY_ROWS = 200  # the newest decisions shown in the history
NOTICE = "notice"  # a one-time message for the next page (decision saved), kept in the session


@dataclass
class Pair:
    """One proposed pair as the page shows it."""

    field_id: str  # the id of its reason field, which an error summary links to
    household: dict[str, Any]
    dwelling: dict[str, Any]
    phrases: list[str]
    standing: str | None  # "accept", "decline" or None (open)
    reason: str | None


@dataclass
class MunicipalityView:
    code: str
    name: str
    progress: MunicipalityProgressOut
    solve_id: str | None = None
    instance_id: str | None = None
    pairs: list[Pair] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # newest first, across solves
    moved: list[str] = field(default_factory=list)  # pairs of the previous version that moved, and why


def _visible_code(actor: repo.Actor, code: str) -> bool:
    return could_exist(code) and (actor.is_coordinator or actor.municipality == code)


def _not_found(request: Request, actor: repo.Actor) -> Response:
    t = translator(session.language(request))
    return message_page(request, t("not_found_title"), t("not_found_text"), 404, actor)


def municipality_view(request: Request, actor: repo.Actor, code: str) -> MunicipalityView:
    """What the page shows; raises the API's 404 when the municipality is unknown or has no instance yet."""
    language = session.language(request)
    with request.app.state.database.session() as db:
        decided = repo.latest_decided_on(db, code)
        history = repo.decisions_by_municipality(db, code, HISTORY_ROWS)
        if decided is None:
            solve, document, decisions = None, {}, []
            instance = repo.latest_instance_covering(db, code)
            if instance is None:
                raise not_found("municipality", code)
            index = request.app.state.index_cache.get(instance)
        else:
            solve, proposal = decided
            instance = found_instance(db, solve.instance_id)
            index = request.app.state.index_cache.get(instance)  # before the proposal: see proposal_cache
            document = request.app.state.proposal_cache.get(proposal)
            decisions = repo.decisions_on(db, solve.id, code)
    progress = _progress(index, document, decisions, code, instance.id, None if solve is None else solve.id)
    view = MunicipalityView(code=code, name=progress.name, progress=progress,
                            history=[{"household": d.household, "dwelling": d.dwelling, "decision": d.decision,
                                      "reason": d.reason, "at": d.decided_at, "role": d.decided_by_role,
                                      "solve": d.solve_id} for d in history])
    if solve is None:
        return view
    view.solve_id, view.instance_id = solve.id, instance.id
    standing = repo.standing_decisions(decisions)
    mine = [a for a in visible_assignments(document, index, actor) if index.municipality_of(str(a["dwelling"])) == code]
    for i, assignment in enumerate(mine):
        household, dwelling = str(assignment["household"]), str(assignment["dwelling"])
        decision = standing.get((household, dwelling))
        view.pairs.append(Pair(field_id=f"reason-{i}", household=index.households.get(household, {"id": household}),
                               dwelling=index.dwellings.get(dwelling, {"id": dwelling}),
                               phrases=placement_phrases(assignment.get("explanation"), language),
                               standing=None if decision is None else decision.decision,
                               reason=None if decision is None else decision.reason))
    view.moved = moved_here(document, index, code, language)
    return view


def _progress(index: InstanceIndex, document: dict[str, Any], decisions: list[Any], code: str, instance_id: str,
              solve_id: str | None) -> MunicipalityProgressOut:
    """The figures of ``GET /v1/municipalities/{code}/progress``, from the same functions, on the proposal this
    page has already read (the route would read and parse it a second time)."""
    record = index.municipalities[code]
    target, housed = int(record["target"]), int(record["housed"])
    proposed = municipalities.proposed_persons(document, index, code)
    accepted = sum(index.persons(household) for household, dwelling in municipalities.accepted_pairs(index, decisions)
                   if index.municipality_of(dwelling) == code)
    return MunicipalityProgressOut(
        code=code, name=str(record.get("name") or ""), target=target, housed=housed, proposed=proposed,
        accepted=accepted, shortfall=max(0, target - housed - accepted),
        shortfall_after_proposal=max(0, target - housed - proposed), instance_id=instance_id, solve_id=solve_id)


def moved_here(document: dict[str, Any], index: InstanceIndex, code: str, language: str) -> list[str]:
    """The pairs of the version under review, in this municipality's dwellings, that the re-plan moved, each
    with why, in ``language`` (a dwelling elsewhere is not named: it is another municipality's)."""
    moves = [move for move in document.get("moved") or []
             if isinstance(move, dict) and index.municipality_of(str(move.get("dwelling"))) == code]
    return [moved_text(move, language, lambda dwelling: index.municipality_of(dwelling) == code) for move in moves]


def _page(request: Request, actor: repo.Actor, code: str, errors: list[tuple[str, str]] | None = None,
          status_code: int = 200) -> Response:
    try:
        view = municipality_view(request, actor, code)
    except HTTPException as error:
        if error.status_code == 404:
            return _not_found(request, actor)
        raise
    notice = request.session.pop(NOTICE, None)
    return render(request, "municipality.html", {"view": view, "errors": errors or [], "notice": notice,
                                                 "permille": PERMILLE}, actor, status_code)


@router.get("/app/municipality/{code}", response_class=HTMLResponse)
def municipality_page(request: Request, code: str) -> Response:
    actor = session.required_actor(request)
    if not _visible_code(actor, code):
        return _not_found(request, actor)
    return _page(request, actor, code)


@router.post("/app/municipality/{code}/decisions", response_class=HTMLResponse)
def decide(request: Request, code: str, solve_id: Annotated[str, Form()] = "",
           household: Annotated[str, Form()] = "", dwelling: Annotated[str, Form()] = "",
           decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
           field_id: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    """One decision through the API's own checks; back to the page with a notice, or with the problem shown."""
    session.check_csrf(request, csrf_token)
    actor = session.required_actor(request)
    if not _visible_code(actor, code):
        return _not_found(request, actor)
    t = translator(session.language(request))
    reason = reason.strip()
    if decision == "decline" and not reason:
        return _page(request, actor, code, [(field_id, t("reason_needed", household=household, dwelling=dwelling))],
                     422)
    try:
        item = DecisionIn.model_validate({"household": household, "dwelling": dwelling, "decision": decision,
                                          "reason": reason or None})
        _record(request, actor, code, solve_id, item)
    except (ValidationError, ProblemsError) as error:
        detail = error.detail if isinstance(error, ProblemsError) else str(error.errors()[0]["msg"])
        return _page(request, actor, code, [(field_id, t("decision_refused", detail=detail))], 422)
    except HTTPException as error:
        if error.status_code == 404:
            return _not_found(request, actor)
        return message_page(request, t("conflict_title"), str(error.detail), error.status_code, actor)
    request.session[NOTICE] = t("decision_saved", household=household, dwelling=dwelling)
    return RedirectResponse(f"/app/municipality/{code}", status_code=303)


def _record(request: Request, actor: repo.Actor, code: str, solve_id: str, item: DecisionIn) -> None:
    """As ``POST /v1/solves/{id}/decisions`` does it; a dwelling of another municipality answers 404, even
    to a coordinator on this municipality's page."""
    with request.app.state.database.session() as db:
        solve = visible_solve(db, actor, solve_id)
        proposal = decided_proposal(db, solve)
        index = request.app.state.index_cache.get(found_instance(db, solve.instance_id))
        if index.municipality_of(item.dwelling) != code:
            raise HTTPException(status_code=404, detail="Not Found")
        decisions = checked_decisions([item], request.app.state.proposal_cache.get(proposal), index, actor)
        repo.add_decisions(db, solve, proposal, decisions, actor)
