"""Pages from Jinja2 templates, each with what the base layout needs: the words in the session's language,
the CSRF token for its forms, who is signed in, and the page's own path (the language switch comes back to it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from matcher.storage import repository as repo
from matcher.web import session
from matcher.web.i18n import LANGUAGES, translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def render(request: Request, template: str, context: dict[str, Any], actor: repo.Actor | None = None,
           status_code: int = 200) -> HTMLResponse:
    language = session.language(request)
    shared = {"t": translator(language), "language": language, "languages": LANGUAGES, "actor": actor,
              "csrf_field": session.CSRF_FIELD, "csrf_token": session.csrf_token(request),
              "here": request.url.path}
    return TEMPLATES.TemplateResponse(request, template, {**shared, **context}, status_code=status_code)


def message_page(request: Request, title: str, text: str, status_code: int,
                 actor: repo.Actor | None = None) -> HTMLResponse:
    """A page that only says what went wrong (403, 404, 409), in the session's language."""
    return render(request, "message.html", {"title": title, "text": text}, actor, status_code)
