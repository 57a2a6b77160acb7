"""Signing in with an API key, signing out, and choosing the language.

Every POST here, even the sign-in form, carries the session's CSRF token: a sign-in forged from another site
would otherwise sign a browser in under someone else's key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from matcher.web import session
from matcher.web.i18n import LANGUAGES, translator
from matcher.web.rendering import render

router = APIRouter(include_in_schema=False)

HOME = "/app/"


def home_of(actor_municipality: str | None) -> str:
    return HOME if actor_municipality is None else f"/app/municipality/{actor_municipality}"


def _local(path: str | None) -> str:
    """Only a path of these pages is a place to go back to (never another site: no open redirect)."""
    return path if path and path.startswith("/app/") and not path.startswith("/app//") else HOME


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/app/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, expired: bool = False, signed_out: bool = False) -> Response:
    if session.signed_in(request) is not None:
        return RedirectResponse(HOME, status_code=303)
    t = translator(session.language(request))
    notice = t("signed_out") if signed_out else t("please_sign_in") if expired else None
    return render(request, "sign_in.html", {"notice": notice, "errors": []})


@router.post("/app/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, api_key: Annotated[str, Form()] = "",
            csrf_token: Annotated[str, Form()] = "") -> Response:
    session.check_csrf(request, csrf_token)
    t = translator(session.language(request))
    actor = session.sign_in(request, api_key.strip()) if api_key.strip() else None
    if actor is None:
        problem = t("unknown_key") if api_key.strip() else t("key_missing")
        return render(request, "sign_in.html", {"notice": None, "errors": [("api_key", problem)]},
                      status_code=401)
    return RedirectResponse(home_of(None if actor.is_coordinator else actor.municipality), status_code=303)


@router.post("/app/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    session.check_csrf(request, csrf_token)
    session.sign_out(request)
    return RedirectResponse("/app/sign-in?signed_out=1", status_code=303)


@router.post("/app/language")
def choose_language(request: Request, language: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "",
                    csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    session.check_csrf(request, csrf_token)
    if language in LANGUAGES:
        request.session[session.LANGUAGE] = language
    return RedirectResponse(_local(back), status_code=303)
