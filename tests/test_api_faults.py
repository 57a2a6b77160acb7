"""Issue 18's fault test: three API servers and four workers on one PostgreSQL database, 100 tiny solves,
and servers and workers killed with SIGKILL and restarted at random (seeded, and bounded in number).

What a user may rely on, checked at the end: every job ran to completion exactly once as far as anyone can
see (one ``completed`` in its history, nothing after it), no finished proposal ever changed from the first
time someone read it, and every decision a server acknowledged (201) is still there.

Short leases (4 s) make a killed worker's jobs move to another worker quickly. The number of jobs can be
lowered for a quick look with ``MATCHER_FAULT_JOBS``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import TESTS, TINY, backends, postgres_schema
from matcher.storage import Database
from matcher.storage import repository as repo
from test_api_server import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MATCHER = str(Path(sys.executable).with_name("matcher"))
SERVERS, WORKERS = 3, 4
JOBS = int(os.environ.get("MATCHER_FAULT_JOBS", "100"))
SEED = 18
KILLS = 8  # SIGKILLs in all, spread over servers and workers
KILL_EVERY_S = (1.0, 3.0)  # pause between two kills, drawn at random
RESTART_AFTER_S = (0.2, 1.5)
LEASE = {"MATCHER_LEASE_SECONDS": "4", "MATCHER_LEASE_RENEW_SECONDS": "0.5"}
OPTIONS = {"time_limit": 5, "workers": 1}
STARTUP_TIMEOUT_S = 300.0  # seven Python processes loading at once on a busy 2-core machine
DRAIN_TIMEOUT_S = 600.0


@dataclass
class Node:
    """One ``matcher serve`` or ``matcher worker`` process that the test kills and restarts."""

    command: list[str]
    log: Path
    env: dict[str, str]
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None
    _client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """One client per server for the whole test: a new one per request costs 30 ms of processor (its SSL
        context), which on 2 cores is taken from the servers and workers under test. A connection to a killed
        server fails once (a ``TransportError``) and the next request connects anew."""
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=10)
        return self._client

    def close(self) -> None:
        self.stop()
        if self._client is not None:
            self._client.close()

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=log)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    servers: list[Node]
    workers: list[Node]
    key: str
    rng: random.Random
    seen_proposals: dict[str, str] = field(default_factory=dict)  # solve id -> proposal text, first read
    acknowledged: dict[str, str] = field(default_factory=dict)  # decision id -> solve id

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """Through a random server that is up; None when none answered (the caller tries again later)."""
        for server in self.rng.sample(self.servers, len(self.servers)):
            try:
                return server.client.request(method, path, headers={"X-API-Key": self.key}, **kwargs)
            except httpx.TransportError:
                continue
        return None


def wait_until_up(server: Node) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.process is not None and server.process.poll() is None, server.log.read_text()[-2000:]
        try:
            if server.client.get("/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server on port {server.port} did not come up: {server.log.read_text()[-2000:]}")


def cluster_nodes(tmp_path: Path, url: str) -> tuple[list[Node], list[Node]]:
    env = {**os.environ, "MATCHER_DATABASE_URL": url, "PYTHONPATH": str(TESTS), **LEASE}
    env.pop("MATCHER_DATA_DIR", None)
    servers = []
    for i in range(SERVERS):
        port = free_port()
        servers.append(Node([MATCHER, "serve", "--port", str(port), "--concurrent-solves", "0", "--data-dir",
                             str(tmp_path / f"server{i}"), "--log-level", "warning"], tmp_path / f"server{i}.log",
                            env, port))
    workers = [Node([MATCHER, "worker", "--data-dir", str(tmp_path / f"worker{i}")], tmp_path / f"worker{i}.log", env)
               for i in range(WORKERS)]
    return servers, workers


def read_finished(cluster: Cluster, pending: set[str]) -> None:
    """Look at the jobs not yet seen finished; on the first sight of a completed one, read its proposal
    and accept its first pair, as a municipality system would."""
    listing = cluster.request("GET", "/v1/solves", params={"limit": 500})
    if listing is None or listing.status_code != 200:
        return
    for job in listing.json()["items"]:
        if job["id"] not in pending or job["status"] != "completed":
            continue
        proposal = cluster.request("GET", f"/v1/solves/{job['id']}/proposal")
        if proposal is None or proposal.status_code != 200:
            continue
        cluster.seen_proposals[job["id"]] = proposal.text
        pending.discard(job["id"])
        first = proposal.json()["assignments"][0]
        decided = cluster.request("POST", f"/v1/solves/{job['id']}/decisions", json=[
            {"household": first["household"], "dwelling": first["dwelling"], "decision": "accept"}])
        if decided is not None and decided.status_code == 201:
            cluster.acknowledged[decided.json()["items"][0]["id"]] = job["id"]


def chaos(cluster: Cluster, pending: set[str]) -> int:
    """Kill a random server or worker now and then, restart it shortly after; meanwhile read what finished."""
    kills = 0
    next_kill = time.monotonic() + cluster.rng.uniform(*KILL_EVERY_S)
    while kills < KILLS and pending:
        read_finished(cluster, pending)
        if time.monotonic() >= next_kill:
            victim = cluster.rng.choice(cluster.servers + cluster.workers)
            victim.kill()
            time.sleep(cluster.rng.uniform(*RESTART_AFTER_S))
            victim.start()
            kills += 1
            next_kill = time.monotonic() + cluster.rng.uniform(*KILL_EVERY_S)
        time.sleep(0.2)
    return kills


def test_jobs_survive_servers_and_workers_killed_at_random(tmp_path: Path) -> None:
    if "postgres" not in backends():
        pytest.skip("needs PostgreSQL (MATCHER_TEST_POSTGRES_URL); `make test` starts one")
    with postgres_schema() as url:
        database = Database.open(url)  # migrated once here, so that the nodes start on a ready schema
        with database.session() as session:
            key = repo.create_key(session, repo.COORDINATOR)[1]
        servers, workers = cluster_nodes(tmp_path, url)
        cluster = Cluster(servers, workers, key, random.Random(SEED))
        try:
            for node in servers + workers:
                node.start()
            for server in servers:
                wait_until_up(server)
            instance = cluster.request("POST", "/v1/instances", content=TINY.read_bytes())
            assert instance is not None and instance.status_code == 201
            for _ in range(JOBS):
                created = cluster.request("POST", "/v1/solves", json={"instance_id": instance.json()["id"],
                                                                       "options": OPTIONS})
                assert created is not None and created.status_code == 202
            with database.session() as session:
                pending = {solve.id for solve in repo.list_solves(session, limit=JOBS + 1, offset=0)}
            assert len(pending) == JOBS
            kills = chaos(cluster, pending)
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while pending and time.monotonic() < deadline:
                read_finished(cluster, pending)
                time.sleep(0.5)
            assert not pending, f"{len(pending)} job(s) never completed"
            check_outcome(cluster, database, kills)
        finally:
            for node in servers + workers:
                node.close()
            database.close()


def check_outcome(cluster: Cluster, database: Database, kills: int) -> None:
    attempts = []
    for solve_id, first_read in cluster.seen_proposals.items():
        with database.session() as session:
            solve = repo.get_solve(session, solve_id)
            proposal = repo.proposal_of(session, solve_id)
            events = [event.event for event in repo.events(session, solve_id)]
            decisions = {decision.id for decision in repo.decisions_on(session, solve_id)}
        assert solve is not None and proposal is not None
        assert solve.status == repo.COMPLETED and proposal.final
        assert events.count(repo.COMPLETED) == 1 and events[-1] == repo.COMPLETED, (solve_id, events)
        assert proposal.document == first_read, f"the finished proposal of {solve_id} changed"
        assert {d for d, s in cluster.acknowledged.items() if s == solve_id} <= decisions
        attempts.append(solve.attempts)
    print(f"{len(attempts)} jobs, {kills} kills, {sum(a > 1 for a in attempts)} jobs run more than once "
          f"(lease expired), {len(cluster.acknowledged)} decisions acknowledged and kept")
    assert len(attempts) == JOBS and kills > 0
