"""The coordinator's week: upload the lists (workbook, CSV files or JSON), see every problem by sheet, row and
column (or by JSON path), start a solve, follow it live, read the proposal as the report shows it, and
re-plan from the decisions.

Uploads go through the same import and validation as ``matcher import`` and ``POST /v1/instances``
(``import_workbook``, ``import_csv_dir``, ``store_instance``); solves are queued as ``POST /v1/solves`` does.
Progress reaches the page as server-sent events read from the solve's stored progress, so it works the same
whichever server or worker runs the solve.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError

from matcher.api.access import found_instance, visible_solve
from matcher.api.routes.decisions import replan_solve
from matcher.api.routes.instances import store_instance
from matcher.api.routes.solves import resolved_options
from matcher.api.schemas import MAX_TIME_LIMIT_S, SolveOptionsIn
from matcher.exceptions import InstanceInvalid, Problem
from matcher.format import Proposal
from matcher.solver.options import DEFAULT_TIME_LIMIT_S
from matcher.storage import repository as repo
from matcher.validation import load_instance
from matcher.web import session
from matcher.web.deps import CSRF_CHECKED, PageCoordinator
from matcher.web.i18n import OBJECTIVES, SOLVE_STATUSES, translator
from matcher.web.rendering import message_page, render
from matcher.workflow.report import render_report
from matcher.workflow.spreadsheet_import import SheetProblem, import_csv_dir, import_workbook

router = APIRouter(include_in_schema=False)

FINISHED = repo.FINISHED
POLL_S = 0.5  # how often the event stream looks at the stored progress (the worker stores it about as often)
FILE_FIELD = "lists"
UPLOAD_PROBLEM = "upload"  # the code of the page's own problem: the files are no week's lists
INVALID = "invalid"  # the status of a proposal for an instance that was refused


def _not_found(request: Request, actor: repo.Actor) -> Response:
    t = translator(session.language(request))
    return message_page(request, t("not_found_title"), t("not_found_text"), 404, actor)


@router.get("/app/week", response_class=HTMLResponse)
def upload_page(request: Request, actor: PageCoordinator) -> Response:
    return render(request, "week.html", {"problems": [], "errors": []}, actor)


@router.post("/app/week", response_class=HTMLResponse, dependencies=[CSRF_CHECKED])
async def upload(request: Request, lists: Annotated[list[UploadFile], File()], actor: PageCoordinator) -> Response:
    files = [(Path(upload.filename or "upload").name, await upload.read()) for upload in lists]
    try:
        # one upload validated at a time, sharing the API's slots (a backlog holds the GIL for seconds)
        instance_id = await anyio.to_thread.run_sync(_store, request, files, actor,
                                                     limiter=request.app.state.upload_slots)
    except InstanceInvalid as invalid:
        t = translator(session.language(request))
        problems = [_where(problem, t, session.language(request)) for problem in invalid.problems]
        summary = t("upload_problems", count=len(problems))
        return render(request, "week.html", {"problems": problems, "errors": [(FILE_FIELD, summary)]}, actor,
                      status_code=422)
    return RedirectResponse(f"/app/instances/{instance_id}", status_code=303)


def _store(request: Request, files: list[tuple[str, bytes]], actor: repo.Actor) -> str:
    """The uploaded lists as a stored instance; ``InstanceInvalid`` with every problem otherwise."""
    names = [name.lower() for name, _ in files]
    if len(files) == 1 and names[0].endswith(".json"):
        body = files[0][1]
    elif len(files) == 1 and names[0].endswith(".xlsx"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "week.xlsx"
            path.write_bytes(files[0][1])
            body = json.dumps(import_workbook(path).document).encode()
    elif files and all(name.endswith(".csv") for name in names):
        with tempfile.TemporaryDirectory() as folder:
            for name, content in files:
                (Path(folder) / name).write_bytes(content)
            body = json.dumps(import_csv_dir(Path(folder)).document).encode()
    else:
        raise InstanceInvalid([Problem("", None, "upload one .xlsx workbook, one .json instance, or the .csv "
                                                 "files of a week", UPLOAD_PROBLEM)])
    return store_instance(request.app.state.database, body, actor).id


def _where(problem: Problem, t: Callable[..., str], language: str) -> dict[str, Any]:
    """A problem as the page's table shows it: sheet, row and column for a workbook, else path and record.

    Every problem is in the reader's language where it was worded from facts; the few written as free text
    (pydantic's own words for a rare kind of error, a file the operating system cannot read) stay English.
    """
    message = t("upload_what") if problem.code == UPLOAD_PROBLEM else problem.message_in(language)
    if isinstance(problem, SheetProblem) and problem.sheet:
        return {"sheet": problem.sheet, "row": problem.row, "column": problem.column, "message": message}
    return {"path": problem.path or "(document)", "record": problem.record_id, "message": message}


@router.get("/app/instances/{instance_id}", response_class=HTMLResponse)
def instance_page(request: Request, instance_id: str, actor: PageCoordinator) -> Response:
    return _instance_page(request, actor, instance_id, SolveChoice())


@dataclass(frozen=True)
class SolveChoice:
    """The solve options the page offers, as the form shows them again after a mistake."""

    time_limit: str = f"{DEFAULT_TIME_LIMIT_S:g}"
    method: str = "cpsat"
    most_seconds: int = int(MAX_TIME_LIMIT_S)


def _instance_page(request: Request, actor: repo.Actor, instance_id: str, choice: SolveChoice,
                   errors: list[tuple[str, str]] | None = None, status_code: int = 200) -> Response:
    try:
        with request.app.state.database.session() as db:
            record = found_instance(db, instance_id)
            instance = {"id": record.id, "name": record.name, "households": record.households,
                        "dwellings": record.dwellings, "municipalities": record.municipalities}
    except HTTPException:
        return _not_found(request, actor)
    return render(request, "instance.html", {"instance": instance, "options": choice, "errors": errors or []},
                  actor, status_code)


@router.post("/app/instances/{instance_id}/solve", dependencies=[CSRF_CHECKED])
def start_solve(request: Request, instance_id: str, actor: PageCoordinator, time_limit: Annotated[str, Form()] = "",
                method: Annotated[str, Form()] = "cpsat") -> Response:
    """Queue a solve with the chosen time limit and method, as ``POST /v1/solves`` does."""
    choice = SolveChoice(time_limit=time_limit.strip() or SolveChoice.time_limit, method=method)  # empty: default
    try:
        options = SolveOptionsIn(time_limit=float(choice.time_limit.replace(",", ".")), method=method)  # type: ignore[arg-type]
    except (ValueError, ValidationError):
        t = translator(session.language(request))
        problem = t("time_limit_invalid", most=choice.most_seconds)
        return _instance_page(request, actor, instance_id, choice, [("time_limit", problem)], 422)
    try:
        with request.app.state.database.session() as db:
            solve = repo.add_solve(db, found_instance(db, instance_id), resolved_options(options), actor)
    except HTTPException:
        return _not_found(request, actor)
    request.app.state.runner.wake()
    return RedirectResponse(f"/app/solves/{solve.id}", status_code=303)


@router.post("/app/solves/{solve_id}/cancel", dependencies=[CSRF_CHECKED])
def cancel(request: Request, solve_id: str, actor: PageCoordinator) -> Response:
    """Stop the solve and keep its best proposal, as ``DELETE /v1/solves/{id}`` does; back to its page, which
    follows it until it has handed back its proposal."""
    try:
        with request.app.state.database.session() as db:
            solve = visible_solve(db, actor, solve_id)
            if solve.status not in (repo.COMPLETED, repo.FAILED):
                repo.request_cancel(db, solve, actor)
    except HTTPException:
        return _not_found(request, actor)
    request.app.state.runner.stop(solve_id)
    return RedirectResponse(f"/app/solves/{solve_id}", status_code=303)


def _solve_state(request: Request, actor: repo.Actor, solve_id: str) -> dict[str, Any]:
    with request.app.state.database.session() as db:
        solve = visible_solve(db, actor, solve_id)
        return {"id": solve.id, "status": solve.status, "instance": solve.instance_id,
                "progress": json.loads(solve.progress) if solve.progress else None,
                # a usable proposal to re-plan from (a solve stopped before it found one has none)
                "proposal": solve.proposal_status not in (None, INVALID)}


@router.get("/app/solves/{solve_id}", response_class=HTMLResponse)
def solve_page(request: Request, solve_id: str, actor: PageCoordinator) -> Response:
    try:
        state = _solve_state(request, actor, solve_id)
    except HTTPException:
        return _not_found(request, actor)
    t = translator(session.language(request))
    labels = {"tier": t("tier"), "value": t("value"), "bound": t("bound"),
              "words": {name: t(name) for name in (*SOLVE_STATUSES, *OBJECTIVES)}}
    return render(request, "solve.html", {"solve": state, "finished": state["status"] in FINISHED, "errors": [],
                                          "labels": labels}, actor)


@router.get("/app/solves/{solve_id}/events")
async def solve_events(request: Request, solve_id: str, actor: PageCoordinator) -> Response:
    """Server-sent events: the solve's status and progress (tier, objectives, bounds) each time they change,
    ending when the solve has finished."""
    try:
        await run_in_threadpool(_solve_state, request, actor, solve_id)
    except HTTPException:
        return _not_found(request, actor)

    async def stream() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            state = await run_in_threadpool(_solve_state, request, actor, solve_id)
            if state != last:
                yield f"data: {json.dumps(state)}\n\n"
                last = state
            if state["status"] in FINISHED:
                return
            await asyncio.sleep(POLL_S)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("/app/solves/{solve_id}/report", response_class=HTMLResponse)
def report(request: Request, solve_id: str, actor: PageCoordinator) -> Response:
    """The proposal as ``matcher report`` writes it, in the session's language."""
    try:
        with request.app.state.database.session() as db:
            solve = visible_solve(db, actor, solve_id)
            proposal = repo.proposal_of(db, solve.id)
            instance = found_instance(db, solve.instance_id)
            if proposal is None:
                return _not_found(request, actor)
            instance_text, proposal_text = instance.document, proposal.document
    except HTTPException:
        return _not_found(request, actor)
    page = render_report(load_instance(instance_text), Proposal.model_validate_json(proposal_text),
                         "en" if session.language(request) == "en" else "nl")
    return HTMLResponse(page)


@router.post("/app/solves/{solve_id}/replan", dependencies=[CSRF_CHECKED])
def replan(request: Request, solve_id: str, actor: PageCoordinator) -> Response:
    """A stable re-plan from the municipalities' decisions, exactly as ``POST /v1/solves/{id}/replan``."""
    t = translator(session.language(request))
    try:
        with request.app.state.database.sessions() as db:  # replan_solve commits before it wakes the runner
            planned = replan_solve(visible_solve(db, actor, solve_id), actor, db, request.app.state.runner, None)
    except HTTPException as error:
        if error.status_code == 404:
            return _not_found(request, actor)
        return message_page(request, t("conflict_title"), str(error.detail), error.status_code, actor)
    except InstanceInvalid as invalid:
        text = "; ".join(str(problem) for problem in invalid.problems)
        return message_page(request, t("conflict_title"), text, 422, actor)
    return RedirectResponse(f"/app/solves/{planned.solve.id}", status_code=303)
