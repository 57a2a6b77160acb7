"""The pages' guards as FastAPI dependencies, so that a page names who may see it instead of checking by hand:
``SignedIn`` (nobody signed in: the sign-in page) and ``PageCoordinator`` (any other signed-in key: the 404
page, as the API answers 404 to a route that is not the key's). ``CSRF_CHECKED`` goes in a form route's
``dependencies``, which FastAPI runs first: a form without its token is refused before anything else."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from matcher.storage import repository as repo
from matcher.web import session
from matcher.web.i18n import translator
from matcher.web.rendering import message_page


class PageNotFound(Exception):
    """A signed-in key asked for a page that is not its own: it sees the same 404 page as for a missing one."""

    def __init__(self, actor: repo.Actor) -> None:
        super().__init__("page not found")
        self.actor = actor


def signed_in_user(request: Request) -> repo.Actor:
    return session.required_actor(request)


SignedIn = Annotated[repo.Actor, Depends(signed_in_user)]


def page_coordinator(actor: SignedIn) -> repo.Actor:
    if not actor.is_coordinator:
        raise PageNotFound(actor)
    return actor


PageCoordinator = Annotated[repo.Actor, Depends(page_coordinator)]


def checked_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    session.check_csrf(request, csrf_token)


CSRF_CHECKED = Depends(checked_csrf)


async def not_found_page(request: Request, error: Exception) -> Response:
    t = translator(session.language(request))
    actor = error.actor if isinstance(error, PageNotFound) else None
    return message_page(request, t("not_found_title"), t("not_found_text"), 404, actor)
