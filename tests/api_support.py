"""Shared set-up for the service's tests: a database per test (SQLite, and PostgreSQL as well when
``MATCHER_TEST_POSTGRES_URL`` is set), an app with its solve runner, and keys for every role.

PostgreSQL: each test gets a schema of its own (``search_path`` in the URL), dropped afterwards. Under
``CI=true`` the PostgreSQL variant always runs, and fails loudly when no server was provided.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from conftest import EXAMPLES
from matcher.api.app import create_app
from matcher.api.settings import ServiceSettings
from matcher.storage import Database, normalise_url
from matcher.storage import repository as repo

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
POSTGRES_ENV = "MATCHER_TEST_POSTGRES_URL"
FINISHED = ("completed", "failed", "cancelled")
TINY = EXAMPLES / "tiny-s1.json"  # GM0321 has dwellings d00000-d00004, GM0632 has d00005
SMALL_TIME_LIMIT = {"time_limit": 10, "workers": 1}


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when a server is given, and always under CI (where missing is a failure)."""
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) or os.environ.get("CI") == "true" else ["sqlite"]


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: the PostgreSQL tests cannot run. Start a server with "
                    f"`bash scripts/start-postgres.sh` and export {POSTGRES_ENV} to the URL it prints.")
    return normalise_url(url)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test server, as a URL whose connections use it; dropped afterwards."""
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="module", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database: a SQLite file in ``directory``, or a new PostgreSQL schema."""
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{directory / f'matcher-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(backend, tmp_path) as url:
        yield url


@dataclass
class Service:
    """A running app (TestClient), its database, and keys: ``coordinator`` and one per municipality code."""

    client: TestClient
    database: Database
    settings: ServiceSettings
    keys: dict[str, str] = field(default_factory=dict)

    def key(self, who: str = "coordinator") -> str:
        if who not in self.keys:
            with self.database.session() as session:
                role = repo.COORDINATOR if who == "coordinator" else repo.MUNICIPALITY
                _, self.keys[who] = repo.create_key(session, role, None if who == "coordinator" else who)
        return self.keys[who]

    def headers(self, who: str = "coordinator") -> dict[str, str]:
        return {"X-API-Key": self.key(who)}

    def get(self, path: str, who: str = "coordinator", **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def post(self, path: str, who: str = "coordinator", headers: dict[str, str] | None = None,
             **kwargs: Any) -> Any:
        return self.client.post(path, headers={**self.headers(who), **(headers or {})}, **kwargs)

    def delete(self, path: str, who: str = "coordinator") -> Any:
        return self.client.delete(path, headers=self.headers(who))

    def add_instance(self, document: dict[str, Any] | None = None) -> str:
        body = json.dumps(document) if document is not None else TINY.read_text()
        response = self.post("/v1/instances", content=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def start_solve(self, instance_id: str, **options: Any) -> str:
        response = self.post("/v1/solves", json={"instance_id": instance_id, "options": options or SMALL_TIME_LIMIT})
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def wait(self, solve_id: str, until: Callable[[dict[str, Any]], bool] | None = None,
             timeout: float = 60.0) -> dict[str, Any]:
        """Poll the job until ``until`` holds (default: it finished)."""
        until = until or (lambda job: job["status"] in FINISHED)
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(f"/v1/solves/{solve_id}").json()
            if until(job):
                return job  # type: ignore[no-any-return]
            assert time.monotonic() < deadline, f"solve {solve_id} still {job['status']} after {timeout} s: {job}"
            time.sleep(0.05)

    def solved(self, instance_id: str | None = None) -> str:
        """A completed solve of the tiny example (or the given instance)."""
        solve_id = self.start_solve(instance_id or self.add_instance())
        job = self.wait(solve_id)
        assert job["status"] == "completed", job
        return solve_id


@contextmanager
def running_service(database_url: str, data_dir: Path, **overrides: Any) -> Iterator[Service]:
    """The app on its own database, with its solve runner; solve processes can import ``api_fakes``."""
    overrides.setdefault("warm_at_start", False)  # most tests solve nothing: no process to load
    settings = ServiceSettings(data_dir=data_dir, database_url=database_url, **overrides)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
        with TestClient(create_app(settings)) as client:
            yield Service(client, client.app.state.database, settings)  # type: ignore[attr-defined]


@pytest.fixture
def make_service(backend: str, tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Start a service on a fresh database with settings overrides (e.g. ``solve_function="api_fakes:slow"``)."""
    with ExitStack() as stack:

        def start(**overrides: Any) -> Service:
            url = stack.enter_context(fresh_database(backend, tmp_path))
            return stack.enter_context(running_service(url, tmp_path / "data", **overrides))

        yield start


@pytest.fixture(scope="module")
def service(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service for a whole test module, with a warm solve process: tests on it must not depend on what
    other tests stored (each makes its own instances and solves)."""
    directory = tmp_path_factory.mktemp("service")
    with fresh_database(backend, directory) as url, running_service(url, directory / "data",
                                                                    warm_at_start=True) as running:
        yield running


def tiny_document() -> dict[str, Any]:
    return json.loads(TINY.read_text())  # type: ignore[no-any-return]
