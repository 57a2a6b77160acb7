"""``install_web(app, settings)``: the session cookie, the static files, the error pages and the page routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from matcher.api.settings import ServiceSettings
from matcher.web import account, audit, coordinator, municipality, session, week
from matcher.web.deps import PageNotFound, not_found_page
from matcher.web.i18n import translator
from matcher.web.proposal_cache import ProposalCache
from matcher.web.rendering import message_page

STATIC = Path(__file__).resolve().parent / "static"
SIGN_IN_PATH = "/app/sign-in"


def install_web(app: FastAPI, settings: ServiceSettings) -> None:
    session.install_sessions(app, settings)
    app.state.proposal_cache = ProposalCache()
    app.mount("/app/static", StaticFiles(directory=STATIC), name="web-static")
    app.add_exception_handler(session.SignInNeeded, _to_sign_in)
    app.add_exception_handler(session.CsrfRejected, _csrf_refused)
    app.add_exception_handler(PageNotFound, not_found_page)
    for module in (account, municipality, coordinator, week, audit):
        app.include_router(module.router)


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"{SIGN_IN_PATH}?expired=1", status_code=303)


async def _csrf_refused(request: Request, exc: Exception) -> HTMLResponse:
    t = translator(session.language(request))
    return message_page(request, t("forbidden_title"), t("forbidden_text"), 403, session.signed_in(request))
