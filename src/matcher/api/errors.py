"""Every error a client can cause, answered in one shape: ``{"detail": ..., "problems": [...]}``.

Problems carry a JSON path and a record id, as ``matcher validate`` prints them. A body over the size limit
is refused with 413 before it is read into memory; anything unexpected is a 500 that leaks no internals
(and is logged), but no input a client can send is meant to reach it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.exceptions import InstanceInvalid, Problem

log = logging.getLogger("matcher.api")


class ProblemsError(Exception):
    """A request the server understood but cannot accept, with every problem found."""

    def __init__(self, status_code: int, detail: str, problems: Iterable[Problem]) -> None:
        self.status_code = status_code
        self.detail = detail
        self.problems = list(problems)
        super().__init__(detail)


def printable(text: str) -> str:
    """Text any JSON encoder can send: an unpaired surrogate a client sent (in an id, or a key) is written
    as its escape, ``\\ud800``, instead of breaking the answer that names it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def problem_body(detail: str, problems: Iterable[Problem]) -> dict[str, Any]:
    return {"detail": printable(detail),
            "problems": [{name: printable(value) if isinstance(value, str) else value
                          for name, value in problem.as_dict().items()} for problem in problems]}


def render_location(location: Iterable[Any]) -> str:
    """FastAPI's ``("body", "options", "seed")`` as ``options.seed``; query and path parameters keep their kind."""
    parts = list(location)
    text = ""
    if parts and parts[0] in ("query", "path", "header", "cookie"):
        text, parts = f"{parts[0]}:", parts[1:]
    elif parts and parts[0] == "body":
        parts = parts[1:]
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text and not text.endswith(":") else str(part))
    return text


def _validation_problems(error: RequestValidationError) -> list[Problem]:
    problems = []
    for detail in error.errors():
        location = [part for part in detail.get("loc", ()) if not (isinstance(part, str) and "[" in part)]
        message = str(detail.get("msg", "is invalid"))
        if detail.get("type") == "json_invalid":
            message = f"is not valid JSON: {detail.get('ctx', {}).get('error', message)}"
        problems.append(Problem(render_location(location), None, message, str(detail.get("type", "invalid"))))
    return problems


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)  # FastAPI's own body parsing raises Starlette's
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and isinstance(error.__cause__, UnicodeDecodeError):
            problems = [Problem("", None, "is not valid JSON: the body is not UTF-8 text", "json_invalid")]
            return JSONResponse(problem_body("1 problem(s) in the request", problems), status_code=422)
        return JSONResponse({"detail": printable(str(error.detail))}, status_code=error.status_code,
                            headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = _validation_problems(error)
        return JSONResponse(problem_body(f"{len(problems)} problem(s) in the request", problems), status_code=422)

    @app.exception_handler(InstanceInvalid)
    async def invalid_instance(_request: Request, error: InstanceInvalid) -> JSONResponse:
        detail = f"the instance has {len(error.problems)} problem(s)"
        return JSONResponse(problem_body(detail, error.problems), status_code=422)

    @app.exception_handler(ProblemsError)
    async def problems(_request: Request, error: ProblemsError) -> JSONResponse:
        return JSONResponse(problem_body(error.detail, error.problems), status_code=error.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body is larger than the limit of {limit} bytes")


class BodySizeLimit:
    """Refuse bodies over ``limit`` bytes: at once when Content-Length says so, else while they stream in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            status, detail = (413, BodyTooLarge(self.limit).detail) if declared.isdigit() else (
                400, "Content-Length is not a number")
            await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send)
