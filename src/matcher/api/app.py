"""The FastAPI application: ``create_app(settings)`` wires storage, the solve runner, access and routes.

On start it opens (and migrates) the database and, unless ``concurrent_solves`` is 0 (separate
``matcher worker`` processes run the solves), starts the solve runner; on shutdown the runner ends its solve
processes and gives their jobs back. Jobs held by other servers or workers are never touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi

from matcher import __version__
from matcher.api.access import IndexCache
from matcher.api.errors import BodySizeLimit, install_error_handlers
from matcher.api.jobs.runner import SolveRunner
from matcher.api.routes import accountability, audit, decisions, health, instances, municipalities, solves
from matcher.api.settings import ServiceSettings
from matcher.api.uploads import UploadChecker
from matcher.format import Instance
from matcher.storage.engine import Database
from matcher.web import install_web

TITLE = "matcher"
DESCRIPTION = (
    "Proposals for housing status holders in a region. Submit an instance, queue a solve, follow it, read the "
    "proposal, accept or decline its pairs and re-plan. Every endpoint but /v1/health needs an API key in the "
    "X-API-Key header (`matcher keys create`); a municipality key sees only its own municipality's data."
)
INSTANCE_SCHEMA_PREFIX = "Instance"
# Web-page uploads (workbooks, CSV files) imported and validated at once, on a worker thread. Each holds the
# GIL for seconds (a backlog); more at a time only slows every other request, and the ones waiting for a slot
# wait on the event loop, holding no thread. (API uploads are checked in their own process: api/uploads.py.)
UPLOAD_SLOTS = 1


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings.from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upload_slots = anyio.CapacityLimiter(UPLOAD_SLOTS)
        app.state.uploads = UploadChecker()
        database = await run_in_threadpool(Database.open, settings.resolved_database_url())
        runner = SolveRunner(database, settings)
        if settings.concurrent_solves > 0:
            await run_in_threadpool(runner.start)
        app.state.database, app.state.runner = database, runner
        try:
            yield
        finally:
            await run_in_threadpool(runner.close)
            await run_in_threadpool(app.state.uploads.close)
            database.close()

    app = FastAPI(title=TITLE, version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.index_cache = IndexCache()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    for module in (health, instances, solves, decisions, municipalities, accountability, audit):
        app.include_router(module.router)
    install_web(app, settings)  # the pages under /app, kept out of the OpenAPI schema
    app.openapi = _openapi_with_instance_format(app)  # type: ignore[method-assign]
    return app


def _openapi_with_instance_format(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The instance body is read raw (so its problems read as ``matcher validate`` prints them); its schema
    is added here from the format's own models, as ``InstanceDocument`` and ``Instance<Record>``."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            reference = f"#/components/schemas/{INSTANCE_SCHEMA_PREFIX}{{model}}"
            document = Instance.model_json_schema(ref_template=reference)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in document.pop("$defs", {}).items():
                components[INSTANCE_SCHEMA_PREFIX + name] = definition
            components["InstanceDocument"] = document
            app.openapi_schema = schema
        return app.openapi_schema

    return build
