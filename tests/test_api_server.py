"""The real thing: ``matcher serve`` as a process on a free port, driven over HTTP like a municipality
system would, checked with ``matcher check``, and killed with SIGKILL in the middle of a solve (its job runs
again once its lease has expired)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from api_support import EXAMPLES, REPO, TESTS, backend, fresh_database  # noqa: F401 - fixtures
from matcher.storage import Database
from matcher.storage import repository as repo
from matcher.storage.engine import SQLITE_FILE

MATCHER = str(Path(sys.executable).with_name("matcher"))
U16_WEEK = REPO / "instances" / "u16-week.json"
INSTANCE = U16_WEEK if U16_WEEK.exists() else EXAMPLES / "u16-week-s1.json"
STARTUP_TIMEOUT_S = 180.0  # a busy shared machine can take a minute to load Python, FastAPI and the solver
FINISHED = ("completed", "failed", "cancelled")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``matcher serve`` in a subprocess, with an HTTP client carrying a coordinator key."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir, self.env, self.port = data_dir, env, free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.key = ""
        # one client for the test (a new one per request costs 30 ms of processor, taken from the server and its
        # solve on 2 cores); after a restart on the same port it simply connects anew
        self.client = httpx.Client(base_url=self.url, timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def matcher(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([MATCHER, *args], env=self.env, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen([MATCHER, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                         "--data-dir", str(self.data_dir), "--log-level", "warning"],
                                        env=self.env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert self.process.poll() is None, (self.data_dir / f"server-{self.port}.log").read_text()
            try:
                if self.client.get("/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.1)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(timeout=30)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, path, headers={"X-API-Key": self.key}, **kwargs)

    def wait(self, solve_id: str, status: tuple[str, ...] = FINISHED, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.request("GET", f"/v1/solves/{solve_id}").json()
            if job["status"] in status:
                return job  # type: ignore[no-any-return]
            assert time.monotonic() < deadline, job
            time.sleep(0.1)


@contextmanager
def server(tmp_path: Path, backend: str, **env: str) -> Iterator[Server]:  # noqa: F811
    with fresh_database(backend, tmp_path / "db") as url:
        environment = {**os.environ, "PYTHONPATH": str(TESTS), **env}
        environment.pop("MATCHER_DATA_DIR", None)
        environment.pop("MATCHER_DATABASE_URL", None)
        if backend == "postgres":
            environment["MATCHER_DATABASE_URL"] = url
        else:
            url = f"sqlite:///{(tmp_path / SQLITE_FILE).resolve()}"  # what `serve --data-dir` will use
        running = Server(tmp_path, environment)
        database = Database.open(url)
        with database.session() as session:  # `matcher keys create` does the same (tested in test_api_cli)
            running.key = repo.create_key(session, repo.COORDINATOR)[1]
        database.close()
        try:
            running.start()
            yield running
        finally:
            running.stop()
            running.client.close()


def check(server: Server, instance: Path, proposal: dict[str, Any], name: str) -> None:
    """``matcher check`` as a user would run it on the downloaded proposal."""
    path = server.data_dir / f"{name}.proposal.json"
    path.write_text(json.dumps(proposal))
    checked = server.matcher("check", str(instance), str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def pairs(proposal: dict[str, Any]) -> set[tuple[str, str]]:
    return {(a["household"], a["dwelling"]) for a in proposal["assignments"]}


def test_submit_solve_check_decide_and_replan_over_http(tmp_path: Path, backend: str) -> None:  # noqa: F811
    with server(tmp_path, backend) as running:
        submitted = time.monotonic()
        instance_id = running.request("POST", "/v1/instances", content=INSTANCE.read_bytes()).json()["id"]
        solve = running.request("POST", "/v1/solves", json={"instance_id": instance_id,
                                                            "options": {"time_limit": 30, "workers": 2}})
        assert solve.status_code == 202
        job = running.wait(solve.json()["id"])
        print(f"u16-week submit-to-completed: {time.monotonic() - submitted:.2f} s")
        assert job["status"] == "completed", job
        proposal = running.request("GET", f"/v1/solves/{job['id']}/proposal").json()
        check(running, INSTANCE, proposal, "first")

        first, second, third = sorted(proposal["assignments"], key=lambda a: a["household"])[:3]
        decisions = [{"household": a["household"], "dwelling": a["dwelling"], "decision": "accept"}
                     for a in (first, second)]
        decisions.append({"household": third["household"], "dwelling": third["dwelling"], "decision": "decline",
                          "reason": "the family prefers to stay near its school"})
        assert running.request("POST", f"/v1/solves/{job['id']}/decisions", json=decisions).status_code == 201

        replan = running.request("POST", f"/v1/solves/{job['id']}/replan").json()
        again = running.wait(replan["solve"]["id"])
        assert again["status"] == "completed", again
        new_proposal = running.request("GET", f"/v1/solves/{again['id']}/proposal").json()
        document = running.request("GET", f"/v1/instances/{replan['instance']['id']}").json()["document"]
        new_instance = tmp_path / "replanned.json"
        new_instance.write_text(json.dumps(document))
        check(running, new_instance, new_proposal, "replanned")
        assert {(first["household"], first["dwelling"]), (second["household"], second["dwelling"])} <= pairs(
            new_proposal)
        assert (third["household"], third["dwelling"]) not in pairs(new_proposal)


def test_a_sigkilled_server_loses_nothing_and_finishes_the_solve_after_restart(tmp_path: Path) -> None:
    """SQLite only: leases on PostgreSQL are covered by test_storage, test_api_jobs and test_api_faults."""
    with server(tmp_path, "sqlite", MATCHER_SOLVE_FUNCTION="api_fakes:slow", MATCHER_FAKE_DELAY="1",
                MATCHER_LEASE_SECONDS="2") as running:
        instance_id = running.request("POST", "/v1/instances", content=INSTANCE.read_bytes()).json()["id"]
        first = running.request("POST", "/v1/solves", json={"instance_id": instance_id}).json()["id"]
        running.wait(first)
        proposal = running.request("GET", f"/v1/solves/{first}/proposal").json()
        pair = {k: proposal["assignments"][0][k] for k in ("household", "dwelling")}
        decided = running.request("POST", f"/v1/solves/{first}/decisions", json=[{**pair, "decision": "accept"}])
        assert decided.status_code == 201
        replanned = running.request("POST", f"/v1/solves/{first}/replan").json()["solve"]["id"]
        running.wait(replanned, status=("running",))
        workers = psutil.Process(running.process.pid).children(recursive=True)
        assert workers

        running.stop(signal.SIGKILL)
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == [], "solve processes outlived their server"

        running.start()
        job = running.wait(replanned)
        assert job["status"] == "completed" and job["attempts"] == 2, job
        assert [e["event"] for e in job["history"]] == ["queued", "running", "lease_expired", "running", "completed"]
        assert running.request("GET", f"/v1/instances/{instance_id}").status_code == 200
        history = running.request("GET", f"/v1/solves/{first}/decisions").json()["items"]
        assert [(d["household"], d["dwelling"], d["decision"]) for d in history] == [
            (pair["household"], pair["dwelling"], "accept")]
        final = running.request("GET", f"/v1/solves/{replanned}/proposal").json()
        assert (pair["household"], pair["dwelling"]) in pairs(final)
