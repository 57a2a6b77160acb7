"""The solve processes: a crash, memory exhaustion, an exception or a solver that ignores stop fails or ends
only its own job, never the server; a job whose worker died or shut down runs again once its lease has
expired, and its history says so."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from sqlalchemy import event

from api_support import Service, backend, fresh_database, make_service, running_service  # noqa: F401 - fixtures
from matcher.storage import Database
from matcher.storage import repository as repo

MEMORY_LIMIT_MB = 1024
LEASE_WRITE = "UPDATE solves SET lease_expires_at"


def failed_job(make_service: Callable[..., Service], solve_function: str, **settings: object) -> dict:
    service = make_service(solve_function=solve_function, **settings)
    solve_id = service.start_solve(service.add_instance())
    job = service.wait(solve_id)
    assert job["status"] == "failed", job
    assert service.client.get("/v1/health").status_code == 200  # the server lives on
    assert service.client.app.state.runner.running() == []  # and its solve slot is free again
    assert service.get(f"/v1/solves/{solve_id}/proposal").status_code == 409
    return job


def test_a_crashing_solve_fails_its_job_with_the_signal(make_service: Callable[..., Service]) -> None:
    job = failed_job(make_service, "api_fakes:crash")
    assert "crashed (SIGSEGV)" in job["error"]
    assert job["history"][-1]["event"] == "failed"


def test_a_solve_that_exhausts_its_memory_fails_with_a_clear_error(make_service: Callable[..., Service]) -> None:
    job = failed_job(make_service, "api_fakes:hog_memory", solve_memory_mb=MEMORY_LIMIT_MB)
    assert job["error"] == f"the solve ran out of memory (limit {MEMORY_LIMIT_MB} MiB)"


def test_a_solver_exception_fails_the_job_with_its_message(make_service: Callable[..., Service]) -> None:
    job = failed_job(make_service, "api_fakes:explode")
    assert job["error"] == "RuntimeError: the fake solver broke"


def test_a_solve_that_ignores_stop_is_ended_after_the_grace_time_keeping_its_best(
        make_service: Callable[..., Service]) -> None:
    service = make_service(solve_function="api_fakes:deaf", stop_grace_seconds=0.5)
    solve_id = service.start_solve(service.add_instance())
    service.wait(solve_id, until=lambda job: job["proposal_status"] is not None)
    service.delete(f"/v1/solves/{solve_id}")
    job = service.wait(solve_id, timeout=10)
    assert job["status"] == "cancelled"
    assert "did not stop within the grace period" in job["history"][-1]["message"]
    kept = service.get(f"/v1/solves/{solve_id}/proposal")
    assert kept.status_code == 200 and kept.headers["X-Proposal-Final"] == "true"


def test_a_job_whose_worker_died_runs_again_once_its_lease_expires(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        with running_service(url, tmp_path / "data") as first:
            solve_id = first.start_solve(first.add_instance())
            first.wait(solve_id)
            keys = first.keys
        database = Database.open(url)
        with database.session() as session:  # what a worker killed in the middle of the solve leaves behind
            solve = repo.get_solve(session, solve_id)
            solve.status, solve.finished_at, solve.lease_token = repo.RUNNING, None, "dead-worker"
            solve.lease_expires_at = repo.now() + dt.timedelta(seconds=2)
            repo.proposal_of(session, solve_id).final = False  # its proposal was still the best so far
        database.close()
        with running_service(url, tmp_path / "data") as second:
            second.keys = keys
            assert second.get(f"/v1/solves/{solve_id}").json()["status"] == "running"  # the lease still holds
            job = second.wait(solve_id)
    assert job["status"] == "completed" and job["attempts"] == 2
    events = [event["event"] for event in job["history"]]
    assert events == ["queued", "running", "completed", "lease_expired", "running", "completed"]


def test_a_server_shutdown_gives_its_running_job_back(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        with running_service(url, tmp_path / "data", solve_function="api_fakes:slow") as first:
            solve_id = first.start_solve(first.add_instance())
            first.wait(solve_id, until=lambda job: job["progress"] is not None and job["progress"]["tier"])
            pid = first.client.app.state.runner.worker_pid(solve_id)
            assert pid is not None
            worker = psutil.Process(pid)
            keys = first.keys
        assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
        with running_service(url, tmp_path / "data") as second:
            second.keys = keys
            job = second.wait(solve_id)
    assert job["status"] == "completed" and job["attempts"] == 2
    events = [event["event"] for event in job["history"]]
    assert events == ["queued", "running", "released", "lease_expired", "running", "completed"]
    assert "its worker shut down" in job["history"][2]["message"]


def test_a_running_job_renews_its_lease_rarely_and_still_hears_a_cancel_at_once(
        make_service: Callable[..., Service]) -> None:
    """The worker looks at its job every beat (a read) and renews the 30 s lease only after a third of it: no
    lease write in the first seconds, where a renewal every beat made one per beat; a cancel set in the
    database (as a DELETE on another server sets it) still reaches the job within a beat or so."""
    service = make_service(solve_function="api_fakes:quiet", lease_renew_seconds=0.1)
    lease_writes: list[str] = []

    def count(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith(LEASE_WRITE):
            lease_writes.append(statement)

    event.listen(service.database.engine, "before_cursor_execute", count)
    solve_id = service.start_solve(service.add_instance())
    service.wait(solve_id, until=lambda job: job["status"] == "running")
    time.sleep(2.0)  # 20 beats
    assert lease_writes == []
    with service.database.session() as session:
        repo.request_cancel(session, repo.get_solve(session, solve_id), repo.SYSTEM)
    asked = time.monotonic()
    job = service.wait(solve_id, timeout=10)
    assert job["status"] == "cancelled" and time.monotonic() - asked < 3.0
