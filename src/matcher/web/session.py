"""Who is signed in, in which language, and the CSRF token of their forms.

The session lives in a cookie signed by Starlette's ``SessionMiddleware`` (itsdangerous underneath): HttpOnly,
SameSite=Strict, and valid for ``session_seconds`` — the signature carries its time, so an old cookie is
refused even if a browser keeps it. The cookie holds the key's id, never the key itself, and the key is
looked up on every request, so revoking a key ends its sessions at once.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from matcher.api.settings import ServiceSettings
from matcher.storage import repository as repo
from matcher.storage.models import ApiKey
from matcher.web.i18n import DEFAULT_LANGUAGE, LANGUAGES

SESSION_COOKIE = "matcher_session"
KEY_ID, LANGUAGE, CSRF = "key_id", "language", "csrf"
CSRF_FIELD = "csrf_token"
CSRF_BYTES = 32


class SignInNeeded(Exception):
    """A page that needs a signed-in user was asked for without one (or the session expired)."""


class CsrfRejected(Exception):
    """A form arrived without the CSRF token of this session."""


def install_sessions(app: FastAPI, settings: ServiceSettings) -> None:
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret, session_cookie=SESSION_COOKIE,
                       max_age=settings.session_seconds, same_site="strict", https_only=settings.secure_cookies)


def language(request: Request) -> str:
    chosen = request.session.get(LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def csrf_token(request: Request) -> str:
    """This session's token for its forms, made on first use."""
    token = request.session.get(CSRF)
    if not isinstance(token, str) or not token:
        token = request.session[CSRF] = secrets.token_urlsafe(CSRF_BYTES)
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get(CSRF)
    if not isinstance(expected, str) or not submitted or not secrets.compare_digest(expected, submitted):
        raise CsrfRejected()


def signed_in(request: Request) -> repo.Actor | None:
    """The actor of this session, or None (not signed in, expired, or the key was revoked since)."""
    key_id = request.session.get(KEY_ID)
    if not isinstance(key_id, str):
        return None
    with request.app.state.database.session() as session:
        key = session.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            request.session.pop(KEY_ID, None)
            return None
        return repo.Actor(key.id, key.role, key.municipality)


def required_actor(request: Request) -> repo.Actor:
    actor = signed_in(request)
    if actor is None:
        raise SignInNeeded()
    return actor


def sign_in(request: Request, token: str) -> repo.Actor | None:
    """Start a session for the key, or None when the key is unknown or revoked. The session starts afresh
    (new CSRF token), keeping only the chosen language."""
    with request.app.state.database.session() as session:
        key = repo.key_for_token(session, token)
        if key is None:
            return None
        actor = repo.Actor(key.id, key.role, key.municipality)
    chosen = language(request)
    request.session.clear()
    request.session.update({KEY_ID: actor.key_id, LANGUAGE: chosen, CSRF: secrets.token_urlsafe(CSRF_BYTES)})
    return actor


def sign_out(request: Request) -> None:
    chosen = language(request)
    request.session.clear()
    request.session[LANGUAGE] = chosen
